/**
 * Scripted MAPF policies for the CLI: uniform random actions and a greedy goal-seeker.
 * @module
 */

import type { VectorEnv } from '../core/vector-env.js';
import type { MapfInfos } from '../envs/mapf/infos.js';
import { CounterRng, RngStream } from '../rng.js';

/** Writes one batch of actions into `env.actions` from the current observation and infos. */
export type Policy = (obs: Float32Array | Uint8Array, infos: MapfInfos) => void;

/** Names of the policies {@link makePolicy} knows. */
export type PolicyName = 'random' | 'greedy';

const NUM_ACTIONS = 5;
/** MAPF actions as (row, col) deltas: 0 stay, 1 up, 2 down, 3 left, 4 right. */
const UP = 1, DOWN = 2, LEFT = 3, RIGHT = 4;

/** Uniform random actions from a {@link CounterRng} on the `actions` stream. */
function randomPolicy(env: VectorEnv, rng: CounterRng): Policy {
  const actions = env.actions;
  const n = actions.length;
  return () => {
    for (let i = 0; i < n; i++) actions[i] = rng.below(NUM_ACTIONS);
  };
}

/**
 * Moves each active agent one step toward its goal along the axis with the larger distance (then
 * the other axis), taking the first move whose target cell is free in the obstacle channel (ch0)
 * of the agent's observation; when both are blocked, a random action. Agents on their goal stay.
 */
function greedyPolicy(env: VectorEnv, rng: CounterRng, obsRadius: number): Policy {
  const actions = env.actions;
  const n = actions.length;
  const d = 2 * obsRadius + 1;
  const obsSize = env.obsSize;
  const centre = obsRadius * d + obsRadius;
  const candidates = [0, 0];
  return (obs, infos) => {
    const { positions: pos, goals, agentMask } = infos;
    for (let i = 0; i < n; i++) {
      if (!agentMask[i]) {
        actions[i] = 0;
        continue;
      }
      const dr = goals[2 * i] - pos[2 * i];
      const dc = goals[2 * i + 1] - pos[2 * i + 1];
      if (dr === 0 && dc === 0) {
        actions[i] = 0;
        continue;
      }
      const vertical = dr === 0 ? 0 : dr < 0 ? UP : DOWN;
      const horizontal = dc === 0 ? 0 : dc < 0 ? LEFT : RIGHT;
      const verticalFirst = Math.abs(dr) >= Math.abs(dc);
      candidates[0] = verticalFirst ? vertical : horizontal;
      candidates[1] = verticalFirst ? horizontal : vertical;
      const base = i * obsSize + centre; // channel 0 of agent i, at the agent's own cell
      let chosen = -1;
      for (let k = 0; k < 2 && chosen < 0; k++) {
        const a = candidates[k];
        if (a === 0) continue;
        const off = a === UP ? -d : a === DOWN ? d : a === LEFT ? -1 : 1;
        if (obs[base + off] === 0) chosen = a;
      }
      actions[i] = chosen >= 0 ? chosen : rng.below(NUM_ACTIONS);
    }
  };
}

/**
 * Builds a policy writing into `env.actions`.
 * @param seed - seeds the policy's {@link CounterRng} (stream `actions`).
 * @param obsRadius - the env's observation radius (greedy reads the obstacle channel around the agent).
 */
export function makePolicy(name: PolicyName, env: VectorEnv, seed: number, obsRadius: number): Policy {
  const rng = new CounterRng(seed, RngStream.actions);
  return name === 'greedy' ? greedyPolicy(env, rng, obsRadius) : randomPolicy(env, rng);
}
