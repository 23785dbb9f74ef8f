/**
 * MAPF-v0 task configuration: explicit starts and goals (`agentsXY`, `targetsXY`) and the pools
 * of possible starts and goals (`possibleAgentsXY`, `possibleTargetsXY`), checked against the map
 * and resolved into cell indices, with POGEMA's order of precedence.
 * @module
 * @internal
 */

import { InvalidConfigError, InvalidMapError, formatValue } from '../../errors.js';
import type { Cell, MapSource, MapfConfig, OnTarget, ResolvedMapfConfig } from './config.js';
import type { GridMap } from './maps.js';

/**
 * Map cell index of `xy`, entry `index` of config field `name`, after checking it is `[row, col]`
 * integers on a free cell of `map`; `where` starts the location errors (e.g. `agent 3: agentsXY`).
 */
function checkedCell(name: string, index: number, xy: unknown, map: GridMap, where: string, details: Record<string, unknown>): number {
  if (!Array.isArray(xy) || xy.length !== 2 || !xy.every((v) => Number.isInteger(v))) {
    throw new InvalidConfigError(`MAPF-v0: ${name}[${index}] must be [row, col] integers, got ${formatValue(xy)}`, { field: name, ...details, value: xy });
  }
  const [r, c] = xy as [number, number];
  if (r < 0 || r >= map.height || c < 0 || c >= map.width) {
    throw new InvalidMapError(`MAPF-v0: ${where} (${r}, ${c}) is outside the ${map.height}×${map.width} map`, { field: name, ...details, value: xy });
  }
  if (map.cells[r * map.width + c]) throw new InvalidMapError(`MAPF-v0: ${where} (${r}, ${c}) is on an obstacle`, { field: name, ...details, value: xy });
  return r * map.width + c;
}

function cellOf(name: string, agent: number, xy: unknown, map: GridMap): number {
  return checkedCell(name, agent, xy, map, `agent ${agent}: ${name}`, { agent });
}

/** A pool's cells as strictly ascending map cell indices, after checking each entry against `map`. */
function poolCells(name: string, list: unknown, map: GridMap): Int32Array {
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidConfigError(`MAPF-v0: ${name} must be a non-empty array of [row, col] cells, got ${formatValue(list)}`, { field: name, value: list });
  }
  const cells = Int32Array.from(list as unknown[], (xy, i) => checkedCell(name, i, xy, map, `${name}[${i}]`, { index: i }));
  cells.sort();
  for (let i = 1; i < cells.length; i++) {
    if (cells[i] === cells[i - 1]) {
      const at = `(${Math.floor(cells[i] / map.width)}, ${cells[i] % map.width})`;
      throw new InvalidConfigError(`MAPF-v0: ${name} lists ${at} twice`, { field: name, value: at });
    }
  }
  return cells;
}

/** Explicit starts and goals as cell indices (all null when the task is not explicit). @internal */
export type ExplicitTask = Pick<ResolvedMapfConfig, 'startCells' | 'goalSeq' | 'goalSeqLen' | 'goalLens'>;

/**
 * Checks `agentsXY` / `targetsXY` (one goal per agent, or with onTarget 'restart' one sequence of
 * at least 2 goals per agent) against `map` and returns them as cell indices. @internal
 */
export function resolveExplicitTask(agentsXY: ReadonlyArray<Cell> | null | undefined,
  targetsXY: ReadonlyArray<Cell | ReadonlyArray<Cell>> | null | undefined, numAgents: number, onTarget: OnTarget, map: GridMap): ExplicitTask {
  let startCells: Int32Array | null = null;
  let goalSeq: Int32Array | null = null;
  let goalSeqLen = 1;
  let goalLens: Int32Array | null = null;
  if (agentsXY && targetsXY) {
    if (agentsXY.length !== numAgents || targetsXY.length !== numAgents) {
      throw new InvalidConfigError(`MAPF-v0: agentsXY has ${agentsXY.length} entries and targetsXY ${targetsXY.length}, numAgents is ${numAgents}`, { field: 'agentsXY' });
    }
    // Either one [row, col] goal per agent, or (restart only) one sequence of goals per agent.
    const nested = Array.from(targetsXY as ArrayLike<unknown>, (t) => Array.isArray(t) && Array.isArray(t[0]));
    if (nested.some((x) => x !== nested[0])) {
      throw new InvalidConfigError('MAPF-v0: targetsXY mixes single goals and goal sequences', { field: 'targetsXY' });
    }
    const sequences = Array.from(targetsXY as ArrayLike<unknown>, (t, a) => (nested[a] ? (t as ReadonlyArray<Cell>) : [t as Cell]));
    if (nested[0] && onTarget !== 'restart') {
      throw new InvalidConfigError("MAPF-v0: goal sequences in targetsXY need onTarget 'restart'", { field: 'targetsXY' });
    }
    const short = sequences.findIndex((s) => s.length < 2);
    if (nested[0] && short >= 0) {
      // As in POGEMA: a lifelong goal sequence needs at least two goals (one would re-reward in place).
      throw new InvalidConfigError(`MAPF-v0: agent ${short}: a goal sequence needs at least 2 goals, got ${sequences[short].length}`, { field: 'targetsXY', agent: short });
    }
    goalSeqLen = Math.max(...sequences.map((s) => s.length));
    startCells = new Int32Array(numAgents);
    goalSeq = new Int32Array(numAgents * goalSeqLen);
    goalLens = Int32Array.from(sequences, (s) => s.length);
    const seen = new Map<number, number>();
    for (let a = 0; a < numAgents; a++) {
      startCells[a] = cellOf('agentsXY', a, agentsXY[a], map);
      const other = seen.get(startCells[a]);
      if (other !== undefined) throw new InvalidMapError(`MAPF-v0: agents ${other} and ${a} start on the same cell ${formatValue(agentsXY[a])}`, { agent: a });
      seen.set(startCells[a], a);
      const seq = sequences[a];
      for (let k = 0; k < goalSeqLen; k++) goalSeq[a * goalSeqLen + k] = cellOf('targetsXY', a, seq[k % seq.length], map);
    }
  }
  return { startCells, goalSeq, goalSeqLen, goalLens };
}

