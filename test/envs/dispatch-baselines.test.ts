import { describe, expect, it } from 'vitest';
import { CounterRng } from '../../src/rng.js';
import {
  type PickupEtaMatrix, assignmentCost, assignmentToActions, greedyAssignment, hungarianAssignment, maskPickupEta,
} from '../../src/envs/dispatch/baselines.js';

/** A random snapshot: integer ETAs 1..30, a share of infeasible pairs (Infinity or −1), some empty slots. */
function snapshot(rng: CounterRng, v: number, k: number, pInfeasible: number): { m: PickupEtaMatrix; valid: Uint8Array } {
  const eta = new Float64Array(v * k);
  for (let i = 0; i < v * k; i++) {
    const r = rng.uniform();
    eta[i] = r < pInfeasible ? (r < pInfeasible / 2 ? Infinity : -1) : 1 + rng.below(30);
  }
  const valid = Uint8Array.from({ length: k }, () => (rng.uniform() < 0.85 ? 1 : 0));
  return { m: { numVehicles: v, numSlots: k, eta }, valid };
}

/** Best (most pairs, then least cost) over all matchings, by enumeration. */
function bruteForce(m: PickupEtaMatrix, valid: Uint8Array): { matched: number; cost: number } {
  const { numVehicles: v, numSlots: k, eta } = m;
  const taken = new Uint8Array(k);
  let best = { matched: 0, cost: 0 };
  const rec = (i: number, matched: number, cost: number): void => {
    if (i === v) {
      if (matched > best.matched || (matched === best.matched && cost < best.cost)) best = { matched, cost };
      return;
    }
    rec(i + 1, matched, cost);
    for (let j = 0; j < k; j++) {
      const e = eta[i * k + j];
      if (taken[j] || !valid[j] || !Number.isFinite(e) || e < 0) continue;
      taken[j] = 1;
      rec(i + 1, matched + 1, cost + e);
      taken[j] = 0;
    }
  };
  rec(0, 0, 0);
  return best;
}

function checkFeasible(m: PickupEtaMatrix, valid: Uint8Array, a: Int32Array): void {
  const used = new Set<number>();
  a.forEach((slot, i) => {
    if (slot < 0) return;
    expect(valid[slot]).toBe(1);
    const e = m.eta[i * m.numSlots + slot];
    expect(Number.isFinite(e) && e >= 0).toBe(true);
    expect(used.has(slot)).toBe(false);
    used.add(slot);
  });
}

