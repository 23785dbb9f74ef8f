/**
 * What the engines of every env on the native CPU and cuda addons share: opening the addon's batch
 * (closing it again when installing its inputs fails), translating the addon's errors into the
 * typed ones, and the calls that only forward to the batch.
 * @module
 * @internal
 */

import type { EnvEngine, RolloutBuffers } from '../../core/engine.js';
import type { AutoresetMode, BatchInfos } from '../../core/types.js';
import type { AddonBackend } from '../batch-addon.js';
import type { NativeBatch } from './load.js';
import { translateNativeError } from './errors.js';

/** Shape of a batch: what an engine reports before its batch exists. @internal */
export interface NativeEngineShape {
  backend: AddonBackend;
  numEnvs: number;
  numAgents: number;
  autoresetMode: AutoresetMode;
  /** Elements of one agent's observation. */
  obsSize: number;
}

/**
 * Creates a batch with `create`, then lets `install` hand it its inputs (maps, cities, tasks,
 * seeds). Addon errors become typed errors; a batch whose install failed is closed at once (its
 * threads and state freed now rather than at garbage collection). @internal
 */
export function openNativeBatch<B extends { close(): void }>(create: () => B, install: (batch: B) => void): B {
  let batch: B;
  try {
    batch = create();
  } catch (err) {
    throw translateNativeError(err);
  }
  try {
    install(batch);
  } catch (err) {
    batch.close();
    throw translateNativeError(err);
  }
  return batch;
}

/**
 * An engine over an open addon batch whose actions are of dtype `A`; subclasses add the io views
 * and the env's own inputs. @internal
 */
export abstract class NativeEngine<A extends Int32Array | Float32Array, B extends NativeBatch<A>> implements EnvEngine {
  readonly backend: AddonBackend;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads: number;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly rollout?: (steps: number, actions: Int32Array | Float32Array, out: RolloutBuffers) => void;
  abstract readonly obs: Float32Array | Uint8Array;
  abstract readonly rewards: Float32Array;
  abstract readonly terminations: Uint8Array;
  abstract readonly truncations: Uint8Array;
  abstract readonly actions: Int32Array | Float32Array;
  abstract readonly infos: BatchInfos;

  protected constructor(shape: NativeEngineShape, protected readonly batch: B) {
    this.backend = shape.backend;
    this.numEnvs = shape.numEnvs;
    this.numAgents = shape.numAgents;
    this.autoresetMode = shape.autoresetMode;
    this.obsSize = shape.obsSize;
    this.numThreads = batch.threads();
    const rollout = batch.rollout?.bind(batch);
    if (rollout) {
      this.rollout = (steps, actions, out) =>
        this.call(() => rollout(steps, actions as A, out.rewards, out.terminations, out.truncations, out.episodeDone));
    }
  }

  /** Runs `fn`, turning an addon error into its typed error. */
  protected call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  reseed(seeds: Uint32Array, mask: Uint8Array | null): void { this.call(() => this.batch.setSeeds(seeds, mask)); }

  reset(mask: Uint8Array | null): void { this.call(() => this.batch.reset(mask)); }

  // No closure per call: this is the step loop's path.
  step(): void {
    try {
      this.batch.step();
    } catch (err) {
      throw translateNativeError(err);
    }
  }

  async stepAsync(): Promise<void> {
    // The addon throws synchronously (closed, busy) or rejects (a failed step); both become typed.
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
