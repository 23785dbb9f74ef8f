/**
 * `manyworlds render`: plays one episode of one env with a scripted policy and draws it as ASCII
 * frames or an animated SVG (MAPF-v0), as an animated two-view SVG or per-step text summary
 * lines (every `Volleyball-<Task>-v0`), or as an animated city map or per-step text summary
 * lines (RideDispatch-v0).
 * @module
 */

import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { make } from '../make.js';
import { UnknownEnvError } from '../errors.js';
import { listEnvs } from '../registry.js';
import { type MapfInfos, mapfEnvMap } from '../envs/mapf/infos.js';
import type { GridMap } from '../envs/mapf/maps.js';
import { type MapfFrame, renderAscii, renderSvg } from '../render/mapf-render.js';
import { type VolleyballPolicyName, makeVolleyballPolicy } from '../envs/volleyball/policy.js';
import { renderVolleyballSvg } from '../render/volleyball-render.js';
import { type VolleyballFrame, collectVolleyballFrames, describeVolleyballEpisode } from '../render/volleyball-frames.js';
import { type DispatchPolicyName, makeDispatchPolicy } from '../envs/dispatch/policy.js';
import type { DispatchCity } from '../envs/dispatch/city.js';
import { renderDispatchSvg } from '../render/dispatch-render.js';
import { type DispatchFrame, DISPATCH_STATUS_NAMES, collectDispatchFrames, describeDispatchEpisode } from '../render/dispatch-frames.js';
import { type OptionSpec, UsageError, formatOptions, parseArgs } from './args.js';
import {
  DEFAULT_SEED, DISPATCH_ONLY_OPTIONS, DISPATCH_OPTIONS, ENV_OPTIONS, dispatchArgsOf, dispatchMakeOptions, mapfMakeOptions, rejectOptions,
  requireMapf, resolveMap,
} from './env-options.js';
import { type PolicyName, makePolicy } from './policies.js';

/** Step limit of `render` for volleyball envs when `--steps` is not given. */
export const VOLLEYBALL_DEFAULT_STEPS = 250;

/** The largest `--env-index`: the whole batch of i + 1 envs steps, so it stays small. */
const MAX_ENV_INDEX = 4095;

/** Refuses an `--out` path that cannot be written, before any env runs. */
function checkOut(out: string | undefined): void {
  if (out === undefined) return;
  if (out === '') throw new UsageError('render: --out needs a file name');
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`render: --out '${out}' is a directory`);
  if (!existsSync(dirname(out))) throw new UsageError(`render: --out '${out}': no directory '${dirname(out)}'`);
}

/** Writes the SVG; a failure (permissions, disk) is a usage error naming `--out`. */
function writeOut(out: string, text: string): void {
  try {
    writeFileSync(out, text);
  } catch (err) {
    throw new UsageError(`render: --out: cannot write '${out}': ${(err as Error).message}`);
  }
}

/** Options that only MAPF-v0 takes. */
const MAPF_ONLY = ['agents', 'map', 'collision', 'on-target'] as const;

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  steps: { kind: { type: 'int', min: 1 }, meta: 'N', help: `at most this many steps (default 32; volleyball ${VOLLEYBALL_DEFAULT_STEPS}; RideDispatch: one episode)` },
  out: { kind: { type: 'string' }, meta: 'FILE.svg', help: 'write an animated SVG' },
  ascii: { kind: { type: 'flag' }, help: 'print ASCII frames (volleyball: one summary line per step) to stdout; default without --out' },
  'env-index': { kind: { type: 'int', min: 0, max: MAX_ENV_INDEX }, meta: 'i', help: `which env of the batch to draw (batch of i+1 envs; default 0, at most ${MAX_ENV_INDEX})` },
  ...ENV_OPTIONS,
  ...DISPATCH_OPTIONS,
  policy: {
    kind: { type: 'choice', choices: ['random', 'greedy', 'scripted', 'hover', 'hungarian', 'noop'] },
    meta: 'NAME',
    help: 'MAPF: random|greedy (default random); volleyball: scripted|hover|random (default scripted); RideDispatch: greedy|hungarian|random|noop (default greedy)',
  },
};

