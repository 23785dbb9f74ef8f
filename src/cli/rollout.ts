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
import { type VolleyballPolicyName, makeVolleyballPolicy } from '../envs/volleyball/policy.js';
import type { DispatchInfos } from '../envs/dispatch/infos.js';
import { type DispatchPolicyName, makeDispatchPolicy } from '../envs/dispatch/policy.js';
import { type OptionSpec, UsageError, formatOptions, parseArgs } from './args.js';
import {
  DISPATCH_ONLY_OPTIONS, DISPATCH_OPTIONS, ENV_OPTIONS, MAPF_ONLY_OPTIONS, dispatchArgsOf, dispatchMakeOptions, mapfMakeOptions,
  rejectOptions, requireEnv, resolveMap, volleyballMakeOptions,
} from './env-options.js';
import { type PolicyName, makePolicy } from './policies.js';
import { type RolloutLoopStats, type RolloutRates, fmt, ratesOf, runRolloutLoop, si } from './rollout-loop.js';

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
RideDispatch-v0: the policy is greedy (closest vehicle-order pair first, one order per vehicle; default),
hungarian (the assignment matching most orders at least total pickup ETA), random (uniform over
each vehicle's valid actions) or noop; greedy and hungarian make the env with
pairInsertionCost: true (they read the pickup ETAs). Throughput is in env-steps/s and
vehicle-steps/s; the service rate, pickup and detour minutes and revenue (--json: every metric)
are averaged over the finished episodes.
--agents, --map, --collision, --on-target and --obs-dtype are for MAPF-v0 only; --substeps and
--max-episode-steps for volleyball only; --vehicles, --capacity and --slots for RideDispatch-v0 only.

options:
${formatOptions(OPTIONS)}`;

/** What every `rollout` summary holds (also in its `--json` output). */
export interface RolloutSummaryBase extends RolloutLoopStats {
  /** Env id. */
  env: string;
  /** Environments in the batch. */
  numEnvs: number;
  /** Agents (MAPF agents, drones or vehicles) per env. */
  numAgents: number;
  /** Batched steps taken. */
  steps: number;
  /** Backend actually used. */
  backend: string;
  /** Threads actually used. */
  numThreads: number;
  /** Base seed. */
  seed: number;
  /** Env-steps/s of the `step()` calls alone. */
  envStepsPerSec: number;
  /** Env-steps/s of the whole loop, policy included. */
  loopEnvStepsPerSec: number;
}

/** What `rollout` measured on MAPF-v0 (also its `--json` output). */
export interface RolloutSummary extends RolloutSummaryBase {
  /** Map name or file. */
  map: string;
  /** Policy used. */
  policy: PolicyName;
  /** Resolved env config. */
  collisionSystem: string;
  onTarget: string;
  obsDtype: string;
  /** `envStepsPerSec` × agents. */
  agentStepsPerSec: number;
  /** Agent-steps/s of the whole loop, policy included. */
  loopAgentStepsPerSec: number;
}

/** What `rollout` measured on a volleyball env (also its `--json` output); its metrics are every task metric. */
export interface VolleyballRolloutSummary extends RolloutSummaryBase {
  /** Policy used. */
  policy: VolleyballPolicyName;
  /** Resolved env config (task, action mode, substeps, episode cap, ...). */
  config: Record<string, unknown>;
  /** `envStepsPerSec` × drones. */
  droneStepsPerSec: number;
  /** Drone-steps/s of the whole loop, policy included. */
  loopDroneStepsPerSec: number;
}

/** What `rollout` measured on RideDispatch-v0 (also its `--json` output); its metrics are `DISPATCH_METRIC_NAMES`. */
export interface DispatchRolloutSummary extends RolloutSummaryBase {
  /** Policy used. */
  policy: DispatchPolicyName;
  /** Resolved env config (`env.metadata.config`: vehicles, capacity, slots, horizon, ...). */
  config: Record<string, unknown>;
  /** `envStepsPerSec` × vehicles. */
  vehicleStepsPerSec: number;
  /** Vehicle-steps/s of the whole loop, policy included. */
  loopVehicleStepsPerSec: number;
}

/** The fields every summary shares, for `steps` steps of `env` reported as `id`, with their rates. */
function summaryBase(env: VectorEnv, id: string, steps: number, stats: RolloutLoopStats, rates: RolloutRates): RolloutSummaryBase {
  return {
    env: id, numEnvs: env.numEnvs, numAgents: env.numAgents, steps, backend: env.metadata.backend,
    numThreads: env.metadata.numThreads, seed: env.metadata.seed, envStepsPerSec: rates.envStepsPerSec,
    loopEnvStepsPerSec: rates.loopEnvStepsPerSec, ...stats,
  };
}

/**
 * The throughput and episode lines every summary prints; `unit` names the agents (agent, drone,
 * vehicle) whose steps/s are `agentRate` in `step()` and `loopAgentRate` over the whole loop.
 */
function summaryLines(s: RolloutSummaryBase, unit: string, agentRate: number, loopAgentRate: number): string[] {
  return [
    `throughput (step() only): ${si(s.envStepsPerSec)} env-steps/s, ${si(agentRate)} ${unit}-steps/s (${s.seconds.step.toFixed(3)} s in step())`,
    `throughput (with policy): ${si(s.loopEnvStepsPerSec)} env-steps/s, ${si(loopAgentRate)} ${unit}-steps/s (${s.seconds.loop.toFixed(3)} s loop)`,
    `episodes finished:        ${s.episodes}`,
    `mean episode return:      ${fmt(s.meanReturn, 4)}`,
  ];
}

/** Prints `summary` as JSON when `json`, else the lines `text` makes of it; returns the exit code. */
function report<S>(summary: S, json: boolean, text: (s: S) => string[]): number {
  process.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : `${text(summary).join('\n')}\n`);
  return 0;
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
    return runRollout(env, { id, steps, policyName, json, mapLabel: map.label, mapSize: map.size });
  } finally {
    env.close();
  }
}

interface RolloutPlan { id: string; steps: number; policyName: PolicyName; json: boolean; mapLabel: string; mapSize: string }

function runRollout(env: VectorEnv, plan: RolloutPlan): number {
  const { id, steps, policyName, json } = plan;
  const cfg = env.metadata.config as { obsRadius: number; onTarget: keyof typeof MAPF_METRICS_BY_MODE; collisionSystem: string; obsDtype: string };
  const policy = makePolicy(policyName, env, env.metadata.seed, cfg.obsRadius);
  const stats = runRolloutLoop(env, steps, json, (obs, infos) => policy(obs, infos as MapfInfos), MAPF_METRICS_BY_MODE[cfg.onTarget]);
  const rates = ratesOf(env, steps, stats.seconds);
  const summary: RolloutSummary = {
    ...summaryBase(env, id, steps, stats, rates), map: plan.mapLabel, policy: policyName,
    collisionSystem: cfg.collisionSystem, onTarget: cfg.onTarget, obsDtype: cfg.obsDtype,
    agentStepsPerSec: rates.agentStepsPerSec, loopAgentStepsPerSec: rates.loopAgentStepsPerSec,
  };
  return report(summary, json, (s) => [
    `${s.env} rollout: ${s.numEnvs} envs x ${s.numAgents} agents, ${s.steps} steps, map ${s.map} (${plan.mapSize}), policy ${s.policy}`,
    `  backend ${s.backend}, ${s.numThreads} thread(s), collision ${s.collisionSystem}, onTarget ${s.onTarget}, obs ${s.obsDtype}, seed ${s.seed}`,
    ...summaryLines(s, 'agent', s.agentStepsPerSec, s.loopAgentStepsPerSec),
    `mean episode length:      ${fmt(s.meanLength, 2)}`,
    `${`metrics (${s.onTarget}):`.padEnd(26)}${Object.entries(s.metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
  ]);
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
    return report(runVolleyballRollout(env, policyName, steps, json), json, (s) => {
      const cfg = s.config as { task: string; actionMode: string; substeps: number; maxEpisodeSteps: number };
      return [
        `${s.env} rollout: ${s.numEnvs} envs x ${s.numAgents} drone(s), ${s.steps} steps, policy ${s.policy}`,
        `  backend ${s.backend}, ${s.numThreads} thread(s), actions ${cfg.actionMode}, substeps ${cfg.substeps}, episodes cut at ${cfg.maxEpisodeSteps} steps, seed ${s.seed}`,
        ...summaryLines(s, 'drone', s.droneStepsPerSec, s.loopDroneStepsPerSec),
        `mean episode length:      ${fmt(s.meanLength, 2)}`,
        `${'metrics (mean):'.padEnd(26)}${Object.entries(s.metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
      ];
    });
  } finally {
    env.close();
  }
}

/** Steps a volleyball batch `steps` times with `policyName`; returns the summary. */
export function runVolleyballRollout(env: VectorEnv, policyName: VolleyballPolicyName, steps: number, quiet = false): VolleyballRolloutSummary {
  const policy = makeVolleyballPolicy(policyName, env, env.metadata.seed);
  const stats = runRolloutLoop(env, steps, quiet, (obs, infos) => policy(infos as VolleyballInfos, obs as Float32Array));
  const rates = ratesOf(env, steps, stats.seconds);
  return {
    ...summaryBase(env, env.id, steps, stats, rates), policy: policyName, config: { ...(env.metadata.config as Record<string, unknown>) },
    droneStepsPerSec: rates.agentStepsPerSec, loopDroneStepsPerSec: rates.loopAgentStepsPerSec,
  };
}

/** `rollout` for RideDispatch-v0; returns the exit code. */
function dispatchRollout(id: string, o: Record<string, number | string | boolean | undefined>, numEnvs: number, stepsArg: number | undefined): number {
  rejectOptions('rollout', id, o, [...MAPF_ONLY_OPTIONS, ...VOLLEYBALL_ONLY]);
  const policyName = ((o.policy as string | undefined) ?? 'greedy') as DispatchPolicyName;
  const json = o.json === true;
  const env = make(id, dispatchMakeOptions(dispatchArgsOf(o, numEnvs, policyName)));
  try {
    const steps = stepsArg ?? 2 * (env.metadata.config as { horizon: number }).horizon;
    return report(runDispatchRollout(env, policyName, steps, json), json, (s) => {
      const cfg = s.config as { capacity: number; numSlots: number; numNeighbours: number; numZones: number; horizon: number };
      const m = s.metrics;
      return [
        `${s.env} rollout: ${s.numEnvs} envs x ${s.numAgents} vehicles, ${s.steps} steps, policy ${s.policy}`,
        `  backend ${s.backend}, ${s.numThreads} thread(s), ${cfg.numZones} zones, capacity ${cfg.capacity}, ${cfg.numSlots} order slots, ` +
          `${cfg.numNeighbours} reposition targets, episodes of ${cfg.horizon} steps, seed ${s.seed}`,
        ...summaryLines(s, 'vehicle', s.vehicleStepsPerSec, s.loopVehicleStepsPerSec),
        `service rate:             ${fmt(m.serviceRate)} (${fmt(m.ordersServed, 1)} of ${fmt(m.ordersGenerated, 1)} orders per episode, ${fmt(m.ordersExpired, 1)} expired)`,
        `mean pickup / detour:     ${fmt(m.meanPickupMin, 2)} / ${fmt(m.meanDetourMin, 2)} min`,
        `mean revenue:             ${fmt(m.revenue, 2)} per episode`,
      ];
    });
  } finally {
    env.close();
  }
}

/**
 * Steps a RideDispatch-v0 batch `steps` times with `policyName` (`makeDispatchPolicy`; greedy and
 * hungarian need the env made with `pairInsertionCost: true`); returns the summary.
 */
export function runDispatchRollout(env: VectorEnv, policyName: DispatchPolicyName, steps: number, quiet = false): DispatchRolloutSummary {
  const policy = makeDispatchPolicy(policyName, env, env.metadata.seed);
  const stats = runRolloutLoop(env, steps, quiet, (obs, infos) => policy(obs as Float32Array, infos as DispatchInfos));
  const rates = ratesOf(env, steps, stats.seconds);
  return {
    ...summaryBase(env, env.id, steps, stats, rates), policy: policyName, config: { ...(env.metadata.config as Record<string, unknown>) },
    vehicleStepsPerSec: rates.agentStepsPerSec, loopVehicleStepsPerSec: rates.loopAgentStepsPerSec,
  };
}
