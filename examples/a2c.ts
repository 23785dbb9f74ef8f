/**
 * The A2C trainer of the examples, which knows nothing of the env: advantage actor-critic with
 * generalized advantage estimation over rollouts of a whole same-step-autoreset batch, for any
 * model that maps one agent's observation row to action logits and a value. `mapf-a2c.ts` and
 * `dispatch-a2c.ts` give it a model and an env.
 *
 * It shows what a trainer needs from a batch: the staging buffer for actions, the agent mask taken
 * *before* a step to know who acted on it, the flags at an episode's end (bootstrap there only where
 * `truncations` is 1 and `terminations` is 0), `keepFinalObs` for the value of a truncated
 * episode's last observation under same-step autoreset, and action masks. In your own project,
 * import from `'manyworlds'` instead of `'../src/index.js'`.
 * @module
 */
import { CounterRng, type BackendName } from '../src/index.js';
import { MetricMeans } from './example-utils.js';

/** A policy-and-value model over one agent's observation row: `actions` logits, then the value. */
export interface ActorCritic {
  /** Discrete actions. */
  readonly actions: number;
  /** The parameters the trainer updates. */
  readonly weights: Float64Array;
  /** Writes the `actions + 1` outputs for the observation row at `obs[row ..]` into `out[at ..]`. */
  forward(obs: ArrayLike<number>, row: number, out: Float64Array, at: number): void;
  /** Adds `g` (d objective / d output, `actions + 1` of them) times d outputs / d weights at that row to `grad`. */
  backward(obs: ArrayLike<number>, row: number, g: Float64Array, grad: Float64Array): void;
}

/** The infos a trainer reads after every step. */
export interface TrainerInfos {
  /** `[E, A]` 1 for agents that act. */
  agentMask: Uint8Array;
  /** Episodes that ended on the step. */
  episode: { done: Uint8Array };
  /** `[E, A, ...obs]` last observation of the ended episodes (`keepFinalObs`). */
  finalObs?: ArrayLike<number>;
}

/** What a trainer needs of a batch: a `VectorEnv` made with `keepFinalObs: true` (same-step autoreset). */
export interface TrainableBatch<I extends TrainerInfos> {
  readonly numEnvs: number;
  readonly numAgents: number;
  /** Values per agent observation. */
  readonly obsSize: number;
  /** The staging buffer for actions, `[E, A]`. */
  readonly actions: Int32Array;
  reset(): { obs: ArrayLike<number>; infos: I };
  step(): { obs: ArrayLike<number>; rewards: Float32Array; terminations: Uint8Array; truncations: Uint8Array; infos: I };
}

/** Options of {@link trainA2C} (and of the examples, whose documentation gives their defaults). */
export interface TrainerOptions {
  /** Envs stepped together. */
  numEnvs?: number;
  /** Seed of the batch and of the action sampling (default 1). */
  seed?: number;
  /** Backend of the batch (default `'auto'`). */
  backend?: BackendName | 'auto';
  /** Gradient updates; each follows `rolloutSteps` steps of the whole batch. */
  updates?: number;
  /** Steps per rollout. */
  rolloutSteps?: number;
  /** Adam step size. */
  learningRate?: number;
  /** Discount. */
  gamma?: number;
  /** GAE λ. */
  lambda?: number;
  /** Weight of the entropy bonus (default 0.01). */
  entropyCoef?: number;
  /** Called after each update with its statistics. */
  onUpdate?: (stats: UpdateStats) => void;
}

/** What {@link trainA2C} needs besides the options: the env's episode metrics and action mask. */
export interface TrainerHooks<I extends TrainerInfos> {
  /** The metrics of env `e`'s episode that ended on this step. */
  episodeMetrics: (infos: I, e: number) => Record<string, number>;
  /** `[E, A, actions]` 1 for allowed actions, if the env has a mask. */
  actionMask?: (infos: I) => ArrayLike<number>;
}

