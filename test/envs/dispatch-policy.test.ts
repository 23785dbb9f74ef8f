/**
 * RideDispatch-v0 batch policies: the greedy and Hungarian baselines run on every env of a batch
 * from the pair block's pickup ETAs, random valid actions, and no-ops.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, availableBackends, make } from '../../src/index.js';
import type { VectorEnv } from '../../src/core/vector-env.js';
import { assignmentCost, greedyAssignment, hungarianAssignment } from '../../src/envs/dispatch/baselines.js';
import type { DispatchInfos } from '../../src/envs/dispatch/infos.js';
import { DISPATCH_METRIC_NAMES } from '../../src/envs/dispatch/layout.js';
import { type DispatchPolicyName, dispatchPickupEta, makeDispatchPolicy } from '../../src/envs/dispatch/policy.js';

const native = availableBackends().some((b) => b.name === 'native' && b.available);
const E = 32, HORIZON = 60, STEPS = 2 * HORIZON;
const SERVED = DISPATCH_METRIC_NAMES.indexOf('ordersServed'), GENERATED = DISPATCH_METRIC_NAMES.indexOf('ordersGenerated');
const PICKUP = DISPATCH_METRIC_NAMES.indexOf('meanPickupMin'), M = DISPATCH_METRIC_NAMES.length;

interface Run {
  /** Summed over finished episodes. */
  served: number; generated: number; pickupSum: number; episodes: number;
  invalid: number; lost: number;
  /** Steps where (over all envs) the snapshot comparison held, and steps checked. */
  snapshots: { checked: number; hungarianMore: number; equalCountCheaper: number };
}

/** Runs `name` on E envs for 2 episodes; checks per step and per episode against the baselines on the same snapshot. */
function run(name: DispatchPolicyName, pair = true): Run {
  const env = make('RideDispatch-v0', { numEnvs: E, seed: 11, numThreads: 1, config: { pairInsertionCost: pair } });
  try {
    const policy = makeDispatchPolicy(name, env, 5);
    const r = env.reset();
    const infos = r.infos as DispatchInfos;
    let obs = r.obs as Float32Array;
    const V = env.numAgents;
    const out: Run = { served: 0, generated: 0, pickupSum: 0, episodes: 0, invalid: 0, lost: 0, snapshots: { checked: 0, hungarianMore: 0, equalCountCheaper: 0 } };
    // Matched orders and summed ETAs of the policy's own assignments, per env and episode.
    const count = new Float64Array(E), cost = new Float64Array(E);
    const eta = new Float64Array(V * 32);
    for (let t = 0; t < STEPS; t++) {
      policy(obs, infos);
      if (pair) {
        for (let e = 0; e < E; e++) {
          const m = dispatchPickupEta(env, obs, infos, e, eta);
          const g = greedyAssignment(m), h = hungarianAssignment(m);
          const gc = assignmentCost(m, g), hc = assignmentCost(m, h);
          // The optimal assignment of this snapshot is never worse than the greedy one.
          expect(hc.matched).toBeGreaterThanOrEqual(gc.matched);
          if (hc.matched === gc.matched) expect(hc.cost).toBeLessThanOrEqual(gc.cost + 1e-9);
          out.snapshots.checked++;
          if (hc.matched > gc.matched) out.snapshots.hungarianMore++;
          else if (hc.cost < gc.cost) out.snapshots.equalCountCheaper++;
          // The policy bids exactly its baseline's assignment.
          const mine = name === 'greedy' ? g : name === 'hungarian' ? h : null;
          if (mine) {
            for (let v = 0; v < V; v++) expect(env.actions[e * V + v]).toBe(mine[v] >= 0 ? 1 + mine[v] : 0);
            const c = name === 'greedy' ? gc : hc;
            count[e] += c.matched;
            cost[e] += c.cost;
          }
        }
      }
      obs = env.step().obs as Float32Array;
      for (let i = 0; i < E * V; i++) { out.invalid += infos.invalidAction[i]; out.lost += infos.lostBid[i]; }
      for (let e = 0; e < E; e++) {
        if (!infos.episode.done[e]) continue;
        const met = infos.episode.metrics;
        out.episodes++;
        out.served += met[e * M + SERVED];
        out.generated += met[e * M + GENERATED];
        if (met[e * M + SERVED] > 0) out.pickupSum += met[e * M + PICKUP] * met[e * M + SERVED];
        if (name === 'greedy' || name === 'hungarian') {
          // Every bid won (no conflicts), at the ETA the pair block showed.
          expect(met[e * M + SERVED]).toBe(count[e]);
          expect(met[e * M + PICKUP] * count[e]).toBeCloseTo(cost[e], 2);
        }
        count[e] = cost[e] = 0;
      }
    }
    return out;
  } finally {
    env.close();
  }
}

