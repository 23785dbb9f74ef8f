/**
 * `manyworlds rollout`: steps a batch with a scripted policy and reports throughput and episode
 * statistics (MAPF-v0, every `Volleyball-<Task>-v0`, and RideDispatch-v0).
 * @module
 */

import { make } from '../make.js';
import type { VectorEnv } from '../core/vector-env.js';
import type { MapfInfos } from '../envs/mapf/infos.js';
import { MAPF_METRICS_BY_MODE } from '../envs/mapf/infos.js';
import type { VolleyballInfos } from '../envs/volleyball/infos.js';
import { VB_METRIC_SLOTS } from '../envs/volleyball/layout.js';
import { type VolleyballPolicyName, makeVolleyballPolicy } from '../envs/volleyball/policy.js';
import type { DispatchInfos } from '../envs/dispatch/infos.js';
import { DISPATCH_METRIC_NAMES } from '../envs/dispatch/layout.js';
import { type DispatchPolicyName, makeDispatchPolicy } from '../envs/dispatch/policy.js';
import { type OptionSpec, UsageError, formatOptions, parseArgs } from './args.js';
import {
  DISPATCH_ONLY_OPTIONS, DISPATCH_OPTIONS, ENV_OPTIONS, MAPF_ONLY_OPTIONS, dispatchArgsOf, dispatchMakeOptions, mapfMakeOptions,
  rejectOptions, requireEnv, resolveMap, volleyballMakeOptions,
} from './env-options.js';
import { type PolicyName, makePolicy } from './policies.js';
import { Progress } from './progress.js';

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  envs: { kind: { type: 'int', min: 1 }, meta: 'N', help: 'environments stepped together (default 1024)' },
  steps: {
    kind: { type: 'int', min: 1 }, meta: 'N',
    help: 'batched steps (default 512; volleyball: the task\'s episode cap, e.g. 800; RideDispatch: 2 episodes, 2 x horizon)',
  },
  ...ENV_OPTIONS,
  ...DISPATCH_OPTIONS,
  policy: {
    kind: { type: 'choice', choices: ['random', 'greedy', 'scripted', 'hover', 'hungarian', 'noop'] },
    help: 'MAPF: random|greedy (default random); volleyball: scripted|hover|random (default scripted); RideDispatch: greedy|hungarian|random|noop (default greedy)',
  },
  'obs-dtype': { kind: { type: 'choice', choices: ['float32', 'uint8'] }, help: 'observation dtype (MAPF; default float32)' },
  substeps: { kind: { type: 'int', min: 1, max: 16 }, meta: 'N', help: 'volleyball: physics substeps per 20 ms step (default 1)' },
  'max-episode-steps': { kind: { type: 'int', min: 1 }, meta: 'N', help: 'volleyball: truncate episodes after N steps (default: the task\'s)' },
  json: { kind: { type: 'flag' }, help: 'print a JSON summary only' },
};

/** Options that only the volleyball envs take. */
const VOLLEYBALL_ONLY = ['substeps', 'max-episode-steps'];
/** Policies of each family. */
const POLICIES = {
  mapf: ['random', 'greedy'], volleyball: ['scripted', 'hover', 'random'], dispatch: ['greedy', 'hungarian', 'random', 'noop'],
} as const;

/** Rejects a `--policy` the family of `id` does not have. */
function checkPolicy(id: string, family: keyof typeof POLICIES, policy: unknown): void {
  const allowed: readonly string[] = POLICIES[family];
  if (policy !== undefined && !allowed.includes(policy as string)) {
    throw new UsageError(`rollout: --policy for ${id} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, got '${String(policy)}'`);
  }
}

