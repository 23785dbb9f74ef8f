/**
 * Volleyball envs on the native CPU and CUDA backends: the io arena shared with the user, and the
 * addon's `VolleyballBatch`, which holds the drone, ball and rule state and steps the batch (on a
 * thread pool, or on the GPU). Both addons export the same class: one engine serves both.
 * @module
 * @internal
 */

import type { EnvEngine, RolloutBuffers } from '../../core/engine.js';
import type { AutoresetMode } from '../../core/types.js';
import type { IoArena } from '../../core/io-arena.js';
import type { BatchAddon, NativeVolleyballBatch } from '../../backends/native/load.js';
import type { AddonBackend } from '../../backends/batch-addon.js';
import { translateNativeError } from '../../backends/native/errors.js';
import type { ResolvedVolleyballConfig } from './config.js';
import { type VolleyballBatchOptions, type VolleyballIoName, allocateVolleyballIo, volleyballParams } from './layout.js';
import { type VolleyballInfos, volleyballInfos } from './infos.js';

/** Engine of the volleyball envs on an addon: native (CPU) or cuda. @internal */
export class VolleyballNativeEngine implements EnvEngine {
  readonly backend: AddonBackend;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads: number;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly io: IoArena<VolleyballIoName>;
  readonly infos: VolleyballInfos;
  private readonly batch: NativeVolleyballBatch;
  readonly rollout?: (steps: number, actions: Int32Array | Float32Array, out: RolloutBuffers) => void;

  constructor(addon: BatchAddon, backend: AddonBackend, cfg: ResolvedVolleyballConfig, o: VolleyballBatchOptions, seeds: Uint32Array) {
    const params = volleyballParams(cfg, o);
    this.backend = backend;
    this.numEnvs = o.numEnvs;
    this.numAgents = cfg.info.drones;
    this.autoresetMode = o.autoresetMode;
    this.obsSize = cfg.info.obsDim;
    this.io = allocateVolleyballIo(params);
    try {
      this.batch = new addon.VolleyballBatch(params, this.io.memory, this.io.offsets, o.numThreads);
      this.batch.setSeeds(seeds, null);
    } catch (err) {
      throw translateNativeError(err);
    }
    this.numThreads = this.batch.threads();
    this.infos = volleyballInfos(this.io, cfg, o.numEnvs, o.keepFinalObs);
    const rollout = this.batch.rollout?.bind(this.batch);
    if (rollout) {
      this.rollout = (steps, actions, out) => this.call(() =>
        rollout(steps, actions as Float32Array, out.rewards, out.terminations, out.truncations, out.episodeDone));
    }
  }

  get obs(): Float32Array { return this.io.views.obs as Float32Array; }
  get rewards(): Float32Array { return this.io.views.rewards as Float32Array; }
  get terminations(): Uint8Array { return this.io.views.terminations as Uint8Array; }
  get truncations(): Uint8Array { return this.io.views.truncations as Uint8Array; }
  get actions(): Float32Array { return this.io.views.actions as Float32Array; }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void { this.call(() => this.batch.setSeeds(seeds, mask)); }
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
