/**
 * `manyworlds rollout`: steps a batch with a scripted policy and reports throughput and episode
 * statistics.
 * @module
 */

import { make } from '../make.js';
import type { VectorEnv } from '../core/vector-env.js';
import type { MapfInfos } from '../envs/mapf/infos.js';
import { MAPF_METRICS_BY_MODE } from '../envs/mapf/infos.js';
import { type OptionSpec, formatOptions, parseArgs } from './args.js';
import { ENV_OPTIONS, mapfMakeOptions, requireMapf, resolveMap } from './env-options.js';
import { type PolicyName, makePolicy } from './policies.js';
import { Progress } from './progress.js';

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  envs: { kind: { type: 'int', min: 1 }, meta: 'N', help: 'environments stepped together (default 1024)' },
  steps: { kind: { type: 'int', min: 1 }, meta: 'N', help: 'batched steps (default 512)' },
  ...ENV_OPTIONS,
  'obs-dtype': { kind: { type: 'choice', choices: ['float32', 'uint8'] }, help: 'observation dtype (default float32)' },
  json: { kind: { type: 'flag' }, help: 'print a JSON summary only' },
};

/** Help text of `rollout`. */
export const ROLLOUT_HELP = `usage: manyworlds rollout [ID] [options]

Steps ID (default MAPF-v0) with a scripted policy and prints throughput and episode statistics.
Timing covers the step loop only (not make() or reset()).

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
  requireMapf('rollout', id);
  const numEnvs = (o.envs as number | undefined) ?? 1024;
  const steps = (o.steps as number | undefined) ?? 512;
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
