/**
 * `manyworlds bench`: MAPF-v0 runs the benchmark sweep (`bench/mapf.js`) in a child process;
 * a `Volleyball-<Task>-v0` id or RideDispatch-v0 measures the step rate of one batch in this process.
 * @module
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { make } from '../make.js';
import type { VectorEnv } from '../core/vector-env.js';
import type { VolleyballInfos } from '../envs/volleyball/infos.js';
import { type VolleyballPolicyName, makeVolleyballPolicy } from '../envs/volleyball/policy.js';
import type { DispatchInfos } from '../envs/dispatch/infos.js';
import { type DispatchPolicyName, makeDispatchPolicy } from '../envs/dispatch/policy.js';
import { type OptionSpec, UsageError, formatOptions, parseArgs } from './args.js';
import {
  DISPATCH_ONLY_OPTIONS, DISPATCH_OPTIONS, dispatchArgsOf, dispatchMakeOptions, rejectOptions, requireEnv, volleyballMakeOptions,
} from './env-options.js';

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  full: { kind: { type: 'flag' }, help: 'MAPF: the whole grid (collision x envs x threads x dtype, several minutes)' },
  'write-docs': { kind: { type: 'flag' }, help: 'MAPF: replace the table in docs/benchmarks.md (a checkout only; native runs only)' },
  envs: { kind: { type: 'int', min: 1 }, meta: 'N', help: 'volleyball, RideDispatch: environments in the batch (default 1024)' },
  threads: { kind: { type: 'int', min: 1, max: 1024 }, meta: 'N', help: 'volleyball, RideDispatch: CPU threads (default: min(cores, envs); the gpujs backend: 1 unless given)' },
  policy: {
    kind: { type: 'choice', choices: ['scripted', 'hover', 'random', 'greedy', 'hungarian', 'noop'] },
    help: 'actions between the timed steps: volleyball scripted|hover|random (default scripted); RideDispatch random|greedy|hungarian|noop (default random)',
  },
  steps: { kind: { type: 'int', min: 1 }, meta: 'N', help: 'volleyball, RideDispatch: steps per repeat (default: about 1 s of stepping)' },
  repeats: { kind: { type: 'int', min: 1, max: 1000 }, meta: 'R', help: 'volleyball, RideDispatch: timed repeats, median reported (default 5)' },
  seed: { kind: { type: 'int', min: 0, max: 0xffffffff }, meta: 'N', help: 'volleyball, RideDispatch: base seed (default 0)' },
  ...DISPATCH_OPTIONS,
  json: { kind: { type: 'flag' }, help: 'volleyball, RideDispatch: print a JSON summary only' },
};

const MAPF_ONLY = ['full', 'write-docs'];
const BATCH_ONLY = ['envs', 'threads', 'policy', 'steps', 'repeats', 'seed', 'json'];
const POLICIES: Readonly<Record<'volleyball' | 'dispatch', readonly string[]>> = {
  volleyball: ['scripted', 'hover', 'random'], dispatch: ['random', 'greedy', 'hungarian', 'noop'],
};

/** Help text of `bench`. */
export const BENCH_HELP = `usage: manyworlds bench [ID] [options]

MAPF-v0 (default): benchmarks a 64x64 map, density 0.3, obsRadius 5, 64 agents per env; each
trial runs in a fresh process. Default: the quick grid (1024 envs, 1 and 2 threads, float32 and
uint8, priority). Results go to bench/results/mapf-<date>-<mode>.json (with a -<backend> suffix
when --backend picked another backend than native) and a markdown table on stdout.

Volleyball-<Task>-v0 and RideDispatch-v0: times env.step() on one batch of --envs envs with
--threads threads, after a warm-up, over --repeats repeats of --steps steps; the actions come from
--policy and are written between the timed calls. Prints the median env-steps/s and
drone-steps/s (vehicle-steps/s) and the spread. RideDispatch-v0 runs the default config (plus
--vehicles, --capacity, --slots); its greedy and hungarian policies add the pair block
(pairInsertionCost: true), which the step then computes too.

options:
${formatOptions(OPTIONS)}`;

/** Path of the sweep script, relative to this compiled module (dist/src/cli/ -> bench/). */
export function benchScriptPath(): string {
  return fileURLToPath(new URL('../../../bench/mapf.js', import.meta.url));
}

/** Runs `bench` with the words after the command; returns the exit code. */
export async function benchCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArgs('bench', args, OPTIONS, 1);
  if (parsed.help) {
    process.stdout.write(`${BENCH_HELP}\n`);
    return 0;
  }
  const id = parsed.positionals[0] ?? 'MAPF-v0';
  const family = requireEnv('bench', id);
  if (family !== 'mapf') {
    rejectOptions('bench', id, parsed.options, family === 'volleyball' ? [...MAPF_ONLY, ...DISPATCH_ONLY_OPTIONS] : MAPF_ONLY);
    const policy = parsed.options.policy as string | undefined;
    const allowed = POLICIES[family];
    if (policy !== undefined && !allowed.includes(policy)) {
      throw new UsageError(`bench: --policy for ${id} must be one of ${allowed.join('|')}, got '${policy}'`);
    }
    return batchBench(id, family, parsed.options);
  }
  rejectOptions('bench', id, parsed.options, [...BATCH_ONLY, ...DISPATCH_ONLY_OPTIONS]);
  const script = benchScriptPath();
  if (!existsSync(script)) throw new Error(`benchmark script not found: ${script}`);
  const childArgs = [script, parsed.options.full ? '--full' : '--quick'];
  if (parsed.options['write-docs']) {
    const docs = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
    if (!existsSync(docs)) throw new UsageError(`bench: --write-docs needs a checkout with ${docs}`);
    childArgs.push('--write-docs');
  }
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, childArgs, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** What `bench` measured on one batch, for every env family (part of its `--json` output). */
export interface BatchBenchSummary {
  /** Env id. */
  env: string;
  /** Backend that stepped the batch. */
  backend: string;
  /** Base seed of the batch. */
  seed: number;
  /** Environments in the batch. */
  numEnvs: number;
  /** Agents per env: drones or vehicles. */
  numAgents: number;
  /** Threads actually used. */
  numThreads: number;
  /** Steps per timed repeat. */
  stepsPerRepeat: number;
  /** Env-steps/s of `step()` alone: median over the repeats. */
  envStepsPerSec: number;
  /** Env-steps/s of every repeat (one entry per repeat). */
  repeats: number[];
}

