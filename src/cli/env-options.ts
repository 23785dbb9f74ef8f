/**
 * Options shared by `rollout`, `render` and `bench`: which map, how many agents, collision
 * system, fleet size, ..., and how they become `make()` options; which env ids the CLI drives.
 * @module
 */

import { existsSync, statSync } from 'node:fs';
import type { MakeOptions } from '../core/types.js';
import { UnknownEnvError } from '../errors.js';
import { listEnvs } from '../registry.js';
import '../envs/index.js';
import type { MapfConfig } from '../envs/mapf/config.js';
import type { VolleyballConfig } from '../envs/volleyball/config.js';
import type { DispatchConfig } from '../envs/dispatch/config.js';
import { type GridMap, NAMED_MAPS, loadMovingAIFile, namedMap } from '../envs/mapf/maps.js';
import { type OptionSpec, UsageError } from './args.js';

/** The map the CLI uses when `--map` is not given. */
export const DEFAULT_MAP = 'mapf-default-16';
/** Agents per env when `--agents` is not given. */
export const DEFAULT_AGENTS = 8;
/** Seed when `--seed` is not given (the CLI is reproducible by default). */
export const DEFAULT_SEED = 0;

/** The options every env-building command accepts. */
export const ENV_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  agents: { kind: { type: 'int', min: 1 }, meta: 'N', help: `agents per env (default ${DEFAULT_AGENTS})` },
  map: {
    kind: { type: 'string' }, meta: 'NAME|FILE.map|random:H[xW][:D]',
    help: `named map (${Object.keys(NAMED_MAPS).join(', ')}), MovingAI file, or random:H[xW][:D], a map of density D (default 0.3) generated per env, as the benchmarks use (default ${DEFAULT_MAP})`,
  },
  seed: { kind: { type: 'int', min: 0, max: 0xffffffff }, meta: 'N', help: `base seed; env i uses seed + i, modulo 2^32 (default ${DEFAULT_SEED})` },
  threads: { kind: { type: 'int', min: 1, max: 1024 }, meta: 'N', help: 'CPU threads (default: min(cores, envs); the gpujs backend: 1 unless given)' },
  policy: { kind: { type: 'choice', choices: ['random', 'greedy'] }, help: 'action policy (default random)' },
  collision: { kind: { type: 'choice', choices: ['priority', 'blockBoth', 'soft'] }, help: 'collision system (default priority)' },
  'on-target': { kind: { type: 'choice', choices: ['finish', 'nothing', 'restart'] }, help: 'what reaching a goal does (default finish)' },
};

/** A map chosen on the command line: how to pass it to `make()`, and its size for output. */
export interface CliMap {
  /** Label for output: the name, the file path or `random H×W density D`. */
  label: string;
  /** The obstacle grid; null for maps generated per env (read one with `mapfEnvMap` after make()). */
  grid: GridMap | null;
  /** `HxW`, for output. */
  size: string;
  /** The map part of the config: `map`/`mapName`, or a generated map's `height`, `width`, `density`. */
  config: Pick<MapfConfig, 'map' | 'mapName' | 'height' | 'width' | 'density'>;
}

const RANDOM_MAP = /^random:(\d+)(?:x(\d+))?(?::(\d*\.?\d+))?$/;

/**
 * Resolves `--map`: `random:H[xW][:D]`, a named map, else a MovingAI `.map` file.
 * @throws InvalidMapError for an unknown name or a malformed file; UsageError for a missing file, a
 *   directory or a malformed `random:` spec.
 */
export function resolveMap(arg: string | undefined): CliMap {
  const name = arg ?? DEFAULT_MAP;
  if (name.startsWith('random:')) {
    const m = RANDOM_MAP.exec(name);
    if (m === null) throw new UsageError(`--map: '${name}' is not random:H[xW][:D] (e.g. random:64 or random:32x48:0.2)`);
    const height = Number(m[1]), width = m[2] === undefined ? height : Number(m[2]), density = m[3] === undefined ? 0.3 : Number(m[3]);
    return { label: `random ${height}x${width} density ${density}`, grid: null, size: `${height}x${width}`, config: { height, width, density } };
  }
  const fixed = (label: string, grid: GridMap, config: CliMap['config']): CliMap => ({ label, grid, size: `${grid.height}x${grid.width}`, config });
  if (Object.prototype.hasOwnProperty.call(NAMED_MAPS, name)) return fixed(name, namedMap(name), { mapName: name });
  if (existsSync(name)) {
    if (statSync(name).isDirectory()) throw new UsageError(`--map: '${name}' is a directory, not a MovingAI .map file`);
    const grid = loadMovingAIFile(name);
    return fixed(name, grid, { map: grid });
  }
  if (name.endsWith('.map') || name.includes('/')) throw new UsageError(`--map: file '${name}' not found`);
  return fixed(name, namedMap(name), { mapName: name }); // namedMap throws InvalidMapError listing names
}

