/**
 * A small trainer for MAPF-v0 written against the public API only: advantage actor-critic (A2C)
 * with generalized advantage estimation, over short rollouts of a whole batch, with one linear
 * policy and value shared by every agent (parameter sharing, as POGEMA's baselines train).
 *
 * It shows what a trainer needs from a batch: the staging buffer for actions, the agent mask taken
 * *before* a step to know who acted on it, the flags at an episode's end (bootstrap there only where
 * `truncations` is 1 and `terminations` is 0), `keepFinalObs` for the value of a truncated
 * episode's last observation under same-step autoreset, and POGEMA's metrics from `infos.episode`.
 * It is tuned for `onTarget: 'finish'` (the default); with `'nothing'` the one shared reward is too
 * sparse for it to learn anything.
 *
 * Run it after `npm install`: `npm run example:mapf-a2c -- --updates 300`. In your own project,
 * import from `'manyworlds'` instead of `'../src/index.js'`.
 * @module
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CounterRng, make, mapfEpisodeMetrics, type BackendName, type MapfConfig } from '../src/index.js';
import {
  Adam, LinearActorCritic, MetricMeans, advantageMoments, bootstrapTargets, entropyOf, generalizedAdvantages, type UpdateStats,
} from './a2c.js';

/** Options of {@link trainMapfA2C} and {@link evaluateMapf}. */
export interface A2COptions {
  /** Envs stepped together (default 64). */
  numEnvs?: number;
  /** Seed of the batch and of the action sampling (default 1). */
  seed?: number;
  /** MAPF-v0 config (default {@link DEFAULT_A2C_CONFIG}). */
  config?: MapfConfig;
  /** Backend of the batch (default `'auto'`). */
  backend?: BackendName | 'auto';
  /** Gradient updates (default 200); each follows `rolloutSteps` steps of the whole batch. */
  updates?: number;
  /** Steps per rollout (default 16). */
  rolloutSteps?: number;
  /** Adam step size (default 0.02). */
  learningRate?: number;
  /** Discount (default 0.97). */
  gamma?: number;
  /** GAE λ (default 0.95). */
  lambda?: number;
  /** Weight of the entropy bonus (default 0.01). */
  entropyCoef?: number;
  /** Called after each update with its statistics. */
  onUpdate?: (stats: UpdateStats) => void;
}

/** The default task: 16×16 random maps, density 0.2, 8 agents, r 5, 64 steps, uint8 observations. */
export const DEFAULT_A2C_CONFIG: MapfConfig = {
  numAgents: 8, size: 16, density: 0.2, obsRadius: 5, maxEpisodeSteps: 64, obsDtype: 'uint8',
};