describe('greedy and Hungarian dispatch', () => {
  it('greedy takes the closest pair first, not the slots in order (RideGym NearestDistanceDispatch)', () => {
    // Slot by slot, slot 0 would take vehicle 0 (1 < 3) and leave slot 1 to vehicle 1 (total 5);
    // closest pair first, vehicle 0 goes to slot 1 (0.5), then vehicle 1 to slot 0 (total 3.5).
    const eta = [
      [1, 0.5],
      [3, 4],
    ];
    expect(Array.from(greedyAssignment(eta))).toEqual([1, 0]);
    expect(assignmentCost(eta, greedyAssignment(eta))).toEqual({ matched: 2, cost: 3.5 });
    // Ties: the lower slot first, then the lower vehicle.
    expect(Array.from(greedyAssignment([[2, 2], [2, 2]]))).toEqual([0, 1]);
    // Three pairs tie at 1: (s0, v0) goes first, so v1 gets s1 (9); higher slot first would give [1, 0].
    expect(Array.from(greedyAssignment([[1, 1], [1, 9]]))).toEqual([0, 1]);
    expect(Array.from(greedyAssignment([[3, 1], [1, 9]]))).toEqual([1, 0]);
    expect(Array.from(greedyAssignment([[4, 4, 4], [4, 4, 4]], { validSlots: [0, 1, 1] }))).toEqual([1, 2]);
  });

  it('greedy equals picking the cheapest free pair again and again', () => {
    const rng = new CounterRng(31);
    for (let trial = 0; trial < 300; trial++) {
      const v = 1 + rng.below(12), k = 1 + rng.below(12);
      const { m, valid } = snapshot(rng, v, k, [0, 0.3, 0.7][trial % 3]);
      // The definition, one pick at a time: the smallest ETA among free vehicles and free slots,
      // ties to the lower slot, then the lower vehicle.
      const want = new Int32Array(v).fill(-1), slotTaken = new Uint8Array(k);
      for (;;) {
        let bi = -1, bj = -1;
        for (let j = 0; j < k; j++) {
          if (slotTaken[j] || !valid[j]) continue;
          for (let i = 0; i < v; i++) {
            const e = m.eta[i * k + j];
            if (want[i] !== -1 || !(e >= 0 && e < Infinity)) continue;
            if (bi < 0 || e < m.eta[bi * k + bj]) { bi = i; bj = j; }
          }
        }
        if (bi < 0) break;
        want[bi] = bj;
        slotTaken[bj] = 1;
      }
      expect(Array.from(greedyAssignment(m, { validSlots: valid }))).toEqual(Array.from(want));
    }
  });

  it('greedy and Hungarian on a snapshot with an infeasible pair and an empty slot', () => {
    const eta = [
      [5, 1, Infinity],
      [2, 2, 3],
      [2, 9, -1],
    ];
    // Pairs by ETA: (v0,s1) 1; then 2s: (v1,s0), (v2,s0), (v1,s1); so v0 → s1, v1 → s0, v2 nothing left.
    expect(Array.from(greedyAssignment(eta))).toEqual([1, 0, -1]);
    expect(Array.from(greedyAssignment(eta, { validSlots: [0, 1, 1] }))).toEqual([1, 2, -1]);
    expect(Array.from(hungarianAssignment(eta))).toEqual([1, 2, 0]);
    expect(assignmentCost(eta, hungarianAssignment(eta))).toEqual({ matched: 3, cost: 1 + 3 + 2 });
    expect(assignmentCost(eta, greedyAssignment(eta))).toEqual({ matched: 2, cost: 3 });
  });

  it('Hungarian maximises the matched count first, then minimises the cost', () => {
    // Pairing vehicle 0 with its cheap slot 0 would leave vehicle 1 unmatched.
    const eta = [
      [1, 50],
      [2, Infinity],
    ];
    expect(Array.from(hungarianAssignment(eta))).toEqual([1, 0]);
    expect(Array.from(greedyAssignment(eta))).toEqual([0, -1]);
  });

  it('equals brute force on small snapshots and never assigns infeasible pairs', () => {
    const rng = new CounterRng(2024);
    for (let trial = 0; trial < 600; trial++) {
      const v = 1 + rng.below(5), k = 1 + rng.below(5);
      const { m, valid } = snapshot(rng, v, k, [0, 0.3, 0.7][trial % 3]);
      const h = hungarianAssignment(m, { validSlots: valid }), g = greedyAssignment(m, { validSlots: valid });
      checkFeasible(m, valid, h);
      checkFeasible(m, valid, g);
      expect(assignmentCost(m, h, { validSlots: valid })).toEqual(bruteForce(m, valid));
    }
  });

  it('is never worse than greedy on larger snapshots', () => {
    const rng = new CounterRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const v = 1 + rng.below(40), k = 1 + rng.below(40);
      const { m, valid } = snapshot(rng, v, k, [0, 0.2, 0.6, 0.9][trial % 4]);
      const h = hungarianAssignment(m, { validSlots: valid }), g = greedyAssignment(m, { validSlots: valid });
      checkFeasible(m, valid, h);
      checkFeasible(m, valid, g);
      const ch = assignmentCost(m, h, { validSlots: valid }), cg = assignmentCost(m, g, { validSlots: valid });
      expect(ch.matched).toBeGreaterThanOrEqual(cg.matched);
      if (ch.matched === cg.matched) expect(ch.cost).toBeLessThanOrEqual(cg.cost);
    }
  });

  it('handles empty and fully infeasible snapshots, and a 1000 × 256 batch quickly', () => {
    expect(Array.from(hungarianAssignment({ numVehicles: 3, numSlots: 0, eta: [] }))).toEqual([-1, -1, -1]);
    expect(Array.from(hungarianAssignment([[Infinity, -1], [NaN, Infinity]]))).toEqual([-1, -1]);
    expect(hungarianAssignment([]).length).toBe(0);
    const { m, valid } = snapshot(new CounterRng(1), 1000, 256, 0.5);
    const t0 = performance.now();
    const h = hungarianAssignment(m, { validSlots: valid });
    expect(performance.now() - t0).toBeLessThan(5000);
    checkFeasible(m, valid, h);
    expect(assignmentCost(m, h, { validSlots: valid }).matched).toBe(valid.reduce((a, b) => a + b, 0));
  });

  it('converts assignments to actions and masks ETAs with the action mask', () => {
    expect(Array.from(assignmentToActions([2, -1, 0]))).toEqual([3, 0, 1]);
    const batch = new Int32Array(6);
    assignmentToActions([1, -1, 0], batch, 3);
    expect(Array.from(batch)).toEqual([0, 0, 0, 2, 0, 1]);
    // V = 2, K = 2, R = 1: actions [noop, bid0, bid1, repo0].
    const mask = [1, 1, 0, 1, /* vehicle 1 */ 1, 0, 1, 0];
    const masked = maskPickupEta({ numVehicles: 2, numSlots: 2, eta: [3, 4, 5, 6] }, mask, 4);
    expect(Array.from(masked.eta)).toEqual([3, Infinity, Infinity, 6]);
    expect(() => assignmentCost(masked, [1, -1])).toThrow(/infeasible/);
    expect(() => assignmentCost(masked, [0, 0])).toThrow(/assigned to vehicles 0 and 1/);
  });
});
