/**
 * Types shared by every environment and backend: options of `make()`, results of `reset()` and
 * `step()`, and the infos that come with them.
 * @module
 */

import type { GpujsOptions } from '../backends/gpujs/probe.js';
import type { Space } from '../spaces/index.js';
import type { VectorEnvMetadata } from './vector-env.js';
import type { AgentInfo } from './parallel-env.js';

/** Where the stepping runs. `'auto'` picks cuda, then native, then gpujs. */
export type BackendName = 'native' | 'cuda' | 'gpujs';

/**
 * When a finished env is reset (Gymnasium's `AutoresetMode`):
 * - `'same-step'`: inside the step that ends the episode; the step returns the new episode's
 *   first observation with the ending step's rewards and flags (the last observation is in
 *   `infos.finalObs` when `keepFinalObs` is set).
 * - `'next-step'`: on the following `step()`, which ignores its actions for that env and returns
 *   the first observation with zero rewards and flags.
 * - `'disabled'`: never; `step()` throws `ResetNeededError` until `reset()` resets the env.
 */
export type AutoresetMode = 'same-step' | 'next-step' | 'disabled';

/** Options of `make()`. `C` is the env's own configuration type. */
export interface MakeOptions<C = Record<string, unknown>> {
  /** Environments stepped together. Default 1. */
  numEnvs?: number;
  /** Base seed, an integer in [0, 2^32): env i uses seed + i (mod 2^32). Default: a random seed. */
  seed?: number;
  /** Default `'auto'` (or the `MANYWORLDS_BACKEND` environment variable). */
  backend?: BackendName | 'auto';
  /**
   * CPU threads of the native backend. Default: min(cores, numEnvs). On the gpujs backend in Node,
   * a value above 1 given explicitly splits MAPF-v0's envs over that many worker threads
   * (docs/gpujs.md); without it the batch steps on the calling thread.
   */
  numThreads?: number;
  /** Default `'same-step'`. */
  autoresetMode?: AutoresetMode;
  /** Keep the last observation of finished episodes in `infos.finalObs` (same-step mode). */
  keepFinalObs?: boolean;
  /** Refuse batches whose buffers would exceed this many bytes. Default: 3/4 of system memory. */
  maxBufferBytes?: number;
  /** gpu.js backend: which mode runs the kernels (default: this package's probe). */
  gpujs?: GpujsOptions;
  /** Env-specific configuration. */
  config?: C;
}

/**
 * Statistics of the episodes that ended on the last step, as views `[E]` / `[E, A]`; entries of
 * envs whose `done` flag is 0 are stale.
 */
export interface EpisodeInfo {
  /** `[E]` 1 where an episode ended on this step. */
  done: Uint8Array;
  /** `[E, A]` undiscounted return of each agent over the episode. */
  return: Float32Array;
  /** `[E]` episode length in steps. */
  length: Int32Array;
  /** `[E, M]` the env's episode metrics; names in `metricNames`, NaN where a metric does not apply. */
  metrics: Float32Array;
  /** Names of the M metric slots. */
  metricNames: readonly string[];
}

/** Infos of a batch: typed-array views, rewritten in place by every `reset()`/`step()`. */
export interface BatchInfos {
  /** `[E, A]` 1 for agents that act and are visible (MAPF `finish` hides agents on their goal). */
  agentMask: Uint8Array;
  /** Episodes that ended on this step. */
  episode: EpisodeInfo;
  /** `[E, A, ...obs]` last observation of the ended episodes (same-step with `keepFinalObs`). */
  finalObs?: Float32Array | Uint8Array;
  /** Env-specific typed arrays (MAPF: `positions`, `goals`, ...). */
  [key: string]: unknown;
}

/**
 * The array and infos types of one kind of batch: what {@link VectorEnv}'s results hold. `make()`
 * picks them from the env id (and MAPF-v0's `obsDtype`), so results need no casts.
 */
export interface BatchTypes {
  /** Observations: `Float32Array`, or `Uint8Array` for MAPF-v0 with `obsDtype: 'uint8'`. */
  obs: Float32Array | Uint8Array;
  /** The `actions` staging buffer: `Int32Array` for Discrete actions, `Float32Array` for Box ones. */
  actions: Int32Array | Float32Array;
  /** Infos, with the env's own typed arrays. */
  infos: BatchInfos;
  /** Observation space of one agent. */
  singleObservationSpace: Space<unknown>;
  /** Action space of one agent. */
  singleActionSpace: Space<unknown>;
  /** Observation space of the whole batch. */
  observationSpace: Space<unknown>;
  /** Action space of the whole batch. */
  actionSpace: Space<unknown>;
  /** `env.metadata`: the general entries and the env's own. */
  metadata: VectorEnvMetadata;
  /** One agent's info in a `parallelView()`. */
  agentInfo: AgentInfo;
}

/** Result of `reset()`: views valid until the next call. */
export interface ResetResult<O = Float32Array | Uint8Array, I = BatchInfos> {
  /** `[E, A, ...obs]` observations. */
  obs: O;
  /** Infos. */
  infos: I;
}

/** Result of `step()`: views into the batch buffers, valid until the next `step()`/`reset()`. */
export interface StepResult<O = Float32Array | Uint8Array, I = BatchInfos> {
  /** `[E, A, ...obs]` observations. */
  obs: O;
  /** `[E, A]` rewards. */
  rewards: Float32Array;
  /** `[E, A]` 1 where an agent's episode terminated. */
  terminations: Uint8Array;
  /** `[E, A]` 1 where an agent's episode was truncated (time limit). */
  truncations: Uint8Array;
  /** Infos. */
  infos: I;
}

/**
 * Result of `rollout()`: the rewards and flags of every step, and the batch after the last one.
 * The per-step arrays are new for each call; `obs` and `infos` are the batch's views, as after
 * `step()` (episode statistics only for episodes that ended on the last step: the per-step
 * `episodeDone` and `rewards` give the rest).
 */
export interface RolloutResult<O = Float32Array | Uint8Array, I = BatchInfos> {
  /** Steps run (T). */
  steps: number;
  /** `[T, E, A]` rewards of every step. */
  rewards: Float32Array;
  /** `[T, E, A]` terminations of every step. */
  terminations: Uint8Array;
  /** `[T, E, A]` truncations of every step. */
  truncations: Uint8Array;
  /** `[T, E]` 1 where an episode ended on that step. */
  episodeDone: Uint8Array;
  /** `[E, A, ...obs]` observations after the last step. */
  obs: O;
  /**
   * Infos after the last step. Its `episode` fields are those of that step only: an episode that
   * ended earlier in the rollout shows in `episodeDone` and in the per-step rewards, but its return,
   * length and metrics are not kept (a later episode end of the same env overwrites them). To
   * collect every episode's metrics, step in a loop and read `infos.episode` after each step.
   */
  infos: I;
}

/** Options of `reset()`. */
export interface ResetOptions {
  /** New seed: one base seed (env i gets seed + i) or one seed per env. */
  seed?: number | ArrayLike<number>;
  /** Reset only the envs whose entry is 1 or `true` (`[E]` of 0/1/booleans); the others keep their state. */
  mask?: ArrayLike<number | boolean>;
}

/** What a backend reports about itself. */
export interface BackendReport {
  /** Backend name. */
  name: BackendName;
  /** Whether it can run here. */
  available: boolean;
  /** Why not, when it cannot (or details when it can). */
  reason?: string;
  /** Env ids it implements. */
  envs: readonly string[];
}
