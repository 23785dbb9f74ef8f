/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The batched environment users hold: Gymnasium's `VectorEnv` over `[numEnvs, numAgents]`, with
 * PettingZoo-style agent names and a per-env ParallelEnv view.
 * @module
 */

import { EnvBusyError, EnvClosedError, InvalidArgumentError, formatValue } from '../errors.js';
import type { GpujsChoice } from '../backends/gpujs/probe.js';
import type { Space } from '../spaces/index.js';
import type { EnvEngine } from './engine.js';
import type { AutoresetMode, BackendName, BatchInfos, BatchTypes, ResetOptions, ResetResult, RolloutResult, StepResult } from './types.js';
import { ParallelEnv, type ParallelViewHooks } from './parallel-env.js';
import { runRollout } from './rollout.js';
import { checkResetOptions, resetMask, resetSeeds } from './reset-args.js';
import { ActionStaging } from './staging.js';

/** Static description of an env the VectorEnv needs (spaces, agent names, metadata). @internal */
export interface VectorEnvSpec {
  id: string;
  possibleAgents: readonly string[];
  singleObservationSpace: Space<unknown>;
  singleActionSpace: Space<unknown>;
  observationSpace: Space<unknown>;
  actionSpace: Space<unknown>;
  /** Number of actions of a Discrete action space, or `null` for continuous (Box) actions. */
  numActions: number | null;
  /** Numbers per agent in the `actions` buffer: 1 for Discrete, the Box size otherwise. Default 1. */
  actionSize?: number;
  /** Per-agent infos and final metrics for the ParallelEnv view. */
  view: ParallelViewHooks;
  /**
   * Writes the infos arrays that hold constants (e.g. an `agentMask` of ones) again; called after
   * every reset and step, so they read true even after a caller wrote into them.
   */
  rewriteConstantInfos?: (infos: BatchInfos) => void;
  /**
   * The grid an env steps on (MAPF): from the env's current seed, or, for a map shared by the
   * whole batch, from env 0's seed at make().
   */
  envMap?: (envSeed: number, firstSeed: number) => unknown;
  /** Extra metadata (env config, seed, ...). */
  metadata: Record<string, unknown>;
}

/** Metadata of a batch (Gymnasium's `env.metadata`). */
export interface VectorEnvMetadata {
  /** When finished envs reset. */
  autoresetMode: AutoresetMode;
  /** Backend running this batch. */
  backend: BackendName;
  /** Threads the backend uses. */
  numThreads: number;
  /** Base seed: env i was seeded with seed + i. */
  seed: number;
  /** Why other backends were not chosen (backend `'auto'`). */
  backendNotes: readonly string[];
  /** Render modes the CLI supports. */
  renderModes: readonly string[];
  /** gpu.js backend only: the mode its kernels run in and why other modes were skipped. */
  gpujs?: GpujsChoice;
  /** Env-specific entries (the resolved config). */
  [key: string]: unknown;
}

/**
 * A batch of `numEnvs` multi-agent environments stepped together. Arrays are flat and row-major
 * `[numEnvs, numAgents, ...]`; they are views on buffers allocated once, rewritten by each
 * `reset()`/`step()` (copy with `.slice()` to keep them).
 *
 * @example
 * ```ts
 * import { make } from 'manyworlds';
 * using env = make('MAPF-v0', { numEnvs: 1024, seed: 1, config: { numAgents: 64, size: 64 } });
 * let { obs } = env.reset();
 * for (let t = 0; t < 100; t++) {
 *   env.actions.fill(0);                       // write actions in place: [E, A]
 *   const { obs, rewards, terminations, truncations, infos } = env.step();
 * }
 * ```
 */
