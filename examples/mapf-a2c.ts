/**
 * A small trainer for MAPF-v0 written against the public API only: advantage actor-critic (A2C)
 * with generalized advantage estimation, over short rollouts of a whole batch, with one linear
 * policy and value shared by every agent (parameter sharing, as POGEMA's baselines train).
 *
 * It shows what a trainer needs from a batch: the staging buffer for actions, the agent mask taken
 * *before* a step to know who acted on it, the `finish`-mode flags (bootstrap only where
 * `truncations` is 1 and `terminations` is 0), `keepFinalObs` for the value of a truncated
 * episode's last observation under same-step autoreset, and POGEMA's metrics from `infos.episode`.
 *
 * Run it after `npm install`: `npm run example:mapf-a2c -- --updates 300`. In your own project,
 * import from `'manyworlds'` instead of `'../src/index.js'`.
 * @module
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CounterRng, make, mapfEpisodeMetrics, type MapfConfig } from '../src/index.js';

/** Options of {@link trainMapfA2C} and {@link evaluateMapf}. */
export interface A2COptions {
  /** Envs stepped together (default 64). */
  numEnvs?: number;
  /** Seed of the batch and of the action sampling (default 1). */
  seed?: number;
  /** MAPF-v0 config (default: 16×16 random maps, density 0.2, 8 agents, r 5, 64 steps, uint8). */
  config?: MapfConfig;
  /** Gradient updates (default 200); each follows `rolloutSteps` steps of the whole batch. */
  updates?: number;
  /** Steps per rollout (default 16). */
  rolloutSteps?: number;
  /** Adam step size (default 0.02). */
  learningRate?: number;
  /** Discount (default 0.97) and GAE λ (default 0.95). */
  gamma?: number;
  lambda?: number;
  /** Weight of the entropy bonus (default 0.01) and of the value loss (default 0.5). */
  entropyCoef?: number;
  valueCoef?: number;
  /** Called after each update with its statistics. */
  onUpdate?: (stats: UpdateStats) => void;
}

/** What one update saw and did. */
export interface UpdateStats {
  update: number;
  /** Episodes that ended during this update's rollout, and their mean ISR and CSR (NaN if none). */
  episodes: number;
  isr: number;
  csr: number;
  /** Mean policy entropy over the agent-steps of the rollout (nats; ln 5 ≈ 1.609 is uniform). */
  entropy: number;
  /** Env-steps per second of the rollout and update together. */
  envStepsPerSecond: number;
}

const NUM_ACTIONS = 5;
const OUTPUTS = NUM_ACTIONS + 1; // five action logits, then the value

/** The default task: small random maps that a linear policy learns within seconds. */
export const DEFAULT_A2C_CONFIG: MapfConfig = {
  numAgents: 8, size: 16, density: 0.2, obsRadius: 5, maxEpisodeSteps: 64, obsDtype: 'uint8',
};

/**
 * A linear actor-critic over one agent's observation (its `[3, 2r+1, 2r+1]` 0/1 values and a
 * bias): `OUTPUTS` weights per feature, so a forward pass adds one row of 6 per nonzero input.
 */
export class LinearActorCritic {
  /** `[features + 1, 6]` weights: five action logits and the value per input, the bias last. */
  readonly weights: Float64Array;
  constructor(readonly features: number) {
    this.weights = new Float64Array((features + 1) * OUTPUTS);
  }

  /** Writes the 6 outputs for the observation at `obs[offset .. offset + features)` into `out[at ..]`. */
  forward(obs: ArrayLike<number>, offset: number, out: Float64Array, at: number): void {
    const w = this.weights;
    const bias = this.features * OUTPUTS;
    for (let k = 0; k < OUTPUTS; k++) out[at + k] = w[bias + k];
    for (let i = 0; i < this.features; i++) {
      const x = obs[offset + i];
      if (x === 0) continue;
      for (let k = 0; k < OUTPUTS; k++) out[at + k] += x * w[i * OUTPUTS + k];
    }
  }

  /** Samples an action from the logits at `out[at ..]`, leaving the probabilities there. */
  static sample(out: Float64Array, at: number, rng: CounterRng): number {
    let max = -Infinity, sum = 0;
    for (let k = 0; k < NUM_ACTIONS; k++) max = Math.max(max, out[at + k]);
    for (let k = 0; k < NUM_ACTIONS; k++) sum += out[at + k] = Math.exp(out[at + k] - max);
    for (let k = 0; k < NUM_ACTIONS; k++) out[at + k] /= sum;
    let u = rng.uniform();
    for (let k = 0; k < NUM_ACTIONS - 1; k++) {
      u -= out[at + k];
      if (u < 0) return k;
    }
    return NUM_ACTIONS - 1;
  }
}

