/**
 * MAPF-v0 on the native CPU and CUDA backends: the io arena shared with the user, and the addon's
 * `MapfBatch`, which holds the maps, tasks and agent state and steps the batch (on a thread pool,
 * or on the GPU). Both addons export the same class, so one engine serves both backends.
 * @module
 * @internal
 */

import type { EnvEngine, RolloutBuffers } from '../../core/engine.js';
import type { AutoresetMode, BatchInfos } from '../../core/types.js';
import type { BatchAddon, NativeMapfBatch } from '../../backends/native/load.js';
import type { AddonBackend } from '../../backends/batch-addon.js';
import { translateNativeError } from '../../backends/native/errors.js';
import { type MapfIoArena, type MapfParams, allocateIo, checkBatchSize } from './layout.js';
import type { ResolvedMapfConfig } from './config.js';
import { type MapTables, mapTables } from './install.js';
import { mapfInfos } from './infos.js';

const COLLISION = { priority: 0, blockBoth: 1, soft: 2 } as const;
const ON_TARGET = { finish: 0, nothing: 1, restart: 2 } as const;
const AUTORESET = { 'same-step': 0, 'next-step': 1, disabled: 2 } as const;

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
  const sequences = cfg.onTarget === 'restart' && cfg.goalSeq !== null && cfg.goalSeqLen > 1;
  return {
    numEnvs: o.numEnvs, numAgents: cfg.numAgents, height: cfg.height, width: cfg.width, radius: cfg.obsRadius,
    collision: COLLISION[cfg.collisionSystem], onTarget: ON_TARGET[cfg.onTarget], maxSteps: cfg.maxEpisodeSteps,
    autoreset: AUTORESET[o.autoresetMode], obsU8: cfg.obsDtype === 'uint8' ? 1 : 0,
    keepFinalObs: o.keepFinalObs ? 1 : 0, extras: cfg.pomapfExtras ? 1 : 0,
    placement: cfg.startCells ? 0 : 1,
    goalMode: sequences ? 0 : 1, // later goals: the agent's sequence, else random in its component
    goalSeqLen: cfg.goalSeqLen, mapPerEnv: cfg.mapPerEnv ? 1 : 0, maxBytes: o.maxBufferBytes,
  };
}

/** Engine of MAPF-v0 on an addon: native (CPU) or cuda. @internal */
export class MapfNativeEngine implements EnvEngine {
  readonly backend: AddonBackend;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads: number;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly io: MapfIoArena;
  readonly infos: BatchInfos;
  private readonly batch: NativeMapfBatch;
  readonly rollout?: (steps: number, actions: Int32Array | Float32Array, out: RolloutBuffers) => void;

  constructor(addon: BatchAddon, backend: AddonBackend, readonly cfg: ResolvedMapfConfig, o: MapfEngineOptions, seeds: Uint32Array) {
    const params = mapfParams(cfg, o);
    this.backend = backend;
    this.numEnvs = o.numEnvs;
    this.numAgents = cfg.numAgents;
    this.autoresetMode = o.autoresetMode;
    this.obsSize = 3 * (2 * cfg.obsRadius + 1) ** 2;
    const bytes = checkBatchSize(params, o.numThreads, o.maxBufferBytes, 'MAPF-v0');
    // Maps are built and checked before anything is allocated; a shared generated map comes from
    // the seed given to make() and never changes.
    const maps = this.buildMaps(seeds, null);
    this.io = allocateIo(params, bytes, 'MAPF-v0');
    try {
      this.batch = new addon.MapfBatch(params, this.io.memory, this.io.offsets, o.numThreads);
    } catch (err) {
      throw translateNativeError(err);
    }
    try {
      if (cfg.startCells && cfg.goalSeq && cfg.goalLens) this.batch.setTask(cfg.startCells, cfg.goalSeq, cfg.goalLens);
      this.installMaps(maps);
      this.batch.setSeeds(seeds, null);
    } catch (err) {
      this.batch.close(); // free its threads and state now rather than at garbage collection
      throw translateNativeError(err);
    }
    this.numThreads = this.batch.threads();
    this.infos = mapfInfos(this.io, cfg, o.keepFinalObs);
    const rollout = this.batch.rollout?.bind(this.batch);
    if (rollout) {
      this.rollout = (steps, actions, out) => {
        try {
          rollout(steps, actions as Int32Array, out.rewards, out.terminations, out.truncations, out.episodeDone);
        } catch (err) {
          throw translateNativeError(err);
        }
      };
    }
  }

  get obs(): Float32Array | Uint8Array { return this.io.obs; }
  get rewards(): Float32Array { return this.io.rewards; }
  get terminations(): Uint8Array { return this.io.terminations; }
  get truncations(): Uint8Array { return this.io.truncations; }
  get actions(): Int32Array { return this.io.actions; }

  /** The map tables of the masked envs' slots (slot 0 only for a shared map) for `seeds`. */
  private buildMaps(seeds: Uint32Array, mask: Uint8Array | null): Array<[number, MapTables]> {
    if (!this.cfg.mapPerEnv) return mask ? [] : [[0, mapTables(this.cfg, this.cfg.mapFor(seeds[0]), 'map')]];
    const out: Array<[number, MapTables]> = [];
    for (let e = 0; e < this.numEnvs; e++) {
      if (mask && !mask[e]) continue;
      out.push([e, mapTables(this.cfg, this.cfg.mapFor(seeds[e]), `env ${e} (seed ${seeds[e]})`)]);
    }
    return out;
  }

  private installMaps(maps: Array<[number, MapTables]>): void {
    for (const [slot, t] of maps) this.batch.setMap(slot, t.obstacles, t.label, t.cells, t.start, t.numComps, t.numFree);
  }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    const maps = this.buildMaps(seeds, mask ?? new Uint8Array(this.numEnvs).fill(1));
    try {
      this.installMaps(maps);
      this.batch.setSeeds(seeds, mask);
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  reset(mask: Uint8Array | null): void {
    try {
      this.batch.reset(mask);
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  step(): void {
    try {
      this.batch.step();
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  async stepAsync(): Promise<void> {
    let pending: Promise<void>;
    try {
      pending = this.batch.stepAsync();
    } catch (err) {
      throw translateNativeError(err);
    }
    try {
      await pending;
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  noop(): void { this.batch.noop(); }

  close(): void { this.batch.close(); }
}