export class VectorEnv<T extends BatchTypes = BatchTypes> {
  /** Env id, e.g. `'MAPF-v0'`. */
  readonly id: string;
  /** Environments in the batch (E). */
  readonly numEnvs: number;
  /** Agents per environment (A). */
  readonly numAgents: number;
  /** Agent names, `agent_0` … `agent_{A-1}`. */
  readonly possibleAgents: readonly string[];
  /** Observation space of one agent. */
  readonly singleObservationSpace: T['singleObservationSpace'];
  /** Action space of one agent. */
  readonly singleActionSpace: T['singleActionSpace'];
  /** Observation space of the whole batch, `[E, A, ...]`. */
  readonly observationSpace: T['observationSpace'];
  /** Action space of the whole batch: `[E * A]` (Discrete per agent) or `[E, A, k]` (Box). */
  readonly actionSpace: T['actionSpace'];
  /** Autoreset mode, backend, seed and env configuration. */
  readonly metadata: Readonly<T['metadata']>;
  private readonly engine: EnvEngine;
  private readonly spec: VectorEnvSpec;
  private readonly stepResult: StepResult<T['obs'], T['infos']>;
  private readonly resetResult: ResetResult<T['obs'], T['infos']>;
  private readonly staging: ActionStaging;
  /** `[E]` each env's current seed: seed + i at make(), then what `reset({ seed })` gave it. */
  private readonly envSeeds: Uint32Array;
  private closed = false;
  private busy = false;
  /** The promise of the `stepAsync()` in flight; null when none is. */
  private pendingStep: Promise<unknown> | null = null;
  /** Settles when the backend is freed; set when close() had to wait for a step in flight. */
  private freed: Promise<void> | null = null;
  private onFreed: (() => void) | null = null;

  /** @internal */
  constructor(spec: VectorEnvSpec, engine: EnvEngine, seed: number, backendNotes: readonly string[]) {
    this.spec = spec;
    this.engine = engine;
    this.id = spec.id;
    this.numEnvs = engine.numEnvs;
    this.numAgents = engine.numAgents;
    this.possibleAgents = spec.possibleAgents;
    this.singleObservationSpace = spec.singleObservationSpace as T['singleObservationSpace'];
    this.singleActionSpace = spec.singleActionSpace as T['singleActionSpace'];
    this.observationSpace = spec.observationSpace as T['observationSpace'];
    this.actionSpace = spec.actionSpace as T['actionSpace'];
    const metadata: VectorEnvMetadata = {
      ...spec.metadata, autoresetMode: engine.autoresetMode, backend: engine.backend, numThreads: engine.numThreads,
      seed, backendNotes, renderModes: ['ansi', 'svg'], ...engine.details,
    };
    this.metadata = Object.freeze(metadata as T['metadata']);
    // The engine's arrays are what make() promised for this id and config (T).
    const obs = engine.obs as T['obs'];
    const infos = engine.infos as T['infos'];
    this.stepResult = { obs, rewards: engine.rewards, terminations: engine.terminations, truncations: engine.truncations, infos };
    this.resetResult = { obs, infos };
    const shape = { id: this.id, numEnvs: this.numEnvs, numAgents: this.numAgents, actionSize: this.actionSize, numActions: spec.numActions };
    this.staging = new ActionStaging(shape, engine.actions);
    this.envSeeds = resetSeeds(this.id, this.numEnvs, seed);  // seed + i, as make() seeded the engine
  }

  /**
   * Staging buffer of actions `[E, A]` (Discrete, `Int32Array`) or `[E, A, k]` (Box, `Float32Array`):
   * write in place, then call `step()` with no argument. While a `stepAsync()` is in flight the
   * step is reading it, so getting it throws {@link EnvBusyError} (write the next actions after
   * the promise settles; a reference kept from before is not checked). After `close()` getting it
   * throws {@link EnvClosedError}.
   */
  get actions(): T['actions'] {
    if (this.closed) throw new EnvClosedError(this.id, 'actions', false, undefined, true);
    if (this.busy) throw new EnvBusyError(this.id, 'actions', true);
    return this.engine.actions as T['actions'];
  }