/** Trains a {@link LinearActorCritic} on MAPF-v0 and returns it. */
export function trainMapfA2C(options: A2COptions = {}): LinearActorCritic {
  const seed = options.seed ?? 1, T = options.rolloutSteps ?? 16;
  const gamma = options.gamma ?? 0.97, lambda = options.lambda ?? 0.95, entropyCoef = options.entropyCoef ?? 0.01;
  using env = make('MAPF-v0', {
    numEnvs: options.numEnvs ?? 64, seed, backend: options.backend, keepFinalObs: true, config: options.config ?? DEFAULT_A2C_CONFIG,
  });
  const N = env.numEnvs * env.numAgents; // agent slots of the batch
  const F = env.obsSize;
  const model = new LinearActorCritic(F, env.singleActionSpace.n);
  const K = model.actions, O = model.outputs; // logits, then the value at index K
  const adam = new Adam(model.weights.length, options.learningRate ?? 0.02);
  const rng = new CounterRng(seed, 0x7a2c);
  // Rollout storage, [T, N, ...]: what each agent saw, did and got. MAPF observations are 0/1 in
  // either dtype, so bytes hold them exactly.
  const obsBuf = new Uint8Array(T * N * F), outBuf = new Float64Array(T * N * O);
  const actBuf = new Int32Array(T * N), acted = new Uint8Array(T * N), cont = new Uint8Array(T * N);
  const rewBuf = new Float32Array(T * N), nextValues = new Float64Array(T * N), adv = new Float64Array(T * N);
  const grad = new Float64Array(model.weights.length), g = new Float64Array(O), finalOut = new Float64Array(O);

  let { obs, infos } = env.reset();
  let out = new Float64Array(N * O); // outputs for the current observations
  let next = new Float64Array(N * O); // and for the ones a step returns
  // The value of slot i's observation in `source`: already computed for the step's own `obs`.
  const valueOf = (source: ArrayLike<number>, i: number): number => {
    if (source === obs) return next[i * O + K];
    model.forward(source, i * F, finalOut, 0);
    return finalOut[K];
  };
  for (let i = 0; i < N; i++) model.forward(obs, i * F, out, i * O);
  for (let update = 0; update < (options.updates ?? 200); update++) {
    const started = performance.now(), ended = new MetricMeans();
    for (let t = 0; t < T; t++) {
      const row = t * N;
      obsBuf.set(obs, row * F);
      acted.set(infos.agentMask, row); // who acts on this step: the mask from before it
      for (let i = 0; i < N; i++) {
        const a = acted[row + i] ? model.sample(out, i * O, rng) : 0;
        actBuf[row + i] = a;
        env.actions[i] = a;
      }
      outBuf.set(out, row * O);
      const step = env.step();
      ({ obs, infos } = step);
      rewBuf.set(step.rewards, row);
      for (let i = 0; i < N; i++) model.forward(obs, i * F, next, i * O);
      bootstrapTargets(step, valueOf, cont, nextValues, row);
      for (let e = 0; e < env.numEnvs; e++) if (infos.episode.done[e]) ended.add(mapfEpisodeMetrics(infos, e));
      [out, next] = [next, out];
    }
    const count = generalizedAdvantages({ rewards: rewBuf, values: outBuf, valueStride: O, valueAt: K,
      nextValues, cont, acted, steps: T, slots: N, gamma, lambda }, adv);
    const { mean, std } = advantageMoments(adv, acted);
    let entropy = 0;
    // The gradient of normAdv·log π(a) + entropyCoef·H − ½(return − V)², summed over the nonzero
    // inputs of each sample. The value column has weights of its own and Adam scales each weight's
    // step, so a weight on the value loss would change nothing.
    grad.fill(0);
    for (let j = 0; j < T * N; j++) {
      if (!acted[j]) continue;
      const o = j * O, a = actBuf[j];
      const normAdv = (adv[j] - mean) / std;
      const h = entropyOf(outBuf, o, K);
      entropy += h;
      for (let k = 0; k < K; k++) {
        const p = outBuf[o + k];
        g[k] = normAdv * ((k === a ? 1 : 0) - p) - entropyCoef * p * (Math.log(Math.max(p, 1e-12)) + h);
      }
      g[K] = adv[j]; // return − V: the advantage before normalization
      const base = j * F;
      for (let f = 0; f < F; f++) {
        const x = obsBuf[base + f];
        if (x === 0) continue;
        for (let k = 0; k < O; k++) grad[f * O + k] += x * g[k];
      }
      for (let k = 0; k < O; k++) grad[F * O + k] += g[k];
    }
    for (let k = 0; k < grad.length; k++) grad[k] /= Math.max(count, 1);
    adam.ascend(model.weights, grad);
    // The policy changed: recompute the outputs for the observations the next rollout starts from.
    for (let i = 0; i < N; i++) model.forward(obs, i * F, out, i * O);
    options.onUpdate?.({
      update, ended, entropy: entropy / Math.max(count, 1),
      envSteps: T * env.numEnvs, seconds: (performance.now() - started) / 1000,
    });
  }
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
      env.actions[i] = model.sample(out, 0, rng);
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

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { updates: { type: 'string', default: '300' }, envs: { type: 'string', default: '64' }, seed: { type: 'string', default: '1' } },
  });
  const int = (name: 'updates' | 'envs' | 'seed', min: number): number => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) { console.error(`--${name} must be an integer >= ${min}, got ${values[name]}`); process.exit(2); }
    return v;
  };
  const opts: A2COptions = { updates: int('updates', 1), numEnvs: int('envs', 1), seed: int('seed', 0) };
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