/** Placement and the pools it draws from. @internal */
type Pools = Pick<ResolvedMapfConfig, 'placement' | 'laterGoals' | 'startPool' | 'goalPool'>;

/**
 * Placement and later goals from the explicit task and the pools, as POGEMA chooses them: explicit
 * starts first, else both pools, else random; restart goals from sequences, else the goal pool,
 * else the agent's component. A pool that would go unused, or pool goals with random starts (which
 * may lie outside the pool's component), is an error rather than silently ignored. @internal
 */
export function resolvePools(config: MapfConfig, src: Pick<MapSource, 'startPool' | 'goalPool'>, probe: GridMap, numAgents: number,
  onTarget: OnTarget, explicit: boolean, sequences: boolean): Pools {
  // A map string's pools are free, distinct, ascending cells by construction.
  const startPool = config.possibleAgentsXY != null ? poolCells('possibleAgentsXY', config.possibleAgentsXY, probe) : src.startPool;
  const goalPool = config.possibleTargetsXY != null ? poolCells('possibleTargetsXY', config.possibleTargetsXY, probe) : src.goalPool;
  if (startPool && explicit) {
    throw new InvalidConfigError("MAPF-v0: possible starts (possibleAgentsXY, or a map string with '@', '$' or '!' cells) cannot be combined with explicit starts (agentsXY)", { field: 'possibleAgentsXY' });
  }
  if (startPool && !goalPool) {
    throw new InvalidConfigError("MAPF-v0: possibleAgentsXY (or a map's '.' and '@' cells) needs possibleTargetsXY (or a map's '.' and '$' cells)", { field: 'possibleTargetsXY' });
  }
  const placement = explicit ? 'explicit' : startPool ? 'pools' : 'random';
  const poolGoals = goalPool !== null && onTarget === 'restart' && !sequences;
  if (goalPool && placement === 'random') {
    throw new InvalidConfigError(
      "MAPF-v0: possibleTargetsXY (or a map's '.' and '$' cells) needs possibleAgentsXY or agentsXY/targetsXY: random starts may lie outside the goal pool's component",
      { field: 'possibleTargetsXY' });
  }
  if (goalPool && placement === 'explicit' && !poolGoals) {
    throw new InvalidConfigError("MAPF-v0: with explicit goals, possibleTargetsXY (or a map's '.' and '$' cells) is used only for onTarget 'restart' without goal sequences", { field: 'possibleTargetsXY' });
  }
  if (placement === 'pools') {
    for (const [name, pool] of [['possibleAgentsXY', startPool], ['possibleTargetsXY', goalPool]] as const) {
      if (pool!.length < numAgents) {
        throw new InvalidMapError(`MAPF-v0: ${name} has ${pool!.length} cells, fewer than the ${numAgents} agents`, { field: name, value: pool!.length });
      }
    }
  }
  if (poolGoals && goalPool.length < 2) {
    throw new InvalidMapError('MAPF-v0: lifelong goals from possibleTargetsXY need at least 2 cells', { field: 'possibleTargetsXY', value: goalPool.length });
  }
  return { placement, laterGoals: sequences ? 'sequence' : poolGoals ? 'pool' : 'component', startPool, goalPool: placement === 'pools' || poolGoals ? goalPool : null };
}