  /** Numbers per agent in `actions`: 1 for Discrete actions, the Box size for continuous ones. */
  get actionSize(): number {
    return this.spec.actionSize ?? 1;
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Elements of one agent's observation. */
  get obsSize(): number {
    return this.engine.obsSize;
  }

  /** Observation space of one agent (PettingZoo accessor; the same for every agent). */
  observationSpaceOf(agent: string): Space<unknown> {
    this.agentIndex(agent);
    return this.singleObservationSpace;
  }

  /** Action space of one agent (PettingZoo accessor). */
  actionSpaceOf(agent: string): Space<unknown> {
    this.agentIndex(agent);
    return this.singleActionSpace;
  }

  /**
   * Starts new episodes. With `seed`, envs are reseeded (env i gets seed + i, or `seed[i]`) and
   * results repeat exactly for the same seed and actions. With `mask`, only those envs reset; the
   * others' outputs (observations, rewards, flags and `infos`, `episode.done` included) stay as
   * the last step left them.
   */
  reset(opts: ResetOptions = {}): ResetResult<T['obs'], T['infos']> {
    this.guard('reset');
    checkResetOptions(this.id, opts);
    const mask = opts.mask === undefined ? null : resetMask(this.id, this.numEnvs, opts.mask);
    if (opts.seed !== undefined) {
      const seeds = resetSeeds(this.id, this.numEnvs, opts.seed);
      this.engine.reseed(seeds, mask);
      for (let e = 0; e < this.numEnvs; e++) if (!mask || mask[e]) this.envSeeds[e] = seeds[e];
    }
    this.engine.reset(mask);
    this.spec.rewriteConstantInfos?.(this.engine.infos);
    return this.resetResult;
  }

  /** Steps every env once with `actions` (copied into the `actions` staging buffer) or the staged actions. */
  step(actions?: ArrayLike<number>): StepResult<T['obs'], T['infos']> {
    this.guard('step');
    return this.stepStaged(actions !== undefined && this.staging.stage(actions));
  }

  /**
   * Steps off the JS thread; the buffers must not be read or written until the promise settles.
   * One operation may be in flight: any call meanwhile throws {@link EnvBusyError}, except
   * `close()`, which lets the step finish and then frees the batch; this promise then rejects
   * with {@link EnvClosedError} (its `cause` is the step's own error if the step failed). Such a
   * promise, abandoned by closing, never counts as an unhandled rejection.
   */
  stepAsync(actions?: ArrayLike<number>): Promise<StepResult<T['obs'], T['infos']>> {
    const step = this.runStepAsync(actions);
    if (this.busy && this.pendingStep === null) this.pendingStep = step;  // it started: close() may abandon it
    return step;
  }

  private async runStepAsync(actions?: ArrayLike<number>): Promise<StepResult<T['obs'], T['infos']>> {
    this.guard('stepAsync');
    const saved = actions !== undefined && this.staging.stage(actions);
    this.busy = true;
    try {
      await this.engine.stepAsync();
    } catch (err) {
      if (this.closed) throw new EnvClosedError(this.id, 'stepAsync', true, err);
      if (saved) this.staging.restore();
      throw err;
    } finally {
      this.busy = false;
      this.pendingStep = null;
      if (this.closed) this.release();  // close() came while the step ran: free the batch now
    }
    if (this.closed) throw new EnvClosedError(this.id, 'stepAsync', true);
    this.spec.rewriteConstantInfos?.(this.engine.infos);
    return this.stepResult;
  }

  /**
   * Runs `steps` steps with every step's actions given up front: `actions` holds `steps` copies of
   * the `actions` buffer's layout (`[steps, E, A]`, or `[steps, E, A, k]` for Box actions) in the
   * same typed-array type. Returns the rewards and flags of every step; the batch buffers then hold
   * the last step's outputs, as after `step()`. On the cuda backend this is one call that keeps
   * the state on the device between steps and copies back only the final outputs and the per-step
   * rewards and flags; elsewhere it steps in a loop. Needs autoresetMode 'same-step' or
   * 'next-step'. Every action is checked before anything runs: a refused rollout changes nothing.
   *
   * @example
   * ```ts
   * const env = make('MAPF-v0', { numEnvs: 1024, seed: 1 });
   * env.reset();
   * const actions = new Int32Array(100 * env.actions.length).map(() => Math.floor(Math.random() * 5));
   * const { rewards } = env.rollout(100, actions);   // rewards: [100, E, A]
   * ```
   */
  rollout(steps: number, actions: T['actions']): RolloutResult<T['obs'], T['infos']> {
    this.guard('rollout');
    const spec = { id: this.id, numActions: this.spec.numActions, actionSize: this.actionSize };
    this.staging.save();  // the steps overwrite the staged actions: a refused step puts them back
    let result: RolloutResult<T['obs'], T['infos']>;
    try {
      result = runRollout(this.engine, spec, steps, actions) as RolloutResult<T['obs'], T['infos']>;
    } catch (err) {
      this.staging.restore();
      throw err;
    }
    this.spec.rewriteConstantInfos?.(this.engine.infos);
    return result;
  }

  /**
   * Writes `row` into the staging buffer at `offset` and steps, after the same checks as
   * {@link step}: a closed or busy batch throws before the buffer is touched (ParallelEnv's step).
   * @internal
   */
  stepRow(row: ArrayLike<number>, offset: number): StepResult<T['obs'], T['infos']> {
    this.guard('step');
    this.staging.stageRow(row, offset);
    return this.stepStaged(true);
  }

  /** A PettingZoo ParallelEnv over env `envIndex` of this batch (see {@link ParallelEnv}). */
  parallelView(envIndex: number): ParallelEnv<T['obs'], T['agentInfo']> {
    this.guard('parallelView');
    if (!Number.isInteger(envIndex) || envIndex < 0 || envIndex >= this.numEnvs) {
      throw new InvalidArgumentError(`${this.id}: parallelView(${formatValue(envIndex)}): env index must be in [0, ${this.numEnvs})`, { env: envIndex });
    }
    return new ParallelEnv<T['obs'], T['agentInfo']>(this, envIndex, this.spec.view);
  }

  /** The grid env `envIndex` steps on, for envs that have one (see `mapfEnvMap`); else undefined. @internal */
  envMapOf(envIndex: number): unknown {
    return this.spec.envMap?.(this.envSeeds[envIndex], this.metadata.seed >>> 0);
  }

  /** Calls the backend without work: measures the cost of crossing into it. @internal */
  noop(): void {
    this.engine.noop();
  }

  /**
   * Frees threads and buffers now. Later calls throw {@link EnvClosedError}. Idempotent. While a
   * `stepAsync()` is in flight the batch is closed at once (every later call throws) and freed as
   * soon as that step finishes, whose promise then rejects with {@link EnvClosedError}; `await
   * using env = make(...)` (`Symbol.asyncDispose`) waits for that.
   *
   * An env dropped without `close()` is freed by the garbage collector, but a native batch's
   * memory and threads are released only when the event loop turns after the collection: a
   * synchronous loop that makes envs without closing them grows until it yields (about 2.7 MB per
   * 1024-env batch of the default MAPF-v0), so close each one, or use `using env = make(...)`.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.busy) {
      this.release();
      return;
    }
    // A stepAsync() is using the buffers and threads: it frees them when it finishes, and its
    // promise, which rejects, is marked handled so that abandoning it cannot crash the process.
    this.pendingStep?.catch(() => undefined);
    this.freed = new Promise((resolve) => {
      this.onFreed = resolve;
    });
  }

  /** Same as {@link close}, for `using env = make(...)`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * {@link close}, for `await using env = make(...)`: resolves once the batch is freed, that is
   * after a `stepAsync()` in flight has finished (that step's promise rejects with
   * {@link EnvClosedError}).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.freed;
  }

  /** Frees the backend's threads and buffers (once), and settles `freed`. */
  private release(): void {
    this.engine.close();
    this.onFreed?.();
    this.onFreed = null;
  }

  private guard(method: string): void {
    if (this.closed) throw new EnvClosedError(this.id, method);
    if (this.busy) throw new EnvBusyError(this.id, method);
  }

  private agentIndex(agent: string): number {
    const i = this.possibleAgents.indexOf(agent);
    if (i < 0) {
      const shown = typeof agent === 'string' ? `'${agent}'` : formatValue(agent);
      throw new InvalidArgumentError(`${this.id}: unknown agent ${shown}`, { agent: typeof agent === 'string' ? agent : shown });
    }
    return i;
  }

  /** Steps; if the backend refuses, puts back the staged actions saved before this call's copy. */
  private stepStaged(saved: boolean): StepResult<T['obs'], T['infos']> {
    try {
      this.engine.step();
    } catch (err) {
      if (saved) this.staging.restore();
      throw err;
    }
    this.spec.rewriteConstantInfos?.(this.engine.infos);
    return this.stepResult;
  }
}
