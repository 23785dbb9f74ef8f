/**
 * `VectorEnv.rollout()`: T steps with every step's actions given up front. Checks the whole
 * request before anything runs, then makes one call into the backend where it has one (cuda),
 * else steps in a loop; both fill the same per-step arrays.
 * @module
 * @internal
 */

import { InvalidActionError, InvalidArgumentError, InvalidConfigError, formatValue } from '../errors.js';
import type { EnvEngine } from './engine.js';
import { isFloat32Finite } from './float32.js';
import type { BatchInfos, RolloutResult } from './types.js';

/** `name` with its indefinite article, for messages: "an Int32Array", "a Float32Array". @internal */
export function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/** What a rollout needs to know about the env besides its engine. @internal */
export interface RolloutSpec {
  id: string;
  /** Actions of a Discrete space, or null for Box actions. */
  numActions: number | null;
  /** Numbers per agent in the actions buffer. */
  actionSize: number;
}

/**
 * Index of the first action outside the action space (`discrete` actions of a Discrete space, or
 * for Box actions any finite float32), or -1. @internal
 */
export function firstBadAction(actions: ArrayLike<number>, discrete: number | null): number {
  for (let i = 0; i < actions.length; i++) {
    const v = actions[i];
    if (!(discrete === null ? isFloat32Finite(v) : Number.isInteger(v) && v >= 0 && v < discrete)) return i;
  }
  return -1;
}

/**
 * The {@link InvalidActionError} for action `i` of one batch of actions laid out `[E, A, k]`
 * (`where` starts the message, e.g. `MAPF-v0:` or `MAPF-v0: rollout step 3,`). @internal
 */
export function badActionError(where: string, actions: ArrayLike<number>, i: number, numAgents: number, k: number,
  discrete: number | null, details: Record<string, unknown> = {}): InvalidActionError {
  const v = actions[i], agentIndex = Math.floor(i / k);
  const env = Math.floor(agentIndex / numAgents), agent = agentIndex % numAgents;
  const what = discrete === null ? 'a finite number within float32 range (|x| < 3.4e38)' : `an integer in [0, ${discrete})`;
  return new InvalidActionError(`${where} env ${env}, agent ${agent}: action${k === 1 ? '' : ` component ${i % k}`} ${formatValue(v)} is not ${what}`,
    { ...details, env, agent, value: v });
}

/** Throws {@link InvalidActionError} naming the first action outside the action space. */
function checkActions(engine: EnvEngine, spec: RolloutSpec, actions: Int32Array | Float32Array, n: number): void {
  const i = firstBadAction(actions, spec.numActions);
  if (i < 0) return;
  const step = Math.floor(i / n);
  throw badActionError(`${spec.id}: rollout step ${step},`, actions.subarray(step * n), i % n, engine.numAgents, spec.actionSize, spec.numActions, { step });
}

/** Runs a rollout on `engine` (see VectorEnv.rollout). @internal */
export function runRollout(engine: EnvEngine, spec: RolloutSpec, steps: number, actions: Int32Array | Float32Array):
  RolloutResult<Float32Array | Uint8Array, BatchInfos> {
  const { id } = spec;
  if (!Number.isInteger(steps) || steps < 1 || steps > 1_000_000) {
    throw new InvalidArgumentError(`${id}: rollout(): steps must be an integer in [1, 1000000], got ${formatValue(steps)}`, { value: steps });
  }
  if (engine.autoresetMode === 'disabled') {
    throw new InvalidConfigError(`${id}: rollout() needs autoresetMode 'same-step' or 'next-step' (an ended episode would wait for a reset)`,
      { field: 'autoresetMode' });
  }
  const dst = engine.actions, n = dst.length;
  if (!ArrayBuffer.isView(actions) || !(actions instanceof dst.constructor) || actions.length !== steps * n) {
    const got = ArrayBuffer.isView(actions) ? `a ${actions.constructor.name} of ${actions.length}` : typeof actions;
    throw new InvalidActionError(`${id}: rollout(): actions must be ${withArticle(dst.constructor.name)} of ${steps} × ${n} = ${steps * n} numbers, got ${got}`,
      { length: (actions as { length?: number })?.length });
  }
  checkActions(engine, spec, actions, n);
  const e = engine.numEnvs, ea = e * engine.numAgents;
  const out = {
    rewards: new Float32Array(steps * ea), terminations: new Uint8Array(steps * ea), truncations: new Uint8Array(steps * ea),
    episodeDone: new Uint8Array(steps * e),
  };
  if (engine.rollout) {
    engine.rollout(steps, actions, out);
    (dst as Int32Array).set((actions as Int32Array).subarray((steps - 1) * n));  // as the loop leaves it
  } else {
    const done = engine.infos.episode.done;
    for (let t = 0; t < steps; t++) {
      (dst as Int32Array).set((actions as Int32Array).subarray(t * n, (t + 1) * n));
      engine.step();
      out.rewards.set(engine.rewards, t * ea);
      out.terminations.set(engine.terminations, t * ea);
      out.truncations.set(engine.truncations, t * ea);
      out.episodeDone.set(done, t * e);
    }
  }
  return { steps, ...out, obs: engine.obs, infos: engine.infos };
}
