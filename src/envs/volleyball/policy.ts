/**
 * Batch policies for the `Volleyball-<Task>-v0` envs: `'scripted'` (a {@link DroneController}
 * per drone that intercepts and strikes the ball), `'hover'` and `'random'`.
 * @module
 */

import type { VectorEnv } from '../../core/vector-env.js';
import { InvalidArgumentError } from '../../errors.js';
import { CounterRng, RngStream } from '../../rng.js';
import { type VolleyballTask, VOLLEYBALL_TASKS } from './config.js';
import { HOVER_COMMAND } from './controller.js';
import { ScriptedVolleyball } from './scripted.js';
import type { VolleyballInfos } from './infos.js';

/** Names of the policies {@link makeVolleyballPolicy} builds. */
export type VolleyballPolicyName = 'scripted' | 'hover' | 'random';

/**
 * Writes one batch of actions into `env.actions` from the infos of the last `reset()`/`step()`.
 * `obs`, when given, supplies the rotor throttles (entries 19–22 of each drone's observation);
 * otherwise the scripted policy keeps its own model of them.
 */
export type VolleyballPolicy = (infos: VolleyballInfos, obs?: Float32Array) => void;

/**
 * Anchor (home position) of drone `agent` in `task`, as `anchor_of` in
 * `native/envs/volleyball/vb_obs.h` (VolleyBots' cfg/task/*.yaml).
 * @returns `[x, y, z]` in metres.
 */
export function volleyballAnchor(task: VolleyballTask, agent: number): [number, number, number] {
  switch (task) {
    case 'BumpAndPass': return [4.5, agent === 0 ? -2.5 : 2.5, 2];
    case 'SetAndSpike': case 'SetAndSpikeHard': return agent === 0 ? [2, -2.5, 2.5] : [2, 2.5, 3.5];
    case '1v1': return [agent === 0 ? 1.5 : -1.5, 0, 2];
    case '3v3': case '6v6': {
      const near = task === '3v3' ? [[3, -1.5], [3, 1.5], [6, 0]] : [[3, -3], [3, 0], [3, 3], [6, -3], [9, 0], [6, 3]];
      const [x, y] = near[agent % near.length];
      return agent < near.length ? [x, y, 2] : [-x, -y, 2];
    }
    default: return [4.5, 0, 2];
  }
}

/**
 * Builds a policy that writes `env.actions` of a volleyball batch (per-rotor thrust actions):
 * - `'scripted'`: every drone holds its anchor; the drone whose turn it is (drills: the only one;
 *   cooperative tasks: the next hitter; competitive tasks: the nearest drone of the receiving team
 *   that has not touched the ball) flies under the point where the falling ball reaches its strike
 *   height and meets it with its normal along the impulse that sends the ball where the task wants
 *   it (SoloBump: back up to a 3.95 m apex over the anchor; passes and sets: to the teammate;
 *   spikes, HitBall and rallies: over the net into the far half);
 * - `'hover'`: the hover command on every rotor;
 * - `'random'`: uniform commands in [-1, 1] from a {@link CounterRng} seeded with `seed`.
 * @throws InvalidArgumentError for a non-volleyball env, or `'scripted'` with `actionMode`
 *   `'thrustBodyRates'`.
 */
export function makeVolleyballPolicy(name: VolleyballPolicyName, env: VectorEnv, seed: number): VolleyballPolicy {
  const cfg = env.metadata.config as { task?: VolleyballTask; actionMode?: string } | undefined;
  const task = cfg?.task;
  if (!env.id.startsWith('Volleyball-') || task === undefined || !(task in VOLLEYBALL_TASKS)) {
    throw new InvalidArgumentError(`makeVolleyballPolicy: ${env.id} is not a volleyball env`);
  }
  const actions = env.actions as Float32Array;
  const rates = cfg?.actionMode === 'thrustBodyRates';
  if (name === 'random') {
    const rng = new CounterRng(seed, RngStream.actions);
    return () => { for (let i = 0; i < actions.length; i++) actions[i] = 2 * rng.uniform() - 1; };
  }
  if (name === 'hover') {
    // CTBR: zero body rates; the thrust entry passes through tanh to become the rotor command.
    return () => {
      for (let i = 0; i < actions.length; i += 4) {
        if (rates) actions.fill(0, i, i + 3).fill(Math.atanh(HOVER_COMMAND), i + 3, i + 4);
        else actions.fill(HOVER_COMMAND, i, i + 4);
      }
    };
  }
  if (name !== 'scripted') throw new InvalidArgumentError(`makeVolleyballPolicy: unknown policy '${String(name)}'`);
  if (rates) throw new InvalidArgumentError(`makeVolleyballPolicy: 'scripted' needs actionMode 'rotorThrust' (${env.id} uses 'thrustBodyRates')`);
  const anchors = Float64Array.from({ length: 3 * env.numAgents }, (_, k) => volleyballAnchor(task, Math.floor(k / 3))[k % 3]);
  const s = new ScriptedVolleyball(env, task, anchors);
  return (infos, obs) => s.act(infos, obs);
}