/** Adam on a flat parameter vector (gradient ascent). */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(size: number, private readonly lr: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
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
  valueStride: number;
  valueAt: number;
  /** Value of what follows each step: the next observation's, a truncated episode's final one, or 0. */
  nextValues: ArrayLike<number>;
  /** 1 where the slot acts again on the next step of the same episode. */
  cont: ArrayLike<number>;
  /** 1 where the slot acted on the step (its agent mask before the step). */
  acted: ArrayLike<number>;
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

/** Trains a {@link LinearActorCritic} on MAPF-v0 and returns it. */
export function trainMapfA2C(options: A2COptions = {}): LinearActorCritic {
  const seed = options.seed ?? 1, T = options.rolloutSteps ?? 16;
  const gamma = options.gamma ?? 0.97, lambda = options.lambda ?? 0.95;
  const entropyCoef = options.entropyCoef ?? 0.01, valueCoef = options.valueCoef ?? 0.5;
  using env = make('MAPF-v0', {
    numEnvs: options.numEnvs ?? 64, seed, keepFinalObs: true, config: options.config ?? DEFAULT_A2C_CONFIG,
  });
  const A = env.numAgents, N = env.numEnvs * A; // agent slots of the batch
  const F = env.singleObservationSpace.shape.reduce((a, b) => a * b, 1);
  const model = new LinearActorCritic(F);
  const adam = new Adam(model.weights.length, options.learningRate ?? 0.02);
  const rng = new CounterRng(seed, 0x7a2c);
  // Rollout storage, [T, N, ...]: what each agent saw, did and got.
  const obsBuf = new Uint8Array(T * N * F), outBuf = new Float64Array(T * N * OUTPUTS);
  const actBuf = new Int32Array(T * N), acted = new Uint8Array(T * N), cont = new Uint8Array(T * N);
  const rewBuf = new Float64Array(T * N), nextValue = new Float64Array(T * N), adv = new Float64Array(T * N);
  const grad = new Float64Array(model.weights.length);
  const finalOut = new Float64Array(OUTPUTS);

  let { obs, infos } = env.reset();
  let out = new Float64Array(N * OUTPUTS); // outputs for the current observations
  let next = new Float64Array(N * OUTPUTS); // and for the ones a step returns
  for (let i = 0; i < N; i++) model.forward(obs, i * F, out, i * OUTPUTS);
  for (let update = 0; update < (options.updates ?? 200); update++) {
    const started = performance.now();
    let episodes = 0, isrSum = 0, csrSum = 0;
    for (let t = 0; t < T; t++) {
      const row = t * N;
      obsBuf.set(obs, row * F);
      acted.set(infos.agentMask, row); // who acts on this step: the mask from before it
      for (let i = 0; i < N; i++) {
        const a = acted[row + i] ? LinearActorCritic.sample(out, i * OUTPUTS, rng) : 0;
        actBuf[row + i] = a;
        env.actions[i] = a;
      }
      outBuf.set(out, row * OUTPUTS);
      const step = env.step();
      ({ obs, infos } = step);
      for (let i = 0; i < N; i++) model.forward(obs, i * F, next, i * OUTPUTS);
      for (let e = 0; e < env.numEnvs; e++) {
        const ended = infos.episode.done[e] === 1;
        if (ended) {
          const m = mapfEpisodeMetrics(infos, e);
          episodes += 1; isrSum += m.ISR; csrSum += m.CSR;
        }
        for (let a = 0; a < A; a++) {
          const i = e * A + a;
          rewBuf[row + i] = step.rewards[i];
          // Same episode, agent still acting: the next value is the next observation's. A finished
          // agent (finish mode) or a terminated episode has none; a truncated one is bootstrapped
          // from its final observation (the batch already shows the next episode's first).
          cont[row + i] = !ended && infos.agentMask[i] === 1 ? 1 : 0;
          if (cont[row + i]) nextValue[row + i] = next[i * OUTPUTS + NUM_ACTIONS];
          else if (ended && step.truncations[i] && !step.terminations[i]) {
            model.forward(infos.finalObs!, i * F, finalOut, 0);
            nextValue[row + i] = finalOut[NUM_ACTIONS];
          } else nextValue[row + i] = 0;
        }
      }
      [out, next] = [next, out];
    }
    const count = generalizedAdvantages({ rewards: rewBuf, values: outBuf, valueStride: OUTPUTS, valueAt: NUM_ACTIONS,
      nextValues: nextValue, cont, acted, steps: T, slots: N, gamma, lambda }, adv);
    let mean = 0, sq = 0, entropy = 0;
    for (let j = 0; j < T * N; j++) if (acted[j]) { mean += adv[j]; sq += adv[j] * adv[j]; }
    mean /= Math.max(count, 1);
    const std = Math.sqrt(Math.max(sq / Math.max(count, 1) - mean * mean, 0)) + 1e-8;
    // The gradient of adv·log π(a) + entropyCoef·H − valueCoef/2·(return − V)², summed over the
    // nonzero inputs of each sample.
    grad.fill(0);
    const g = new Float64Array(OUTPUTS);
    for (let j = 0; j < T * N; j++) {
      if (!acted[j]) continue;
      const o = j * OUTPUTS, a = actBuf[j];
      const normAdv = (adv[j] - mean) / std;
      let h = 0;
      for (let k = 0; k < NUM_ACTIONS; k++) { const p = outBuf[o + k]; if (p > 0) h -= p * Math.log(p); }
      entropy += h;
      for (let k = 0; k < NUM_ACTIONS; k++) {
        const p = outBuf[o + k];
        g[k] = normAdv * ((k === a ? 1 : 0) - p) - entropyCoef * p * (Math.log(Math.max(p, 1e-12)) + h);
      }
      g[NUM_ACTIONS] = valueCoef * adv[j]; // (return − V) = advantage before normalization
      const base = j * F;
      for (let f = 0; f < F; f++) {
        const x = obsBuf[base + f];
        if (x === 0) continue;
        for (let k = 0; k < OUTPUTS; k++) grad[f * OUTPUTS + k] += x * g[k];
      }
      for (let k = 0; k < OUTPUTS; k++) grad[F * OUTPUTS + k] += g[k];
    }
    for (let k = 0; k < grad.length; k++) grad[k] /= Math.max(count, 1);
    adam.ascend(model.weights, grad);
    // The policy changed: recompute the outputs for the observations the next rollout starts from.
    for (let i = 0; i < N; i++) model.forward(obs, i * F, out, i * OUTPUTS);
    options.onUpdate?.({
      update, episodes, isr: isrSum / episodes, csr: csrSum / episodes, entropy: entropy / Math.max(count, 1),
      envStepsPerSecond: (T * env.numEnvs) / ((performance.now() - started) / 1000),
    });
  }
  return model;
}

/**
 * Plays one episode in each of `numEnvs` envs (seeded from `seed`) with the model's sampled
 * actions, or uniformly random ones when `model` is null, and returns the mean ISR and CSR.
 */
export function evaluateMapf(model: LinearActorCritic | null, options: A2COptions = {}): { isr: number; csr: number } {
  const seed = options.seed ?? 1;
  using env = make('MAPF-v0', { numEnvs: options.numEnvs ?? 64, seed, config: options.config ?? DEFAULT_A2C_CONFIG });
  const A = env.numAgents, F = env.singleObservationSpace.shape.reduce((a, b) => a * b, 1);
  const rng = new CounterRng(seed, 0xe7a1);
  const out = new Float64Array(OUTPUTS);
  const recorded = new Uint8Array(env.numEnvs);
  let { obs, infos } = env.reset(), left = env.numEnvs, isr = 0, csr = 0;
  while (left > 0) {
    for (let i = 0; i < env.numEnvs * A; i++) {
      if (!infos.agentMask[i]) { env.actions[i] = 0; continue; }
      if (model === null) { env.actions[i] = rng.below(NUM_ACTIONS); continue; }
      model.forward(obs, i * F, out, 0);
      env.actions[i] = LinearActorCritic.sample(out, 0, rng);
    }
    ({ obs, infos } = env.step());
    for (let e = 0; e < env.numEnvs; e++) {
      if (!infos.episode.done[e] || recorded[e]) continue;
      const m = mapfEpisodeMetrics(infos, e);
      recorded[e] = 1; left -= 1; isr += m.ISR; csr += m.CSR;
    }
  }
  return { isr: isr / env.numEnvs, csr: csr / env.numEnvs };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { updates: { type: 'string', default: '300' }, envs: { type: 'string', default: '64' }, seed: { type: 'string', default: '1' } },
  });
  const opts: A2COptions = { updates: Number(values.updates), numEnvs: Number(values.envs), seed: Number(values.seed) };
  const evalOpts: A2COptions = { ...opts, numEnvs: 256, seed: opts.seed! + 1_000_000 };
  const before = evaluateMapf(null, evalOpts);
  console.log(`random policy:  ISR ${before.isr.toFixed(3)}  CSR ${before.csr.toFixed(3)}`);
  let episodes = 0, isr = 0, csr = 0; // over the updates since the last line printed
  const model = trainMapfA2C({
    ...opts,
    onUpdate: (s) => {
      if (s.episodes > 0) { episodes += s.episodes; isr += s.isr * s.episodes; csr += s.csr * s.episodes; }
      if ((s.update + 1) % 25 !== 0 && s.update + 1 !== opts.updates) return;
      console.log(`update ${String(s.update + 1).padStart(4)}  episodes ${String(episodes).padStart(4)}  ` +
        `ISR ${(isr / episodes).toFixed(3)}  CSR ${(csr / episodes).toFixed(3)}  entropy ${s.entropy.toFixed(3)}  ` +
        `${Math.round(s.envStepsPerSecond)} env-steps/s (policy included)`);
      episodes = isr = csr = 0;
    },
  });
  const after = evaluateMapf(model, evalOpts);
  console.log(`trained policy: ISR ${after.isr.toFixed(3)}  CSR ${after.csr.toFixed(3)}  (256 unseen envs)`);
}