/** What `bench` measured on a volleyball env (also its `--json` output). */
export interface VolleyballBenchSummary extends BatchBenchSummary {
  /** Policy writing the actions between timed steps. */
  policy: VolleyballPolicyName;
  /** `envStepsPerSec` × drones. */
  droneStepsPerSec: number;
}

/** What `bench` measured on RideDispatch-v0 (also its `--json` output). */
export interface DispatchBenchSummary extends BatchBenchSummary {
  /** Policy writing the actions between timed steps. */
  policy: DispatchPolicyName;
  /** Resolved env config (`env.metadata.config`). */
  config: Record<string, unknown>;
  /** `envStepsPerSec` × vehicles. */
  vehicleStepsPerSec: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const si = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(1));

/** `bench` for a `Volleyball-<Task>-v0` id or RideDispatch-v0; returns the exit code. */
function batchBench(id: string, family: 'volleyball' | 'dispatch', o: Record<string, number | string | boolean | undefined>): number {
  const numEnvs = (o.envs as number | undefined) ?? 1024;
  const repeats = (o.repeats as number | undefined) ?? 5;
  const dispatch = family === 'dispatch';
  const policyName = (o.policy as string | undefined) ?? (dispatch ? 'random' : 'scripted');
  const env: VectorEnv = dispatch
    ? make(id, dispatchMakeOptions(dispatchArgsOf(o, numEnvs, policyName)))
    : make(id, volleyballMakeOptions({ numEnvs, seed: o.seed as number | undefined, threads: o.threads as number | undefined }));
  try {
    const r = env.reset();
    let obs = r.obs as Float32Array;
    let act: () => void;
    if (dispatch) {
      const p = makeDispatchPolicy(policyName as DispatchPolicyName, env, env.metadata.seed);
      act = () => p(obs, r.infos as DispatchInfos);
    } else {
      const p = makeVolleyballPolicy(policyName as VolleyballPolicyName, env, env.metadata.seed);
      act = () => p(r.infos as VolleyballInfos, obs);
    }
    let seconds = 0;
    const run = (n: number): number => { // seconds inside step()
      seconds = 0;
      for (let k = 0; k < n; k++) {
        act();
        const t0 = performance.now();
        obs = env.step().obs as Float32Array;
        seconds += (performance.now() - t0) / 1000;
      }
      return seconds;
    };
    // Warm-up: at least 3 steps and 0.3 s; it also calibrates the steps per repeat (~1 s).
    let warm = 0, warmSeconds = 0;
    while (warm < 3 || warmSeconds < 0.3) { warmSeconds += run(1); warm++; }
    const steps = (o.steps as number | undefined) ?? Math.max(3, Math.ceil(warm / warmSeconds));
    const rates: number[] = [];
    for (let k = 0; k < repeats; k++) rates.push((steps * numEnvs) / run(steps));
    const rate = median(rates);
    const base = { env: id, backend: env.metadata.backend, seed: env.metadata.seed, numEnvs, numAgents: env.numAgents, numThreads: env.metadata.numThreads };
    const s: VolleyballBenchSummary | DispatchBenchSummary = dispatch
      ? { ...base, policy: policyName as DispatchPolicyName, config: { ...(env.metadata.config as Record<string, unknown>) }, stepsPerRepeat: steps,
        envStepsPerSec: rate, vehicleStepsPerSec: rate * env.numAgents, repeats: rates }
      : { ...base, policy: policyName as VolleyballPolicyName, stepsPerRepeat: steps, envStepsPerSec: rate, droneStepsPerSec: rate * env.numAgents, repeats: rates };
    if (o.json === true) {
      process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      return 0;
    }
    const unit = dispatch ? 'vehicle' : 'drone';
    const agents = dispatch ? `${s.numAgents} vehicles` : `${s.numAgents} drone(s)`;
    process.stdout.write([
      `${id} bench: ${numEnvs} envs x ${agents}, ${s.numThreads} thread(s), policy ${policyName} (not timed)`,
      `step(): ${si(rate)} env-steps/s, ${si(rate * env.numAgents)} ${unit}-steps/s (median of ${repeats} x ${steps} steps; ` +
        `spread ${si(Math.min(...rates))}–${si(Math.max(...rates))} env-steps/s)`,
    ].join('\n') + '\n');
    return 0;
  } finally {
    env.close();
  }
}
