/**
 * MAPF-v0 on the gpujs backend: the same io arena and infos as the native engine, the env state in
 * TypeScript typed arrays, collisions, goals, rewards and episodes stepped sequentially per env
 * (episodes.ts), and observations built by a gpu.js kernel (obs-builder.ts). Checks and errors
 * are those of the native bindings (`bindings/batch_base.h`, `bindings/mapf_wrap.h`): same
 * classes, codes and messages, raised before any state changes.
 * @module
 * @internal
 */

import type { EnvEngine } from '../../../core/engine.js';
import type { AutoresetMode, BatchInfos } from '../../../core/types.js';
import type { GpujsRuntime } from '../../../backends/gpujs/runtime.js';
import { InvalidActionError, InvalidConfigError, NativeError, ResetNeededError } from '../../../errors.js';
import { type MapfIo, allocateIo, checkBatchSize } from '../layout.js';
import type { ResolvedMapfConfig } from '../config.js';
import { type MapTables, mapTables } from '../install.js';
import { mapfInfos } from '../infos.js';
import { type MapfEngineOptions, mapfParams } from '../native-engine.js';
import { AUTORESET_DISABLED, MapfState, STATUS_PLACEMENT } from './state.js';
import { EpisodeBook } from '../../../backends/gpujs/episode-book.js';
import { MapfEpisodes } from './episodes.js';
import { ObsBuilder } from './obs-builder.js';
import { WindowGeometry } from './obs-kernel.js';

const ID = 'MAPF-v0';

/**
 * How an engine over a range of a larger batch is built (src/backends/gpujs-shards/): on views of
 * the batch's io arena, numbering its envs from `envBase` in errors, and drawing a shared map
 * from the batch's first seed. @internal
 */
export interface MapfGpujsRange {
  /** The range's envs in each io field of the batch's arena. */
  io: MapfIo;
  /** Batch index of the range's first env. */
  envBase: number;
  /** Seed of the batch's first env: a shared generated map comes from it. */
  sharedMapSeed: number;
}

/** A check made before a step that failed: its rank in the order of the checks, and its error. @internal */
export interface FailedStepCheck {
  rank: number;
  error: Error;
}

/** Engine of MAPF-v0 on gpu.js (webgpu, webgl2, webasm or cpu, as the probe chose). @internal */
export class MapfGpujsEngine implements EnvEngine {
  readonly backend = 'gpujs' as const;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads = 1;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly io: MapfIo;
  readonly infos: BatchInfos;
  readonly details: Readonly<Record<string, unknown>>;
  private readonly state: MapfState;
  private readonly book: EpisodeBook;
  private readonly episodes: MapfEpisodes;
  private readonly observer: ObsBuilder;
  private readonly envBase: number;
  private readonly stepChecks: ReadonlyArray<() => void> = [
    () => this.checkInitialized(), () => this.checkNotFinished(), () => this.checkActions(),
  ];

  /** With `range`, the engine steps envs of a larger batch in place, on views of its io arena. */
  constructor(private readonly runtime: GpujsRuntime, private readonly cfg: ResolvedMapfConfig, o: MapfEngineOptions, seeds: Uint32Array, range?: MapfGpujsRange) {
    try {
      this.envBase = range?.envBase ?? 0;
      const params = mapfParams(cfg, o);
      this.numEnvs = o.numEnvs;
      this.numAgents = cfg.numAgents;
      this.autoresetMode = o.autoresetMode;
      this.obsSize = 3 * (2 * cfg.obsRadius + 1) ** 2;
      const bytes = checkBatchSize(params, 1, o.maxBufferBytes, ID);
      const maps = this.buildMaps(seeds, null, range?.sharedMapSeed);
      this.io = range?.io ?? allocateIo(params, bytes, ID);
      this.state = new MapfState(params);
      const geometry = new WindowGeometry(cfg.obsRadius, cfg.numAgents, this.state.ph, this.state.pw);
      if (!geometry.fits) {
        throw new InvalidConfigError(`${ID}: the gpujs backend observes at most ${geometry.maxAgents} agents per env at obsRadius ${cfg.obsRadius} (numAgents ${cfg.numAgents})`, { field: 'numAgents' });
      }
      this.book = new EpisodeBook(o.numEnvs);
      this.observer = new ObsBuilder(runtime, this.state, this.io);
      const keep = o.keepFinalObs ? (env: number): void => this.observer.keepFinal(env) : null;
      this.episodes = new MapfEpisodes(this.state, this.io, keep);
      this.state.startCells = cfg.startCells;
      this.state.goalSeq = cfg.goalSeq;
      this.state.goalLens = cfg.goalLens;
      this.state.startPool = cfg.startPool;
      this.state.goalPool = cfg.goalPool;
      this.installMaps(maps);
      this.book.setSeeds(seeds, null, this.state.seeds, this.state.episode);
      this.infos = mapfInfos(this.io, cfg, o.keepFinalObs);
      this.details = { gpujs: runtime.choice };
    } catch (err) {
      runtime.destroy();
      throw err;
    }
  }

  get obs(): Float32Array | Uint8Array { return this.io.obs; }
  get rewards(): Float32Array { return this.io.rewards; }
  get terminations(): Uint8Array { return this.io.terminations; }
  get truncations(): Uint8Array { return this.io.truncations; }
  get actions(): Int32Array { return this.io.actions; }

