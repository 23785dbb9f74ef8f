/**
 * RideDispatch-v0 on the gpu.js backend: reset and step of one env, a port of
 * `native/envs/dispatch/dispatch.h` and `dispatch_step.h` in the same order (bids and conflicts,
 * assignments, repositions, one minute of driving, clock, expiry, new orders, rewards, metrics,
 * autoreset). Float32 sums and products are rounded with `Math.fround` exactly where the C++
 * rounds; metric sums are doubles as in C++. Observations are handed to an {@link ObsTarget}.
 * @module
 * @internal
 */

import { rngDraw } from '../../../rng.js';
import {
  type CoreParams, IDLE, M, NEAREST, NEXT_STEP, NUM_METRICS, REPOSITIONING, SAME_STEP, SEEDED_RANDOM, STATUS_STEPPED_DONE,
  STREAM, TO_DROPOFF, TO_PICKUP, W, fareOf,
} from './constants.js';
import { OrderScratch, addOrders, spawnEnv } from './orders.js';
import { PlanCost, PlanOut, canAccept, hasOnboard, pickupEntry, planCost, routeTimes, searchPlan, seatsTaken } from './plan.js';
import type { CityView, DispatchState } from './state.js';
import { bidOk, repositionOk } from './rules.js';

const f32 = Math.fround;

/** The io outputs the step writes besides observations. @internal */
export interface StepIo {
  actions: Int32Array; rewards: Float32Array; terminations: Uint8Array; truncations: Uint8Array;
  lostBid: Uint8Array; invalidAction: Uint8Array; wonSlot: Int32Array; episodeDone: Uint8Array;
  finalReturn: Float32Array; finalLength: Int32Array; finalMetrics: Float32Array;
}

/** Where an env's observations go: its current state (`observe`), or the last state before a same-step autoreset (`observeFinal`). @internal */
export interface ObsTarget {
  observe(env: number): void;
  observeFinal(env: number): void;
}

/** Steps and resets single envs of a batch. @internal */
export class DispatchStepper {
  private readonly p: CoreParams;
  private readonly x = new OrderScratch();
  private readonly plan = new PlanOut();
  private readonly cost = new PlanCost();
  /** Lowest bid key per slot: primary word and vehicle index. */
  private readonly bestKey: Float64Array;
  private readonly bestVehicle: Int32Array;
  private readonly word = new Uint32Array(4);

  constructor(private readonly s: DispatchState, private readonly io: StepIo, private readonly obs: ObsTarget) {
    this.p = s.p;
    this.bestKey = new Float64Array(this.p.K);
    this.bestVehicle = new Int32Array(this.p.K);
  }

  /** `reset_env`: a fresh episode; `keepFlags` keeps the step's rewards and flags (same-step autoreset). */
  resetEnv(env: number, keepFlags: boolean): void {
    spawnEnv(this.s, env, this.x);
    if (!keepFlags) {
      const io = this.io, r0 = env * this.p.V, r1 = r0 + this.p.V;
      io.rewards.fill(0, r0, r1);
      io.terminations.fill(0, r0, r1); io.truncations.fill(0, r0, r1);
      io.lostBid.fill(0, r0, r1); io.invalidAction.fill(0, r0, r1);
      io.wonSlot.fill(-1, r0, r1);
    }
    this.obs.observe(env);
  }

