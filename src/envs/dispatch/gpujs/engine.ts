/**
 * RideDispatch-v0 on the gpu.js backend: the engine behind `make(..., { backend: 'gpujs' })`. The
 * sequential phases (arrivals, the order buffer, conflicts, pooling plans, driving, rewards)
 * run in TypeScript on typed arrays, env by env as the C++ executor does; observations are built
 * by a gpu.js kernel over groups of envs. Outputs live in the same io arena and infos as on the
 * native backend, bit-identical to it for the same seeds and actions.
 * @module
 * @internal
 */

import type { EnvEngine } from '../../../core/engine.js';
import type { AutoresetMode } from '../../../core/types.js';
import type { IoArena } from '../../../core/io-arena.js';
import { GpujsRuntime } from '../../../backends/gpujs/runtime.js';
import { type GpujsChoice, type GpujsOptions, chooseGpujsMode } from '../../../backends/gpujs/probe.js';
import type { ResolvedDispatchConfig } from '../config.js';
import { type DispatchIoName, type DispatchParams, allocateDispatchIo } from '../layout.js';
import { type DispatchInfos, dispatchInfos } from '../infos.js';
import { type DispatchCityTables, buildCityTables } from '../tables.js';
import { type CoreParams, coreParams } from './constants.js';
import { DispatchState, emptyCityView } from './state.js';
import { EpisodeBook } from '../../../backends/gpujs/episode-book.js';
import { checkBeforeStep, codedError, installCity, installReplay } from './install.js';
import { DispatchStepper, type ObsTarget, type StepIo } from './step.js';
import { ObsBatch, type ObsIo, ObsPacker } from './obs-pack.js';
import { ObsKernel, obsThreadsPerEnv } from './obs-kernel.js';

/**
 * Threads per kernel call aimed at (below the runtime's limit): several groups per step, so that
 * under stepAsync the host phases of one group overlap the kernel of the last.
 */
const THREADS_TARGET = 1 << 20;

/** Envs per kernel call: the batch split into as few equal groups as {@link THREADS_TARGET} allows (at least one env each). */
function groupEnvs(p: CoreParams): number {
  const groups = Math.max(1, Math.ceil((p.numEnvs * obsThreadsPerEnv(p)) / THREADS_TARGET));
  return Math.ceil(p.numEnvs / groups);
}

/** Kernel inputs of one group: rows of the current state, and rows of ended episodes (finalObs). */
interface GroupBuffers { rows: ObsBatch; finals: ObsBatch }

/** Engine of RideDispatch-v0 on gpu.js. @internal */
export class DispatchGpujsEngine implements EnvEngine {
  readonly backend = 'gpujs' as const;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads = 1;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly io: IoArena<DispatchIoName>;
  readonly infos: DispatchInfos;
  readonly details: { gpujs: GpujsChoice };
  private readonly id: string;
  private readonly p: CoreParams;
  private readonly state: DispatchState;
  private readonly book: EpisodeBook;
  private readonly stepper: DispatchStepper;
  private readonly packer: ObsPacker;
  private readonly kernel: ObsKernel;
  private readonly group: number;
  /** Two sets, so that the next group is packed while the kernel of the last one runs (stepAsync). */
  private readonly buffers: [GroupBuffers, GroupBuffers];
  private filling: GroupBuffers;
  private readonly city = emptyCityView();

  constructor(private readonly runtime: GpujsRuntime, private readonly cfg: ResolvedDispatchConfig, params: DispatchParams,
    o: { autoresetMode: AutoresetMode; keepFinalObs: boolean }, seeds: Uint32Array) {
    this.id = params.id;
    this.p = coreParams(params);
    if (obsThreadsPerEnv(this.p) >= 1 << 24) {
      throw codedError('ERR_MW_INVALID_CONFIG', `${this.id}: gpujs backend: one env's observations take ${obsThreadsPerEnv(this.p)} kernel threads, more than 2^24; lower numVehicles or numSlots, or turn pairInsertionCost off`);
    }
    this.numEnvs = params.numEnvs;
    this.numAgents = params.numVehicles;
    this.autoresetMode = o.autoresetMode;
    this.obsSize = this.p.obsSize;
    this.details = { gpujs: runtime.choice };
    const replay = cfg.demand.kind === 'replay' ? cfg.demand.replay : null;
    const cities = this.buildCities(seeds, null);
    this.io = allocateDispatchIo(params, replay ? replay.length : 0);
    this.state = new DispatchState(this.p);
    this.book = new EpisodeBook(this.numEnvs);
    if (replay) installReplay(this.state, this.book, replay.rows, replay.start, this.id);
    this.installCities(cities);
    this.book.setSeeds(seeds, null, this.state.seeds, this.state.episode);
    this.infos = dispatchInfos(this.io, this.numEnvs, this.numAgents, o.keepFinalObs);
    const v = this.io.views;
    const stepIo: StepIo = {
      actions: v.actions as Int32Array, rewards: v.rewards as Float32Array, terminations: v.terminations as Uint8Array,
      truncations: v.truncations as Uint8Array, lostBid: v.lostBid as Uint8Array, invalidAction: v.invalidAction as Uint8Array,
      wonSlot: v.wonSlot as Int32Array, episodeDone: v.episodeDone as Uint8Array, finalReturn: v.finalReturn as Float32Array,
      finalLength: v.finalLength as Int32Array, finalMetrics: v.finalMetrics as Float32Array,
    };
    const obsIo: ObsIo = {
      actionMask: v.actionMask as Uint8Array, canAct: v.canAct as Uint8Array, vehPos: v.vehPos as Float32Array,
      vehStatus: v.vehStatus as Int32Array, vehLoad: v.vehLoad as Int32Array,
    };
    this.group = groupEnvs(this.p);
    const finalCap = this.p.keepFinalObs ? this.group : 1;
    this.kernel = new ObsKernel(runtime, this.p, this.group);
    const layout = this.kernel.layout;
    const set = (): GroupBuffers => ({ rows: new ObsBatch(layout, this.group), finals: new ObsBatch(layout, finalCap) });
    this.buffers = [set(), set()];
    this.filling = this.buffers[0];
    this.packer = new ObsPacker(this.state, obsIo);
    const target: ObsTarget = {
      observe: (env) => this.packer.pack(this.filling.rows, env, true),
      observeFinal: (env) => this.packer.pack(this.filling.finals, env, false),
    };
    this.stepper = new DispatchStepper(this.state, stepIo, target);
  }

