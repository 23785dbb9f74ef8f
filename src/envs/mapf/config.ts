/**
 * MAPF-v0 configuration: POGEMA's `GridConfig` in camelCase, its defaults, and validation into a
 * resolved form the backends use. Every error names the field and the offending value.
 * @module
 */

import { InvalidConfigError, InvalidMapError, formatValue } from '../../errors.js';
import {
  MAX_GIVEN_MAP_SIDE, NAMED_MAPS, type GridMap, type MapGeneratorSpec, generateMap, mapFromArray, namedMap, parseMapString,
} from './maps.js';
import { resolveExplicitTask, resolvePools } from './task-config.js';

/** Collision systems (POGEMA's `collision_system`; `blockBoth` is `block_both`). */
export type CollisionSystem = 'priority' | 'blockBoth' | 'soft';
/** What happens when an agent reaches its goal (POGEMA's `on_target`). */
export type OnTarget = 'finish' | 'nothing' | 'restart';
/** A shipped map by name (see `maps.NAMED_MAPS`). */
export interface NamedMapRef {
  /** Map name, e.g. `'mapf-default-16'`. */
  name: string;
}

/** A cell as `[row, col]`, row 0 being the first map line. */
export type Cell = readonly [number, number];

/**
 * Configuration of `MAPF-v0` (POGEMA's `GridConfig` with camelCase names). Every field is
 * optional; defaults follow POGEMA 2.0.0a.
 */
export interface MapfConfig {
  /** Agents per env. Default: the number of letters in `map` or of `agentsXY`, else 1. */
  numAgents?: number;
  /**
   * The map: a POGEMA string (`.` free, `#` obstacle, `a`–`z` starts, `A`–`Z` goals; a map with
   * any `@`, `$` or `!` cell marks pools instead: starts from its `.` and `@` cells, goals from
   * its `.` and `$` cells, `!` free but in neither), a 0/1 array of rows, a {@link GridMap},
   * `{ name }` of a shipped map, or a generator spec
   * `{ type: 'random' | 'maze' | 'warehouse', height, width, ... }`. Default: a random map of
   * `height × width` with obstacle probability `density`, one per env (POGEMA's `map=None`).
   */
  map?: string | ReadonlyArray<ReadonlyArray<number | boolean>> | GridMap | NamedMapRef | MapGeneratorSpec;
  /** Name of a shipped map (see `NAMED_MAPS`); same as `map: { name }`. */
  mapName?: string;
  /** Side of the square random map when `width`/`height` are not given. Default 8. */
  size?: number;
  /** Width of the random map. Default `size`. */
  width?: number;
  /** Height of the random map. Default `size`. */
  height?: number;
  /** Obstacle probability of the random map, in [0, 1]. Default 0.3. */
  density?: number;
  /** Observation radius r, 1..128: observations are `[3, 2r+1, 2r+1]`. Default 5. */
  obsRadius?: number;
  /** Default `'priority'`. */
  collisionSystem?: CollisionSystem;
  /** Default `'finish'`. */
  onTarget?: OnTarget;
  /** All agents are truncated after this many steps. Default 64. */
  maxEpisodeSteps?: number;
  /** Explicit starts, one `[row, col]` per agent (needs `targetsXY`; not with map letters). */
  agentsXY?: ReadonlyArray<Cell>;
  /**
   * Explicit goals: one `[row, col]` per agent, or for `onTarget: 'restart'` one sequence of
   * goals per agent (the agent cycles through it).
   */
  targetsXY?: ReadonlyArray<Cell> | ReadonlyArray<ReadonlyArray<Cell>>;
  /**
   * Start pool (POGEMA's `possible_agents_xy`; by default a pool-marking map string's `.` and
   * `@` cells): each episode the agents start on distinct cells drawn from it. Needs
   * `possibleTargetsXY`; not with `agentsXY`.
   */
  possibleAgentsXY?: ReadonlyArray<Cell>;
  /**
   * Goal pool (POGEMA's `possible_targets_xy`; by default a pool-marking map string's `.` and
   * `$` cells): with `possibleAgentsXY`, each episode's first goals are distinct cells drawn
   * from it (a goal may be its agent's start, as in POGEMA); with `onTarget: 'restart'` every
   * later goal is drawn uniformly from it, excluding the agent's current cell. All pool cells
   * must lie in one 4-connected component.
   */
  possibleTargetsXY?: ReadonlyArray<Cell>;
  /** Observation dtype. Default `'float32'`; `'uint8'` has the same 0/1 values in a quarter of the bytes. */
  obsDtype?: 'float32' | 'uint8';
  /** One generated map per env (seeded by the env's seed) instead of one for the batch. Default true for generated maps. */
  mapPerEnv?: boolean;
  /** Also publish POMAPF's `xy` and `targetXY` (relative to the start cell) in infos. Default false. */
  pomapfExtras?: boolean;
}