  /** `finish_metrics`: the episode's metrics from its running sums (NaN for means over nothing). */
  private finishMetrics(env: number): void {
    const s = this.s, p = this.p, acc = s.metricAcc, a0 = env * NUM_METRICS, out = this.io.finalMetrics;
    let pending = 0;
    for (let k = 0; k < p.K; k++) pending += s.ordValid[env * p.K + k];
    let ret = 0;
    for (let a = 0; a < p.V; a++) ret += s.epReturn[env * p.V + a];
    const served = acc[a0 + M.served], done = acc[a0 + M.completed], gen = acc[a0 + M.generated];
    const vehicleSteps = p.V * s.steps[env];
    for (let k = 0; k < NUM_METRICS; k++) out[a0 + k] = acc[a0 + k];
    out[a0 + M.pendingAtEnd] = pending;
    out[a0 + M.serviceRate] = gen > 0 ? served / gen : NaN;
    out[a0 + M.meanPickup] = served > 0 ? acc[a0 + M.meanPickup] / served : NaN;
    out[a0 + M.meanConfirmation] = served > 0 ? acc[a0 + M.meanConfirmation] / served : NaN;
    out[a0 + M.meanDelivery] = done > 0 ? acc[a0 + M.meanDelivery] / done : NaN;
    out[a0 + M.meanDetour] = done > 0 ? acc[a0 + M.meanDetour] / done : NaN;
    out[a0 + M.utilisation] = vehicleSteps > 0 ? acc[a0 + M.utilisation] / vehicleSteps : NaN;
    out[a0 + M.episodeReturn] = ret / p.V;
  }

  /** Phase 1 (`collect_bids`): validates actions, clears the step's flags, keeps each slot's lowest bid key. */
  private collectBids(env: number, t: number, c: CityView): void {
    const s = this.s, p = this.p, io = this.io, V = p.V, K = p.K, C = p.C, row0 = env * V, ob = env * K;
    const tt = c.slot.tt, Z = p.Z;
    this.bestKey.fill(Infinity);
    for (let a = 0; a < V; a++) {
      const i = row0 + a;
      io.rewards[i] = 0;
      io.lostBid[i] = io.invalidAction[i] = 0;
      io.wonSlot[i] = -1;
      const act = io.actions[i];
      if (act === 0) continue;
      let ok: boolean;
      if (act <= K) {
        const k = act - 1, free = C - seatsTaken(s, i * C);
        ok = bidOk(s, c, i, ob + k, free, canAccept(s.vehStatus[i], free));
        if (ok) {
          const eta = s.vehRemain[i] + tt[c.ttAt + s.vehTo[i] * Z + s.ordOrigin[ob + k]];
          let primary = 0;
          if (p.conflictRule === NEAREST) primary = eta;
          else if (p.conflictRule === SEEDED_RANDOM) primary = rngDraw(s.seeds[env], STREAM.conflict, 0, s.episode[env], t, k * V + a, this.word)[0];
          if (primary < this.bestKey[k] || (primary === this.bestKey[k] && a < this.bestVehicle[k])) {
            this.bestKey[k] = primary;
            this.bestVehicle[k] = a;
          }
          io.wonSlot[i] = k;
        }
      } else {
        ok = repositionOk(s, c, i, act - 1 - K);
      }
      if (!ok) {
        io.invalidAction[i] = 1;
        s.metricAcc[env * NUM_METRICS + M.invalidActions] += 1;
      }
    }
  }

  /** `assign_order`: commits slot k to vehicle row i; returns the assignment reward (float32). */
  private assignOrder(env: number, i: number, k: number, t: number, c: CityView): number {
    const s = this.s, p = this.p, C = p.C, Z = p.Z, b = i * C, ok = env * p.K + k;
    const tt = c.slot.tt, o = s.ordOrigin[ok], d = s.ordDest[ok];
    const plan = this.plan;
    searchPlan(s, i, tt, c.ttAt, o, d, plan);
    const cost = planCost(s, i, t, plan, this.cost);
    const tripMin = tt[c.ttAt + o * Z + d];
    const tripKm = c.slot.km[o * Z + d], fare = fareOf(p, tripKm, tripMin);
    const w = p.reward, h = f32(1 / 60);
    const add = f32(cost.addMin), excess = f32(add - w[W.thetaAdd]);
    let r = f32(w[W.assign] + f32(w[W.fare] * fare));
    r = f32(r + f32(w[W.dist] * tripKm));
    r = f32(r - f32(f32(w[W.pickup] * plan.eta) * h));
    r = f32(r - f32(w[W.timeout] * cost.timeouts));
    r = f32(r - f32(f32(w[W.add] * add) * h));
    r = f32(r - f32(f32(w[W.addExcess] * (excess > 0 ? excess : 0)) * h));
    r = f32(r - f32(w[W.trip] * tripMin));
    r = f32(r - f32(w[W.detourExisting] * cost.delaySum));
    const e = b + plan.newEntry;
    s.comState[e] = 1;
    s.comOrigin[e] = o;
    s.comDest[e] = d;
    s.comParty[e] = s.ordParty[ok];
    s.comReq[e] = s.ordReq[ok];
    s.comAssign[e] = t;
    s.comDirect[e] = tripMin;
    s.comPickupStep[e] = -1;
    for (let q = 0; q < C; q++) s.plan[b + q] = q < plan.n ? plan.order[q] : -1;
    routeTimes(s, i, tt, c.ttAt, t, false, plan.fixed !== 0);
    s.vehStatus[i] = TO_PICKUP;
    s.ordValid[ok] = 0;
    const acc = env * NUM_METRICS;
    s.metricAcc[acc + M.served] += 1;
    s.metricAcc[acc + M.meanPickup] += plan.eta;
    s.metricAcc[acc + M.meanConfirmation] += t - s.ordReq[ok];
    s.metricAcc[acc + M.revenue] += fare;
    return r;
  }