/** Values of {@link ENV_OPTIONS} plus the env-specific extras a command adds. */
export interface EnvArgs {
  /** Environments in the batch. */
  numEnvs: number;
  /** `--agents` (default {@link DEFAULT_AGENTS}). */
  agents?: number;
  /** `--map` as given. */
  map?: string;
  /** `--seed` (default {@link DEFAULT_SEED}). */
  seed?: number;
  /** `--threads` (default: `make()`'s). */
  threads?: number;
  /** `--collision`. */
  collision?: string;
  /** `--on-target`. */
  onTarget?: string;
  /** `--obs-dtype`. */
  obsDtype?: string;
  /** Autoreset mode (default `make()`'s, same-step). */
  autoresetMode?: MakeOptions['autoresetMode'];
}

/** Builds `make()` options for MAPF-v0 from command-line values. */
export function mapfMakeOptions(a: EnvArgs, map: CliMap): MakeOptions<MapfConfig> {
  const config: MapfConfig = { ...map.config, numAgents: a.agents ?? DEFAULT_AGENTS };
  if (a.collision !== undefined) config.collisionSystem = a.collision as MapfConfig['collisionSystem'];
  if (a.onTarget !== undefined) config.onTarget = a.onTarget as MapfConfig['onTarget'];
  if (a.obsDtype !== undefined) config.obsDtype = a.obsDtype as MapfConfig['obsDtype'];
  const opts: MakeOptions<MapfConfig> = { numEnvs: a.numEnvs, seed: a.seed ?? DEFAULT_SEED, config };
  if (a.threads !== undefined) opts.numThreads = a.threads;
  if (a.autoresetMode !== undefined) opts.autoresetMode = a.autoresetMode;
  return opts;
}

/**
 * Checks that a command supports env `id` (only MAPF-v0 has CLI support so far).
 * @throws UnknownEnvError for an unregistered id; UsageError for a registered env the CLI cannot drive.
 */
export function requireMapf(command: string, id: string): void {
  const known = listEnvs().map((e) => e.id);
  if (!known.includes(id)) throw new UnknownEnvError(id, known);
  if (id !== 'MAPF-v0') throw new UsageError(`${command}: only MAPF-v0 is supported by the CLI, got '${id}'`);
}

/** The env families the CLI drives: MAPF-v0, every `Volleyball-<Task>-v0`, and RideDispatch-v0. */
export type EnvFamily = 'mapf' | 'volleyball' | 'dispatch';

/** Options (without dashes) that only MAPF-v0 takes. */
export const MAPF_ONLY_OPTIONS: readonly string[] = ['agents', 'map', 'collision', 'on-target', 'obs-dtype'];

/**
 * Checks that a command can drive env `id` and returns its family.
 * @throws UnknownEnvError for an unregistered id; UsageError for a registered env the CLI cannot drive.
 */
export function requireEnv(command: string, id: string): EnvFamily {
  const known = listEnvs().map((e) => e.id);
  if (!known.includes(id)) throw new UnknownEnvError(id, known);
  if (id === 'MAPF-v0') return 'mapf';
  if (id.startsWith('Volleyball-')) return 'volleyball';
  if (id === 'RideDispatch-v0') return 'dispatch';
  throw new UsageError(`${command}: the CLI drives MAPF-v0, Volleyball-<Task>-v0 and RideDispatch-v0 envs, got '${id}'`);
}

/**
 * Rejects the options among `names` that were given: they do not apply to env `id`.
 * @throws UsageError naming the first such option.
 */
export function rejectOptions(command: string, id: string, options: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  for (const name of names) {
    if (options[name] !== undefined) throw new UsageError(`${command}: --${name} does not apply to ${id}`);
  }
}

