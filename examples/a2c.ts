/**
 * The parts of the A2C example that know nothing of the env: a linear actor-critic over 0/1
 * observations, Adam, and generalized advantage estimation. `mapf-a2c.ts` puts them to work.
 * @module
 */
import type { CounterRng } from '../src/index.js';

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
    const K = this.actions;
    let max = -Infinity, sum = 0;
    for (let k = 0; k < K; k++) max = Math.max(max, out[at + k]);
    for (let k = 0; k < K; k++) sum += out[at + k] = Math.exp(out[at + k] - max);
    for (let k = 0; k < K; k++) out[at + k] /= sum;
    let u = rng.uniform();
    for (let k = 0; k < K - 1; k++) {
      u -= out[at + k];
      if (u < 0) return k;
    }
    return K - 1;
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

/** One rollout's `[steps, slots]` arrays for {@link generalizedAdvantages}. */
export interface RolloutArrays {
  /** Reward of each slot on each step. */
  rewards: ArrayLike<number>;
  /** Value estimate before each step, at `values[(t * slots + i) * valueStride + valueAt]`. */
  values: ArrayLike<number>;
  /** Stride and offset of the value in `values`. */
  valueStride: number;
  valueAt: number;
  /** Value of what follows each step (`bootstrapTargets` in mapf-a2c.ts). */
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