/** A validated configuration, ready for a backend. */
export interface ResolvedMapfConfig {
  numAgents: number;
  height: number;
  width: number;
  obsRadius: number;
  collisionSystem: CollisionSystem;
  onTarget: OnTarget;
  maxEpisodeSteps: number;
  obsDtype: 'float32' | 'uint8';
  pomapfExtras: boolean;
  /** True when each env gets its own generated map. */
  mapPerEnv: boolean;
  /** The map of an env given its seed (the same map for every env when `mapPerEnv` is false). */
  mapFor: (seed: number) => GridMap;
  /** Explicit starts (map cell indices) or null for random placement. */
  startCells: Int32Array | null;
  /** Goals `[A, G]` (map cell indices) or null; with random placement and 'restart', null too. */
  goalSeq: Int32Array | null;
  /** Row length G of `goalSeq` (the longest sequence; 1 unless restart sequences were given). */
  goalSeqLen: number;
  /** `[A]` goals in each agent's own sequence (its goals cycle with this period), or null. */
  goalLens: Int32Array | null;
  /** Starts and first goals: explicit (`startCells`, `goalSeq`), random, or from the pools. */
  placement: 'explicit' | 'random' | 'pools';
  /** Restart mode's goals after the first: the agent's sequence, its component, or the goal pool. */
  laterGoals: 'sequence' | 'component' | 'pool';
  /** Start pool (strictly ascending map cell indices), or null. */
  startPool: Int32Array | null;
  /** Goal pool (strictly ascending map cell indices), or null. */
  goalPool: Int32Array | null;
}

const COLLISIONS: readonly CollisionSystem[] = ['priority', 'blockBoth', 'soft'];
const ON_TARGET: readonly OnTarget[] = ['finish', 'nothing', 'restart'];
const KNOWN_KEYS = new Set([
  'numAgents', 'map', 'mapName', 'size', 'width', 'height', 'density', 'obsRadius', 'collisionSystem',
  'onTarget', 'maxEpisodeSteps', 'agentsXY', 'targetsXY', 'possibleAgentsXY', 'possibleTargetsXY', 'obsDtype',
  'mapPerEnv', 'pomapfExtras',
]);

function intIn(name: string, value: unknown, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new InvalidConfigError(`MAPF-v0: ${name} must be an integer in [${lo}, ${hi}], got ${formatValue(value)}`, { field: name, value });
  }
  return value;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidConfigError(`MAPF-v0: ${name} must be true or false, got ${formatValue(value)}`, { field: name, value });
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidConfigError(`MAPF-v0: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${formatValue(value)}`, { field: name, value });
  }
  return value as T;
}

/** Where the map comes from, and the task cells its text marks (letters, or pools). @internal */
export interface MapSource {
  fixed: GridMap | null; spec: MapGeneratorSpec | null; starts: Cell[] | null; goals: Cell[] | null;
  startPool: Int32Array | null; goalPool: Int32Array | null;
}

function mapSource(cfg: MapfConfig): MapSource {
  if (cfg.map !== undefined && cfg.mapName !== undefined) {
    throw new InvalidConfigError('MAPF-v0: give either map or mapName, not both', { field: 'mapName' });
  }
  const m = cfg.map ?? (cfg.mapName !== undefined ? { name: cfg.mapName } : undefined);
  if (m === undefined) {
    const size = intIn('size', cfg.size ?? 8, 1, 1024);
    const spec: MapGeneratorSpec = {
      type: 'random', height: cfg.height ?? size, width: cfg.width ?? size, density: cfg.density ?? 0.3,
    };
    generateMap(spec, 0, 0); // validates sizes and density
    return { fixed: null, spec, starts: null, goals: null, startPool: null, goalPool: null };
  }
  if (typeof m === 'string') {
    if (Object.hasOwn(NAMED_MAPS, m.trim())) {
      throw new InvalidConfigError(`MAPF-v0: map '${m.trim()}' is the name of a shipped map; give it as mapName: '${m.trim()}' or map: { name: '${m.trim()}' } (a map string is rows of . # and letters)`,
        { field: 'map', value: m });
    }
    const parsed = parseMapString(m);
    return {
      fixed: parsed, spec: null, starts: parsed.starts, goals: parsed.goals,
      startPool: parsed.startPool ?? null, goalPool: parsed.goalPool ?? null,
    };
  }
  if (Array.isArray(m)) return { fixed: mapFromArray(m), spec: null, starts: null, goals: null, startPool: null, goalPool: null };
  if (typeof m === 'object' && m !== null) {
    if ('name' in m && typeof m.name === 'string') return { fixed: namedMap(m.name), spec: null, starts: null, goals: null, startPool: null, goalPool: null };
    if ('type' in m) {
      generateMap(m as MapGeneratorSpec, 0, 0);
      return { fixed: null, spec: m as MapGeneratorSpec, starts: null, goals: null, startPool: null, goalPool: null };
    }
    if ('cells' in m && m.cells instanceof Uint8Array) {
      const g = m as GridMap;
      intIn('map.height', g.height, 1, MAX_GIVEN_MAP_SIDE);
      intIn('map.width', g.width, 1, MAX_GIVEN_MAP_SIDE);
      if (g.cells.length !== g.height * g.width) throw new InvalidMapError(`MAPF-v0: map.cells has ${g.cells.length} entries, expected ${g.height * g.width}`);
      const bad = g.cells.findIndex((v) => v > 1);
      if (bad >= 0) {
        throw new InvalidMapError(`MAPF-v0: map.cells[${bad}] (row ${Math.floor(bad / g.width)}, col ${bad % g.width}) is ${g.cells[bad]}, expected 0 (free) or 1 (obstacle)`,
          { index: bad, value: g.cells[bad] });
      }
      return { fixed: { height: g.height, width: g.width, cells: Uint8Array.from(g.cells) }, spec: null, starts: null, goals: null, startPool: null, goalPool: null };
    }
  }
  throw new InvalidConfigError(`MAPF-v0: map must be a string, a 0/1 array, a GridMap, { name } or a generator spec, got ${formatValue(m)}`, { field: 'map' });
}

