/**
 * RideDispatch-v0 on the gpu.js backend: vehicle routes and pooling plans, a line-by-line port of
 * `native/envs/dispatch/dispatch_plan.h` (committed entries, minutes to each stop, the brute-force
 * search over drop-off orders with ties to the lexicographically smallest order, and the plan's
 * cost as Triple-BERT's reward reads it). Integer minutes throughout.
 * @module
 * @internal
 */

import { PASSENGER_MINUTES, W } from './constants.js';
import type { DispatchState } from './state.js';

/** Committed entry of vehicle row `i` awaiting pickup, or −1 (`pickup_entry`; `b` = i · C). @internal */
export function pickupEntry(s: DispatchState, b: number): number {
  const C = s.p.C;
  for (let c = 0; c < C; c++) if (s.comState[b + c] === 1) return c;
  return -1;
}

/** Seats taken by committed orders (`seats_taken`). @internal */
export function seatsTaken(s: DispatchState, b: number): number {
  let n = 0;
  for (let c = 0; c < s.p.C; c++) n += s.comState[b + c] ? s.comParty[b + c] : 0;
  return n;
}

/** Whether a passenger is on board (`has_onboard`). @internal */
export function hasOnboard(s: DispatchState, b: number): boolean {
  for (let c = 0; c < s.p.C; c++) if (s.comState[b + c] === 2) return true;
  return false;
}

/** `can_accept`: not heading to a pickup, and a seat free. @internal */
export function canAccept(status: number, freeSeats: number): boolean {
  return status !== 1 && freeSeats >= 1;
}

/** `leg_ends_at_dropoff`: the current leg ends at the drop-off of plan[0]. */
function legEndsAtDropoff(s: DispatchState, i: number): boolean {
  const C = s.p.C, j = s.plan[i * C];
  return s.vehRemain[i] > 0 && j >= 0 && s.comRemain[i * C + j] === s.vehRemain[i];
}

/**
 * `route_times`: rewrites com_remain and com_plan_total of vehicle row `i` from its route in the
 * travel minutes `tt` (offset `ttAt`). @internal
 */
export function routeTimes(s: DispatchState, i: number, tt: Int32Array, ttAt: number, now: number, legToFirst: boolean, fixedFirst: boolean): void {
  const C = s.p.C, Z = s.p.Z, b = i * C;
  let at = s.vehTo[i], time = s.vehRemain[i], pickupTime = 0;
  let first = legToFirst || fixedFirst;
  let k = 0;
  const drop = (c: number): void => {
    const z = s.comDest[b + c];
    time += first ? 0 : tt[ttAt + at * Z + z];
    first = false;
    at = z;
    s.comRemain[b + c] = time;
    s.comPlanTotal[b + c] = s.comState[b + c] === 2 ? now - s.comPickupStep[b + c] + time : time - pickupTime;
  };
  if (fixedFirst) drop(s.plan[b + k++]);
  const pe = pickupEntry(s, b);
  if (pe >= 0) {
    const z = s.comOrigin[b + pe];
    time += first ? 0 : tt[ttAt + at * Z + z];
    first = false;
    at = z;
    pickupTime = time;
  }
  for (; k < C && s.plan[b + k] >= 0; k++) drop(s.plan[b + k]);
}

/** Result of `search_plan` (`PlanOut`), reused between calls. @internal */
export class PlanOut {
  eta = 0;
  n = 0;
  newEntry = -1;
  fixed = 0;
  readonly order = new Int32Array(4);
  readonly finish = new Int32Array(4);
  readonly item = new Int32Array(4);
  readonly zone = new Int32Array(4);
  readonly fromPickup = new Int32Array(4);
  readonly between = new Int32Array(16);
  readonly perm = new Int32Array(4);
  readonly tAt = new Int32Array(4);
  readonly bestT = new Int32Array(4);
  readonly bestPerm = new Int32Array(4);
}

