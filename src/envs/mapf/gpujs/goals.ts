/**
 * MAPF-v0 goals and random and pool placement on the gpujs backend, drawing from the counter RNG exactly
 * where `native/envs/mapf/mapf.h` draws (same stream, seed, episode, step and index), so starts
 * and lifelong goals match the native backend bit for bit.
 * @module
 * @internal
 */

import { RngStream, rngBelow, rngDraw } from '../../../rng.js';
import { GOALS_POOL, GOALS_SEQUENCE, type MapfState, PLACE_EXPLICIT } from './state.js';

const draw = new Uint32Array(4);

/**
 * The goal agent `agent` of env `env` gets after `k` arrivals (k = 0: the episode's first goal),
 * standing on padded cell `current` (`next_goal`). @internal
 */
export function nextGoal(s: MapfState, env: number, agent: number, k: number, current: number): number {
  const p = s.p;
  if (p.goalMode === GOALS_SEQUENCE || k === 0) {
    if (p.placement === PLACE_EXPLICIT || p.goalMode === GOALS_SEQUENCE) {
      const lens = s.goalLens as Int32Array, seq = s.goalSeq as Int32Array;
      return s.paddedOfMap(seq[agent * p.goalSeqLen + (k % lens[agent])]);
    }
    return s.goal[env * p.numAgents + agent]; // random or pool placement already drew goal 0
  }
  // Lifelong goal: uniform over the goal pool, or over the agent's 4-connected component, minus
  // the agent's current cell.
  const here = s.mapOfPadded(current);
  const u = rngDraw(s.seeds[env], RngStream.goals, 0, s.episode[env], k >>> 0, agent, draw)[0];
  if (p.goalMode === GOALS_POOL) {
    const pool = s.goalPool as Int32Array;
    return s.paddedOfMap(pickOtherCell(pool, 0, pool.length, here, u));
  }
  const map = s.mapOf(env);
  const comp = map.label[here];
  if (comp < 0) return current;
  const first = map.start[comp];
  const size = map.start[comp + 1] - first;
  if (size <= 1) return current;
  return s.paddedOfMap(pickOtherCell(map.cells, first, size, here, u));
}

/**
 * Uniform pick among the `size` cells of `cells` from `first` (strictly ascending) other than
 * `here`: when `here` is one of them the pick skips it (`pick_other_cell`). `u` is a raw draw.
 */
function pickOtherCell(cells: Int32Array, first: number, size: number, here: number, u: number): number {
  let lo = 0, hi = size; // bisection: lo = the first index whose cell is >= here
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cells[first + mid] < here) lo = mid + 1;
    else hi = mid;
  }
  const present = lo < size && cells[first + lo] === here;
  let j = rngBelow(u, present ? size - 1 : size);
  if (present && j >= lo) j++;
  return cells[first + j];
}

/**
 * Starts and goals from the pools (`place_from_pools`): each pool shuffled on its own by a partial
 * Fisher-Yates over the first A positions, agent a taking the a-th cell of each. @internal
 */
export function placeFromPools(s: MapfState, env: number): void {
  const p = s.p, n = p.numAgents, row = env * n;
  const perm = s.scratch.perm;
  const seed = s.seeds[env], episode = s.episode[env];
  for (let side = 0; side < 2; side++) {
    const pool = (side === 0 ? s.startPool : s.goalPool) as Int32Array;
    const out = side === 0 ? s.pos : s.goal;
    perm.set(pool);
    for (let a = 0; a < n; a++) {
      const u = rngDraw(seed, RngStream.placement, 0, episode, 1 + side, a, draw)[0];
      const j = a + rngBelow(u, pool.length - a);
      const cell = perm[j];
      perm[j] = perm[a];
      perm[a] = cell;
      out[row + a] = s.paddedOfMap(cell);
    }
  }
}

/**
 * Random starts and goals with the structure of POGEMA's placing(): walk the free cells in a
 * random order; a cell becomes the goal of the most recent pending start of its component, else a
 * start if its component still has two unreserved cells (`place_random`). False if not all fit. @internal
 */
export function placeRandom(s: MapfState, env: number): boolean {
  const p = s.p, n = p.numAgents;
  const map = s.mapOf(env);
  const { remaining, pending, perm, pendNext } = s.scratch;
  for (let c = 0; c < map.numComps; c++) {
    remaining[c] = map.start[c + 1] - map.start[c];
    pending[c] = -1;
  }
  const numFree = map.numFree;
  perm.set(map.cells.subarray(0, numFree));
  const row = env * n;
  const seed = s.seeds[env], episode = s.episode[env];
  let placed = 0, goalsDone = 0;
  for (let i = 0; i < numFree && goalsDone < n; i++) {
    // Lazy Fisher-Yates: pick the i-th cell of the order among the cells not yet picked.
    const u = rngDraw(seed, RngStream.placement, 0, episode, 0, i, draw)[0];
    const j = i + rngBelow(u, numFree - i);
    const cell = perm[j];
    perm[j] = perm[i];
    perm[i] = cell;
    const comp = map.label[cell];
    if (pending[comp] >= 0) {
      const agent = pending[comp];
      pending[comp] = pendNext[agent];
      s.goal[row + agent] = s.paddedOfMap(cell);
      goalsDone++;
      continue;
    }
    if (placed >= n) continue;
    if (remaining[comp] >= 2) {
      remaining[comp] -= 2;
      s.pos[row + placed] = s.paddedOfMap(cell);
      pendNext[placed] = pending[comp];
      pending[comp] = placed;
      placed++;
    }
  }
  return placed === n && goalsDone === n;
}