describe.skipIf(!native)('RideDispatch-v0 policies', () => {
  let greedy: Run, hungarian: Run;
  beforeAll(() => {
    greedy = run('greedy');
    hungarian = run('hungarian');
  }, 120_000);

  it('on every step snapshot, the Hungarian assignment matches at least as many orders, at no more total ETA when equal', () => {
    expect(greedy.snapshots.checked).toBe(E * STEPS);
    expect(hungarian.snapshots.checked).toBe(E * STEPS);
    // The comparison is not vacuous: Hungarian strictly wins on some snapshots.
    expect(greedy.snapshots.hungarianMore + greedy.snapshots.equalCountCheaper).toBeGreaterThan(0);
  });

  it('greedy and hungarian never bid invalidly or on a slot another vehicle takes', () => {
    for (const r of [greedy, hungarian]) {
      expect(r.episodes).toBe(2 * E);
      expect(r.invalid).toBe(0);
      expect(r.lost).toBe(0);
    }
  });

  it('greedy serves far more than no-ops (which serve nothing); hungarian picks up no later than greedy', () => {
    const noop = run('noop', false);
    expect(noop.served).toBe(0);
    expect(noop.generated).toBeGreaterThan(0);
    expect(greedy.served / greedy.generated).toBeGreaterThan(0.3);
    expect(hungarian.served / hungarian.generated).toBeGreaterThan(0.3);
    expect(hungarian.pickupSum / hungarian.served).toBeLessThanOrEqual(greedy.pickupSum / greedy.served + 0.25);
  });

  it('random picks uniformly among valid actions, repeatably for a seed', () => {
    const a = run('random', false);
    expect(a.invalid).toBe(0);
    expect(a.served).toBeGreaterThan(0);
    const env = make('RideDispatch-v0', { numEnvs: 2, seed: 3, config: { numVehicles: 4, numSlots: 4 } });
    try {
      const { obs, infos } = env.reset();
      const A = 1 + 4 + 4;
      const draws = (seed: number): number[] => {
        makeDispatchPolicy('random', env, seed)(obs as Float32Array, infos as DispatchInfos);
        return Array.from(env.actions);
      };
      const first = draws(9);
      expect(draws(9)).toEqual(first);
      const mask = (infos as DispatchInfos).actionMask;
      first.forEach((act, i) => expect(mask[i * A + act]).toBe(1));
      // Over many draws of one state every valid action of vehicle 0 shows up, and no other.
      const policy = makeDispatchPolicy('random', env, 1);
      const seen = new Set<number>();
      for (let k = 0; k < 400; k++) { policy(obs as Float32Array, infos as DispatchInfos); seen.add(env.actions[0]); }
      const valid = Array.from({ length: A }, (_, j) => j).filter((j) => mask[j]);
      expect([...seen].sort((x, y) => x - y)).toEqual(valid);
    } finally {
      env.close();
    }
  });

  it('dispatchPickupEta: whole minutes where a bid is allowed, Infinity elsewhere', () => {
    const env = make('RideDispatch-v0', { numEnvs: 2, seed: 4, config: { pairInsertionCost: true, numVehicles: 6, numSlots: 8 } });
    try {
      const { obs, infos } = env.reset();
      const d = infos as DispatchInfos;
      const m = dispatchPickupEta(env, obs as Float32Array, d, 1);
      expect(m.numVehicles).toBe(6);
      expect(m.numSlots).toBe(8);
      for (let v = 0; v < 6; v++) {
        for (let k = 0; k < 8; k++) {
          const x = m.eta[v * 8 + k];
          if (d.actionMask[(6 + v) * 13 + 1 + k]) {
            expect(Number.isInteger(x)).toBe(true);
            expect(x).toBeGreaterThanOrEqual(1);
          } else expect(x).toBe(Infinity);
        }
      }
      expect(() => dispatchPickupEta(env, obs as Float32Array, d, 2)).toThrow(InvalidArgumentError);
      expect(() => dispatchPickupEta(env, obs as Float32Array, d, 0, new Float64Array(3))).toThrow(/expected 48/);
    } finally {
      env.close();
    }
  });

  it('rejects envs the policies cannot drive', () => {
    const plain = make('RideDispatch-v0', { numEnvs: 1, config: { numVehicles: 2, numSlots: 2 } });
    const mapf = make('MAPF-v0', { numEnvs: 1 }) as VectorEnv;
    try {
      expect(() => makeDispatchPolicy('greedy', plain, 0)).toThrow(/pairInsertionCost: true/);
      expect(() => makeDispatchPolicy('hungarian', plain, 0)).toThrow(InvalidArgumentError);
      expect(() => makeDispatchPolicy('noop', plain, 0)).not.toThrow();
      const { obs, infos } = plain.reset();
      expect(() => dispatchPickupEta(plain, obs as Float32Array, infos as DispatchInfos, 0)).toThrow(/no pair block/);
      expect(() => makeDispatchPolicy('bogus' as DispatchPolicyName, plain, 0)).toThrow(/unknown policy/);
      expect(() => makeDispatchPolicy('random', mapf, 0)).toThrow(/not a RideDispatch-v0 env/);
    } finally {
      plain.close();
      mapf.close();
    }
  });
});