/** Help text of `render`. */
export const RENDER_HELP = `usage: manyworlds render [ID] [options]

Plays the first episode of one env of ID (default MAPF-v0) for at most --steps steps and draws
the reset state and every step. The episode ends early when the env is done.

Volleyball-<Task>-v0 ids: --out writes one animated SVG with a top (x-y) and a side (x-z) view
of the court, drones, ball and hits; without --out (or with --ascii) one text line per step:
ball position, lowest drone height and the drones that hit, then the episode result.
RideDispatch-v0: --out writes one animated SVG of the city: zones, vehicles coloured by status
with their load, pending orders (origin and a line to the destination), each step's assignments
(a line from the vehicle to the order), running served/expired counts and the episode's metrics;
without --out (or with --ascii) one text line per step. The policy is greedy (default),
hungarian, random or noop.
--agents, --map, --collision and --on-target are for MAPF-v0 only; --vehicles, --capacity and
--slots for RideDispatch-v0 only.

options:
${formatOptions(OPTIONS)}`;

/** Collects the frames of env `envIndex`'s first episode: the reset state and each step's state. */
export function collectFrames(args: {
  numEnvs: number; envIndex: number; steps: number; policy: PolicyName; makeOptions: ReturnType<typeof mapfMakeOptions>;
}): { frames: MapfFrame[]; ended: boolean; map: GridMap } {
  // 'next-step': the step that ends the episode still returns its final state.
  const env = make('MAPF-v0', { ...args.makeOptions, numEnvs: args.numEnvs, autoresetMode: 'next-step' });
  try {
    const A = env.numAgents;
    const i = args.envIndex;
    const radius = (env.metadata.config as { obsRadius: number }).obsRadius;
    const policy = makePolicy(args.policy, env, env.metadata.seed, radius);
    const r = env.reset();
    const infos = r.infos as MapfInfos;
    const frame = (): MapfFrame => ({
      positions: infos.positions.slice(2 * A * i, 2 * A * (i + 1)),
      goals: infos.goals.slice(2 * A * i, 2 * A * (i + 1)),
      active: infos.agentMask.slice(A * i, A * (i + 1)),
    });
    const frames = [frame()];
    const map = mapfEnvMap(env, i);  // the env's own grid, generated per env or not
    let obs = r.obs;
    for (let t = 0; t < args.steps; t++) {
      policy(obs, infos);
      const s = env.step();
      obs = s.obs;
      frames.push(frame());
      let allDone = true;
      for (let a = 0; a < A; a++) if (!s.terminations[i * A + a] && !s.truncations[i * A + a]) allDone = false;
      if (infos.episode.done[i] || allDone) return { frames, ended: true, map };
    }
    return { frames, ended: false, map };
  } finally {
    env.close();
  }
}