/** Validates a user configuration; throws {@link InvalidConfigError} or {@link InvalidMapError}. */
export function resolveMapfConfig(config: MapfConfig = {}): ResolvedMapfConfig {
  if (typeof config !== 'object' || config === null) throw new InvalidConfigError('MAPF-v0: config must be an object');
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new InvalidConfigError(`MAPF-v0: unknown config field '${key}'`, { field: key });
  }
  // The random map's size and density are checked even when a map makes them unused.
  for (const key of ['size', 'width', 'height'] as const) if (config[key] !== undefined) intIn(key, config[key], 1, 1024);
  if (config.density !== undefined && !(typeof config.density === 'number' && config.density >= 0 && config.density <= 1)) {
    throw new InvalidConfigError(`MAPF-v0: density must be a number in [0, 1], got ${formatValue(config.density)}`, { field: 'density' });
  }
  const src = mapSource(config);
  const probe = src.fixed ?? generateMap(src.spec!, 0, 0);
  const onTarget = oneOf('onTarget', config.onTarget ?? 'finish', ON_TARGET);
  if (src.starts && (config.agentsXY !== undefined || config.targetsXY !== undefined)) {
    throw new InvalidConfigError('MAPF-v0: give starts and goals once: the map string\'s letters or agentsXY/targetsXY, not both',
      { field: config.agentsXY !== undefined ? 'agentsXY' : 'targetsXY' });
  }
  const agentsXY = config.agentsXY ?? src.starts;
  const targetsXY = config.targetsXY ?? src.goals;
  for (const [name, list] of [['agentsXY', config.agentsXY], ['targetsXY', config.targetsXY]] as const) {
    if (list !== undefined && !Array.isArray(list)) {
      throw new InvalidConfigError(`MAPF-v0: ${name} must be an array with one entry per agent, got ${formatValue(list)}`, { field: name });
    }
  }
  if ((agentsXY == null) !== (targetsXY == null)) {
    throw new InvalidConfigError('MAPF-v0: agentsXY and targetsXY must be given together', { field: agentsXY ? 'targetsXY' : 'agentsXY' });
  }
  const cellCount = probe.height * probe.width;
  const numAgents = config.numAgents ?? agentsXY?.length ?? 1;
  if (typeof numAgents === 'number' && Number.isInteger(numAgents) && numAgents > cellCount) {
    throw new InvalidConfigError(`MAPF-v0: numAgents ${numAgents} is more than the ${probe.height}×${probe.width} map has cells (${cellCount})`,
      { field: 'numAgents', value: numAgents });
  }
  intIn('numAgents', numAgents, 1, cellCount);
  const task = resolveExplicitTask(agentsXY, targetsXY, numAgents, onTarget, probe);
  const pools = resolvePools(config, src, probe, numAgents, onTarget, task.startCells !== null, task.goalSeqLen > 1);
  const perEnvMaps = flag('mapPerEnv', config.mapPerEnv, true);
  const mapPerEnv = src.fixed ? false : perEnvMaps;
  const fixed = src.fixed;
  const spec = src.spec;
  return {
    numAgents,
    height: probe.height,
    width: probe.width,
    obsRadius: intIn('obsRadius', config.obsRadius ?? 5, 1, 128),
    collisionSystem: oneOf('collisionSystem', config.collisionSystem ?? 'priority', COLLISIONS),
    onTarget,
    maxEpisodeSteps: intIn('maxEpisodeSteps', config.maxEpisodeSteps ?? 64, 1, 2 ** 31 - 1),
    obsDtype: oneOf('obsDtype', config.obsDtype ?? 'float32', ['float32', 'uint8'] as const),
    pomapfExtras: flag('pomapfExtras', config.pomapfExtras, false),
    mapPerEnv,
    mapFor: fixed ? () => fixed : (seed: number) => generateMap(spec!, seed, 0),
    ...task,
    ...pools,
  };
}
