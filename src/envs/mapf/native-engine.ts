/**
 * MAPF-v0 on the native CPU backend: one arena of batch buffers, borrowed by the addon's
 * `MapfBatch`, which steps it on its thread pool.
 * @module
 * @internal
 */

import type { EnvEngine } from '../../core/engine.js';
import type { AutoresetMode, BatchInfos } from '../../core/types.js';
import type { NativeAddon, NativeMapfBatch } from '../../backends/native/load.js';
import { translateNativeError } from '../../backends/native/errors.js';
import { type MapfArena, type MapfParams, allocateArena } from './layout.js';
import type { ResolvedMapfConfig } from './config.js';
import { installMap } from './install.js';
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
  return {
    numEnvs: o.numEnvs, numAgents: cfg.numAgents, height: cfg.height, width: cfg.width, radius: cfg.obsRadius,
    collision: COLLISION[cfg.collisionSystem], onTarget: ON_TARGET[cfg.onTarget], maxSteps: cfg.maxEpisodeSteps,
    autoreset: AUTORESET[o.autoresetMode], obsU8: cfg.obsDtype === 'uint8' ? 1 : 0,
    keepFinalObs: o.keepFinalObs ? 1 : 0, extras: cfg.pomapfExtras ? 1 : 0,
    placement: cfg.startCells ? 0 : 1,
    goalMode: cfg.onTarget === 'restart' && cfg.goalSeqLen > 1 ? 0 : cfg.startCells && cfg.onTarget !== 'restart' ? 0 : 1,
    goalSeqLen: cfg.goalSeqLen, mapPerEnv: cfg.mapPerEnv ? 1 : 0,
  };
}

/** Installs the maps of the masked envs (all when null) for their current seeds. @internal */
export function installMaps(arena: MapfArena, cfg: ResolvedMapfConfig, numEnvs: number, mask: Uint8Array | null): void {
  if (!cfg.mapPerEnv) {
    installMap(arena, cfg, 0, cfg.mapFor(arena.seeds[0]), 'map');
    return;
  }
  for (let e = 0; e < numEnvs; e++) {
    if (mask && !mask[e]) continue;
    installMap(arena, cfg, e, cfg.mapFor(arena.seeds[e]), `env ${e} (seed ${arena.seeds[e]})`);
  }
}

/** Native CPU engine of MAPF-v0. @internal */
export class MapfNativeEngine implements EnvEngine {
  readonly backend = 'native' as const;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads: number;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly arena: MapfArena;
  readonly infos: BatchInfos;
  private readonly batch: NativeMapfBatch;
  /** [E] 1 until the env's first reset after a (re)seed: that reset starts episode 0. */
  private readonly fresh: Uint8Array;
  private anyFresh = true;

  constructor(addon: NativeAddon, readonly cfg: ResolvedMapfConfig, o: MapfEngineOptions, seeds: Uint32Array) {
    const params = mapfParams(cfg, o);
    this.numEnvs = o.numEnvs;
    this.numAgents = cfg.numAgents;
    this.autoresetMode = o.autoresetMode;
    this.obsSize = 3 * (2 * cfg.obsRadius + 1) ** 2;
    this.arena = allocateArena(params, o.maxBufferBytes, 'MAPF-v0');
    this.arena.seeds.set(seeds);
    if (cfg.startCells) this.arena.startCells.set(cfg.startCells);
    if (cfg.goalSeq) this.arena.goalSeq.set(cfg.goalSeq);
    if (cfg.goalLens) this.arena.goalLens.set(cfg.goalLens);
    installMaps(this.arena, cfg, o.numEnvs, null);
    try {
      this.batch = new addon.MapfBatch(params, this.arena.buffer, this.arena.offsets, o.numThreads);
    } catch (err) {
      throw translateNativeError(err);
    }
    this.numThreads = this.batch.threads();
    this.fresh = new Uint8Array(o.numEnvs).fill(1);
    this.infos = mapfInfos(this.arena, cfg, o.keepFinalObs);
  }

  get obs(): Float32Array | Uint8Array { return this.arena.obs; }
  get rewards(): Float32Array { return this.arena.rewards; }
  get terminations(): Uint8Array { return this.arena.terminations; }
  get truncations(): Uint8Array { return this.arena.truncations; }
  get actions(): Int32Array { return this.arena.actions; }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    const old = this.arena.seeds.slice();
    for (let e = 0; e < this.numEnvs; e++) if (!mask || mask[e]) this.arena.seeds[e] = seeds[e];
    try {
      if (this.cfg.mapPerEnv || !this.cfg.startCells) installMaps(this.arena, this.cfg, this.numEnvs, mask);
    } catch (err) {
      this.arena.seeds.set(old);
      installMaps(this.arena, this.cfg, this.numEnvs, mask);
      throw err;
    }
    for (let e = 0; e < this.numEnvs; e++) {
      if (mask && !mask[e]) continue;
      this.arena.episode[e] = 0;
      this.fresh[e] = 1;
      this.anyFresh = true;
    }
  }

  reset(mask: Uint8Array | null): void {
    for (let e = 0; e < this.numEnvs; e++) {
      if (mask && !mask[e]) continue;
      if (this.fresh[e]) this.fresh[e] = 0;
      else this.arena.episode[e] = (this.arena.episode[e] + 1) >>> 0;
    }
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
    this.clearFresh();
  }

  /** A step consumed the seeded state: later resets start new episodes. */
  private clearFresh(): void {
    if (!this.anyFresh) return;
    this.fresh.fill(0);
    this.anyFresh = false;
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
    this.clearFresh();
  }

  noop(): void { this.batch.noop(); }

  close(): void { this.batch.close(); }
}
