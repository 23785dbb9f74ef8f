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

/** `EpisodeBook`: seeded envs start episode 0 at their next reset; which envs were ever reset. @internal */
export class EpisodeBook {
  private readonly fresh: Uint8Array;
  private readonly initialized: Uint8Array;
  private numInitialized = 0;
  private anyFresh = true;

  constructor(private readonly n: number) {
    this.fresh = new Uint8Array(n).fill(1);
    this.initialized = new Uint8Array(n);
  }

  /** Seeds the masked envs (all when null): seed, episode 0, fresh. */
  setSeeds(input: Uint32Array, mask: Uint8Array | null, seeds: Uint32Array, episode: Uint32Array): void {
    for (let e = 0; e < this.n; e++) {
      if (mask && !mask[e]) continue;
      seeds[e] = input[e];
      episode[e] = 0;
      this.fresh[e] = 1;
      this.anyFresh = true;
    }
  }

  /** Before resetting the masked envs: a fresh env starts episode 0, any other its next one. */
  startEpisodes(mask: Uint8Array | null, episode: Uint32Array): void {
    for (let e = 0; e < this.n; e++) {
      if (mask && !mask[e]) continue;
      if (this.fresh[e]) this.fresh[e] = 0;
      else episode[e] = (episode[e] + 1) >>> 0;
      if (!this.initialized[e]) {
        this.initialized[e] = 1;
        this.numInitialized++;
      }
    }
  }

  /** A step consumes the seeded state. */
  stepTaken(): void {
    if (!this.anyFresh) return;
    this.fresh.fill(0);
    this.anyFresh = false;
  }

  /** Env `e` must be reset before its next step. */
  uninitialize(e: number): void {
    if (!this.initialized[e]) return;
    this.initialized[e] = 0;
    this.numInitialized--;
  }

  /** First env never reset since creation or uninitialization, or −1. */
  firstUninitialized(): number {
    if (this.numInitialized === this.n) return -1;
    for (let e = 0; e < this.n; e++) if (!this.initialized[e]) return e;
    return -1;
  }
}
