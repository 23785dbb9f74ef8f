/**
 * RideDispatch-v0 on the gpu.js backend: the host half of `write_observations`
 * (native/envs/dispatch/dispatch_obs.h). For each env it writes the action masks and per-vehicle
 * infos, and packs the kernel's inputs: integers and exact float32 values (coordinates, positions,
 * fares and zone maps, whose C++ float chains run here with `Math.fround`); the observation kernel
 * turns them into rows with at most one float operation per value.
 * @module
 * @internal
 */

import { type CoreParams, IDLE, fareOf, invFareNorm } from './constants.js';
import { PlanCost, PlanOut, canAccept, planCost, searchPlan, seatsTaken } from './plan.js';
import { repositionOk, vehicleXy } from './rules.js';
import { type CityView, type DispatchState, emptyCityView } from './state.js';

/** Packed floats per vehicle: x, y, remain, 4 status flags, free seats, seats on board, accept. @internal */
export const VEH_FIELDS = 10;
/** Packed floats per committed entry: set, on board, dest x, dest y, remain, planned total, total − direct. @internal */
export const COM_FIELDS = 7;
/** Packed floats per env: t, minute of the day, pending orders, idle vehicles. @internal */
export const ENV_FIELDS = 4;
/** Packed floats per order slot: valid, origin x/y, dest x/y, age, trip minutes, fare feature, party (zeros when empty). @internal */
export const ORD_FIELDS = 9;
/** Packed floats per (vehicle, slot): pickup ETA, added minutes (zeros where the C++ writes 0). @internal */
export const PAIR_FIELDS = 2;

/** Where each part of an env's packed block starts, and its length. @internal */
export interface PackLayout { env: number; veh: number; com: number; ord: number; maps: number; pair: number; block: number }

/** The packed block of one env (see the *_FIELDS constants). @internal */
export function packLayout(p: CoreParams): PackLayout {
  const env = 0, veh = ENV_FIELDS, com = veh + p.V * VEH_FIELDS, ord = com + p.V * p.C * COM_FIELDS, maps = ord + p.K * ORD_FIELDS;
  const pair = maps + (p.globalMaps ? 2 * p.Z : 0);
  return { env, veh, com, ord, maps, pair, block: pair + (p.pairBlock ? p.V * p.K * PAIR_FIELDS : 0) };
}

/** The per-vehicle outputs `write_observations` writes besides the rows. @internal */
export interface ObsIo {
  actionMask: Uint8Array; canAct: Uint8Array; vehPos: Float32Array; vehStatus: Int32Array; vehLoad: Int32Array;
}

/** Kernel input of up to `capacity` envs (the jobs): one packed block per job. @internal */
export class ObsBatch {
  /** Env of each job. */ readonly jobs: Int32Array;
  count = 0;
  /** `[capacity, block]` packed values. */ readonly data: Float32Array;

  constructor(readonly layout: PackLayout, readonly capacity: number) {
    this.jobs = new Int32Array(capacity);
    this.data = new Float32Array(capacity * layout.block);
  }
}

/** Packs envs into an {@link ObsBatch} and writes their masks and infos. @internal */
export class ObsPacker {
  private readonly p: CoreParams;
  private readonly city: CityView = emptyCityView();
  private readonly plan = new PlanOut();
  private readonly cost = new PlanCost();
  private readonly invFare: number;
  private readonly invK: number;
  private readonly invV: number;
  private readonly xy = new Float32Array(2);

  constructor(private readonly s: DispatchState, private readonly io: ObsIo) {
    this.p = s.p;
    this.invFare = invFareNorm(this.p);
    this.invK = Math.fround(1 / this.p.K);
    this.invV = Math.fround(1 / this.p.V);
  }

  /** Packs env `env` at its current step as the next job of `b`; with `outputs`, also writes its masks and infos. */
  pack(b: ObsBatch, env: number, outputs: boolean): void {
    const s = this.s, p = this.p, f = Math.fround, j = b.count++, L = b.layout, d = b.data, at = j * L.block;
    b.jobs[j] = env;
    const t = s.steps[env], c = s.cityAt(env, t, this.city), slot = c.slot;
    const K = p.K, Z = p.Z, V = p.V, ob = env * K, row0 = env * V;
    const tt = slot.tt, xy = slot.xy;
    const m0 = at + L.maps;
    if (p.globalMaps) d.fill(0, m0, m0 + 2 * Z);
    let pending = 0;
    for (let k = 0; k < K; k++) {
      const o = at + L.ord + k * ORD_FIELDS;
      if (!s.ordValid[ob + k]) {
        for (let f = 0; f < ORD_FIELDS; f++) d[o + f] = 0;
        continue;
      }
      ++pending;
      const org = s.ordOrigin[ob + k], dst = s.ordDest[ob + k], trip = tt[c.ttAt + org * Z + dst];
      d[o] = 1;
      d[o + 1] = xy[2 * org]; d[o + 2] = xy[2 * org + 1];
      d[o + 3] = xy[2 * dst]; d[o + 4] = xy[2 * dst + 1];
      d[o + 5] = t - s.ordReq[ob + k];
      d[o + 6] = trip;
      d[o + 7] = f(fareOf(p, slot.km[org * Z + dst], trip) * this.invFare);
      d[o + 8] = s.ordParty[ob + k];
      if (p.globalMaps) d[m0 + org] = f(d[m0 + org] + this.invK);
    }
    let idle = 0;
    for (let a = 0; a < V; a++) {
      if (s.vehStatus[row0 + a] !== IDLE) continue;
      ++idle;
      if (p.globalMaps) d[m0 + Z + s.vehTo[row0 + a]] = f(d[m0 + Z + s.vehTo[row0 + a]] + this.invV);
    }
    d[at] = t;
    d[at + 1] = (p.startHour * 60 + t) % 1440;
    d[at + 2] = pending;
    d[at + 3] = idle;
    for (let a = 0; a < V; a++) this.packVehicle(d, at, L, a, env, row0 + a, t, c, outputs);
  }

