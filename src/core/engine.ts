/**
 * The contract between the env-agnostic {@link VectorEnv} and one env on one backend.
 * @module
 * @internal
 */

import type { AutoresetMode, BackendName, BatchInfos } from './types.js';

/** Per-step outputs of a rollout: `[T, E, A]` rewards and flags, `[T, E]` episode ends. @internal */
export interface RolloutBuffers {
  rewards: Float32Array;
  terminations: Uint8Array;
  truncations: Uint8Array;
  episodeDone: Uint8Array;
}

/** Buffers and operations of one batch on one backend. @internal */
export interface EnvEngine {
  readonly backend: BackendName;
  readonly numEnvs: number;
  readonly numAgents: number;
  /** Worker threads in use (1 when the backend has none). */
  readonly numThreads: number;
  readonly autoresetMode: AutoresetMode;
  readonly obs: Float32Array | Uint8Array;
  readonly rewards: Float32Array;
  readonly terminations: Uint8Array;
  readonly truncations: Uint8Array;
  readonly actions: Int32Array | Float32Array;
  readonly infos: BatchInfos;
  /** Backend facts for `env.metadata` (the gpu.js mode and why others were skipped). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Elements of one agent's observation. */
  readonly obsSize: number;
  /** Sets the seeds of the masked envs (all when mask is null); their next reset starts episode 0. */
  reseed(seeds: Uint32Array, mask: Uint8Array | null): void;
  /** Starts a new episode in the masked envs (all when mask is null). */
  reset(mask: Uint8Array | null): void;
  step(): void;
  stepAsync(): Promise<void>;
  /** A call into the backend that does no work, to measure the boundary cost. */
  noop(): void;
  /**
   * Runs `steps` steps with actions `[steps, ...actions]` given up front in one call into the
   * backend, filling `out`; the batch buffers then hold the last step's outputs. Only where the
   * backend has it (cuda): VectorEnv loops over step() elsewhere.
   */
  readonly rollout?: (steps: number, actions: Int32Array | Float32Array, out: RolloutBuffers) => void;
  close(): void;
}