/** Runs `render` with the words after the command; returns the exit code. */
export async function renderCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArgs('render', args, OPTIONS, 1);
  if (parsed.help) {
    process.stdout.write(`${RENDER_HELP}\n`);
    return 0;
  }
  const o = parsed.options;
  const id = parsed.positionals[0] ?? 'MAPF-v0';
  const out = o.out as string | undefined;
  if (out !== undefined && o.ascii) throw new UsageError('render: give either --out or --ascii, not both');
  checkOut(out);
  if (id.startsWith('Volleyball-')) return renderVolleyball(id, o, out);
  if (id === 'RideDispatch-v0') return renderDispatch(id, o, out);
  requireMapf('render', id);
  rejectOptions('render', id, o, DISPATCH_ONLY_OPTIONS);
  if (o.policy === 'scripted' || o.policy === 'hover' || o.policy === 'hungarian' || o.policy === 'noop') throw new UsageError(`render: --policy for MAPF-v0 must be random or greedy, got '${o.policy}'`);
  const envIndex = (o['env-index'] as number | undefined) ?? 0;
  const steps = (o.steps as number | undefined) ?? 32;
  const map = resolveMap(o.map as string | undefined);
  const makeOptions = mapfMakeOptions({
    numEnvs: envIndex + 1, agents: o.agents as number | undefined, seed: o.seed as number | undefined,
    threads: o.threads as number | undefined, collision: o.collision as string | undefined, onTarget: o['on-target'] as string | undefined,
  }, map);
  const policy = ((o.policy as string | undefined) ?? 'random') as PolicyName;
  const { frames, ended, map: grid } = collectFrames({ numEnvs: envIndex + 1, envIndex, steps, policy, makeOptions });
  const what = `${frames.length - 1} step(s)${ended ? ', episode ended' : ''}`;
  if (out !== undefined) {
    const title = `${id} ${map.label} env ${envIndex} seed ${makeOptions.seed} (${policy})`;
    writeOut(out, renderSvg(grid, frames, { title }));
    process.stderr.write(`wrote ${out}: ${frames.length} frames (${what})\n`);
    return 0;
  }
  const chunks = frames.map((f, t) => `step ${t}${t === 0 ? ' (reset)' : ''}\n${renderAscii(grid, f)}`);
  process.stdout.write(`${chunks.join('\n\n')}\n\n${what}\n`);
  return 0;
}

/** One text line of a volleyball frame: ball position, lowest drone, hitting drones. */
export function volleyballSummaryLine(frame: VolleyballFrame, step: number): string {
  const f = (v: number): string => v.toFixed(2).padStart(6);
  const agents = frame.hits.length;
  let low = 0;
  for (let a = 1; a < agents; a++) if (frame.drones[13 * a + 2] < frame.drones[13 * low + 2]) low = a;
  const hits: string[] = [];
  for (let a = 0; a < agents; a++) if (frame.hits[a] === 1) hits.push(`drone_${a}`);
  const ball = frame.ball.some((v) => v !== 0) ? `ball (${f(frame.ball[0])},${f(frame.ball[1])},${f(frame.ball[2])})  ` : '';
  return `step ${String(step).padStart(4)}  ${ball}lowest drone_${low} z ${f(frame.drones[13 * low + 2])}` +
    `${hits.length > 0 ? `  hit: ${hits.join(' ')}` : ''}`;
}

/** `render` for a `Volleyball-<Task>-v0` id; returns the exit code. */
function renderVolleyball(id: string, o: Record<string, number | string | boolean | undefined>, out: string | undefined): number {
  const known = listEnvs().map((e) => e.id);
  if (!known.includes(id)) throw new UnknownEnvError(id, known);
  for (const name of MAPF_ONLY) if (o[name] !== undefined) throw new UsageError(`render: --${name} is for MAPF-v0 only, not ${id}`);
  rejectOptions('render', id, o, DISPATCH_ONLY_OPTIONS);
  if (o.policy !== undefined && !['scripted', 'hover', 'random'].includes(o.policy as string)) {
    throw new UsageError(`render: --policy for ${id} must be scripted, hover or random, got '${o.policy}'`);
  }
  const policyName = ((o.policy as string | undefined) ?? 'scripted') as VolleyballPolicyName;
  const envIndex = (o['env-index'] as number | undefined) ?? 0;
  const steps = (o.steps as number | undefined) ?? VOLLEYBALL_DEFAULT_STEPS;
  const seed = (o.seed as number | undefined) ?? DEFAULT_SEED;
  const threads = o.threads as number | undefined;
  // 'next-step': the step that ends the episode still returns its final state.
  const env = make(id, { numEnvs: envIndex + 1, seed, autoresetMode: 'next-step', ...(threads !== undefined ? { numThreads: threads } : {}) });
  let frames: VolleyballFrame[];
  try {
    frames = collectVolleyballFrames(env, envIndex, steps, makeVolleyballPolicy(policyName, env, seed));
  } finally {
    env.close();
  }
  const last = frames[frames.length - 1];
  const what = `${frames.length - 1} step(s), ${last.episode ? describeVolleyballEpisode(last.episode) : 'episode not finished'}`;
  if (out !== undefined) {
    const court = (env.metadata.config as { court: [number, number] }).court;
    const title = `${id} env ${envIndex} seed ${seed} (${policyName})`;
    writeOut(out, renderVolleyballSvg(frames, { court, teams: env.metadata.teams as readonly number[], title }));
    process.stderr.write(`wrote ${out}: ${frames.length} frames (${what})\n`);
    return 0;
  }
  process.stdout.write(`${frames.map((f, t) => volleyballSummaryLine(f, t)).join('\n')}\n${what}\n`);
  return 0;
}