  /** Self block and pair block values, mask and infos of vehicle row i (vehicle a of the block at `at`). */
  private packVehicle(d: Float32Array, at: number, L: PackLayout, a: number, env: number, i: number, t: number, c: CityView, outputs: boolean): void {
    const s = this.s, p = this.p, C = p.C, bi = i * C;
    const free = C - seatsTaken(s, bi), status = s.vehStatus[i], accept = canAccept(status, free);
    vehicleXy(s, c, i, this.xy, 0);
    let onboard = 0;
    for (let e = 0; e < C; e++) onboard += s.comState[bi + e] === 2 ? s.comParty[bi + e] : 0;
    const v0 = at + L.veh + a * VEH_FIELDS;
    d[v0] = this.xy[0]; d[v0 + 1] = this.xy[1]; d[v0 + 2] = s.vehRemain[i];
    for (let k = 0; k < 4; k++) d[v0 + 3 + k] = status === k ? 1 : 0;
    d[v0 + 7] = free; d[v0 + 8] = onboard; d[v0 + 9] = accept ? 1 : 0;
    const xy = c.slot.xy;
    for (let e = 0; e < C; e++) {
      const q = at + L.com + (a * C + e) * COM_FIELDS, st = s.comState[bi + e], dst = s.comDest[bi + e];
      if (!st) {
        for (let f = 0; f < COM_FIELDS; f++) d[q + f] = 0;
        continue;
      }
      d[q] = 1; d[q + 1] = st === 2 ? 1 : 0; d[q + 2] = xy[2 * dst]; d[q + 3] = xy[2 * dst + 1];
      d[q + 4] = s.comRemain[bi + e]; d[q + 5] = s.comPlanTotal[bi + e]; d[q + 6] = s.comPlanTotal[bi + e] - s.comDirect[bi + e];
    }
    if (p.pairBlock) this.packPair(d, at + L.pair + a * p.K * PAIR_FIELDS, env, i, t, c, free, accept);
    if (!outputs) return;
    const io = this.io;
    io.canAct[i] = this.writeMask(env, i, c, free, accept);
    io.vehPos[2 * i] = this.xy[0];
    io.vehPos[2 * i + 1] = this.xy[1];
    io.vehStatus[i] = status;
    io.vehLoad[i] = C - free;
  }

  /** `write_pair` values from `at`: pickup ETA per pending slot, added minutes where the mask allows the bid (0 elsewhere). */
  private packPair(d: Float32Array, at: number, env: number, i: number, t: number, c: CityView, free: number, accept: boolean): void {
    const s = this.s, p = this.p, K = p.K, ob = env * K, tt = c.slot.tt;
    const row = c.ttAt + s.vehTo[i] * p.Z, remain = s.vehRemain[i];
    for (let k = 0; k < K; k++) {
      const q = at + k * PAIR_FIELDS;
      d[q] = d[q + 1] = 0;
      if (!s.ordValid[ob + k]) continue;
      const eta = remain + tt[row + s.ordOrigin[ob + k]];
      d[q] = eta;
      if (!accept || s.ordParty[ob + k] > free || eta > p.maxPickupMin) continue;
      searchPlan(s, i, tt, c.ttAt, s.ordOrigin[ob + k], s.ordDest[ob + k], this.plan);
      d[q + 1] = planCost(s, i, t, this.plan, this.cost).addMin;
    }
  }

  /** `write_mask`: the mask row of vehicle row i; returns whether anything but the no-op is allowed. */
  private writeMask(env: number, i: number, c: CityView, free: number, accept: boolean): number {
    const s = this.s, p = this.p, K = p.K, ob = env * K, m = this.io.actionMask, m0 = i * p.numActions;
    m[m0] = 1;
    let any = 0;
    if (accept) {
      const tt = c.slot.tt, row = c.ttAt + s.vehTo[i] * p.Z, limit = p.maxPickupMin - s.vehRemain[i];
      const valid = s.ordValid, party = s.ordParty, origin = s.ordOrigin;
      for (let k = 0; k < K; k++) {
        // Branch-free (as the C++): 1 when valid, party <= free and ETA within the limit (sign bits of the differences).
        const ok = valid[ob + k] & (((free - party[ob + k]) >>> 31) ^ 1) & (((limit - tt[row + origin[ob + k]]) >>> 31) ^ 1);
        m[m0 + 1 + k] = ok;
        any |= ok;
      }
    } else {
      for (let k = 1; k <= K; k++) m[m0 + k] = 0;
    }
    for (let r = 0; r < p.R; r++) {
      const ok = repositionOk(s, c, i, r) ? 1 : 0;
      m[m0 + 1 + K + r] = ok;
      any |= ok;
    }
    return any;
  }
}