  /** `advance_vehicle`: one minute of driving of vehicle row i; returns the minute's reward terms. */
  private advanceVehicle(env: number, i: number, t: number, c: CityView): number {
    const s = this.s, p = this.p, C = p.C, Z = p.Z, b = i * C, acc = env * NUM_METRICS;
    const status = s.vehStatus[i];
    if (status === IDLE) return -p.reward[W.idle];
    const onboard = hasOnboard(s, b);
    if (onboard) s.metricAcc[acc + M.utilisation] += 1;
    if (status === REPOSITIONING && s.vehRemain[i] <= 0) {
      s.vehStatus[i] = IDLE;
      return 0;
    }
    if (s.vehRemain[i] === 0 && status !== REPOSITIONING) {
      const pe = pickupEntry(s, b);
      const z = pe >= 0 ? s.comOrigin[b + pe] : s.comDest[b + s.plan[b]];
      s.vehFrom[i] = s.vehTo[i];
      s.vehTo[i] = z;
      s.vehTotal[i] = s.vehRemain[i] = c.slot.tt[c.ttAt + s.vehFrom[i] * Z + z];
      routeTimes(s, i, c.slot.tt, c.ttAt, t, true, false);
    }
    let r = 0;
    if (!onboard) {
      s.metricAcc[acc + M.emptyKm] += f32(c.slot.km[s.vehFrom[i] * Z + s.vehTo[i]] / s.vehTotal[i]);
      r = f32(r - p.reward[W.emptyMove]);
    }
    s.vehRemain[i] -= 1;
    for (let e = 0; e < C; e++) s.comRemain[b + e] -= s.comState[b + e] ? 1 : 0;
    if (s.vehRemain[i] > 0) return r;
    if (status === REPOSITIONING) {
      s.vehStatus[i] = IDLE;
      return r;
    }
    const j = s.plan[b];
    if (j < 0 || s.comRemain[b + j] !== 0) {
      const pe = pickupEntry(s, b);
      if (pe >= 0 && s.comRemain[b + pe] === s.comPlanTotal[b + pe]) {
        s.comState[b + pe] = 2;
        s.comPickupStep[b + pe] = t + 1;
        s.vehStatus[i] = TO_DROPOFF;
      }
      return r;
    }
    const delivery = t + 1 - s.comPickupStep[b + j];
    s.metricAcc[acc + M.completed] += 1;
    s.metricAcc[acc + M.meanDelivery] += delivery;
    s.metricAcc[acc + M.meanDetour] += delivery - s.comDirect[b + j];
    s.comState[b + j] = 0;
    s.comPickupStep[b + j] = -1;
    s.comRemain[b + j] = s.comPlanTotal[b + j] = 0;
    for (let q = 0; q + 1 < C; q++) s.plan[b + q] = s.plan[b + q + 1];
    s.plan[b + C - 1] = -1;
    s.vehStatus[i] = pickupEntry(s, b) >= 0 ? TO_PICKUP : (s.plan[b] >= 0 ? TO_DROPOFF : IDLE);
    return r;
  }