/** One text line of a RideDispatch-v0 frame: vehicles per status, pending orders, the step's assignments and the running counts. */
export function dispatchSummaryLine(frame: DispatchFrame, step: number): string {
  const byStatus = DISPATCH_STATUS_NAMES.map(() => 0);
  for (let v = 0; v < frame.status.length; v++) byStatus[frame.status[v]]++;
  let pending = 0, assigned = 0;
  for (let k = 0; k < frame.orders.length; k += 9) pending += frame.orders[k] ? 1 : 0;
  for (let v = 0; v < frame.wonSlot.length; v++) assigned += frame.wonSlot[v] >= 0 ? 1 : 0;
  const statuses = DISPATCH_STATUS_NAMES.map((name, s) => `${name} ${byStatus[s]}`).join(', ');
  return `step ${String(step).padStart(4)}  ${statuses}  pending ${String(pending).padStart(3)}  assigned ${String(assigned).padStart(3)}  ` +
    `served ${frame.served} expired ${frame.expired}`;
}

/** `render` for RideDispatch-v0; returns the exit code. */
function renderDispatch(id: string, o: Record<string, number | string | boolean | undefined>, out: string | undefined): number {
  for (const name of MAPF_ONLY) if (o[name] !== undefined) throw new UsageError(`render: --${name} is for MAPF-v0 only, not ${id}`);
  if (o.policy !== undefined && !['greedy', 'hungarian', 'random', 'noop'].includes(o.policy as string)) {
    throw new UsageError(`render: --policy for ${id} must be greedy, hungarian, random or noop, got '${o.policy}'`);
  }
  const policyName = ((o.policy as string | undefined) ?? 'greedy') as DispatchPolicyName;
  const envIndex = (o['env-index'] as number | undefined) ?? 0;
  // 'next-step': the step that ends the episode still returns its final state.
  const env = make(id, dispatchMakeOptions({ ...dispatchArgsOf(o, envIndex + 1, policyName), autoresetMode: 'next-step' }));
  let frames: DispatchFrame[];
  try {
    const steps = (o.steps as number | undefined) ?? (env.metadata.config as { horizon: number }).horizon;
    frames = collectDispatchFrames(env, envIndex, steps, makeDispatchPolicy(policyName, env, env.metadata.seed));
  } finally {
    env.close();
  }
  const last = frames[frames.length - 1];
  const what = `${frames.length - 1} step(s), ${last.episode ? describeDispatchEpisode(last.episode) : 'episode not finished'}`;
  if (out !== undefined) {
    const title = `${id} env ${envIndex} seed ${env.metadata.seed} (${policyName})`;
    writeOut(out, renderDispatchSvg(frames, { city: env.metadata.city as DispatchCity, title }));
    process.stderr.write(`wrote ${out}: ${frames.length} frames (${what})\n`);
    return 0;
  }
  process.stdout.write(`${frames.map((f, t) => dispatchSummaryLine(f, t)).join('\n')}\n${what}\n`);
  return 0;
}