/** Command-line values of a volleyball batch. */
export interface VolleyballArgs {
  /** Environments in the batch. */
  numEnvs: number;
  /** `--seed` (default {@link DEFAULT_SEED}). */
  seed?: number;
  /** `--threads` (default: `make()`'s). */
  threads?: number;
  /** `--substeps`: physics substeps per control step. */
  substeps?: number;
  /** `--max-episode-steps`: truncation length. */
  maxEpisodeSteps?: number;
  /** Autoreset mode (default `make()`'s, same-step). */
  autoresetMode?: MakeOptions['autoresetMode'];
}

/** Builds `make()` options for a `Volleyball-<Task>-v0` env from command-line values. */
export function volleyballMakeOptions(a: VolleyballArgs): MakeOptions<VolleyballConfig> {
  const config: VolleyballConfig = {};
  if (a.substeps !== undefined) config.substeps = a.substeps;
  if (a.maxEpisodeSteps !== undefined) config.maxEpisodeSteps = a.maxEpisodeSteps;
  const opts: MakeOptions<VolleyballConfig> = { numEnvs: a.numEnvs, seed: a.seed ?? DEFAULT_SEED, config };
  if (a.threads !== undefined) opts.numThreads = a.threads;
  if (a.autoresetMode !== undefined) opts.autoresetMode = a.autoresetMode;
  return opts;
}

/** Options that only RideDispatch-v0 takes: the fleet and order-buffer shape. */
export const DISPATCH_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  vehicles: { kind: { type: 'int', min: 1, max: 65536 }, meta: 'N', help: 'RideDispatch: vehicles (agents) per env (default 32)' },
  capacity: { kind: { type: 'int', min: 1, max: 4 }, meta: 'C', help: 'RideDispatch: seats per vehicle (default 3)' },
  slots: { kind: { type: 'int', min: 1, max: 1024 }, meta: 'K', help: 'RideDispatch: order slots per env (default 32)' },
};

/** Options (without dashes) that only RideDispatch-v0 takes. */
export const DISPATCH_ONLY_OPTIONS: readonly string[] = Object.keys(DISPATCH_OPTIONS);

/** Command-line values of a RideDispatch-v0 batch. */
export interface DispatchArgs {
  /** Environments in the batch. */
  numEnvs: number;
  /** `--seed` (default {@link DEFAULT_SEED}). */
  seed?: number;
  /** `--threads` (default: `make()`'s). */
  threads?: number;
  /** `--vehicles`: vehicles per env. */
  vehicles?: number;
  /** `--capacity`: seats per vehicle. */
  capacity?: number;
  /** `--slots`: order slots per env. */
  slots?: number;
  /** Fill the pair block (pickup ETAs), which the greedy and Hungarian policies read. */
  pairInsertionCost?: boolean;
  /** Autoreset mode (default `make()`'s, same-step). */
  autoresetMode?: MakeOptions['autoresetMode'];
}

/** Builds `make()` options for RideDispatch-v0 from command-line values. */
export function dispatchMakeOptions(a: DispatchArgs): MakeOptions<DispatchConfig> {
  const config: DispatchConfig = {};
  if (a.vehicles !== undefined) config.numVehicles = a.vehicles;
  if (a.capacity !== undefined) config.capacity = a.capacity;
  if (a.slots !== undefined) config.numSlots = a.slots;
  if (a.pairInsertionCost) config.pairInsertionCost = true;
  const opts: MakeOptions<DispatchConfig> = { numEnvs: a.numEnvs, seed: a.seed ?? DEFAULT_SEED, config };
  if (a.threads !== undefined) opts.numThreads = a.threads;
  if (a.autoresetMode !== undefined) opts.autoresetMode = a.autoresetMode;
  return opts;
}

/**
 * The `DispatchArgs` of parsed command-line options (`--envs` aside): `pairInsertionCost` is set for the
 * policies that read pickup ETAs (`greedy`, `hungarian`).
 */
export function dispatchArgsOf(o: Readonly<Record<string, number | string | boolean | undefined>>, numEnvs: number, policy: string): DispatchArgs {
  return {
    numEnvs, seed: o.seed as number | undefined, threads: o.threads as number | undefined, vehicles: o.vehicles as number | undefined,
    capacity: o.capacity as number | undefined, slots: o.slots as number | undefined, pairInsertionCost: policy === 'greedy' || policy === 'hungarian',
  };
}
