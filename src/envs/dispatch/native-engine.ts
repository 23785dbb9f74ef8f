/**
 * RideDispatch-v0 on the native CPU and CUDA backends: the io arena shared with the user, and the
 * addon's `DispatchBatch`, which holds the cities, orders and vehicles and steps the batch (on a
 * thread pool, or on the GPU). Both addons export the same class: one engine serves both.
 * @module
 * @internal
 */

import type { EnvEngine, RolloutBuffers } from '../../core/engine.js';
import type { AutoresetMode } from '../../core/types.js';
import type { IoArena } from '../../core/io-arena.js';
import type { BatchAddon, NativeDispatchBatch } from '../../backends/native/load.js';
import type { AddonBackend } from '../../backends/batch-addon.js';
import { translateNativeError } from '../../backends/native/errors.js';
import { CONFLICT_RULE_CODES, ROUTE_OBJECTIVE_CODES, type ResolvedDispatchConfig } from './config.js';
import { type DispatchIoName, type DispatchParams, allocateDispatchIo, obsLayout } from './layout.js';
import { type DispatchInfos, dispatchInfos } from './infos.js';
import { buildCityTables } from './tables.js';

/** Batch options a dispatch engine needs beyond the config. @internal */
export interface DispatchBatchOptions {
  numEnvs: number;
  numThreads: number;
  autoresetMode: AutoresetMode;
  keepFinalObs: boolean;
  maxBufferBytes: number;
}

const AUTORESET = { 'same-step': 0, 'next-step': 1, disabled: 2 } as const;

/** Native parameters of a batch. @internal */
export function dispatchParams(cfg: ResolvedDispatchConfig, o: DispatchBatchOptions): DispatchParams {
  const replay = cfg.demand.kind === 'replay' ? cfg.demand.replay : null;
  return {
    id: 'RideDispatch-v0', numEnvs: o.numEnvs, numVehicles: cfg.numVehicles, numSlots: cfg.numSlots, capacity: cfg.capacity,
    numNeighbours: cfg.numNeighbours, numZones: cfg.numZones, numCities: cfg.cityPerEnv ? o.numEnvs : 1,
    demandBins: cfg.demandBins, travelBins: cfg.travelBins, poissonLen: cfg.poissonLen, horizon: cfg.horizon, maxWait: cfg.maxWait,
    startHour: cfg.startHour, demandMode: replay ? 1 : 0, replayLen: replay ? replay.length : 0, maxPickupMin: cfg.maxPickupMin,
    partyMax: cfg.partyMax, reposition: cfg.reposition ? 1 : 0, conflictRule: CONFLICT_RULE_CODES[cfg.conflictRule],
    routeObjective: ROUTE_OBJECTIVE_CODES[cfg.routeObjective], teamReward: cfg.rewardSharing === 'team' ? 1 : 0,
    pairBlock: cfg.pairInsertionCost ? 1 : 0, globalMaps: cfg.globalMaps ? 1 : 0, autoreset: AUTORESET[o.autoresetMode],
    keepFinalObs: o.keepFinalObs ? 1 : 0, maxBytes: o.maxBufferBytes, fareBase: cfg.fareBase, farePerKm: cfg.farePerKm,
    farePerMin: cfg.farePerMin, reward: cfg.reward,
  };
}

/** Engine of RideDispatch-v0 on an addon: native (CPU) or cuda. @internal */
export class DispatchNativeEngine implements EnvEngine {
  readonly backend: AddonBackend;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads: number;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly io: IoArena<DispatchIoName>;
  readonly infos: DispatchInfos;
  private readonly batch: NativeDispatchBatch;
  readonly rollout?: (steps: number, actions: Int32Array | Float32Array, out: RolloutBuffers) => void;

  constructor(addon: BatchAddon, backend: AddonBackend, private readonly cfg: ResolvedDispatchConfig, o: DispatchBatchOptions,
    seeds: Uint32Array) {
    const params = dispatchParams(cfg, o);
    this.backend = backend;
    this.numEnvs = o.numEnvs;
    this.numAgents = cfg.numVehicles;
    this.autoresetMode = o.autoresetMode;
    this.obsSize = obsLayout(params).size;
    const replay = cfg.demand.kind === 'replay' ? cfg.demand.replay : null;
    // City tables are built (and validated) before anything is allocated.
    const cities = this.buildCities(seeds, null);
    this.io = allocateDispatchIo(params, replay ? replay.length : 0);
    try {
      this.batch = new addon.DispatchBatch(params, this.io.memory, this.io.offsets, o.numThreads);
    } catch (err) {
      throw translateNativeError(err);
    }
    try {
      if (replay) this.batch.setReplay(replay.rows, replay.start);
      this.installCities(cities);
      this.batch.setSeeds(seeds, null);
    } catch (err) {
      this.batch.close(); // free its threads and state now rather than at garbage collection
      throw translateNativeError(err);
    }
    this.numThreads = this.batch.threads();
    this.infos = dispatchInfos(this.io, o.numEnvs, cfg.numVehicles, o.keepFinalObs);
    const rollout = this.batch.rollout?.bind(this.batch);
    if (rollout) {
      this.rollout = (steps, actions, out) => this.call(() =>
        rollout(steps, actions as Int32Array, out.rewards, out.terminations, out.truncations, out.episodeDone));
    }
  }

  get obs(): Float32Array { return this.io.views.obs as Float32Array; }
  get rewards(): Float32Array { return this.io.views.rewards as Float32Array; }
  get terminations(): Uint8Array { return this.io.views.terminations as Uint8Array; }
  get truncations(): Uint8Array { return this.io.views.truncations as Uint8Array; }
  get actions(): Int32Array { return this.io.views.actions as Int32Array; }

  /** Tables of the cities the masked envs use: one shared city (from the first seed) or one per env. */
  private buildCities(seeds: Uint32Array, mask: Uint8Array | null): Array<[number, ReturnType<typeof buildCityTables>]> {
    if (!this.cfg.cityPerEnv) return mask ? [] : [[0, buildCityTables(this.cfg, seeds[0])]];
    const out: Array<[number, ReturnType<typeof buildCityTables>]> = [];
    for (let e = 0; e < seeds.length; e++) if (!mask || mask[e]) out.push([e, buildCityTables(this.cfg, seeds[e])]);
    return out;
  }

  private installCities(cities: Array<[number, ReturnType<typeof buildCityTables>]>): void {
    for (const [slot, t] of cities) {
      this.batch.setCity(slot, t.zoneXY, t.travelMin, t.distKm, t.neighbours, t.arrivalCdf, t.originCdf, t.destCdf);
    }
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    const cities = this.buildCities(seeds, mask ?? new Uint8Array(this.numEnvs).fill(1));
    this.call(() => {
      this.installCities(cities);
      this.batch.setSeeds(seeds, mask);
    });
  }
  reset(mask: Uint8Array | null): void { this.call(() => this.batch.reset(mask)); }
  step(): void { this.call(() => this.batch.step()); }

  async stepAsync(): Promise<void> {
    const pending = this.call(() => this.batch.stepAsync());
    try {
      await pending;
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  noop(): void { this.batch.noop(); }
  close(): void { this.batch.close(); }
}
