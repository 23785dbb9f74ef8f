/**
 * MAPF-v0 collision systems on the gpujs backend, sequential like POGEMA's `move_agents` and
 * `native/envs/mapf/mapf_step.h`: priority (index order into cells free at that moment),
 * blockBoth (priority after blocking cells occupied at step start or wanted twice) and soft
 * (simultaneous resolution of vertex and edge conflicts with revert chains).
 * @module
 * @internal
 */

import { type MapfScratch, type MapfState, STATUS_BAD_ACTION } from './state.js';

const STAY = 0, UP = 1, DOWN = 2, LEFT = 3, RIGHT = 4, NUM_ACTIONS = 5;

/** Cell offset of an action on a padded grid `pw` wide (`move_delta`). @internal */
export function moveDelta(pw: number, action: number): number {
  switch (action) {
    case UP: return -pw;
    case DOWN: return pw;
    case LEFT: return -1;
    case RIGHT: return 1;
    default: return 0;
  }
}

/** Action of agent `a` of env `env`; an action outside [0, 5) is a stay and flags the env. */
function readAction(s: MapfState, actions: Int32Array, env: number, a: number): number {
  const act = actions[env * s.p.numAgents + a];
  if (act >>> 0 >= NUM_ACTIONS) {
    s.status[env] |= STATUS_BAD_ACTION;
    return STAY;
  }
  return act;
}

/**
 * priority / blockBoth: agents move one at a time in index order into cells free at that moment.
 * A cell is occupied when its `occ` entry holds this call's stamp, so nothing is cleared afterwards.
 * @internal
 */
export function movePriority(s: MapfState, actions: Int32Array, env: number, obst: Uint8Array, blockBoth: boolean): void {
  const n = s.p.numAgents, row = env * n, pw = s.pw;
  const { pos, active } = s;
  const sc = s.scratch, { occ, mark, target, orig } = sc;
  if (sc.stamp === 0x7fffffff) {
    occ.fill(0);
    sc.stamp = 0;
  }
  const stamp = ++sc.stamp;
  for (let a = 0; a < n; a++) {
    if (!active[row + a]) continue;
    const here = pos[row + a];
    occ[here] = stamp;
    orig[a] = here;
    target[a] = here + moveDelta(pw, readAction(s, actions, env, a));
  }
  if (blockBoth) {
    for (let a = 0; a < n; a++) {
      if (!active[row + a]) continue;
      mark[target[a]] = mark[target[a]] ? 2 : 1;
      mark[pos[row + a]] = 2;
    }
  }
  for (let a = 0; a < n; a++) {
    if (!active[row + a]) continue;
    const t = target[a];
    if (blockBoth && mark[t] === 2) continue;
    if (!obst[t] && occ[t] !== stamp) {
      occ[pos[row + a]] = 0;
      occ[t] = stamp;
      pos[row + a] = t;
    }
  }
  if (!blockBoth) return;
  for (let a = 0; a < n; a++) {
    if (active[row + a]) mark[target[a]] = mark[orig[a]] = 0;
  }
}

function claimAppend(sc: MapfScratch, cell: number, a: number): void {
  sc.target[a] = cell;
  sc.next[a] = -1;
  sc.prev[a] = sc.tail[cell];
  if (sc.tail[cell] >= 0) sc.next[sc.tail[cell]] = a;
  else sc.head[cell] = a;
  sc.tail[cell] = a;
}

function claimRemove(sc: MapfScratch, cell: number, a: number): void {
  if (sc.prev[a] >= 0) sc.next[sc.prev[a]] = sc.next[a];
  else sc.head[cell] = sc.next[a];
  if (sc.next[a] >= 0) sc.prev[sc.next[a]] = sc.prev[a];
  else sc.tail[cell] = sc.prev[a];
}

/** soft: every agent claims its target; swaps and contested or blocked cells revert in chains. @internal */
export function moveSoft(s: MapfState, actions: Int32Array, env: number, obst: Uint8Array): void {
  const n = s.p.numAgents, row = env * n, pw = s.pw;
  const { pos, active } = s;
  const sc = s.scratch;
  const { occId, head, tail, target, orig } = sc;
  // 1. Every active agent claims its target cell, in index order.
  for (let a = 0; a < n; a++) {
    if (!active[row + a]) continue;
    occId[pos[row + a]] = a;
    orig[a] = pos[row + a] + moveDelta(pw, readAction(s, actions, env, a));
    claimAppend(sc, orig[a], a);
  }
  // 2. Head-on swaps: of two agents swapping cells, the lower index gives up and claims its cell.
  for (let a = 0; a < n; a++) {
    if (!active[row + a] || orig[a] === pos[row + a]) continue;
    const other = occId[orig[a]];
    if (other > a && orig[other] === pos[row + a]) {
      claimRemove(sc, orig[a], a);
      claimAppend(sc, pos[row + a], a);
    }
  }
  // 3. In decreasing index order, an agent whose cell is wanted twice or is an obstacle stays, and
  //    so does, in a chain, the first agent that wanted the cell it keeps.
  for (let a = n - 1; a >= 0; a--) {
    if (!active[row + a]) continue;
    const t = target[a];
    if (head[t] === tail[t] && !obst[t]) continue;
    let cur = a;
    for (let guard = 0; guard <= n; guard++) {
      claimRemove(sc, target[cur], cur);
      const own = pos[row + cur];
      const first = head[own];
      claimAppend(sc, own, cur);
      if (first < 0) break;
      cur = first;
    }
  }
  // 4. Move without further checks; restore the idle scratch state.
  for (let a = 0; a < n; a++) {
    if (!active[row + a]) continue;
    head[orig[a]] = tail[orig[a]] = -1;
    head[pos[row + a]] = tail[pos[row + a]] = -1;
    occId[pos[row + a]] = -1;
    pos[row + a] = target[a];
  }
}