/** `next_perm` (std::next_permutation) of a[0..n); false after the last one. */
function nextPerm(a: Int32Array, n: number): boolean {
  let i = n - 2;
  while (i >= 0 && a[i] >= a[i + 1]) --i;
  if (i < 0) return false;
  let j = n - 1;
  while (a[j] <= a[i]) --j;
  let t = a[i]; a[i] = a[j]; a[j] = t;
  for (let l = i + 1, r = n - 1; l < r; ++l, --r) { t = a[l]; a[l] = a[r]; a[r] = t; }
  return true;
}

/** `search_plan`: the best plan if vehicle row `i` took the order origin → dest. @internal */
export function searchPlan(s: DispatchState, i: number, tt: Int32Array, ttAt: number, origin: number, dest: number, out: PlanOut): void {
  const C = s.p.C, Z = s.p.Z, b = i * C;
  out.eta = s.vehRemain[i] + tt[ttAt + s.vehTo[i] * Z + origin];
  out.newEntry = -1;
  out.fixed = legEndsAtDropoff(s, i) ? 1 : 0;
  const fixedEntry = out.fixed ? s.plan[b] : -1;
  out.finish.fill(0);
  if (out.fixed) {
    out.order[0] = fixedEntry;
    out.finish[fixedEntry] = s.vehRemain[i];
  }
  const { item, zone, fromPickup, between, perm, tAt, bestT, bestPerm } = out;
  let n = 0;
  for (let c = 0; c < C; c++) {
    const st = s.comState[b + c];
    const take = (st === 2 && c !== fixedEntry) || (st === 0 && out.newEntry < 0);
    if (!take) continue;
    if (st === 0) out.newEntry = c;
    item[n] = c;
    zone[n] = st === 0 ? dest : s.comDest[b + c];
    ++n;
  }
  out.n = n + out.fixed;
  for (let a = 0; a < n; a++) {
    fromPickup[a] = tt[ttAt + origin * Z + zone[a]];
    for (let c = 0; c < n; c++) between[4 * a + c] = tt[ttAt + zone[a] * Z + zone[c]];
  }
  for (let a = 0; a < n; a++) perm[a] = a;
  const passenger = s.p.routeObjective === PASSENGER_MINUTES;
  let best = -1;
  do {
    let time = out.eta + fromPickup[perm[0]];
    let sum = time;
    tAt[perm[0]] = time;
    for (let q = 1; q < n; q++) {
      time += between[4 * perm[q - 1] + perm[q]];
      tAt[perm[q]] = time;
      sum += time;
    }
    const objective = passenger ? sum : time;
    if (best < 0 || objective < best) {
      best = objective;
      for (let a = 0; a < n; a++) { bestT[a] = tAt[a]; bestPerm[a] = perm[a]; }
    }
  } while (nextPerm(perm, n));
  for (let a = 0; a < n; a++) {
    out.order[out.fixed + a] = item[bestPerm[a]];
    out.finish[item[a]] = bestT[a];
  }
}

/** `PlanCost` of a plan, reused between calls. @internal */
export class PlanCost {
  addMin = 0;
  delaySum = 0;
  timeouts = 0;
}

/** `plan_cost`: added minutes, delay of the orders on board and timeouts of a plan. @internal */
export function planCost(s: DispatchState, i: number, now: number, out: PlanOut, r: PlanCost): PlanCost {
  const C = s.p.C, b = i * C;
  r.addMin = r.delaySum = r.timeouts = 0;
  const theta = s.p.reward[W.thetaTimeout];
  for (let c = 0; c < C; c++) {
    if (s.comState[b + c] !== 2) continue;
    r.delaySum += out.finish[c] - s.comRemain[b + c];
    if (Math.fround(now - s.comAssign[b + c] + out.finish[c]) > theta) ++r.timeouts;
  }
  const totalNew = out.finish[out.newEntry];
  if (Math.fround(totalNew) > theta) ++r.timeouts;
  r.addMin = totalNew + r.delaySum;
  return r;
}
