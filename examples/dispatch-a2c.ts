/**
 * RideDispatch-v0 trained with the A2C trainer of `a2c.ts`, with a masked "pointer" policy shared
 * by every vehicle. Bidding on order slot k scores the slot's own features (its order and the
 * vehicle's pickup ETA to it) with one weight vector shared by all slots; the no-op, each
 * reposition and the value score the vehicle's own features. Actions the env's `infos.actionMask`
 * forbids get probability 0, so the policy never bids on an order it cannot take.
 *
 * Every vehicle acts on every step and episodes end only by truncation (`horizonSteps`), so each
 * episode's last step is bootstrapped from `infos.finalObs`. Run it after `npm install`:
 * `npm run example:dispatch-a2c -- --updates 100`. In your own project, import from `'manyworlds'`
 * instead of `'../src/index.js'`.
 * @module
 */
import {
  CounterRng, make, makeDispatchPolicy, dispatchEpisodeMetrics, type DispatchConfig, type DispatchObsLayout,
} from '../src/index.js';
import { sampleMasked, trainA2C, type ActorCritic, type TrainerOptions } from './a2c.js';
import { MetricMeans, isMainModule, trainerArgs } from './example-utils.js';

/**
 * Options of {@link trainDispatchA2C} and {@link evaluateDispatch}. Defaults: 32 envs, 100 updates
 * of 15 steps, Adam step 0.1, discount 0.95, GAE λ 0.9.
 */
export interface DispatchA2COptions extends TrainerOptions {
  /** RideDispatch-v0 config (default {@link DEFAULT_DISPATCH_A2C_CONFIG}; `pairInsertionCost` must be on). */
  config?: DispatchConfig;
}

/** The default task: the default 8×8 grid city and 32 vehicles, with the pair block (pickup ETAs). */
export const DEFAULT_DISPATCH_A2C_CONFIG: DispatchConfig = { pairInsertionCost: true };

/**
 * The pointer policy's weights and forward pass. Context features: the self and global blocks and
 * a bias; slot features: the slot's order block, its pair block and a bias.
 */
export class PointerPolicy implements ActorCritic {
  /** Context and slot feature counts (bias included). */
  readonly contextSize: number;
  readonly slotSize: number;
  /** Order and pair features per slot. */
  readonly orderFeatures: number;
  readonly pairFeatures: number;
  /** Repositions R and actions 1 + K + R. */
  readonly repositions: number;
  readonly actions: number;
  /** `[slotSize]` bid weights, then `[2 + R, contextSize]`: no-op, repositions, value. */
  readonly weights: Float64Array;
  /**
   * @param layout - the env's `metadata.observationLayout`; @param slots - its `numSlots` (K);
   * @param actions - its `Discrete(1 + K + R)` size.
   */
  constructor(readonly layout: DispatchObsLayout, readonly slots: number, actions: number) {
    if (layout.pair[1] === 0) throw new RangeError('PointerPolicy needs the pair block: make the env with pairInsertionCost: true');
    this.orderFeatures = layout.orders[1] / slots;
    this.pairFeatures = layout.pair[1] / slots;
    this.actions = actions;
    this.repositions = actions - 1 - slots;
    this.contextSize = layout.self[1] + layout.global[1] + 1;
    this.slotSize = this.orderFeatures + this.pairFeatures + 1;
    this.weights = new Float64Array(this.slotSize + (2 + this.repositions) * this.contextSize);
  }

  /** Whether this model reads the observations and actions of a batch with this layout and action count. */
  fits(layout: DispatchObsLayout, actions: number): boolean {
    return JSON.stringify(layout) === JSON.stringify(this.layout) && actions === this.actions;
  }

  /** Context feature `f` of the observation row at `obs[row ..]`. */
  context(obs: ArrayLike<number>, row: number, f: number): number {
    const self = this.layout.self[1];
    if (f < self) return obs[row + this.layout.self[0] + f];
    return f < self + this.layout.global[1] ? obs[row + this.layout.global[0] + f - self] : 1;
  }

  /** Slot feature `f` of slot `k` of the observation row at `obs[row ..]`. */
  slotFeature(obs: ArrayLike<number>, row: number, k: number, f: number): number {
    const o = this.orderFeatures, q = this.pairFeatures;
    if (f < o) return obs[row + this.layout.orders[0] + o * k + f];
    return f < o + q ? obs[row + this.layout.pair[0] + q * k + f - o] : 1;
  }

  /** Writes the `actions` logits and the value of the observation row at `obs[row ..]` into `out[at ..]`. */
  forward(obs: ArrayLike<number>, row: number, out: Float64Array, at: number): void {
    const w = this.weights, C = this.contextSize, P = this.slotSize, K = this.slots;
    for (let k = 0; k < K; k++) {
      let z = 0;
      for (let f = 0; f < P; f++) z += w[f] * this.slotFeature(obs, row, k, f);
      out[at + 1 + k] = z;
    }
    // Context heads in weight order: no-op (action 0), repositions (actions 1 + K + r), value.
    for (let h = 0; h < 2 + this.repositions; h++) {
      let z = 0;
      for (let f = 0; f < C; f++) z += w[P + h * C + f] * this.context(obs, row, f);
      out[at + (h === 0 ? 0 : h <= this.repositions ? K + h : this.actions)] = z;
    }
  }

