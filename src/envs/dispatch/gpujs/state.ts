/**
 * RideDispatch-v0 on the gpu.js backend: the batch state (the addon's state arena as typed arrays:
 * orders, vehicles, committed orders, episode sums), the city slots with the lookup of one env's
 * tables at one step (`city_at`), and the episode bookkeeping of `native/common/episodes.h`.
 * @module
 * @internal
 */

import { type CoreParams, NUM_METRICS } from './constants.js';

/** One installed city (`CityInput`, copied). @internal */
export interface CitySlot {
  /** `[Z, 2]` normalised zone coordinates. */ xy: Float32Array;
  /** `[Bt, Z, Z]` travel minutes. */ tt: Int32Array;
  /** `[Z, Z]` trip kilometres. */ km: Float32Array;
  /** `[Z, R]` reposition targets, −1 none. */ nb: Int32Array;
  /** `[B, P]` arrival-count CDF. */ arrival: Uint32Array;
  /** `[B, Z]` origin CDF. */ origin: Uint32Array;
  /** `[B, Z, Z]` destination CDF. */ dest: Uint32Array;
}

/** The tables of one env's city at one step (`CityView`): a slot and offsets into it. @internal */
export interface CityView {
  slot: CitySlot;
  /** Offset of the step's travel bin in `slot.tt`. */ ttAt: number;
  /** Offset of the step's arrival row. */ arrivalAt: number;
  /** Offset of the step's origin row. */ originAt: number;
  /** Offset of the step's destination rows. */ destAt: number;
}

/** Orders, vehicles and episode sums of every env (the `View` state fields). @internal */
export class DispatchState {
  readonly seeds: Uint32Array; readonly episode: Uint32Array; readonly steps: Int32Array;
  readonly needsReset: Uint8Array; readonly status: Uint32Array;
  /** `[E, K]` order slots. */
  readonly ordValid: Uint8Array; readonly ordOrigin: Int32Array; readonly ordDest: Int32Array;
  readonly ordReq: Int32Array; readonly ordParty: Int32Array;
  /** `[E, V]` vehicles. */
  readonly vehFrom: Int32Array; readonly vehTo: Int32Array; readonly vehRemain: Int32Array;
  readonly vehTotal: Int32Array; readonly vehStatus: Int32Array;
  /** `[E, V, C]` committed orders and the drop-off plan. */
  readonly comState: Int32Array; readonly comOrigin: Int32Array; readonly comDest: Int32Array;
  readonly comParty: Int32Array; readonly comReq: Int32Array; readonly comAssign: Int32Array;
  readonly comDirect: Int32Array; readonly comPickupStep: Int32Array; readonly comPlanTotal: Int32Array;
  readonly comRemain: Int32Array; readonly plan: Int32Array;
  /** `[E, V]` float32 episode returns. */ readonly epReturn: Float32Array;
  /** `[E, 18]` running sums of the episode, in double. */ readonly metricAcc: Float64Array;
  /** City slots (M of them; null until installed). */ readonly cities: Array<CitySlot | null>;
  /** `[N, 4]` replay rows and `[T + 1]` first row of each step. */
  replay = new Int32Array(0);
  replayStart = new Int32Array(0);
  replayReady = false;

  constructor(readonly p: CoreParams) {
    const e = p.numEnvs, ev = e * p.V, evc = ev * p.C, ek = e * p.K;
    this.seeds = new Uint32Array(e); this.episode = new Uint32Array(e); this.steps = new Int32Array(e);
    this.needsReset = new Uint8Array(e); this.status = new Uint32Array(e);
    this.ordValid = new Uint8Array(ek); this.ordOrigin = new Int32Array(ek); this.ordDest = new Int32Array(ek);
    this.ordReq = new Int32Array(ek); this.ordParty = new Int32Array(ek);
    this.vehFrom = new Int32Array(ev); this.vehTo = new Int32Array(ev); this.vehRemain = new Int32Array(ev);
    this.vehTotal = new Int32Array(ev); this.vehStatus = new Int32Array(ev);
    this.comState = new Int32Array(evc); this.comOrigin = new Int32Array(evc); this.comDest = new Int32Array(evc);
    this.comParty = new Int32Array(evc); this.comReq = new Int32Array(evc); this.comAssign = new Int32Array(evc);
    this.comDirect = new Int32Array(evc); this.comPickupStep = new Int32Array(evc); this.comPlanTotal = new Int32Array(evc);
    this.comRemain = new Int32Array(evc); this.plan = new Int32Array(evc);
    this.epReturn = new Float32Array(ev);
    this.metricAcc = new Float64Array(e * NUM_METRICS);
    this.cities = new Array<CitySlot | null>(p.numCities).fill(null);
  }

  /** `demand_bin`: the demand bin of step t. */
  demandBin(t: number): number {
    return (this.p.startHour + Math.floor(t / 60)) % this.p.demandBins;
  }

  /** `city_at`: fills `out` with env `env`'s tables at step `t` and returns it. */
  cityAt(env: number, t: number, out: CityView): CityView {
    const p = this.p, zz = p.Z * p.Z, b = this.demandBin(t);
    out.slot = this.cities[env % p.numCities] as CitySlot;
    out.ttAt = (p.travelBins === 1 ? 0 : b) * zz;
    out.arrivalAt = b * p.poissonLen;
    out.originAt = b * p.Z;
    out.destAt = b * zz;
    return out;
  }

  /** True once every city slot holds a city and, in replay mode, the replay list is installed. */
  ready(replayMode: boolean): boolean {
    return this.cities.every((c) => c !== null) && (this.replayReady || !replayMode);
  }
}

/** A fresh {@link CityView} to be filled by {@link DispatchState.cityAt}. @internal */
export function emptyCityView(): CityView {
  return { slot: null as unknown as CitySlot, ttAt: 0, arrivalAt: 0, originAt: 0, destAt: 0 };
}
