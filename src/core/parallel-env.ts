/**
 * PettingZoo's ParallelEnv over one env of a batch: dict-keyed observations, rewards, flags and
 * infos, with agents leaving `agents` once terminated or truncated.
 * @module
 */

import { InvalidActionError, InvalidArgumentError, ResetNeededError, formatValue } from '../errors.js';
import { isFloat32Finite } from './float32.js';
import { checkResetOptions, checkSeed } from './reset-args.js';
import type { Space } from '../spaces/index.js';
import type { VectorEnv } from './vector-env.js';
import type { BatchInfos } from './types.js';

/** Env-specific parts of the view: per-agent infos and episode metrics. @internal */
export interface ParallelViewHooks {
  /** Infos of agent `a` of env `env` (position, goal, ...). */
  agentInfo(infos: BatchInfos, env: number, agent: number): Record<string, unknown>;
  /** The metrics of env `env`'s episode that just ended. */
  episodeMetrics(infos: BatchInfos, env: number): Record<string, number>;
}

/** Per-agent dictionaries, keyed by agent name. */
export type AgentDict<T> = Record<string, T>;

/** What one agent's info holds in a {@link ParallelEnv}: the env's own entries, and `episode` on the step an episode ends. */
export interface AgentInfo {
  /** The ended episode's return (this agent), length and metrics; only on the step it ends. */
  episode?: {
    /** This agent's return. */
    return: number;
    /** Steps in the episode. */
    length: number;
    /** The env's episode metrics, by name. */
    metrics: Record<string, number>;
  };
  /** The env's own entries (see each env's `*AgentInfo`). */
  [key: string]: unknown;
}

/**
 * PettingZoo ParallelEnv view of env `envIndex` of a {@link VectorEnv}.
 *
 * Stepping the view steps the whole batch (the other envs take the actions staged in
 * `vectorEnv.actions`), so every env of the batch must have been reset: on a batch of several
 * envs, call the batch's `reset()` once before using a view (a view's `reset()` resets only its
 * own env). Observations are copies, safe to keep. When an episode ends, `agents`
 * becomes empty and the view must be reset; the observations returned on that step are the final
 * ones when the batch keeps them (`keepFinalObs`) or does not autoreset, else the next episode's.
 */
export class ParallelEnv<O extends Float32Array | Uint8Array = Float32Array | Uint8Array, I extends AgentInfo = AgentInfo> {
  /** Agents still acting in the current episode. */
  agents: string[] = [];
  /** All agent names. */
  readonly possibleAgents: readonly string[];
  private readonly obsSize: number;

  /** The batch this view steps. */
  readonly vectorEnv: VectorEnv;
  /** Index of the viewed env in the batch. */
  readonly envIndex: number;

  /** @internal */
  constructor(vectorEnv: VectorEnv, envIndex: number, private readonly hooks: ParallelViewHooks) {
    this.vectorEnv = vectorEnv;
    this.envIndex = envIndex;
    this.possibleAgents = vectorEnv.possibleAgents;
    this.obsSize = vectorEnv.obsSize;
  }

  /** Number of agents (PettingZoo's `max_num_agents`). */
  get maxNumAgents(): number {
    return this.possibleAgents.length;
  }

  /** Number of agents still acting. */
  get numAgents(): number {
    return this.agents.length;
  }

  /** Observation space of `agent`. */
  observationSpace(agent: string): Space<unknown> {
    return this.vectorEnv.observationSpaceOf(agent);
  }

  /** Action space of `agent`. */
  actionSpace(agent: string): Space<unknown> {
    return this.vectorEnv.actionSpaceOf(agent);
  }

  /** Resets this env (only): returns `[observations, infos]`. */
  reset(opts: { seed?: number } = {}): [AgentDict<O>, AgentDict<I>] {
    const e = this.envIndex, n = this.vectorEnv.numEnvs;
    checkResetOptions(`${this.vectorEnv.id}: env ${e}`, opts, ['seed']);
    const mask = new Uint8Array(n);
    mask[e] = 1;
    let seed: Uint32Array | undefined;
    if (opts.seed !== undefined) {
      seed = new Uint32Array(n);
      seed[e] = checkSeed(this.vectorEnv.id, opts.seed);
    }
    const { obs, infos } = this.vectorEnv.reset({ mask, ...(seed ? { seed } : {}) });
    this.agents = [...this.possibleAgents];
    const infoDict: AgentDict<I> = {};
    for (let a = 0; a < this.possibleAgents.length; a++) infoDict[this.possibleAgents[a]] = this.hooks.agentInfo(infos, e, a) as I;
    return [this.collectObs(obs, this.agents), infoDict];
  }

