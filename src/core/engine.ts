/**
 * The contract between the env-agnostic {@link VectorEnv} and one env on one backend.
 * @module
 * @internal
 */

import type { AutoresetMode, BackendName, BatchInfos } from './types.js';

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
  close(): void;
}
