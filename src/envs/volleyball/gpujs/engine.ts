/**
 * Volleyball envs on the gpujs backend: the same io arena and infos as the native engine, with the
 * state in TypeScript arrays, the drone physics and observations as gpu.js kernels and the
 * contact, rules and episode bookkeeping in plain TypeScript (see ./step.ts). Works without the
 * addon, in Node and in a browser.
 * @module
 * @internal
 */

import type { EnvEngine } from '../../../core/engine.js';
import type { AutoresetMode } from '../../../core/types.js';
import type { IoArena } from '../../../core/io-arena.js';
import type { GpujsRuntime } from '../../../backends/gpujs/runtime.js';
import { AllocationError } from '../../../errors.js';
import type { ResolvedVolleyballConfig } from '../config.js';
import { volleyballAnchor } from '../policy.js';
import { type VolleyballBatchOptions, type VolleyballIoName, allocateVolleyballIo, volleyballParams } from '../layout.js';
import { type VolleyballInfos, volleyballInfos } from '../infos.js';
import { checkActions, checkEnvsReady } from './checks.js';
import { type KernelCall, VolleyballKernels, runCall, runCallAsync } from './kernel-set.js';
import { DRONE_STRIDE, VolleyballState } from './state.js';
import { EpisodeBook } from '../../../backends/gpujs/episode-book.js';
import { type StepParams, VolleyballStepper } from './step.js';

/** Largest index a kernel forms must stay below 2^24 (float32 integers). */
const MAX_KERNEL_INDEX = 2 ** 24;

/** Engine of the volleyball envs on gpu.js. @internal */
export class VolleyballGpujsEngine implements EnvEngine {
  readonly backend = 'gpujs' as const;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads = 1;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly io: IoArena<VolleyballIoName>;
  readonly infos: VolleyballInfos;
  readonly details: Readonly<Record<string, unknown>>;
  private readonly id: string;
  private readonly state: VolleyballState;
  private readonly book: EpisodeBook;
  private readonly stepper: VolleyballStepper;
  private readonly actionBits: Uint32Array;

  /** Takes ownership of `runtime` (destroyed by `close()`, or here if construction fails). */
  constructor(private readonly runtime: GpujsRuntime, cfg: ResolvedVolleyballConfig, o: VolleyballBatchOptions, seeds: Uint32Array) {
    try {
      this.checkSize(cfg, o);
    } catch (err) {
      runtime.destroy();
      throw err;
    }
    const info = cfg.info;
    this.id = cfg.id;
    this.numEnvs = o.numEnvs;
    this.numAgents = info.drones;
    this.autoresetMode = o.autoresetMode;
    this.obsSize = info.obsDim;
    this.io = allocateVolleyballIo(volleyballParams(cfg, o));
    this.infos = volleyballInfos(this.io, cfg, o.numEnvs, o.keepFinalObs);
    this.details = { gpujs: runtime.choice };
    const anchors = Float32Array.from({ length: 3 * info.drones }, (_, k) => volleyballAnchor(cfg.task, Math.floor(k / 3))[k % 3]);
    const p: StepParams = {
      task: info.index, numEnvs: o.numEnvs, numAgents: info.drones, obsDim: info.obsDim, teamSize: info.teamSize,
      length: info.court[0], width: info.court[1], anchors, randomServe: cfg.randomServe, hasBall: cfg.task !== 'BackAndForth',
      substeps: cfg.substeps, maxSteps: cfg.maxEpisodeSteps, autoreset: o.autoresetMode, keepFinalObs: o.keepFinalObs,
    };
    this.state = new VolleyballState(o.numEnvs, info.drones);
    this.book = new EpisodeBook(o.numEnvs);
    const kernels = new VolleyballKernels(runtime, { ...p, ctbr: cfg.actionMode === 'thrustBodyRates' }, this.state);
    this.stepper = new VolleyballStepper(p, this.state, kernels, {
      actions: this.actions, obs: this.obs, rewards: this.rewards, terminations: this.terminations, truncations: this.truncations, infos: this.infos,
    });
    const actions = this.actions;
    this.actionBits = new Uint32Array(actions.buffer, actions.byteOffset, actions.length);
    this.book.setSeeds(seeds, null, this.state.seeds, this.state.episode);
  }

  get obs(): Float32Array { return this.io.views.obs as Float32Array; }
  get rewards(): Float32Array { return this.io.views.rewards as Float32Array; }
  get terminations(): Uint8Array { return this.io.views.terminations as Uint8Array; }
  get truncations(): Uint8Array { return this.io.views.truncations as Uint8Array; }
  get actions(): Float32Array { return this.io.views.actions as Float32Array; }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    this.book.setSeeds(seeds, mask, this.state.seeds, this.state.episode);
  }

  reset(mask: Uint8Array | null): void {
    // One copy of the mask: the caller's may alias buffers this reset writes.
    const m = mask ? Uint8Array.from(mask) : null;
    this.book.startEpisodes(m, this.state.episode);
    for (const call of this.stepper.reset(m)) runCall(call);
  }

  step(): void {
    this.checkBeforeStep();
    this.book.stepTaken();
    for (const call of this.stepper.step()) runCall(call);
  }

  async stepAsync(): Promise<void> {
    this.checkBeforeStep();
    this.book.stepTaken();
    const phases: Generator<KernelCall, void, void> = this.stepper.step();
    for (let next = phases.next(); !next.done; next = phases.next()) await runCallAsync(next.value);
  }

  noop(): void {
    // A call into the backend that does no work.
  }

  close(): void {
    this.runtime.destroy();
  }

  /** Kernel indices must stay exact in float32; the io arena must fit (allocated next). */
  private checkSize(cfg: ResolvedVolleyballConfig, o: VolleyballBatchOptions): void {
    const drones = o.numEnvs * cfg.info.drones;
    if (drones * DRONE_STRIDE >= MAX_KERNEL_INDEX) {
      throw new AllocationError(`${cfg.id}: numEnvs ${o.numEnvs} is too large for the gpujs backend: kernel indices must stay below 2^24 ` +
        `(at most ${Math.floor((MAX_KERNEL_INDEX - 1) / (DRONE_STRIDE * cfg.info.drones))} envs); lower numEnvs`, { numEnvs: o.numEnvs });
    }
  }

  private checkBeforeStep(): void {
    checkEnvsReady(this.id, this.book.firstUninitialized(), this.autoresetMode === 'disabled', this.state.needsReset);
    checkActions(this.id, this.actions, this.actionBits, this.numAgents);
  }
}
