/**
 * Batch policies for `RideDispatch-v0`: the host-side baselines of `baselines.ts` run on every env
 * of a batch (`'greedy'`, `'hungarian'`), uniform random valid actions (`'random'`) and no-ops
 * (`'noop'`), writing `env.actions` in place.
 * @module
 */

import type { VectorEnv } from '../../core/vector-env.js';
import { InvalidArgumentError, formatValue } from '../../errors.js';
import { CounterRng, RngStream } from '../../rng.js';
import { type PickupEtaMatrix, assignmentToActions, greedyAssignment, hungarianAssignment } from './baselines.js';
import type { DispatchInfos } from './infos.js';
import { PAIR_FEATURES } from './layout.js';

/** Names of the policies {@link makeDispatchPolicy} builds. */
export type DispatchPolicyName = 'greedy' | 'hungarian' | 'random' | 'noop';

/** Writes one batch of actions into `env.actions` from the observation and infos of the last `reset()`/`step()`. */
export type DispatchPolicy = (obs: Float32Array, infos: DispatchInfos) => void;

/** The shape of a dispatch batch as a policy reads it. */
interface DispatchShape {
  numEnvs: number; numVehicles: number; numSlots: number; numActions: number; obsSize: number; pairStart: number; pairInsertionCost: boolean;
}

function dispatchShape(env: VectorEnv, who: string): DispatchShape {
  const cfg = env.metadata.config as { numVehicles?: number; numSlots?: number; numNeighbours?: number; pairInsertionCost?: boolean } | undefined;
  const layout = env.metadata.observationLayout as { pair?: [number, number] } | undefined;
  if (env.id !== 'RideDispatch-v0' || cfg?.numSlots === undefined || layout?.pair === undefined) {
    throw new InvalidArgumentError(`${who}: ${env.id} is not a RideDispatch-v0 env`, { id: env.id });
  }
  return {
    numEnvs: env.numEnvs, numVehicles: env.numAgents, numSlots: cfg.numSlots, numActions: 1 + cfg.numSlots + (cfg.numNeighbours ?? 0),
    obsSize: env.obsSize, pairStart: layout.pair[0], pairInsertionCost: cfg.pairInsertionCost === true,
  };
}

/**
 * Fills `out` (`[V · K]`, row-major by vehicle) with env `envIndex`'s pickup-ETA matrix in minutes,
 * read from the pair block of the observation (pickup ETA / 60, rounded to whole minutes), with
 * `Infinity` wherever the action mask forbids bidding on the slot (empty slot, no free seats,
 * vehicle busy, ETA above `maxPickupMin`). The env must be made with `pairInsertionCost: true`
 * (without it the observation has no pair block).
 * @param env - a `RideDispatch-v0` batch (only its shape is read).
 * @param obs - the batch observation of the last `reset()`/`step()`.
 * @param infos - the matching infos (`actionMask`).
 * @param envIndex - which env of the batch.
 * @param out - reused output; a new array when omitted.
 * @returns the matrix, in the form `greedyAssignment` and `hungarianAssignment` take.
 * @throws InvalidArgumentError for a non-dispatch env, an env without `pairInsertionCost`, an env index out of
 *   range, or an `out` of the wrong length.
 */
export function dispatchPickupEta(env: VectorEnv, obs: Float32Array, infos: DispatchInfos, envIndex: number,
  out?: Float64Array): PickupEtaMatrix {
  const s = dispatchShape(env, 'dispatchPickupEta');
  if (!s.pairInsertionCost) throw new InvalidArgumentError(`dispatchPickupEta: make ${env.id} with config { pairInsertionCost: true } (its observation has no pair block)`);
  const V = s.numVehicles, K = s.numSlots;
  if (!Number.isInteger(envIndex) || envIndex < 0 || envIndex >= s.numEnvs) {
    throw new InvalidArgumentError(`dispatchPickupEta: env index must be an integer in [0, ${s.numEnvs}), got ${formatValue(envIndex)}`, { env: envIndex });
  }
  const eta = out ?? new Float64Array(V * K);
  if (eta.length !== V * K) throw new InvalidArgumentError(`dispatchPickupEta: out has ${eta.length} entries, expected ${V * K}`);
  fillEta(s, obs, infos.actionMask, envIndex, eta);
  return { numVehicles: V, numSlots: K, eta };
}