  /**
   * The map tables of the masked envs' slots (slot 0 only for a shared map) for `seeds`; a shared
   * map comes from `sharedMapSeed` (default `seeds[0]`). Changes nothing (see {@link installReseed}).
   */
  buildMaps(seeds: Uint32Array, mask: Uint8Array | null, sharedMapSeed = seeds[0]): Array<[number, MapTables]> {
    if (!this.cfg.mapPerEnv) return mask ? [] : [[0, mapTables(this.cfg, this.cfg.mapFor(sharedMapSeed), 'map')]];
    const out: Array<[number, MapTables]> = [];
    for (let e = 0; e < seeds.length; e++) {
      if (mask && !mask[e]) continue;
      out.push([e, mapTables(this.cfg, this.cfg.mapFor(seeds[e]), `env ${this.envBase + e} (seed ${seeds[e]})`)]);
    }
    return out;
  }

  /** The second half of {@link reseed}: installs maps from {@link buildMaps} and sets the seeds. */
  installReseed(maps: Array<[number, MapTables]>, seeds: Uint32Array, mask: Uint8Array | null): void {
    this.installMaps(maps);
    this.book.setSeeds(seeds, mask, this.state.seeds, this.state.episode);
  }

  /** Installs maps; the envs playing on a replaced map must be reset before their next step. */
  private installMaps(maps: Array<[number, MapTables]>): void {
    for (const [slot, tables] of maps) {
      this.state.maps[slot] = tables;
      this.observer.installMap(slot, tables);
      if (this.cfg.mapPerEnv) this.book.uninitialize(slot);
      else for (let e = 0; e < this.numEnvs; e++) this.book.uninitialize(e);
    }
  }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    this.installReseed(this.buildMaps(seeds, mask ?? new Uint8Array(this.numEnvs).fill(1)), seeds, mask);
  }

  reset(mask: Uint8Array | null): void {
    const s = this.state;
    this.book.startEpisodes(mask, s.episode);
    for (let e = 0; e < this.numEnvs; e++) {
      if (mask && !mask[e]) continue;
      s.status[e] = 0;
      this.io.episodeDone[e] = 0;
      this.episodes.resetEnv(e);
    }
    this.observer.build(mask);
    let failed = -1;
    for (let e = 0; e < this.numEnvs; e++) {
      if (!(s.status[e] & STATUS_PLACEMENT)) continue;
      if (failed < 0) failed = e;
      this.book.uninitialize(e);
    }
    if (failed >= 0) {
      const env = this.envBase + failed;
      throw new InvalidConfigError(`${ID}: env ${env}: could not place every agent with a reachable goal`, { env });
    }
  }

  /** The checks the native bindings make before a step (`CheckBeforeStep`), in the same order. */
  private checkBeforeStep(): void {
    const failed = this.failedStepCheck();
    if (failed) throw failed.error;
  }

  /**
   * Runs the checks made before a step, in order, and returns the first that fails (its rank in
   * that order and its error), or null. Changes nothing.
   */
  failedStepCheck(): FailedStepCheck | null {
    for (let rank = 0; rank < this.stepChecks.length; rank++) {
      try {
        this.stepChecks[rank]();
      } catch (error) {
        return { rank, error: error as Error };
      }
    }
    return null;
  }

  private checkInitialized(): void {
    const never = this.book.firstUninitialized();
    if (never >= 0) {
      const env = this.envBase + never;
      throw new ResetNeededError(`${ID}: env ${env} has not been reset since it was created or its map was replaced; call reset() before step()`, { env });
    }
  }

  private checkNotFinished(): void {
    if (this.state.p.autoreset !== AUTORESET_DISABLED) return;
    const first = this.state.needsReset.indexOf(1);
    if (first < 0) return;
    const env = this.envBase + first;
    throw new ResetNeededError(`${ID}: env ${env} finished its episode and autoreset is disabled; call reset() first`, { env });
  }

  private checkActions(): void {
    const actions = this.io.actions;
    for (let i = 0; i < actions.length; i++) {
      const v = actions[i];
      if (v >>> 0 < 5) continue;
      const env = this.envBase + Math.floor(i / this.numAgents), agent = i % this.numAgents;
      throw new InvalidActionError(`${ID}: env ${env}, agent ${agent}: action ${v} is not in [0, 5)`, { env, agent, value: v });
    }
  }

  /** The sequential phases of a step for envs `[e0, e1)`: every env moves, scores and autoresets. */
  private stepEnvs(e0: number, e1: number): void {
    const s = this.state, actions = this.io.actions;
    for (let e = e0; e < e1; e++) {
      s.status[e] = 0;
      this.episodes.stepEnv(e, actions);
    }
  }

  private checkStatus(suffix: string): void {
    const status = this.state.status;
    for (let e = 0; e < status.length; e++) {
      if (status[e] !== 0) throw new NativeError(`${ID}: env ${this.envBase + e} reported an invalid state${suffix}`, { env: this.envBase + e });
    }
  }

  step(): void {
    this.checkBeforeStep();
    this.applyStep();
  }

  /** A step without the checks before it ({@link failedStepCheck} must have passed). */
  applyStep(): void {
    this.book.stepTaken();
    this.stepEnvs(0, this.numEnvs);
    this.observer.buildFinal();
    this.observer.build(null);
    this.checkStatus('');
  }

  /** As step(), with each group's observation kernel queued (threaded webasm, webgpu) as soon as the group is stepped. */
  async stepAsync(): Promise<void> {
    this.checkBeforeStep();
    this.book.stepTaken();
    const group = this.observer.asyncGroupEnvs, queued: Array<Promise<void>> = [];
    for (let e0 = 0; e0 < this.numEnvs; e0 += group) {
      this.stepEnvs(e0, Math.min(this.numEnvs, e0 + group));
      queued.push(this.observer.queueAsync(e0));
    }
    this.observer.buildFinal();
    // Every queued group settles before the step does: none writes after the caller regains the buffers.
    const settled = await Promise.allSettled(queued);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    this.checkStatus(' after stepAsync()');
  }

  noop(): void {}

  close(): void {
    this.runtime.destroy();
  }
}
