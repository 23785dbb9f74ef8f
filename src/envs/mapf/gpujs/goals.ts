/**
 * MAPF-v0 goals and random placement on the gpujs backend, drawing from the counter RNG exactly
 * where `native/envs/mapf/mapf.h` draws (same stream, seed, episode, step and index), so starts
 * and lifelong goals match the native backend bit for bit.
 * @module
 * @internal
 */

import { RngStream, rngBelow, rngDraw } from '../../../rng.js';
import { GOALS_SEQUENCE, type MapfState, PLACE_EXPLICIT } from './state.js';

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
    return s.goal[env * p.numAgents + agent]; // random placement already drew goal 0
  }
  // Lifelong random goal: uniform over the agent's 4-connected component minus its current cell.
  const map = s.mapOf(env);
  const here = s.mapOfPadded(current);
  const comp = map.label[here];
  if (comp < 0) return current;
  const first = map.start[comp];
  const size = map.start[comp + 1] - first;
  if (size <= 1) return current;
  const u = rngDraw(s.seeds[env], RngStream.goals, 0, s.episode[env], k >>> 0, agent, draw)[0];
  // Cells of a component are stored in ascending order: find the current one by bisection.
  const cells = map.cells;
  let lo = 0, hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cells[first + mid] < here) lo = mid + 1;
    else hi = mid;
  }
  let j = rngBelow(u, size - 1);
  if (j >= lo) j++; // skip the current cell
  return s.paddedOfMap(cells[first + j]);
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