  /** Adds `g` (d objective / d output, `actions + 1` of them) times the features to `grad`. */
  backward(obs: ArrayLike<number>, row: number, g: Float64Array, grad: Float64Array): void {
    const C = this.contextSize, P = this.slotSize, K = this.slots;
    for (let k = 0; k < K; k++) {
      if (g[1 + k] === 0) continue;
      for (let f = 0; f < P; f++) grad[f] += g[1 + k] * this.slotFeature(obs, row, k, f);
    }
    for (let h = 0; h < 2 + this.repositions; h++) {
      const gh = g[h === 0 ? 0 : h <= this.repositions ? K + h : this.actions];
      for (let f = 0; f < C; f++) grad[P + h * C + f] += gh * this.context(obs, row, f);
    }
  }
}

/** Trains a {@link PointerPolicy} on RideDispatch-v0 with {@link trainA2C} and returns it. */
export function trainDispatchA2C(options: DispatchA2COptions = {}): PointerPolicy {
  using env = make('RideDispatch-v0', {
    numEnvs: options.numEnvs ?? 32, seed: options.seed ?? 1, backend: options.backend, keepFinalObs: true,
    config: options.config ?? DEFAULT_DISPATCH_A2C_CONFIG,
  });
  const model = new PointerPolicy(env.metadata.observationLayout, env.metadata.config.numSlots, env.singleActionSpace.n);
  trainA2C(env, model, { episodeMetrics: dispatchEpisodeMetrics, actionMask: (infos) => infos.actionMask }, {
    ...options, updates: options.updates ?? 100, rolloutSteps: options.rolloutSteps ?? 15,
    learningRate: options.learningRate ?? 0.1, gamma: options.gamma ?? 0.95, lambda: options.lambda ?? 0.9,
  });
  return model;
}

/**
 * Plays one episode in each of `numEnvs` envs (seeded from `seed`) with the model's sampled
 * actions, or with a named baseline of `makeDispatchPolicy` (`'random'`: uniform among valid
 * actions; `'greedy'`: closest vehicle-order pairs first), and returns the metrics' means. Throws a
 * `RangeError` if the model was trained on another observation layout or action count.
 */
export function evaluateDispatch(policy: PointerPolicy | 'random' | 'greedy', options: DispatchA2COptions = {}): Record<string, number> {
  const seed = options.seed ?? 1;
  using env = make('RideDispatch-v0', {
    numEnvs: options.numEnvs ?? 32, seed, backend: options.backend, config: options.config ?? DEFAULT_DISPATCH_A2C_CONFIG,
  });
  const D = env.metadata.observationLayout.size, nA = env.singleActionSpace.n, N = env.numEnvs * env.numAgents;
  if (typeof policy !== 'string' && !policy.fits(env.metadata.observationLayout, nA))
    throw new RangeError('evaluateDispatch: the model was trained on another observation layout or action count (numSlots, numNeighbours, capacity?)');
  const baseline = typeof policy === 'string' ? makeDispatchPolicy(policy, env, seed) : null;
  const rng = new CounterRng(seed, 0xe7a1), out = new Float64Array(nA + 1), ended = new MetricMeans();
  let { obs, infos } = env.reset();
  while (ended.episodes === 0) {
    if (baseline) baseline(obs, infos);
    else for (let i = 0; i < N; i++) {
      (policy as PointerPolicy).forward(obs, i * D, out, 0);
      env.actions[i] = sampleMasked(out, 0, nA, infos.actionMask, i * nA, rng);
    }
    ({ obs, infos } = env.step());
    for (let e = 0; e < env.numEnvs; e++) if (infos.episode.done[e]) ended.add(dispatchEpisodeMetrics(infos, e));
  }
  return ended.mean();
}

if (isMainModule(import.meta.url)) {
  const opts: DispatchA2COptions = trainerArgs({ updates: 100, envs: 32 });
  const evalOpts: DispatchA2COptions = { ...opts, numEnvs: 64, seed: opts.seed! + 1_000_000 };
  const show = (m: Record<string, number>): string =>
    `service rate ${m.serviceRate.toFixed(3)}  pickup ${m.meanPickupMin.toFixed(2)} min  return ${m.episodeReturn.toFixed(1)}`;
  console.log(`random valid actions: ${show(evaluateDispatch('random', evalOpts))}`);
  console.log(`greedy baseline:      ${show(evaluateDispatch('greedy', evalOpts))}`);
  const model = trainDispatchA2C({
    ...opts,
    onUpdate: ({ update, ended, entropy, seconds }) => {
      if (ended.episodes === 0) return;
      console.log(`update ${String(update + 1).padStart(4)}  episodes ${ended.episodes}  ${show(ended.mean())}  ` +
        `entropy ${entropy.toFixed(3)}  (${seconds.toFixed(2)} s/update)`);
    },
  });
  console.log(`trained policy:       ${show(evaluateDispatch(model, evalOpts))}  (64 unseen envs)`);
}
