/**
 * MAPF-v0 trained with the A2C trainer of `a2c.ts`: one linear policy and value over the agent's
 * `[3, 2r+1, 2r+1]` window, shared by every agent (parameter sharing, as POGEMA's baselines train),
 * and POGEMA's metrics from `infos.episode`. It is tuned for `onTarget: 'finish'` (the default);
 * with `'nothing'` the one shared reward is too sparse for it to learn anything.
 *
 * Run it after `npm install`: `npm run example:mapf-a2c -- --updates 300`. In your own project,
 * import from `'manyworlds'` instead of `'../src/index.js'`.
 * @module
 */
import { CounterRng, make, mapfEpisodeMetrics, type MapfConfig } from '../src/index.js';
import { sampleMasked, trainA2C, type ActorCritic, type TrainerOptions } from './a2c.js';
import { MetricMeans, isMainModule, trainerArgs } from './example-utils.js';

/**
 * Options of {@link trainMapfA2C} and {@link evaluateMapf}. Defaults: 64 envs, 200 updates of 16
 * steps, Adam step 0.02, discount 0.97, GAE λ 0.95.
 */
export interface A2COptions extends TrainerOptions {
  /** MAPF-v0 config (default {@link DEFAULT_A2C_CONFIG}). */
  config?: MapfConfig;
}

/** The default task: 16×16 random maps, density 0.2, 8 agents, r 5, 64 steps, uint8 observations. */
export const DEFAULT_A2C_CONFIG: MapfConfig = {
  numAgents: 8, size: 16, density: 0.2, obsRadius: 5, maxEpisodeSteps: 64, obsDtype: 'uint8',
};

/**
 * A linear actor-critic over one agent's observation (its values and a bias): `outputs` weights
 * per input, the action logits then the value, so a forward pass over 0/1 observations adds one
 * row per nonzero input.
 */
export class LinearActorCritic implements ActorCritic {
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

  /** Adds `g` times the inputs of the observation at `obs[offset ..]` (and 1 for the bias) to `grad`. */
  backward(obs: ArrayLike<number>, offset: number, g: Float64Array, grad: Float64Array): void {
    const O = this.outputs;
    for (let i = 0; i < this.features; i++) {
      const x = obs[offset + i];
      if (x === 0) continue;
      for (let k = 0; k < O; k++) grad[i * O + k] += x * g[k];
    }
    for (let k = 0; k < O; k++) grad[this.features * O + k] += g[k];
  }
}

/** Trains a {@link LinearActorCritic} on MAPF-v0 with {@link trainA2C} and returns it. */
export function trainMapfA2C(options: A2COptions = {}): LinearActorCritic {
  using env = make('MAPF-v0', {
    numEnvs: options.numEnvs ?? 64, seed: options.seed ?? 1, backend: options.backend, keepFinalObs: true,
    config: options.config ?? DEFAULT_A2C_CONFIG,
  });
  const model = new LinearActorCritic(env.obsSize, env.singleActionSpace.n);
  trainA2C(env, model, { episodeMetrics: mapfEpisodeMetrics }, {
    ...options, updates: options.updates ?? 200, rolloutSteps: options.rolloutSteps ?? 16,
    learningRate: options.learningRate ?? 0.02, gamma: options.gamma ?? 0.97, lambda: options.lambda ?? 0.95,
  });
  return model;
}

/**
 * Plays one episode in each of `numEnvs` envs (seeded from `seed`) with the model's sampled
 * actions, or uniformly random ones when `model` is null, and returns the means of the episodes'
 * metrics (ISR and CSR in `finish` mode). Throws a `RangeError` if the model was trained on
 * observations of another size.
 */
export function evaluateMapf(model: LinearActorCritic | null, options: A2COptions = {}): Record<string, number> {
  const seed = options.seed ?? 1;
  using env = make('MAPF-v0', {
    numEnvs: options.numEnvs ?? 64, seed, backend: options.backend, config: options.config ?? DEFAULT_A2C_CONFIG,
  });
  const A = env.numAgents, F = env.obsSize;
  if (model !== null && (model.features !== F || model.actions !== env.singleActionSpace.n))
    throw new RangeError(`evaluateMapf: the model takes ${model.features} observation values, this config gives ${F} (another obsRadius?)`);
  const rng = new CounterRng(seed, 0xe7a1);
  const out = new Float64Array(env.singleActionSpace.n + 1), recorded = new Uint8Array(env.numEnvs), ended = new MetricMeans();
  let { obs, infos } = env.reset();
  while (ended.episodes < env.numEnvs) {
    for (let i = 0; i < env.numEnvs * A; i++) {
      if (!infos.agentMask[i]) { env.actions[i] = 0; continue; }
      if (model === null) { env.actions[i] = rng.below(env.singleActionSpace.n); continue; }
      model.forward(obs, i * F, out, 0);
      env.actions[i] = sampleMasked(out, 0, model.actions, null, 0, rng);
    }
    ({ obs, infos } = env.step());
    for (let e = 0; e < env.numEnvs; e++) {
      if (!infos.episode.done[e] || recorded[e]) continue;
      recorded[e] = 1;
      ended.add(mapfEpisodeMetrics(infos, e));
    }
  }
  return ended.mean();
}

if (isMainModule(import.meta.url)) {
  const opts: A2COptions = trainerArgs({ updates: 300, envs: 64 });
  const evalOpts: A2COptions = { ...opts, numEnvs: 256, seed: opts.seed! + 1_000_000 };
  const show = (m: Record<string, number>): string =>
    Object.keys(m).length === 0 ? 'no episode ended' : Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ');
  console.log(`random policy:  ${show(evaluateMapf(null, evalOpts))}`);
  let window = new MetricMeans(), steps = 0, seconds = 0; // over the updates since the last line printed
  const model = trainMapfA2C({
    ...opts,
    onUpdate: (s) => {
      window.merge(s.ended);
      steps += s.envSteps; seconds += s.seconds;
      if ((s.update + 1) % 25 !== 0 && s.update + 1 !== opts.updates) return;
      console.log(`update ${String(s.update + 1).padStart(4)}  episodes ${String(window.episodes).padStart(4)}  ` +
        `${show(window.mean())}  entropy ${s.entropy.toFixed(3)}  ${Math.round(steps / seconds)} env-steps/s (policy included)`);
      window = new MetricMeans(); steps = seconds = 0;
    },
  });
  console.log(`trained policy: ${show(evaluateMapf(model, evalOpts))}  (256 unseen envs)`);
}
