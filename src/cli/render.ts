/**
 * `manyworlds render`: plays one episode of one env with a scripted policy and draws it as ASCII
 * frames or an animated SVG.
 * @module
 */

import { writeFileSync } from 'node:fs';
import { make } from '../make.js';
import type { MapfInfos } from '../envs/mapf/infos.js';
import { type MapfFrame, renderAscii, renderSvg } from '../render/mapf-render.js';
import { type OptionSpec, UsageError, formatOptions, parseArgs } from './args.js';
import { ENV_OPTIONS, mapfMakeOptions, requireMapf, resolveMap } from './env-options.js';
import { type PolicyName, makePolicy } from './policies.js';

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  steps: { kind: { type: 'int', min: 1 }, meta: 'N', help: 'at most this many steps (default 32)' },
  out: { kind: { type: 'string' }, meta: 'FILE.svg', help: 'write an animated SVG' },
  ascii: { kind: { type: 'flag' }, help: 'print ASCII frames to stdout (default when --out is not given)' },
  'env-index': { kind: { type: 'int', min: 0, max: 1 << 20 }, meta: 'i', help: 'which env of the batch to draw (batch of i+1 envs; default 0)' },
  ...ENV_OPTIONS,
};

/** Help text of `render`. */
export const RENDER_HELP = `usage: manyworlds render [ID] [options]

Plays the first episode of one env of ID (default MAPF-v0) for at most --steps steps and draws
the reset state and every step. The episode ends early when the env is done.

options:
${formatOptions(OPTIONS)}`;

/** Collects the frames of env `envIndex`'s first episode: the reset state and each step's state. */
export function collectFrames(args: {
  numEnvs: number; envIndex: number; steps: number; policy: PolicyName; makeOptions: ReturnType<typeof mapfMakeOptions>;
}): { frames: MapfFrame[]; ended: boolean } {
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
    let obs = r.obs;
    for (let t = 0; t < args.steps; t++) {
      policy(obs, infos);
      const s = env.step();
      obs = s.obs;
      frames.push(frame());
      let allDone = true;
      for (let a = 0; a < A; a++) if (!s.terminations[i * A + a] && !s.truncations[i * A + a]) allDone = false;
      if (infos.episode.done[i] || allDone) return { frames, ended: true };
    }
    return { frames, ended: false };
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
  requireMapf('render', id);
  const out = o.out as string | undefined;
  if (out !== undefined && o.ascii) throw new UsageError('render: give either --out or --ascii, not both');
  const envIndex = (o['env-index'] as number | undefined) ?? 0;
  const steps = (o.steps as number | undefined) ?? 32;
  const map = resolveMap(o.map as string | undefined);
  const makeOptions = mapfMakeOptions({
    numEnvs: envIndex + 1, agents: o.agents as number | undefined, seed: o.seed as number | undefined,
    threads: o.threads as number | undefined, collision: o.collision as string | undefined, onTarget: o['on-target'] as string | undefined,
  }, map);
  const policy = ((o.policy as string | undefined) ?? 'random') as PolicyName;
  const { frames, ended } = collectFrames({ numEnvs: envIndex + 1, envIndex, steps, policy, makeOptions });
  const what = `${frames.length - 1} step(s)${ended ? ', episode ended' : ''}`;
  if (out !== undefined) {
    const title = `${id} ${map.label} env ${envIndex} seed ${makeOptions.seed} (${policy})`;
    writeFileSync(out, renderSvg(map.grid, frames, { title }));
    process.stderr.write(`wrote ${out}: ${frames.length} frames (${what})\n`);
    return 0;
  }
  const chunks = frames.map((f, t) => `step ${t}${t === 0 ? ' (reset)' : ''}\n${renderAscii(map.grid, f)}`);
  process.stdout.write(`${chunks.join('\n\n')}\n\n${what}\n`);
  return 0;
}