/** Help text of `rollout`. */
export const ROLLOUT_HELP = `usage: manyworlds rollout [ID] [options]

Steps ID (default MAPF-v0) with a scripted policy and prints throughput and episode statistics.
Timing covers the step loop only (not make() or reset()).

Volleyball-<Task>-v0 ids: the policy is scripted (a flight controller per drone that intercepts
and strikes the ball; default), hover or random; throughput is in env-steps/s and drone-steps/s,
and every task metric is averaged over the finished episodes where it is defined.
RideDispatch-v0: the policy is greedy (nearest free vehicle per order, slot by slot; default),
hungarian (the assignment matching most orders at least total pickup ETA), random (uniform over
each vehicle's valid actions) or noop; greedy and hungarian make the env with
pairInsertionCost: true (they read the pickup ETAs). Throughput is in env-steps/s and
vehicle-steps/s; the service rate, pickup and detour minutes and revenue (--json: every metric)
are averaged over the finished episodes.
--agents, --map, --collision, --on-target and --obs-dtype are for MAPF-v0 only; --substeps and
--max-episode-steps for volleyball only; --vehicles, --capacity and --slots for RideDispatch-v0 only.

options:
${formatOptions(OPTIONS)}`;

/** What `rollout` measured (also its `--json` output). */
export interface RolloutSummary {
  /** Env id. */
  env: string;
  /** Batch shape and length. */
  numEnvs: number;
  numAgents: number;
  steps: number;
  /** Map name or file. */
  map: string;
  policy: PolicyName;
  /** Backend and threads actually used. */
  backend: string;
  numThreads: number;
  /** Resolved env config. */
  collisionSystem: string;
  onTarget: string;
  obsDtype: string;
  seed: number;
  /** Seconds inside `step()` calls and in the whole step loop (policy and bookkeeping included). */
  seconds: { step: number; loop: number };
  /** Throughput of the `step()` calls alone. */
  envStepsPerSec: number;
  /** `envStepsPerSec` × agents. */
  agentStepsPerSec: number;
  /** Throughput of the whole loop, policy included. */
  loopEnvStepsPerSec: number;
  loopAgentStepsPerSec: number;
  /** Episodes that ended during the loop. */
  episodes: number;
  /** Mean over finished episodes of the agents' mean undiscounted return. */
  meanReturn: number | null;
  /** Mean episode length in steps over finished episodes. */
  meanLength: number | null;
  /** Mean of each metric of the mode over the finished episodes where it is defined. */
  metrics: Record<string, number | null>;
}

const mean = (sum: number, n: number): number | null => (n > 0 ? sum / n : null);
const fmt = (v: number | null, digits = 3): string => (v === null ? 'n/a' : v.toFixed(digits));

function si(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(0);
}

/** Runs `rollout` with the words after the command; returns the exit code. */
export async function rolloutCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArgs('rollout', args, OPTIONS, 1);
  if (parsed.help) {
    process.stdout.write(`${ROLLOUT_HELP}\n`);
    return 0;
  }
  const o = parsed.options;
  const id = parsed.positionals[0] ?? 'MAPF-v0';
  const numEnvs = (o.envs as number | undefined) ?? 1024;
  const family = requireEnv('rollout', id);
  checkPolicy(id, family, o.policy);
  if (family === 'volleyball') return volleyballRollout(id, o, numEnvs, o.steps as number | undefined);
  if (family === 'dispatch') return dispatchRollout(id, o, numEnvs, o.steps as number | undefined);
  const steps = (o.steps as number | undefined) ?? 512;
  rejectOptions('rollout', id, o, [...VOLLEYBALL_ONLY, ...DISPATCH_ONLY_OPTIONS]);
  const policyName = ((o.policy as string | undefined) ?? 'random') as PolicyName;
  const json = o.json === true;
  const map = resolveMap(o.map as string | undefined);
  const makeOpts = mapfMakeOptions({
    numEnvs, agents: o.agents as number | undefined, seed: o.seed as number | undefined, threads: o.threads as number | undefined,
    collision: o.collision as string | undefined, onTarget: o['on-target'] as string | undefined, obsDtype: o['obs-dtype'] as string | undefined,
  }, map);

  const env = make('MAPF-v0', makeOpts);
  try {
    return runRollout(env, { id, numEnvs, steps, policyName, json, mapLabel: map.label, mapSize: `${map.grid.height}x${map.grid.width}` });
  } finally {
    env.close();
  }
}

interface RolloutPlan { id: string; numEnvs: number; steps: number; policyName: PolicyName; json: boolean; mapLabel: string; mapSize: string }

