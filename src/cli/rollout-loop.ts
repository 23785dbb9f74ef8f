/**
 * The step loop that `manyworlds rollout` runs for every env family: a policy writes the actions,
 * `step()` is timed on its own, and the episodes that end are folded into means.
 * @module
 */

import type { VectorEnv } from '../core/vector-env.js';
import type { BatchInfos } from '../core/types.js';
import { Progress } from './progress.js';

/** What one rollout loop measured. */
export interface RolloutLoopStats {
  /** Seconds inside `step()` calls and in the whole step loop (policy and bookkeeping included). */
  seconds: { step: number; loop: number };
  /** Episodes that ended during the loop. */
  episodes: number;
  /** Mean over finished episodes of the agents' mean undiscounted return. */
  meanReturn: number | null;
  /** Mean episode length in steps over finished episodes. */
  meanLength: number | null;
  /** Mean of each requested metric over the finished episodes where it is defined (not NaN). */
  metrics: Record<string, number | null>;
}

/** Throughput of a loop as env-steps/s and agent-steps/s, of `step()` alone and of the whole loop. */
export interface RolloutRates {
  /** Env-steps/s of the `step()` calls alone. */
  envStepsPerSec: number;
  /** `envStepsPerSec` × agents per env. */
  agentStepsPerSec: number;
  /** Env-steps/s of the whole loop, policy included. */
  loopEnvStepsPerSec: number;
  /** Agent-steps/s of the whole loop, policy included. */
  loopAgentStepsPerSec: number;
}

/** The mean of `n` values that sum to `sum`, or null when there are none. */
const meanOf = (sum: number, n: number): number | null => (n > 0 ? sum / n : null);

/** `v` with `digits` decimals, or `n/a` for null. */
export const fmt = (v: number | null, digits = 3): string => (v === null ? 'n/a' : v.toFixed(digits));

/** `v` with an SI suffix (k, M, G) for the summary lines. */
export function si(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(0);
}

/** The rates of `steps` batched steps of `env` that took `seconds`. */
export function ratesOf(env: VectorEnv, steps: number, seconds: RolloutLoopStats['seconds']): RolloutRates {
  const envSteps = env.numEnvs * steps, agentSteps = envSteps * env.numAgents;
  return {
    envStepsPerSec: envSteps / seconds.step, agentStepsPerSec: agentSteps / seconds.step,
    loopEnvStepsPerSec: envSteps / seconds.loop, loopAgentStepsPerSec: agentSteps / seconds.loop,
  };
}

/**
 * When backend `'auto'` passed over an unavailable native backend, one line saying why (without the
 * list of paths tried); otherwise null. A run that is slower than it should be then says so.
 */
export function nativeSkippedNote(env: VectorEnv): string | null {
  const note = env.metadata.backendNotes.find((n) => n.startsWith('native: '));
  if (note === undefined || env.metadata.backend === 'native' || env.metadata.backend === 'cuda') return null;
  const reason = note.slice('native: '.length).replace(/\. Tried: .*$/s, '');
  return `manyworlds: running on ${env.metadata.backend}, not native: ${reason} (\`npx manyworlds list\` shows every backend)`;
}

/**
 * Resets `env`, then `steps` times lets `act` write the actions for the current observation and
 * steps the batch, with a progress bar on stderr unless `quiet`. `metricNames` picks which of the
 * env's episode metrics (`infos.episode.metricNames`) are averaged; all of them by default.
 */
export function runRolloutLoop(
  env: VectorEnv, steps: number, quiet: boolean,
  act: (obs: Float32Array | Uint8Array, infos: BatchInfos) => void, metricNames?: readonly string[],
): RolloutLoopStats {
  const E = env.numEnvs, A = env.numAgents;
  const first = env.reset();
  const infos = first.infos;
  const { done, length, metrics } = infos.episode;
  const ret = infos.episode.return;
  const M = metrics.length / E;  // metric slots per env ([E, M])
  const wanted = (metricNames ?? infos.episode.metricNames).map((name) => ({ name, slot: infos.episode.metricNames.indexOf(name), sum: 0, n: 0 }));
  let episodes = 0, sumReturn = 0, sumLength = 0, stepSeconds = 0;
  const skipped = quiet ? null : nativeSkippedNote(env);
  if (skipped !== null) process.stderr.write(`${skipped}\n`);
  const progress = new Progress(`rollout ${E}x${A}`, steps, process.stderr, !quiet);
  const loopStart = performance.now();
  let obs = first.obs;
  for (let t = 0; t < steps; t++) {
    act(obs, infos);
    const t0 = performance.now();
    obs = env.step().obs;
    stepSeconds += (performance.now() - t0) / 1000;
    for (let e = 0; e < E; e++) {
      if (!done[e]) continue;
      episodes++;
      sumLength += length[e];
      let sum = 0;
      for (let a = 0; a < A; a++) sum += ret[e * A + a];
      sumReturn += sum / A;
      for (const m of wanted) {
        const v = metrics[e * M + m.slot];
        if (!Number.isNaN(v)) { m.sum += v; m.n++; }
      }
    }
    progress.update(t + 1);
  }
  const loopSeconds = (performance.now() - loopStart) / 1000;
  progress.finish();
  return {
    seconds: { step: stepSeconds, loop: loopSeconds }, episodes,
    meanReturn: meanOf(sumReturn, episodes), meanLength: meanOf(sumLength, episodes),
    metrics: Object.fromEntries(wanted.map((m) => [m.name, meanOf(m.sum, m.n)])),
  };
}
