/**
 * MAPF-v0 on the native CPU and CUDA backends: the io arena shared with the user, and the addon's
 * `MapfBatch`, which holds the maps, tasks and agent state and steps the batch (on a thread pool,
 * or on the GPU). Both addons export the same class, so one engine serves both backends.
 * @module
 * @internal
 */

import type { AutoresetMode, BatchInfos } from '../../core/types.js';
import type { BatchAddon, NativeMapfBatch } from '../../backends/native/load.js';
import type { AddonBackend } from '../../backends/batch-addon.js';
import { NativeEngine, openNativeBatch } from '../../backends/native/engine.js';
import { type MapfIoArena, type MapfParams, allocateIo, checkBatchSize } from './layout.js';
import type { ResolvedMapfConfig } from './config.js';
import { type MapTables, mapTables } from './install.js';
import { mapfInfos } from './infos.js';

const COLLISION = { priority: 0, blockBoth: 1, soft: 2 } as const;
const ON_TARGET = { finish: 0, nothing: 1, restart: 2 } as const;
const AUTORESET = { 'same-step': 0, 'next-step': 1, disabled: 2 } as const;
const PLACEMENT = { explicit: 0, random: 1, pools: 2 } as const;
const LATER_GOALS = { sequence: 0, component: 1, pool: 2 } as const;

/** Options a MAPF engine needs beyond the env config. @internal */
export interface MapfEngineOptions {
  numEnvs: number;
  numThreads: number;
  autoresetMode: AutoresetMode;
  keepFinalObs: boolean;
  maxBufferBytes: number;
}

/** Integer parameters of a batch from its configuration. @internal */
export function mapfParams(cfg: ResolvedMapfConfig, o: MapfEngineOptions): MapfParams {
  return {
    numEnvs: o.numEnvs, numAgents: cfg.numAgents, height: cfg.height, width: cfg.width, radius: cfg.obsRadius,
    collision: COLLISION[cfg.collisionSystem], onTarget: ON_TARGET[cfg.onTarget], maxSteps: cfg.maxEpisodeSteps,
    autoreset: AUTORESET[o.autoresetMode], obsU8: cfg.obsDtype === 'uint8' ? 1 : 0,
    keepFinalObs: o.keepFinalObs ? 1 : 0, extras: cfg.pomapfExtras ? 1 : 0,
    placement: PLACEMENT[cfg.placement], goalMode: LATER_GOALS[cfg.laterGoals],
    goalSeqLen: cfg.goalSeqLen, mapPerEnv: cfg.mapPerEnv ? 1 : 0,
    startPoolLen: cfg.startPool?.length ?? 0, goalPoolLen: cfg.goalPool?.length ?? 0, maxBytes: o.maxBufferBytes,
  };
}

/**
 * The map tables of the masked envs' slots for `seeds` (all envs when mask is null). A shared map
 * has one slot, filled only when the batch is made (`initial`): it comes from the first seed given
 * to make() and never changes.
 */
function buildMaps(cfg: ResolvedMapfConfig, numEnvs: number, seeds: Uint32Array, mask: Uint8Array | null, initial: boolean):
  Array<[number, MapTables]> {
  if (!cfg.mapPerEnv) return initial ? [[0, mapTables(cfg, cfg.mapFor(seeds[0]), 'map')]] : [];
  const out: Array<[number, MapTables]> = [];
  for (let e = 0; e < numEnvs; e++) {
    if (mask && !mask[e]) continue;
    out.push([e, mapTables(cfg, cfg.mapFor(seeds[e]), `env ${e} (seed ${seeds[e]})`)]);
  }
  return out;
}

function installMaps(batch: NativeMapfBatch, maps: Array<[number, MapTables]>): void {
  for (const [slot, t] of maps) batch.setMap(slot, t.obstacles, t.label, t.cells, t.start, t.numComps, t.numFree);
}

/** Engine of MAPF-v0 on an addon: native (CPU) or cuda. @internal */
export class MapfNativeEngine extends NativeEngine<Int32Array, NativeMapfBatch> {
  readonly io: MapfIoArena;
  readonly infos: BatchInfos;

  constructor(addon: BatchAddon, backend: AddonBackend, readonly cfg: ResolvedMapfConfig, o: MapfEngineOptions, seeds: Uint32Array) {
    const params = mapfParams(cfg, o);
    const bytes = checkBatchSize(params, o.numThreads, o.maxBufferBytes, 'MAPF-v0');
    // Maps are built and checked before anything is allocated.
    const maps = buildMaps(cfg, o.numEnvs, seeds, null, true);
    const io = allocateIo(params, bytes, 'MAPF-v0');
    const batch = openNativeBatch(() => new addon.MapfBatch(params, io.memory, io.offsets, o.numThreads), (b) => {
      if (cfg.placement !== 'random') {
        const a = cfg.numAgents;
        b.setTask(cfg.startCells ?? new Int32Array(a), cfg.goalSeq ?? new Int32Array(a * cfg.goalSeqLen),
          cfg.goalLens ?? new Int32Array(a).fill(1), cfg.startPool, cfg.goalPool);
      }
      installMaps(b, maps);
      b.setSeeds(seeds, null);
    });
    super({ backend, numEnvs: o.numEnvs, numAgents: cfg.numAgents, autoresetMode: o.autoresetMode, obsSize: 3 * (2 * cfg.obsRadius + 1) ** 2 }, batch);
    this.io = io;
    this.infos = mapfInfos(io, cfg, o.keepFinalObs);
  }

  get obs(): Float32Array | Uint8Array { return this.io.obs; }
  get rewards(): Float32Array { return this.io.rewards; }
  get terminations(): Uint8Array { return this.io.terminations; }
  get truncations(): Uint8Array { return this.io.truncations; }
  get actions(): Int32Array { return this.io.actions; }

  override reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    const maps = buildMaps(this.cfg, this.numEnvs, seeds, mask, false);
    this.call(() => {
      installMaps(this.batch, maps);
      this.batch.setSeeds(seeds, mask);
    });
  }
}