  /** `step_env`: one step of env `env` (same phases and order as the C++). */
  stepEnv(env: number, c: CityView): void {
    const s = this.s, p = this.p, io = this.io, V = p.V, K = p.K, Z = p.Z, row0 = env * V, ob = env * K;
    io.episodeDone[env] = 0;
    if (s.needsReset[env]) {
      if (p.autoreset === NEXT_STEP) {
        s.episode[env] = (s.episode[env] + 1) >>> 0;
        this.resetEnv(env, false);
        return;
      }
      s.status[env] |= STATUS_STEPPED_DONE;
      return;
    }
    const t = s.steps[env];
    s.cityAt(env, t, c);
    const w = p.reward, acc = env * NUM_METRICS;
    this.collectBids(env, t, c);
    for (let a = 0; a < V; a++) {
      const i = row0 + a, k = io.wonSlot[i];
      if (k < 0) continue;
      if (this.bestVehicle[k] === a) {
        io.rewards[i] = f32(io.rewards[i] + this.assignOrder(env, i, k, t, c));
      } else {
        io.wonSlot[i] = -1;
        io.lostBid[i] = 1;
        s.metricAcc[acc + M.bidConflicts] += 1;
        io.rewards[i] = f32(io.rewards[i] - w[W.lostBid]);
      }
    }
    const nb = c.slot.nb, tt = c.slot.tt, km = c.slot.km;
    for (let a = 0; a < V; a++) {
      const i = row0 + a, act = io.actions[i];
      if (act <= K || act >= p.numActions || io.invalidAction[i]) continue;
      const from = s.vehTo[i], to = nb[from * p.R + act - 1 - K];
      const dist = km[from * Z + to];
      s.vehFrom[i] = from;
      s.vehTo[i] = to;
      s.vehTotal[i] = s.vehRemain[i] = tt[c.ttAt + from * Z + to];
      s.vehStatus[i] = REPOSITIONING;
      s.metricAcc[acc + M.repositionKm] += dist;
      io.rewards[i] = f32(io.rewards[i] - f32(w[W.repositionKm] * dist));
    }
    for (let a = 0; a < V; a++) io.rewards[row0 + a] = f32(io.rewards[row0 + a] + this.advanceVehicle(env, row0 + a, t, c));
    const now = t + 1;
    s.steps[env] = now;
    for (let k = 0; k < K; k++) {
      if (s.ordValid[ob + k] && now >= s.ordReq[ob + k] + p.maxWait) {
        s.ordValid[ob + k] = 0;
        s.metricAcc[acc + M.expired] += 1;
      }
    }
    if (now < p.horizon) addOrders(s, env, now, this.x);
    const truncated = now >= p.horizon;
    if (p.teamReward) {
      let sum = 0;
      for (let a = 0; a < V; a++) sum = f32(sum + io.rewards[row0 + a]);
      io.rewards.fill(sum, row0, row0 + V);
    }
    for (let a = 0; a < V; a++) s.epReturn[row0 + a] = f32(s.epReturn[row0 + a] + io.rewards[row0 + a]);
    io.terminations.fill(0, row0, row0 + V);
    io.truncations.fill(truncated ? 1 : 0, row0, row0 + V);
    if (!truncated) {
      this.obs.observe(env);
      return;
    }
    io.episodeDone[env] = 1;
    io.finalLength[env] = now;
    io.finalReturn.set(s.epReturn.subarray(row0, row0 + V), row0);
    this.finishMetrics(env);
    if (p.autoreset === SAME_STEP) {
      if (p.keepFinalObs) this.obs.observeFinal(env);
      s.episode[env] = (s.episode[env] + 1) >>> 0;
      this.resetEnv(env, true);
    } else {
      this.obs.observe(env);
      s.needsReset[env] = 1;
    }
  }
}