  get obs(): Float32Array { return this.io.views.obs as Float32Array; }
  get rewards(): Float32Array { return this.io.views.rewards as Float32Array; }
  get terminations(): Uint8Array { return this.io.views.terminations as Uint8Array; }
  get truncations(): Uint8Array { return this.io.views.truncations as Uint8Array; }
  get actions(): Int32Array { return this.io.views.actions as Int32Array; }

  /** Tables of the cities the masked envs use: one shared city (from the first seed) or one per env (as the native engine). */
  private buildCities(seeds: Uint32Array, mask: Uint8Array | null): Array<[number, DispatchCityTables]> {
    if (!this.cfg.cityPerEnv) return mask ? [] : [[0, buildCityTables(this.cfg, seeds[0])]];
    const out: Array<[number, DispatchCityTables]> = [];
    for (let e = 0; e < seeds.length; e++) if (!mask || mask[e]) out.push([e, buildCityTables(this.cfg, seeds[e])]);
    return out;
  }

  private installCities(cities: Array<[number, DispatchCityTables]>): void {
    for (const [slot, t] of cities) installCity(this.state, this.book, slot, t, this.id);
  }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    this.installCities(this.buildCities(seeds, mask ?? new Uint8Array(this.numEnvs).fill(1)));
    this.book.setSeeds(seeds, mask, this.state.seeds, this.state.episode);
  }

  /** Switches to the other buffer set, emptied, for the next group's jobs. */
  private startGroup(): GroupBuffers {
    this.filling = this.filling === this.buffers[0] ? this.buffers[1] : this.buffers[0];
    this.filling.rows.count = this.filling.finals.count = 0;
    return this.filling;
  }

  /** Builds the rows of a group's jobs into obs (and finalObs). */
  private flush(g: GroupBuffers): void {
    this.kernel.run(g.rows, this.obs);
    if (g.finals.count > 0) this.kernel.run(g.finals, this.io.views.finalObs as Float32Array);
  }

  private async flushAsync(g: GroupBuffers): Promise<void> {
    await this.kernel.runAsync(g.rows, this.obs);
    if (g.finals.count > 0) await this.kernel.runAsync(g.finals, this.io.views.finalObs as Float32Array);
  }

  reset(mask: Uint8Array | null): void {
    this.book.startEpisodes(mask, this.state.episode);
    const s = this.state, done = this.io.views.episodeDone;
    for (let g0 = 0; g0 < this.numEnvs; g0 += this.group) {
      const g = this.startGroup();
      for (let e = g0; e < Math.min(this.numEnvs, g0 + this.group); e++) {
        if (mask && !mask[e]) continue;
        s.status[e] = 0;
        done[e] = 0;
        this.stepper.resetEnv(e, false);
      }
      this.flush(g);
    }
  }

  /** Host phases of the envs of group `g0`, packed into a fresh buffer set. */
  private stepGroup(g0: number): GroupBuffers {
    const g = this.startGroup();
    for (let e = g0; e < Math.min(this.numEnvs, g0 + this.group); e++) {
      this.state.status[e] = 0;
      this.stepper.stepEnv(e, this.city);
    }
    return g;
  }

  private checkStatus(after: string): void {
    for (let e = 0; e < this.numEnvs; e++) {
      if (this.state.status[e]) throw codedError('ERR_MW_NATIVE', `${this.id}: env ${e} reported an invalid state${after}`);
    }
  }

  step(): void {
    checkBeforeStep(this.state, this.book, this.actions, this.id);
    this.book.stepTaken();
    for (let g0 = 0; g0 < this.numEnvs; g0 += this.group) this.flush(this.stepGroup(g0));
    this.checkStatus('');
  }

  async stepAsync(): Promise<void> {
    checkBeforeStep(this.state, this.book, this.actions, this.id);
    this.book.stepTaken();
    let running: Promise<void> | null = null;
    for (let g0 = 0; g0 < this.numEnvs; g0 += this.group) {
      const g = this.stepGroup(g0);
      if (running) await running;
      running = this.flushAsync(g);
    }
    if (running) await running;
    this.checkStatus(' after stepAsync()');
  }

  noop(): void {}

  close(): void {
    this.runtime.destroy();
  }
}

/**
 * A gpu.js engine on a runtime in the mode the probe picks for `gpujs` (the runtime is freed if
 * the engine cannot be built). @internal
 */
export function createDispatchGpujsEngine(gpujs: GpujsOptions, cfg: ResolvedDispatchConfig, params: DispatchParams,
  o: { autoresetMode: AutoresetMode; keepFinalObs: boolean }, seeds: Uint32Array): DispatchGpujsEngine {
  const runtime = new GpujsRuntime(chooseGpujsMode(gpujs));
  try {
    return new DispatchGpujsEngine(runtime, cfg, params, o, seeds);
  } catch (err) {
    runtime.destroy();
    throw err;
  }
}
