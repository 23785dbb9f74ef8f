/**
 * RideDispatch-v0 on the native CPU and CUDA backends: the io arena shared with the user, and the
 * addon's `DispatchBatch`, which holds the cities, orders and vehicles and steps the batch (on a
 * thread pool, or on the GPU). Both addons export the same class: one engine serves both.
 * @module
 * @internal
 */

import type { AutoresetMode } from '../../core/types.js';
import type { IoArena } from '../../core/io-arena.js';
import type { BatchAddon, NativeDispatchBatch } from '../../backends/native/load.js';
import type { AddonBackend } from '../../backends/batch-addon.js';
import { NativeEngine, openNativeBatch } from '../../backends/native/engine.js';
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

type CityTables = Array<[number, ReturnType<typeof buildCityTables>]>;

/**
 * Tables of the cities the masked envs use (all envs when mask is null): one per env, or one shared
 * city, built only when the batch is made (`initial`) from the first seed and never changed.
 */
function buildCities(cfg: ResolvedDispatchConfig, seeds: Uint32Array, mask: Uint8Array | null, initial: boolean): CityTables {
  if (!cfg.cityPerEnv) return initial ? [[0, buildCityTables(cfg, seeds[0])]] : [];
  const out: CityTables = [];
  for (let e = 0; e < seeds.length; e++) if (!mask || mask[e]) out.push([e, buildCityTables(cfg, seeds[e])]);
  return out;
}

function installCities(batch: NativeDispatchBatch, cities: CityTables): void {
  for (const [slot, t] of cities) {
    batch.setCity(slot, t.zoneXY, t.travelMin, t.distKm, t.neighbours, t.arrivalCdf, t.originCdf, t.destCdf);
  }
}

/** Engine of RideDispatch-v0 on an addon: native (CPU) or cuda. @internal */
export class DispatchNativeEngine extends NativeEngine<Int32Array, NativeDispatchBatch> {
  readonly io: IoArena<DispatchIoName>;
  readonly infos: DispatchInfos;

  constructor(addon: BatchAddon, backend: AddonBackend, private readonly cfg: ResolvedDispatchConfig, o: DispatchBatchOptions,
    seeds: Uint32Array) {
    const params = dispatchParams(cfg, o);
    const replay = cfg.demand.kind === 'replay' ? cfg.demand.replay : null;
    // City tables are built (and validated) before anything is allocated.
    const cities = buildCities(cfg, seeds, null, true);
    const io = allocateDispatchIo(params, replay ? replay.length : 0);
    const batch = openNativeBatch(() => new addon.DispatchBatch(params, io.memory, io.offsets, o.numThreads), (b) => {
      if (replay) b.setReplay(replay.rows, replay.start);
      installCities(b, cities);
      b.setSeeds(seeds, null);
    });
    super({ backend, numEnvs: o.numEnvs, numAgents: cfg.numVehicles, autoresetMode: o.autoresetMode, obsSize: obsLayout(params).size }, batch);
    this.io = io;
    this.infos = dispatchInfos(io, o.numEnvs, cfg.numVehicles, o.keepFinalObs);
  }

  get obs(): Float32Array { return this.io.views.obs as Float32Array; }
  get rewards(): Float32Array { return this.io.views.rewards as Float32Array; }
  get terminations(): Uint8Array { return this.io.views.terminations as Uint8Array; }
  get truncations(): Uint8Array { return this.io.views.truncations as Uint8Array; }
  get actions(): Int32Array { return this.io.views.actions as Int32Array; }

  override reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    const cities = buildCities(this.cfg, seeds, mask, false);
    this.call(() => {
      installCities(this.batch, cities);
      this.batch.setSeeds(seeds, mask);
    });
  }
}
