/**
 * Volleyball envs on the native CPU and CUDA backends: the io arena shared with the user, and the
 * addon's `VolleyballBatch`, which holds the drone, ball and rule state and steps the batch (on a
 * thread pool, or on the GPU). Both addons export the same class: one engine serves both.
 * @module
 * @internal
 */

import type { IoArena } from '../../core/io-arena.js';
import type { BatchAddon, NativeVolleyballBatch } from '../../backends/native/load.js';
import type { AddonBackend } from '../../backends/batch-addon.js';
import { NativeEngine, openNativeBatch } from '../../backends/native/engine.js';
import type { ResolvedVolleyballConfig } from './config.js';
import { type VolleyballBatchOptions, type VolleyballIoName, allocateVolleyballIo, volleyballParams } from './layout.js';
import { type VolleyballInfos, volleyballInfos } from './infos.js';

/** Engine of the volleyball envs on an addon: native (CPU) or cuda. @internal */
export class VolleyballNativeEngine extends NativeEngine<Float32Array, NativeVolleyballBatch> {
  readonly io: IoArena<VolleyballIoName>;
  readonly infos: VolleyballInfos;

  constructor(addon: BatchAddon, backend: AddonBackend, cfg: ResolvedVolleyballConfig, o: VolleyballBatchOptions, seeds: Uint32Array) {
    const params = volleyballParams(cfg, o);
    const io = allocateVolleyballIo(params);
    const batch = openNativeBatch(() => new addon.VolleyballBatch(params, io.memory, io.offsets, o.numThreads),
      (b) => b.setSeeds(seeds, null));
    super({ backend, numEnvs: o.numEnvs, numAgents: cfg.info.drones, autoresetMode: o.autoresetMode, obsSize: cfg.info.obsDim }, batch);
    this.io = io;
    this.infos = volleyballInfos(io, cfg, o.numEnvs, o.keepFinalObs);
  }

  get obs(): Float32Array { return this.io.views.obs as Float32Array; }
  get rewards(): Float32Array { return this.io.views.rewards as Float32Array; }
  get terminations(): Uint8Array { return this.io.views.terminations as Uint8Array; }
  get truncations(): Uint8Array { return this.io.views.truncations as Uint8Array; }
  get actions(): Float32Array { return this.io.views.actions as Float32Array; }
}
