/**
 * The parts of the A2C examples that know nothing of the env: masked sampling, a linear
 * actor-critic, Adam, bootstrap targets under same-step autoreset, generalized advantage
 * estimation and episode-metric means. `mapf-a2c.ts` and `dispatch-a2c.ts` put them to work. In
 * your own project, import from `'manyworlds'` instead of `'../src/index.js'`.
 * @module
 */
import type { CounterRng } from '../src/index.js';

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

/**
 * A linear actor-critic over one agent's observation (its values and a bias): `outputs` weights
 * per input, the action logits then the value, so a forward pass over 0/1 observations adds one
 * row per nonzero input.
 */
export class LinearActorCritic {
  /** Outputs per observation: `actions` logits, then the value at index `actions`. */
  readonly outputs: number;
  /** `[features + 1, outputs]` weights; the bias row last. */
  readonly weights: Float64Array;
  /** @param features - values per observation; @param actions - discrete actions. */
  constructor(readonly features: number, readonly actions: number) {
    this.outputs = actions + 1;
    this.weights = new Float64Array((features + 1) * this.outputs);
  }

  /** Writes the outputs for the observation at `obs[offset .. offset + features)` into `out[at ..]`. */
  forward(obs: ArrayLike<number>, offset: number, out: Float64Array, at: number): void {
    const w = this.weights, O = this.outputs;
    const bias = this.features * O;
    for (let k = 0; k < O; k++) out[at + k] = w[bias + k];
    for (let i = 0; i < this.features; i++) {
      const x = obs[offset + i];
      if (x === 0) continue;
      for (let k = 0; k < O; k++) out[at + k] += x * w[i * O + k];
    }
  }

  /** Samples an action from the logits at `out[at ..]`, leaving the probabilities in their place. */
  sample(out: Float64Array, at: number, rng: CounterRng): number {
    return sampleMasked(out, at, this.actions, null, 0, rng);
  }
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
  infos: { agentMask: Uint8Array; episode: { done: Uint8Array }; finalObs?: ArrayLike<number> };
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

/** Sums of episode metrics, turned into means by `mean()`; NaN values (a metric an episode lacks) are skipped. */
export class MetricMeans {
  /** Episodes added. */
  episodes = 0;
  private sums: Record<string, number> = {};
  private counts: Record<string, number> = {};
  /** Adds one episode's metrics. */
  add(metrics: Record<string, number>): void {
    this.episodes += 1;
    for (const [k, v] of Object.entries(metrics)) {
      if (Number.isNaN(v)) continue;
      this.sums[k] = (this.sums[k] ?? 0) + v;
      this.counts[k] = (this.counts[k] ?? 0) + 1;
    }
  }
  /** Adds every episode another `MetricMeans` holds. */
  merge(other: MetricMeans): void {
    this.episodes += other.episodes;
    for (const [k, v] of Object.entries(other.sums)) {
      this.sums[k] = (this.sums[k] ?? 0) + v;
      this.counts[k] = (this.counts[k] ?? 0) + other.counts[k];
    }
  }
  /** Each metric's mean over the episodes that have it. */
  mean(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.sums).map(([k, v]) => [k, v / this.counts[k]]));
  }
}

/** What one update of a trainer saw and did. */
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