/**
 * Trains `model` in place on `env`, `updates` times: each update steps the whole batch
 * `rolloutSteps` times with sampled actions, then takes one Adam step up the gradient of
 * normAdv·log π(a) + entropyCoef·H − ½(return − V)², averaged over the agent-steps where the agent
 * acted. Required options: `updates`, `rolloutSteps`, `learningRate`, `gamma`, `lambda`.
 */
export function trainA2C<I extends TrainerInfos>(env: TrainableBatch<I>, model: ActorCritic, hooks: TrainerHooks<I>,
  options: Required<Pick<TrainerOptions, 'updates' | 'rolloutSteps' | 'learningRate' | 'gamma' | 'lambda'>> & TrainerOptions): void {
  const T = options.rolloutSteps, entropyCoef = options.entropyCoef ?? 0.01;
  const N = env.numEnvs * env.numAgents, F = env.obsSize, K = model.actions, O = K + 1; // logits, then the value at K
  const adam = new Adam(model.weights.length, options.learningRate);
  const rng = new CounterRng(options.seed ?? 1, 0x7a2c);
  let { obs, infos } = env.reset();
  // Rollout storage, [T, N, ...]: what each agent saw (in the observations' own array type),
  // whether it acted, what it did and got.
  const obsBuf = obs instanceof Uint8Array ? new Uint8Array(T * N * F) : new Float32Array(T * N * F);
  const outBuf = new Float64Array(T * N * O);
  const actBuf = new Int32Array(T * N), acted = new Uint8Array(T * N), cont = new Uint8Array(T * N);
  const rewBuf = new Float32Array(T * N), nextValues = new Float64Array(T * N), adv = new Float64Array(T * N);
  const grad = new Float64Array(model.weights.length), g = new Float64Array(O), finalOut = new Float64Array(O);

  let out = new Float64Array(N * O); // outputs for the current observations
  let next = new Float64Array(N * O); // and for the ones a step returns
  // The value of slot i's observation in `source`: already computed for the step's own `obs`.
  const valueOf = (source: ArrayLike<number>, i: number): number => {
    if (source === obs) return next[i * O + K];
    model.forward(source, i * F, finalOut, 0);
    return finalOut[K];
  };
  for (let i = 0; i < N; i++) model.forward(obs, i * F, out, i * O);
  for (let update = 0; update < options.updates; update++) {
    const started = performance.now(), ended = new MetricMeans();
    for (let t = 0; t < T; t++) {
      const row = t * N, mask = hooks.actionMask?.(infos) ?? null;
      obsBuf.set(obs, row * F);
      acted.set(infos.agentMask, row); // who acts on this step: the mask from before it
      for (let i = 0; i < N; i++) {
        actBuf[row + i] = acted[row + i] ? sampleMasked(out, i * O, K, mask, i * K, rng) : 0;
        env.actions[i] = actBuf[row + i];
      }
      outBuf.set(out, row * O);
      const step = env.step();
      ({ obs, infos } = step);
      rewBuf.set(step.rewards, row);
      for (let i = 0; i < N; i++) model.forward(obs, i * F, next, i * O);
      bootstrapTargets(step, valueOf, cont, nextValues, row);
      for (let e = 0; e < env.numEnvs; e++) if (infos.episode.done[e]) ended.add(hooks.episodeMetrics(infos, e));
      [out, next] = [next, out];
    }
    const count = generalizedAdvantages({ rewards: rewBuf, values: outBuf, valueStride: O, valueAt: K,
      nextValues, cont, acted, steps: T, slots: N, gamma: options.gamma, lambda: options.lambda }, adv);
    const { mean, std } = advantageMoments(adv, acted);
    // Masked actions have p = 0 and get no gradient. The value loss carries no coefficient: the
    // value head has weights of its own and Adam scales each weight's step, so one would change nothing.
    let entropy = 0;
    grad.fill(0);
    for (let j = 0; j < T * N; j++) {
      if (!acted[j]) continue;
      const o = j * O, a = actBuf[j], normAdv = (adv[j] - mean) / std, h = entropyOf(outBuf, o, K);
      entropy += h;
      for (let k = 0; k < K; k++) {
        const p = outBuf[o + k];
        g[k] = normAdv * ((k === a ? 1 : 0) - p) - entropyCoef * p * (Math.log(Math.max(p, 1e-12)) + h);
      }
      g[K] = adv[j]; // return − V: the advantage before normalization
      model.backward(obsBuf, j * F, g, grad);
    }
    for (let k = 0; k < grad.length; k++) grad[k] /= Math.max(count, 1);
    adam.ascend(model.weights, grad);
    // The policy changed: recompute the outputs for the observations the next rollout starts from.
    for (let i = 0; i < N; i++) model.forward(obs, i * F, out, i * O);
    options.onUpdate?.({
      update, ended, entropy: entropy / Math.max(count, 1), envSteps: T * env.numEnvs, seconds: (performance.now() - started) / 1000,
    });
  }
}

