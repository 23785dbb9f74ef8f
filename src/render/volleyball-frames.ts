/**
 * Volleyball episodes as plain frames: the {@link VolleyballFrame} that `renderVolleyballSvg`
 * draws, {@link collectVolleyballFrames} to record them from a volleyball `VectorEnv`, the checks
 * the renderer runs on them, and {@link describeVolleyballEpisode} for a one-line summary.
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import type { VectorEnv } from '../core/vector-env.js';
import { VOLLEYBALL_END_CASES } from '../envs/volleyball/config.js';
import { type VolleyballInfos, volleyballEpisodeMetrics } from '../envs/volleyball/infos.js';
import { formatNumber } from './svg.js';
import { checkCollectArgs, checkField, checkFrameList } from './args.js';

/** One step of a volleyball episode (one env of the batch), as plain arrays. */
export interface VolleyballFrame {
  /** `[A * 13]` drone states as in `VolleyballInfos.drones`: position, quaternion (w, x, y, z), velocity, angular velocity. */
  drones: Float32Array | number[];
  /** `[6]` ball position and velocity (all zeros: no ball, as in BackAndForth). */
  ball: Float32Array | number[];
  /** `[6]` defending board centre and unit axis (all zeros: no board). */
  board: Float32Array | number[];
  /** `[A]` 1 where the drone made a legal hit on this step. */
  hits: Uint8Array | number[];
  /** Metrics of the episode (as `volleyballEpisodeMetrics`) when it ended on this step. */
  episode?: Readonly<Record<string, number>>;
}

/**
 * One line describing how an episode ended. Competitive tasks (metrics with `endCase`):
 * `team 0 wins`, `team 1 wins`, `draw` or `no winner`, then `: ` and the end case from
 * `VOLLEYBALL_END_CASES`, then the number of hits. Other tasks: `episode ended: name=value, ...`
 * (2 decimals; `n/a` for non-finite values).
 */
export function describeVolleyballEpisode(metrics: Readonly<Record<string, number>>): string {
  if ('endCase' in metrics) {
    const winner = metrics.team0Win ? 'team 0 wins' : metrics.team1Win ? 'team 1 wins' : metrics.draw ? 'draw' : 'no winner';
    const endCase = VOLLEYBALL_END_CASES[metrics.endCase] ?? `end case ${metrics.endCase}`;
    return `${winner}: ${endCase} (${metrics.numHits} hit${metrics.numHits === 1 ? '' : 's'})`;
  }
  const parts = Object.entries(metrics).map(([k, v]) => `${k}=${Number.isFinite(v) ? formatNumber(v, 2) : 'n/a'}`);
  return `episode ended: ${parts.join(', ')}`;
}

/** Checks the frames of {@link renderVolleyballSvg}; returns the number of drones. @internal */
export function droneCount(frames: readonly VolleyballFrame[]): number {
  checkFrameList('renderVolleyballSvg', frames);
  for (const [k, f] of frames.entries()) {
    for (const name of ['drones', 'ball', 'board', 'hits'] as const) checkField(`frame ${k}`, name, f[name]);
  }
  const agents = frames[0].hits.length;
  frames.forEach((f, k) => {
    const lengths = { drones: 13 * agents, ball: 6, board: 6, hits: agents } as const;
    for (const [name, expected] of Object.entries(lengths)) {
      const array = f[name as keyof typeof lengths];
      if (array.length !== expected) {
        throw new InvalidArgumentError(`frame ${k}: ${name} has length ${array.length}, expected ${expected} (${agents} drones)`,
          { frame: k, field: name, length: array.length });
      }
      for (let j = 0; j < array.length; j++) {
        if (!Number.isFinite(array[j])) throw new InvalidArgumentError(`frame ${k}: ${name}[${j}] is not finite`, { frame: k, field: name });
      }
    }
  });
  return agents;
}

/**
 * Plays env `envIndex`'s first episode of a volleyball `VectorEnv` for at most `steps` steps
 * (`env.reset()`, then per step `policy(infos, obs)`, which writes `env.actions` for the whole
 * batch, e.g. `makeVolleyballPolicy`'s, and `env.step()`) and returns the reset frame and one
 * frame per step; the episode's metrics are on the frame where it ended (the last).
 * The env must not use `'same-step'` autoreset, which would replace the final state.
 * @throws InvalidArgumentError, before touching the env, for a non-volleyball or same-step env, an env
 *   index out of range, a negative step count or a policy that is not a function.
 */
export function collectVolleyballFrames(env: VectorEnv, envIndex: number, steps: number, policy: (infos: VolleyballInfos, obs: Float32Array) => void): VolleyballFrame[] {
  if (!env.id.startsWith('Volleyball-')) throw new InvalidArgumentError(`collectVolleyballFrames: ${env.id} is not a volleyball env`, { id: env.id });
  checkCollectArgs('collectVolleyballFrames', env, envIndex, steps, policy);
  const A = env.numAgents;
  const i = envIndex;
  const r = env.reset();
  const infos = r.infos as VolleyballInfos;
  let obs = r.obs as Float32Array;
  const frame = (ended: boolean): VolleyballFrame => ({
    drones: infos.drones.slice(13 * A * i, 13 * A * (i + 1)),
    ball: infos.ball.slice(6 * i, 6 * i + 6),
    board: infos.board.slice(6 * i, 6 * i + 6),
    hits: infos.hits.slice(A * i, A * (i + 1)),
    ...(ended ? { episode: volleyballEpisodeMetrics(infos, i) } : {}),
  });
  const frames = [frame(false)];
  for (let t = 0; t < steps; t++) {
    policy(infos, obs);
    obs = env.step().obs as Float32Array;
    const ended = infos.episode.done[i] === 1;
    frames.push(frame(ended));
    if (ended) break;
  }
  return frames;
}