  /**
   * Steps with one action per live agent: a number (Discrete) or an array of `actionSize` numbers
   * (Box); missing live agents get zeros. Returns
   * `[observations, rewards, terminations, truncations, infos]` for the agents live before the step.
   * @throws InvalidActionError when `actions` is not an object keyed by agent name (`undefined`
   *   included), names an unknown agent, or holds an action outside the action space.
   */
  step(actions: AgentDict<number | ArrayLike<number>>): [
    AgentDict<O>, AgentDict<number>, AgentDict<boolean>, AgentDict<boolean>, AgentDict<I>,
  ] {
    const e = this.envIndex, numAgents = this.possibleAgents.length;
    if (this.agents.length === 0) {
      throw new InvalidArgumentError(`${this.vectorEnv.id}: env ${e}: step() on a ParallelEnv with no live agents; call reset()`);
    }
    // Check every entry before touching the staging buffer, so a bad call changes nothing.
    if (actions === null || typeof actions !== 'object' || Array.isArray(actions) || ArrayBuffer.isView(actions) || actions instanceof Map) {
      throw new InvalidActionError(`${this.vectorEnv.id}: env ${e}: step() takes an object keyed by agent name, got ${formatValue(actions)}`, { env: e });
    }
    const k = this.vectorEnv.actionSize;
    const row = new Array<number>(numAgents * k).fill(0);
    for (const [agent, value] of Object.entries(actions)) {
      const a = this.possibleAgents.indexOf(agent);
      if (a < 0) throw new InvalidActionError(`${this.vectorEnv.id}: env ${e}: unknown agent '${agent}'`, { env: e, agent });
      if (k === 1) {
        if (!this.vectorEnv.singleActionSpace.contains(value)) {
          throw new InvalidActionError(`${this.vectorEnv.id}: env ${e}, agent ${a} (${agent}): action ${formatValue(value)} is not in ${this.vectorEnv.singleActionSpace}`, { env: e, agent: a, value });
        }
        row[a] = value as number;
        continue;
      }
      // Continuous: finite numbers; values outside the Box are clipped by the env.
      const vec = value as ArrayLike<number>;
      if (vec === null || typeof vec !== 'object' || vec.length !== k || !Array.from(vec).every(isFloat32Finite)) {
        throw new InvalidActionError(`${this.vectorEnv.id}: env ${e}, agent ${a} (${agent}): action must be ${k} finite numbers within float32 range (|x| < 3.4e38), got ${formatValue(value)}`, { env: e, agent: a, value });
      }
      for (let j = 0; j < k; j++) row[a * k + j] = vec[j];
    }
    const live = this.agents;
    const { obs, rewards, terminations, truncations, infos } = this.stepBatch(row);
    const ended = (infos.episode.done[e] ?? 0) === 1;
    const source = ended && infos.finalObs ? infos.finalObs : obs;
    const rew: AgentDict<number> = {}, term: AgentDict<boolean> = {}, trunc: AgentDict<boolean> = {};
    const info: AgentDict<I> = {};
    const metrics = ended ? this.hooks.episodeMetrics(infos, e) : null;
    for (const agent of live) {
      const i = e * numAgents + this.possibleAgents.indexOf(agent);
      rew[agent] = rewards[i];
      term[agent] = terminations[i] === 1;
      trunc[agent] = truncations[i] === 1;
      info[agent] = this.hooks.agentInfo(infos, e, i - e * numAgents) as I;
      if (metrics) info[agent].episode = { return: infos.episode.return[i], length: infos.episode.length[e], metrics };
    }
    const observations = this.collectObs(source, live);
    this.agents = ended ? [] : live.filter((agent) => !term[agent] && !trunc[agent]);
    return [observations, rew, term, trunc, info];
  }

  /** Steps the batch with this env's row; says why when another env of the batch needs a reset. */
  private stepBatch(row: number[]): ReturnType<VectorEnv['stepRow']> {
    const e = this.envIndex, n = this.vectorEnv.numEnvs;
    try {
      return this.vectorEnv.stepRow(row, e * this.possibleAgents.length * this.vectorEnv.actionSize);
    } catch (err) {
      if (!(err instanceof ResetNeededError)) throw err;
      const other = err.details.env;
      if (typeof other !== 'number' || other === e) throw err;
      throw new ResetNeededError(`${err.message} (the view of env ${e} steps the whole batch of ${n}, and its reset() ` +
        `resets only env ${e}: reset the batch, or env ${other}, first)`, { ...err.details, view: e });
    }
  }

  private collectObs(obs: Float32Array | Uint8Array, agents: readonly string[]): AgentDict<O> {
    const out: AgentDict<O> = {};
    const numAgents = this.possibleAgents.length;
    for (const agent of agents) {
      const i = this.envIndex * numAgents + this.possibleAgents.indexOf(agent);
      out[agent] = obs.slice(i * this.obsSize, (i + 1) * this.obsSize) as O;
    }
    return out;
  }
}
