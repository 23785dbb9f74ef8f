/**
 * RideDispatch-v0 on the gpu.js backend: new orders and fresh episodes, ported from
 * `native/envs/dispatch/dispatch_step.h` (`insert_order`, `add_orders`, `spawn_env`). Every draw
 * is the native one: `rngDraw(seed, stream, 0, episode, step, index)` word 0, inverted through
 * the same integer CDF rows.
 * @module
 * @internal
 */

import { rngBelow, rngDraw } from '../../../rng.js';
import { cdfPick } from '../cdf.js';
import { DEMAND_REPLAY, IDLE, M, NUM_METRICS, STREAM } from './constants.js';
import { type CityView, type DispatchState, emptyCityView } from './state.js';

/** Scratch of the order and spawn phases (no allocation per step). @internal */
export class OrderScratch {
  readonly word = new Uint32Array(4);
  readonly city: CityView = emptyCityView();
  cursor = 0;
}

/** `insert_order`: puts an order into the lowest free slot at or after the cursor, or counts an overflow. */
function insertOrder(s: DispatchState, env: number, t: number, origin: number, dest: number, party: number, x: OrderScratch): void {
  const K = s.p.K, ob = env * K, acc = env * NUM_METRICS;
  s.metricAcc[acc + M.generated] += 1;
  while (x.cursor < K && s.ordValid[ob + x.cursor]) ++x.cursor;
  if (x.cursor >= K) {
    s.metricAcc[acc + M.overflow] += 1;
    return;
  }
  const k = ob + x.cursor;
  s.ordValid[k] = 1;
  s.ordOrigin[k] = origin;
  s.ordDest[k] = dest;
  s.ordReq[k] = t;
  s.ordParty[k] = party;
}

/** `add_orders`: the orders requested at step t (replay rows, or a Poisson count of sampled orders). @internal */
export function addOrders(s: DispatchState, env: number, t: number, x: OrderScratch): void {
  const p = s.p;
  x.cursor = 0;
  if (p.demandMode === DEMAND_REPLAY) {
    for (let r = s.replayStart[t]; r < s.replayStart[t + 1]; r++) {
      const at = 4 * r;
      insertOrder(s, env, t, s.replay[at + 1], s.replay[at + 2], s.replay[at + 3], x);
    }
    return;
  }
  const c = s.cityAt(env, t, x.city), slot = c.slot, Z = p.Z;
  const seed = s.seeds[env], ep = s.episode[env], w = x.word;
  const n = cdfPick(slot.arrival, c.arrivalAt, p.poissonLen, rngDraw(seed, STREAM.arrivals, 0, ep, t, 0, w)[0]);
  for (let k = 0; k < n; k++) {
    const o = cdfPick(slot.origin, c.originAt, Z, rngDraw(seed, STREAM.origins, 0, ep, t, k, w)[0]);
    const d = cdfPick(slot.dest, c.destAt + o * Z, Z, rngDraw(seed, STREAM.dests, 0, ep, t, k, w)[0]);
    const u = rngDraw(seed, STREAM.party, 0, ep, t, k, w)[0];
    const party = 1 + rngBelow(u, p.partyMax);
    insertOrder(s, env, t, o, d, party, x);
  }
}

/** `spawn_env`: empty slots, idle vehicles at uniform random zones, the orders of step 0. @internal */
export function spawnEnv(s: DispatchState, env: number, x: OrderScratch): void {
  const p = s.p, V = p.V, K = p.K, C = p.C, row0 = env * V, ob = env * K;
  const seed = s.seeds[env], ep = s.episode[env];
  s.ordValid.fill(0, ob, ob + K);
  s.ordOrigin.fill(0, ob, ob + K);
  s.ordDest.fill(0, ob, ob + K);
  s.ordReq.fill(0, ob, ob + K);
  s.ordParty.fill(1, ob, ob + K);
  for (let a = 0; a < V; a++) {
    const i = row0 + a;
    const u = rngDraw(seed, STREAM.vehicles, 0, ep, 0, a, x.word)[0];
    const z = rngBelow(u, p.Z);
    s.vehFrom[i] = s.vehTo[i] = z;
    s.vehRemain[i] = s.vehTotal[i] = 0;
    s.vehStatus[i] = IDLE;
    s.epReturn[i] = 0;
  }
  const b0 = row0 * C, b1 = (row0 + V) * C;
  for (const a of [s.comState, s.comOrigin, s.comDest, s.comReq, s.comAssign, s.comDirect, s.comPlanTotal, s.comRemain]) a.fill(0, b0, b1);
  s.comParty.fill(1, b0, b1);
  s.comPickupStep.fill(-1, b0, b1);
  s.plan.fill(-1, b0, b1);
  s.metricAcc.fill(0, env * NUM_METRICS, (env + 1) * NUM_METRICS);
  s.steps[env] = 0;
  s.needsReset[env] = 0;
  addOrders(s, env, 0, x);
}