/**
 * Turns the `n` logits at `out[at ..]` into probabilities in place (a softmax over the actions
 * whose `mask[maskAt + k]` is 1, 0 for the others; no mask: all) and samples one of them. Throws a
 * `RangeError` if the mask allows none.
 */
export function sampleMasked(out: Float64Array, at: number, n: number, mask: ArrayLike<number> | null, maskAt: number,
  rng: CounterRng): number {
  let max = -Infinity, sum = 0, last = -1;
  for (let k = 0; k < n; k++) if (mask === null || mask[maskAt + k]) { max = Math.max(max, out[at + k]); last = k; }
  if (last < 0) throw new RangeError(`sampleMasked: the mask at ${maskAt} allows none of the ${n} actions`);
  for (let k = 0; k < n; k++) sum += out[at + k] = mask === null || mask[maskAt + k] ? Math.exp(out[at + k] - max) : 0;
  for (let k = 0; k < n; k++) out[at + k] /= sum;
  let u = rng.uniform();
  for (let k = 0; k < last; k++) {
    u -= out[at + k];
    if (u < 0 && out[at + k] > 0) return k;
  }
  return last;
}

/** Entropy (nats) of the `n` probabilities at `p[at ..]`. */
export function entropyOf(p: ArrayLike<number>, at: number, n: number): number {
  let h = 0;
  for (let k = 0; k < n; k++) if (p[at + k] > 0) h -= p[at + k] * Math.log(p[at + k]);
  return h;
}

/** Adam (Kingma and Ba, 2015) on a flat parameter vector, as gradient ascent. */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  /** @param size - parameters; @param lr - step size. */
  constructor(size: number, private readonly lr: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  /** One step up `grad`. */
  ascend(params: Float64Array, grad: Float64Array): void {
    this.t += 1;
    const b1 = 0.9, b2 = 0.999, c1 = 1 - b1 ** this.t, c2 = 1 - b2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      this.m[i] = b1 * this.m[i] + (1 - b1) * grad[i];
      this.v[i] = b2 * this.v[i] + (1 - b2) * grad[i] * grad[i];
      params[i] += (this.lr * this.m[i]) / c1 / (Math.sqrt(this.v[i] / c2) + 1e-8);
    }
  }
}

/** What a step returned that decides how each agent slot is bootstrapped. */
export interface StepFlags {
  obs: ArrayLike<number>;
  terminations: Uint8Array;
  truncations: Uint8Array;
  infos: TrainerInfos;
}

/**
 * After a step of a same-step-autoreset batch made with `keepFinalObs`, for every agent slot `i`:
 * `cont[at + i]` is 1 where the agent acts again in the same episode, and `nextValues[at + i]` the
 * value of what follows its action: `valueOf(step.obs, i)` where it goes on; where its env's
 * episode ended by truncation and it is not terminated, `valueOf(step.infos.finalObs, i)` (`obs`
 * already shows the next episode); else 0 (it reached a terminal state, or the episode ended by
 * termination).
 */