function fillEta(s: DispatchShape, obs: Float32Array, mask: Uint8Array, e: number, eta: Float64Array): void {
  const V = s.numVehicles, K = s.numSlots, A = s.numActions;
  for (let v = 0; v < V; v++) {
    const row = e * V + v;
    const m = row * A + 1, q = row * s.obsSize + s.pairStart;
    for (let k = 0; k < K; k++) eta[v * K + k] = mask[m + k] ? Math.round(obs[q + PAIR_FEATURES * k] * 60) : Infinity;
  }
}

/**
 * Builds a policy that writes `env.actions` (`[E, V]`, `Int32Array`) of a `RideDispatch-v0` batch:
 * - `'greedy'`: per env, (vehicle, slot) pairs in ascending pickup ETA, closest first, each kept
 *   while its vehicle and slot are free (`greedyAssignment`, RideGym's `NearestDistanceDispatch`);
 *   each matched vehicle bids on its slot, the others no-op;
 * - `'hungarian'`: per env, the assignment with the most matched orders and, among those, the least
 *   total pickup ETA (`hungarianAssignment`), as bids;
 * - `'random'`: per vehicle, a uniform choice among its valid actions (the action mask: no-op,
 *   bids, repositions), drawn from a {@link CounterRng} with `seed` on the `actions` stream (3);
 * - `'noop'`: action 0 everywhere.
 *
 * The assignment policies read the pickup ETAs from the observation's pair block
 * ({@link dispatchPickupEta}), so they need the env made with `pairInsertionCost: true`; they
 * never bid on masked slots and never send two vehicles to one slot, so no bid is invalid or lost.
 * Buffers are allocated once; per step only the baselines' own scratch arrays are.
 * @throws InvalidArgumentError for a non-dispatch env, an unknown name, or `'greedy'`/`'hungarian'`
 *   on an env without `pairInsertionCost`.
 */
export function makeDispatchPolicy(name: DispatchPolicyName, env: VectorEnv, seed: number): DispatchPolicy {
  const s = dispatchShape(env, 'makeDispatchPolicy');
  const actions = env.actions as Int32Array;
  const E = s.numEnvs, V = s.numVehicles, A = s.numActions;
  if (name === 'noop') return () => { actions.fill(0); };
  if (name === 'random') {
    const rng = new CounterRng(seed >>> 0, RngStream.actions);
    return (_obs, infos) => {
      const mask = infos.actionMask;
      for (let i = 0; i < E * V; i++) {
        const m = i * A;
        let n = 0;
        for (let a = 0; a < A; a++) n += mask[m + a];
        let pick = n > 0 ? rng.below(n) : 0, chosen = 0;
        for (let a = 0; a < A; a++) {
          if (!mask[m + a]) continue;
          if (pick-- === 0) { chosen = a; break; }
        }
        actions[i] = chosen;
      }
    };
  }
  if (name !== 'greedy' && name !== 'hungarian') throw new InvalidArgumentError(`makeDispatchPolicy: unknown policy '${String(name)}'`, { name });
  if (!s.pairInsertionCost) {
    throw new InvalidArgumentError(`makeDispatchPolicy: '${name}' reads pickup ETAs from the pair block; make ${env.id} with config { pairInsertionCost: true }`,
      { name });
  }
  const assign = name === 'greedy' ? greedyAssignment : hungarianAssignment;
  const eta = new Float64Array(V * s.numSlots);
  const matrix: PickupEtaMatrix = { numVehicles: V, numSlots: s.numSlots, eta };
  return (obs, infos) => {
    for (let e = 0; e < E; e++) {
      fillEta(s, obs, infos.actionMask, e, eta);
      assignmentToActions(assign(matrix), actions, e * V);
    }
  };
}