function runRollout(env: VectorEnv, plan: RolloutPlan): number {
  const { id, numEnvs, steps, policyName, json } = plan;
  const cfg = env.metadata.config as { obsRadius: number; onTarget: keyof typeof MAPF_METRICS_BY_MODE; collisionSystem: string; obsDtype: string };
  const A = env.numAgents;
  const policy = makePolicy(policyName, env, env.metadata.seed, cfg.obsRadius);
  const { obs: obs0, infos: infos0 } = env.reset();
  const infos = infos0 as MapfInfos;
  const { done, length, metrics, metricNames } = infos.episode;
  const ret = infos.episode.return;
  const M = metricNames.length;
  const wanted = MAPF_METRICS_BY_MODE[cfg.onTarget].map((name) => ({ name, slot: metricNames.indexOf(name), sum: 0, n: 0 }));
  let episodes = 0, sumReturn = 0, sumLength = 0, stepSeconds = 0;
  const progress = new Progress(`rollout ${numEnvs}x${A}`, steps, process.stderr, !json);

  const loopStart = performance.now();
  let obs = obs0;
  for (let t = 0; t < steps; t++) {
    policy(obs, infos);
    const t0 = performance.now();
    obs = env.step().obs;
    stepSeconds += (performance.now() - t0) / 1000;
    for (let e = 0; e < numEnvs; e++) {
      if (!done[e]) continue;
      episodes++;
      sumLength += length[e];
      let r = 0;
      for (let a = 0; a < A; a++) r += ret[e * A + a];
      sumReturn += r / A;
      for (const m of wanted) {
        const v = metrics[e * M + m.slot];
        if (!Number.isNaN(v)) { m.sum += v; m.n++; }
      }
    }
    progress.update(t + 1);
  }
  const loopSeconds = (performance.now() - loopStart) / 1000;
  progress.finish();

  const summary: RolloutSummary = {
    env: id, numEnvs, numAgents: A, steps, map: plan.mapLabel, policy: policyName, backend: env.metadata.backend,
    numThreads: env.metadata.numThreads, collisionSystem: cfg.collisionSystem, onTarget: cfg.onTarget, obsDtype: cfg.obsDtype,
    seed: env.metadata.seed, seconds: { step: stepSeconds, loop: loopSeconds },
    envStepsPerSec: (numEnvs * steps) / stepSeconds, agentStepsPerSec: (numEnvs * A * steps) / stepSeconds,
    loopEnvStepsPerSec: (numEnvs * steps) / loopSeconds, loopAgentStepsPerSec: (numEnvs * A * steps) / loopSeconds,
    episodes, meanReturn: mean(sumReturn, episodes), meanLength: mean(sumLength, episodes),
    metrics: Object.fromEntries(wanted.map((m) => [m.name, mean(m.sum, m.n)])),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const s = summary;
  const lines = [
    `${s.env} rollout: ${s.numEnvs} envs x ${s.numAgents} agents, ${s.steps} steps, map ${s.map} (${plan.mapSize}), policy ${s.policy}`,
    `  backend ${s.backend}, ${s.numThreads} thread(s), collision ${s.collisionSystem}, onTarget ${s.onTarget}, obs ${s.obsDtype}, seed ${s.seed}`,
    `throughput (step() only): ${si(s.envStepsPerSec)} env-steps/s, ${si(s.agentStepsPerSec)} agent-steps/s (${s.seconds.step.toFixed(3)} s in step())`,
    `throughput (with policy): ${si(s.loopEnvStepsPerSec)} env-steps/s, ${si(s.loopAgentStepsPerSec)} agent-steps/s (${s.seconds.loop.toFixed(3)} s loop)`,
    `episodes finished:        ${s.episodes}`,
    `mean episode return:      ${fmt(s.meanReturn, 4)}`,
    `mean episode length:      ${fmt(s.meanLength, 2)}`,
    `${`metrics (${s.onTarget}):`.padEnd(26)}${Object.entries(s.metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** What `rollout` measured on a volleyball env (also its `--json` output). */
export interface VolleyballRolloutSummary {
  /** Env id. */
  env: string;
  /** Environments in the batch. */
  numEnvs: number;
  /** Drones per env. */
  numAgents: number;
  /** Batched steps taken. */
  steps: number;
  /** Policy used. */
  policy: VolleyballPolicyName;
  /** Backend actually used. */
  backend: string;
  /** Threads actually used. */
  numThreads: number;
  /** Base seed. */
  seed: number;
  /** Resolved env config (task, action mode, substeps, episode cap, ...). */
  config: Record<string, unknown>;
  /** Seconds inside `step()` calls and in the whole step loop (policy and bookkeeping included). */
  seconds: { step: number; loop: number };
  /** Throughput of the `step()` calls alone. */
  envStepsPerSec: number;
  /** `envStepsPerSec` × drones. */
  droneStepsPerSec: number;
  /** Env-steps/s of the whole loop, policy included. */
  loopEnvStepsPerSec: number;
  /** Drone-steps/s of the whole loop, policy included. */
  loopDroneStepsPerSec: number;
  /** Episodes that ended during the loop. */
  episodes: number;
  /** Mean over finished episodes of the drones' mean undiscounted return. */
  meanReturn: number | null;
  /** Mean episode length in steps over finished episodes. */
  meanLength: number | null;
  /** Mean of each task metric over the finished episodes where it is defined (not NaN). */
  metrics: Record<string, number | null>;
}

/** `rollout` for a `Volleyball-<Task>-v0` id; returns the exit code. */
function volleyballRollout(id: string, o: Record<string, number | string | boolean | undefined>, numEnvs: number, stepsArg: number | undefined): number {
  rejectOptions('rollout', id, o, [...MAPF_ONLY_OPTIONS, ...DISPATCH_ONLY_OPTIONS]);
  const policyName = ((o.policy as string | undefined) ?? 'scripted') as VolleyballPolicyName;
  const json = o.json === true;
  const env = make(id, volleyballMakeOptions({
    numEnvs, seed: o.seed as number | undefined, threads: o.threads as number | undefined,
    substeps: o.substeps as number | undefined, maxEpisodeSteps: o['max-episode-steps'] as number | undefined,
  }));
  try {
    const steps = stepsArg ?? (env.metadata.config as { maxEpisodeSteps: number }).maxEpisodeSteps;
    const s = runVolleyballRollout(env, policyName, steps, json);
    if (json) {
      process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      return 0;
    }
    const cfg = s.config as { task: string; actionMode: string; substeps: number; maxEpisodeSteps: number };
    const lines = [
      `${s.env} rollout: ${s.numEnvs} envs x ${s.numAgents} drone(s), ${s.steps} steps, policy ${s.policy}`,
      `  backend ${s.backend}, ${s.numThreads} thread(s), actions ${cfg.actionMode}, substeps ${cfg.substeps}, episodes cut at ${cfg.maxEpisodeSteps} steps, seed ${s.seed}`,
      `throughput (step() only): ${si(s.envStepsPerSec)} env-steps/s, ${si(s.droneStepsPerSec)} drone-steps/s (${s.seconds.step.toFixed(3)} s in step())`,
      `throughput (with policy): ${si(s.loopEnvStepsPerSec)} env-steps/s, ${si(s.loopDroneStepsPerSec)} drone-steps/s (${s.seconds.loop.toFixed(3)} s loop)`,
      `episodes finished:        ${s.episodes}`,
      `mean episode return:      ${fmt(s.meanReturn, 4)}`,
      `mean episode length:      ${fmt(s.meanLength, 2)}`,
      `${'metrics (mean):'.padEnd(26)}${Object.entries(s.metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    env.close();
  }
}

/** Steps a volleyball batch `steps` times with `policyName`; returns the summary. */
export function runVolleyballRollout(env: VectorEnv, policyName: VolleyballPolicyName, steps: number, quiet = false): VolleyballRolloutSummary {
  const E = env.numEnvs, A = env.numAgents;
  const policy = makeVolleyballPolicy(policyName, env, env.metadata.seed);
  const r = env.reset();
  const infos = r.infos as VolleyballInfos;
  let obs = r.obs as Float32Array;
  const { done, length, metrics, metricNames } = infos.episode;
  const ret = infos.episode.return;
  const sums = metricNames.map((name, slot) => ({ name, slot, sum: 0, n: 0 }));
  let episodes = 0, sumReturn = 0, sumLength = 0, stepSeconds = 0;
  const progress = new Progress(`rollout ${E}x${A}`, steps, process.stderr, !quiet);
  const loopStart = performance.now();
  for (let t = 0; t < steps; t++) {
    policy(infos, obs);
    const t0 = performance.now();
    obs = env.step().obs as Float32Array;
    stepSeconds += (performance.now() - t0) / 1000;
    for (let e = 0; e < E; e++) {
      if (!done[e]) continue;
      episodes++;
      sumLength += length[e];
      let sum = 0;
      for (let a = 0; a < A; a++) sum += ret[e * A + a];
      sumReturn += sum / A;
      for (const m of sums) {
        const v = metrics[e * VB_METRIC_SLOTS + m.slot];
        if (!Number.isNaN(v)) { m.sum += v; m.n++; }
      }
    }
    progress.update(t + 1);
  }
  const loopSeconds = (performance.now() - loopStart) / 1000;
  progress.finish();
  return {
    env: env.id, numEnvs: E, numAgents: A, steps, policy: policyName, backend: env.metadata.backend,
    numThreads: env.metadata.numThreads, seed: env.metadata.seed, config: { ...(env.metadata.config as Record<string, unknown>) },
    seconds: { step: stepSeconds, loop: loopSeconds },
    envStepsPerSec: (E * steps) / stepSeconds, droneStepsPerSec: (E * A * steps) / stepSeconds,
    loopEnvStepsPerSec: (E * steps) / loopSeconds, loopDroneStepsPerSec: (E * A * steps) / loopSeconds,
    episodes, meanReturn: mean(sumReturn, episodes), meanLength: mean(sumLength, episodes),
    metrics: Object.fromEntries(sums.map((m) => [m.name, mean(m.sum, m.n)])),
  };
}

/** What `rollout` measured on RideDispatch-v0 (also its `--json` output). */
export interface DispatchRolloutSummary {
  /** Env id. */
  env: string;
  /** Environments in the batch. */
  numEnvs: number;
  /** Vehicles per env. */
  numAgents: number;
  /** Batched steps taken. */
  steps: number;
  /** Policy used. */
  policy: DispatchPolicyName;
  /** Backend actually used. */
  backend: string;
  /** Threads actually used. */
  numThreads: number;
  /** Base seed. */
  seed: number;
  /** Resolved env config (`env.metadata.config`: vehicles, capacity, slots, horizon, ...). */
  config: Record<string, unknown>;
  /** Seconds inside `step()` calls and in the whole step loop (policy and bookkeeping included). */
  seconds: { step: number; loop: number };
  /** Throughput of the `step()` calls alone. */
  envStepsPerSec: number;
  /** `envStepsPerSec` × vehicles. */
  vehicleStepsPerSec: number;
  /** Env-steps/s of the whole loop, policy included. */
  loopEnvStepsPerSec: number;
  /** Vehicle-steps/s of the whole loop, policy included. */
  loopVehicleStepsPerSec: number;
  /** Episodes that ended during the loop. */
  episodes: number;
  /** Mean over finished episodes of the vehicles' mean undiscounted return. */
  meanReturn: number | null;
  /** Mean episode length in steps over finished episodes. */
  meanLength: number | null;
  /** Mean of each metric (`DISPATCH_METRIC_NAMES`) over the finished episodes where it is defined (not NaN). */
  metrics: Record<string, number | null>;
}

/** `rollout` for RideDispatch-v0; returns the exit code. */
function dispatchRollout(id: string, o: Record<string, number | string | boolean | undefined>, numEnvs: number, stepsArg: number | undefined): number {
  rejectOptions('rollout', id, o, [...MAPF_ONLY_OPTIONS, ...VOLLEYBALL_ONLY]);
  const policyName = ((o.policy as string | undefined) ?? 'greedy') as DispatchPolicyName;
  const json = o.json === true;
  const env = make(id, dispatchMakeOptions(dispatchArgsOf(o, numEnvs, policyName)));
  try {
    const steps = stepsArg ?? 2 * (env.metadata.config as { horizon: number }).horizon;
    const s = runDispatchRollout(env, policyName, steps, json);
    if (json) {
      process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      return 0;
    }
    const cfg = s.config as { capacity: number; numSlots: number; numNeighbours: number; numZones: number; horizon: number };
    const m = s.metrics;
    const lines = [
      `${s.env} rollout: ${s.numEnvs} envs x ${s.numAgents} vehicles, ${s.steps} steps, policy ${s.policy}`,
      `  backend ${s.backend}, ${s.numThreads} thread(s), ${cfg.numZones} zones, capacity ${cfg.capacity}, ${cfg.numSlots} order slots, ` +
        `${cfg.numNeighbours} reposition targets, episodes of ${cfg.horizon} steps, seed ${s.seed}`,
      `throughput (step() only): ${si(s.envStepsPerSec)} env-steps/s, ${si(s.vehicleStepsPerSec)} vehicle-steps/s (${s.seconds.step.toFixed(3)} s in step())`,
      `throughput (with policy): ${si(s.loopEnvStepsPerSec)} env-steps/s, ${si(s.loopVehicleStepsPerSec)} vehicle-steps/s (${s.seconds.loop.toFixed(3)} s loop)`,
      `episodes finished:        ${s.episodes}`,
      `mean episode return:      ${fmt(s.meanReturn, 4)}`,
      `service rate:             ${fmt(m.serviceRate)} (${fmt(m.ordersServed, 1)} of ${fmt(m.ordersGenerated, 1)} orders per episode, ${fmt(m.ordersExpired, 1)} expired)`,
      `mean pickup / detour:     ${fmt(m.meanPickupMin, 2)} / ${fmt(m.meanDetourMin, 2)} min`,
      `mean revenue:             ${fmt(m.revenue, 2)} per episode`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    env.close();
  }
}

/**
 * Steps a RideDispatch-v0 batch `steps` times with `policyName` (`makeDispatchPolicy`; greedy and
 * hungarian need the env made with `pairInsertionCost: true`); returns the summary.
 */
export function runDispatchRollout(env: VectorEnv, policyName: DispatchPolicyName, steps: number, quiet = false): DispatchRolloutSummary {
  const E = env.numEnvs, V = env.numAgents;
  const policy = makeDispatchPolicy(policyName, env, env.metadata.seed);
  const r = env.reset();
  const infos = r.infos as DispatchInfos;
  let obs = r.obs as Float32Array;
  const { done, length, metrics } = infos.episode;
  const ret = infos.episode.return;
  const M = DISPATCH_METRIC_NAMES.length;
  const sums = DISPATCH_METRIC_NAMES.map((name, slot) => ({ name, slot, sum: 0, n: 0 }));
  let episodes = 0, sumReturn = 0, sumLength = 0, stepSeconds = 0;
  const progress = new Progress(`rollout ${E}x${V}`, steps, process.stderr, !quiet);
  const loopStart = performance.now();
  for (let t = 0; t < steps; t++) {
    policy(obs, infos);
    const t0 = performance.now();
    obs = env.step().obs as Float32Array;
    stepSeconds += (performance.now() - t0) / 1000;
    for (let e = 0; e < E; e++) {
      if (!done[e]) continue;
      episodes++;
      sumLength += length[e];
      let sum = 0;
      for (let a = 0; a < V; a++) sum += ret[e * V + a];
      sumReturn += sum / V;
      for (const m of sums) {
        const v = metrics[e * M + m.slot];
        if (!Number.isNaN(v)) { m.sum += v; m.n++; }
      }
    }
    progress.update(t + 1);
  }
  const loopSeconds = (performance.now() - loopStart) / 1000;
  progress.finish();
  return {
    env: env.id, numEnvs: E, numAgents: V, steps, policy: policyName, backend: env.metadata.backend,
    numThreads: env.metadata.numThreads, seed: env.metadata.seed, config: { ...(env.metadata.config as Record<string, unknown>) },
    seconds: { step: stepSeconds, loop: loopSeconds },
    envStepsPerSec: (E * steps) / stepSeconds, vehicleStepsPerSec: (E * V * steps) / stepSeconds,
    loopEnvStepsPerSec: (E * steps) / loopSeconds, loopVehicleStepsPerSec: (E * V * steps) / loopSeconds,
    episodes, meanReturn: mean(sumReturn, episodes), meanLength: mean(sumLength, episodes),
    metrics: Object.fromEntries(sums.map((m) => [m.name, mean(m.sum, m.n)])),
  };
}