export function bootstrapTargets(step: StepFlags, valueOf: (obs: ArrayLike<number>, slot: number) => number,
  cont: Uint8Array, nextValues: Float64Array, at: number): void {
  const { done } = step.infos.episode, agents = step.terminations.length / done.length;
  for (let i = 0; i < step.terminations.length; i++) {
    const ended = done[Math.floor(i / agents)] === 1;
    cont[at + i] = !ended && step.infos.agentMask[i] === 1 ? 1 : 0;
    if (cont[at + i]) nextValues[at + i] = valueOf(step.obs, i);
    else if (ended && step.truncations[i] && !step.terminations[i]) {
      if (step.infos.finalObs === undefined) throw new Error('bootstrapTargets: make the batch with keepFinalObs: true');
      nextValues[at + i] = valueOf(step.infos.finalObs, i);
    } else nextValues[at + i] = 0;
  }
}

/** One rollout's `[steps, slots]` arrays for {@link generalizedAdvantages}. */
export interface RolloutArrays {
  /** Reward of each slot on each step. */
  rewards: ArrayLike<number>;
  /** Value estimate before each step, at `values[(t * slots + i) * valueStride + valueAt]`. */
  values: ArrayLike<number>;
  /** Stride and offset of the value in `values`. */
  valueStride: number;
  valueAt: number;
  /** Value of what follows each step ({@link bootstrapTargets}). */
  nextValues: ArrayLike<number>;
  /** 1 where the slot acts again on the next step of the same episode. */
  cont: ArrayLike<number>;
  /** 1 where the slot acted on the step (its agent mask before the step). */
  acted: ArrayLike<number>;
  /** Steps and slots of the rollout, discount and GAE λ. */
  steps: number;
  slots: number;
  gamma: number;
  lambda: number;
}

/**
 * Generalized advantage estimation (Schulman et al., 2016) backwards in time per slot:
 * `δ = r + γ·next − V`, `A = δ + γλ·A'` where the slot continues, else `A = δ`. Writes `out` where
 * the slot acted (0 elsewhere) and returns how many such agent-steps there were.
 */
export function generalizedAdvantages(r: RolloutArrays, out: Float64Array): number {
  let count = 0;
  for (let i = 0; i < r.slots; i++) {
    let running = 0;
    for (let t = r.steps - 1; t >= 0; t--) {
      const j = t * r.slots + i;
      if (!r.acted[j]) { out[j] = running = 0; continue; }
      const delta = r.rewards[j] + r.gamma * r.nextValues[j] - r.values[j * r.valueStride + r.valueAt];
      running = delta + r.gamma * r.lambda * (r.cont[j] ? running : 0);
      out[j] = running;
      count += 1;
    }
  }
  return count;
}


/** Mean and standard deviation (plus 1e-8) of `adv` where `acted` is 1, for normalizing it. */
export function advantageMoments(adv: ArrayLike<number>, acted: ArrayLike<number>): { mean: number; std: number } {
  let count = 0, mean = 0, sq = 0;
  for (let j = 0; j < adv.length; j++) if (acted[j]) { count += 1; mean += adv[j]; sq += adv[j] * adv[j]; }
  mean /= Math.max(count, 1);
  return { mean, std: Math.sqrt(Math.max(sq / Math.max(count, 1) - mean * mean, 0)) + 1e-8 };
}

/** What one update of {@link trainA2C} saw and did. */
export interface UpdateStats {
  /** 0-based index of the update. */
  update: number;
  /** The metrics of the episodes that ended during the update's rollout. */
  ended: MetricMeans;
  /** Mean policy entropy over the agent-steps of the rollout (nats). */
  entropy: number;
  /** Env-steps of the rollout, and seconds of the rollout and update together. */
  envSteps: number;
  seconds: number;
}
