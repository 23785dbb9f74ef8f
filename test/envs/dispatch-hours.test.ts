/**
 * RideDispatch-v0 across an hourly travel-block boundary, worked by hand from docs/envs/dispatch.md
 * ("City": the minutes of a leg are those of the block of the step the leg starts in; "Time and
 * step order": the ETA uses the current hour's table, so the pickup at t + ETA is exact only with
 * one block; the reward's pickup term and `meanPickupMin` use the ETA). A 3-zone city whose hour-9
 * minutes differ from every other hour's; the episode starts at 8 h, so step 60 is the first
 * minute of hour 9.
 */
import { describe, expect, it } from 'vitest';
import type { BackendName, DispatchInfos, VectorEnv } from '../../src/index.js';
import { dims, dispatchBackends, makeDispatch, matrixCity, metricsOf, seedWithStarts } from '../helpers/dispatch.js';

// Zones on a line at x = 1/6, 1/2, 5/6 (y 0.5). H8 serves every hour but 9, H9 serves hour 9.
const H8 = [[1, 4, 6], [4, 1, 2], [6, 2, 1]];
const H9 = [[1, 5, 9], [5, 1, 6], [9, 6, 1]];
const KM = [[0, 2, 4], [2, 0, 2], [4, 2, 0]];
// One vehicle, one slot, R 1: actions 0 no-op, 1 bid on slot 0, 2 reposition to zone 0's nearest
// zone by minutes averaged over the blocks: zone 1 ((23·4 + 5)/24 against (23·6 + 9)/24 for zone 2).
const D = dims(1, 1, 3, 1, 3, { pair: true });

function build(backend: BackendName, T: number, replay: Array<{ step: number; origin: number; dest: number }>): VectorEnv {
  const city = matrixCity(H8, KM);
  city.minutes = Array.from({ length: 24 }, (_, h) => (h === 9 ? H9 : H8));
  return makeDispatch({
    backend, seed: seedWithStarts([0], 3),
    config: {
      city, numVehicles: 1, numSlots: 1, numNeighbours: 1, startHour: 8, horizonSteps: T, pairInsertionCost: true,
      reward: { preset: 'tripleBert', wEmptyMove: 0.1 }, demand: { replay },
    },
  });
}

/** What the vehicle shows after the step that brings the clock to t. */
interface Row {
  t: number; status: number; remain: number; x: number; reward: number; eta: number; direct: number; minuteOfDay: number; mask: number[];
}

/** Steps to T with `acts[t]` at step t (no-op otherwise); rows[t] is the state at time t (rows[0] after reset). */
function run(env: VectorEnv, T: number, acts: Record<number, number>): { rows: Row[]; infos: DispatchInfos } {
  const row = (t: number, obs: Float32Array, infos: DispatchInfos, reward: number): Row => ({
    t, status: infos.vehicleStatus[0], remain: Math.round(obs[2] * 60), x: infos.vehiclePositions[0], reward,
    eta: Math.round(obs[D.pair] * 60), direct: Math.round(obs[D.orders + 6] * 60), minuteOfDay: Math.round(obs[10] * 1440),
    mask: Array.from(infos.actionMask),
  });
  const r0 = env.reset();
  const rows = [row(0, r0.obs as Float32Array, r0.infos as DispatchInfos, 0)];
  let infos = r0.infos as DispatchInfos;
  for (let t = 0; t < T; t++) {
    const r = env.step([acts[t] ?? 0]);
    infos = r.infos as DispatchInfos;
    rows.push(row(t + 1, r.obs as Float32Array, infos, r.rewards[0]));
  }
  return { rows, infos };
}

/** Rewards of the steps from `a` to `b − 1` (rows a + 1 … b), rounded to 1e-5. */
const rewards = (rows: Row[], a: number, b: number): number[] => rows.slice(a + 1, b + 1).map((r) => Math.round(r.reward * 1e5) / 1e5 + 0);
const col = <K extends keyof Row>(rows: Row[], a: number, b: number, k: K): Row[K][] => rows.slice(a, b + 1).map((r) => r[k]);
const near = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g, `entry ${i}`).toBeCloseTo(want[i], 6));
};
const rounded = (m: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v * 1e5) / 1e5]));

/** The 18 metrics (rounded) of an episode with one order, served and completed: the fixed counts, plus `trip`. */
const oneServedOrder = (trip: Record<string, number>): Record<string, number> => rounded({
  ordersGenerated: 1, ordersServed: 1, ordersCompleted: 1, ordersExpired: 0, ordersOverflow: 0, pendingAtEnd: 0,
  serviceRate: 1, meanConfirmationMin: 0, bidConflicts: 0, invalidActions: 0, ...trip,
});

for (const backend of dispatchBackends()) {
  describe(`${backend}: travel minutes across the 8 h → 9 h block boundary, worked by hand`, () => {
    it('the ETA, an order\'s direct minutes and the time of day switch tables at step 60', () => {
      // Order 1 → 2 requested at step 58 (matchable 58 … 62); the vehicle waits in zone 0.
      // ETA = 0 + tt[0][1]: H8 4 at t = 58, 59, H9 5 at t = 60; direct tt[1][2]: 2, 2, then 6;
      // minute of the day 8·60 + t: 538, 539, 540 (9:00).
      const env = build(backend, 61, [{ step: 58, origin: 1, dest: 2 }]);
      const { rows } = run(env, 60, {});
      expect(col(rows, 58, 60, 'eta')).toEqual([4, 4, 5]);
      expect(col(rows, 58, 60, 'direct')).toEqual([2, 2, 6]);
      expect(col(rows, 58, 60, 'minuteOfDay')).toEqual([538, 539, 540]);
      expect(col(rows, 58, 60, 'status')).toEqual([0, 0, 0]);
      env.close();
    });

    it('an idle vehicle\'s pickup leg straddles the boundary on hour-8 minutes; the drop-off leg takes hour 9\'s', () => {
      // Order 1 → 2 at step 58, taken at once by the vehicle idle in zone 0.
      // ETA = H8[0][1] = 4; direct = H8[1][2] = 2 min, km 2; total = addMin = 4 + 2 = 6; no timeout.
      // tripleBert: 3 + 1·2 − 3·4/60 − 3·6/60 = 4.5, less 0.1 for the empty minute: 4.4.
      // The pickup leg starts in step 58 (hour 8) and keeps its 4 minutes past step 60: pickup at
      // 58 + 4 = 62 (H9's 5 would give 63). The drop-off leg starts in step 62 (hour 9):
      // H9[1][2] = 6 minutes, drop-off at 68 (H8's 2 would give 64).
      const T = 70;
      const env = build(backend, T, [{ step: 58, origin: 1, dest: 2 }]);
      const { rows, infos } = run(env, T, { 58: 1 });
      expect(rows[58].mask).toEqual([1, 1, 1]);
      expect(rows[58].eta).toBe(4);
      expect(col(rows, 0, 58, 'status').every((s) => s === 0)).toBe(true);
      expect(col(rows, 59, 70, 'status')).toEqual([1, 1, 1, 2, 2, 2, 2, 2, 2, 0, 0, 0]);
      expect(col(rows, 59, 68, 'remain')).toEqual([3, 2, 1, 0, 5, 4, 3, 2, 1, 0]);
      // x along leg 0 → 1 (1/6 → 1/2, 4 min), then 1 → 2 (1/2 → 5/6, 6 min): from + (to − from)·driven/total.
      near(col(rows, 59, 68, 'x'), [1 / 4, 1 / 3, 5 / 12, 1 / 2, 5 / 9, 11 / 18, 2 / 3, 13 / 18, 7 / 9, 5 / 6]);
      // Steps 58 … 61 drive empty (−0.1 each, step 58 with the assignment); on board and idle: 0.
      expect(rewards(rows, 0, 58).every((r) => r === 0)).toBe(true);
      expect(rewards(rows, 58, 70)).toEqual([4.4, -0.1, -0.1, -0.1, 0, 0, 0, 0, 0, 0, 0, 0]);
      // Fare 2.5 + 1.5·2 + 0.5·2 (H8 at step 58) = 6.5; delivery 68 − 62 = 6, detour 6 − 2 = 4;
      // utilisation 6 of 70 vehicle-minutes; empty km 4 minutes × 2 km / 4; return 4.4 − 0.3.
      expect(infos.episode.done[0]).toBe(1);
      expect(rounded(metricsOf(infos, 0))).toEqual(oneServedOrder({
        meanPickupMin: 4, meanDeliveryMin: 6, meanDetourMin: 4, revenue: 6.5, vehicleUtilisation: 6 / 70, emptyKm: 2, repositionKm: 0, episodeReturn: 4.1,
      }));
      env.close();
    });

    it('a repositioning vehicle takes an order in hour 8 and reaches it later than t + ETA: its pickup leg starts in hour 9', () => {
      // Step 57: reposition 0 → 1, H8[0][1] = 4 min, 2 km: arrives at 61. Order 2 → 0 at step 58.
      // At t = 58: ETA = 3 left + H8[1][2] 2 = 5, so a single block would pick up at 63. Direct
      // H8[2][0] = 6 min, km 4; total = addMin = 5 + 6 = 11:
      // reward 3 + 4 − 3·5/60 − 3·11/60 = 6.2, less 0.1 (empty minute): 6.1.
      // The pickup leg 1 → 2 starts in step 61 (hour 9): H9[1][2] = 6 min, pickup at 67 (9 minutes
      // after the assignment, not 5). The drop-off leg 2 → 0 starts in step 67: H9[2][0] = 9, at 76.
      const T = 80;
      const env = build(backend, T, [{ step: 58, origin: 2, dest: 0 }]);
      const { rows, infos } = run(env, T, { 57: 2, 58: 1 });
      expect(rows[57].mask).toEqual([1, 0, 1]);                 // no order yet; idle: reposition valid
      expect(rows[58].mask).toEqual([1, 1, 0]);                 // repositioning: may bid, not reposition
      expect(rows[58].eta).toBe(5);
      expect(col(rows, 58, 77, 'status')).toEqual([3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0]);
      expect(col(rows, 58, 68, 'remain')).toEqual([3, 2, 1, 0, 5, 4, 3, 2, 1, 0, 8]);
      // Leg 0 → 1 (4 min), 1 → 2 (6 min), then 2 → 0 (5/6 → 1/6, 9 min): one minute in, 5/6 − (2/3)/9.
      near(col(rows, 58, 68, 'x'), [1 / 4, 1 / 3, 5 / 12, 1 / 2, 5 / 9, 11 / 18, 2 / 3, 13 / 18, 7 / 9, 5 / 6, 41 / 54]);
      expect(rows[76].x).toBeCloseTo(1 / 6, 6);
      // Empty minutes: steps 57 … 66 (4 repositioning, 6 to the pickup) at −0.1.
      expect(rewards(rows, 0, 57).every((r) => r === 0)).toBe(true);
      expect(rewards(rows, 57, 80)).toEqual([-0.1, 6.1, ...Array(8).fill(-0.1), ...Array(13).fill(0)]);
      // meanPickupMin is the ETA 5 (realised 9). Fare 2.5 + 1.5·4 + 0.5·6 = 11.5; delivery 76 − 67
      // = 9, detour 9 − 6 = 3; utilisation 9 of 80; empty km 2 (reposition) + 2 (leg 1 → 2);
      // return 6.2 − 10·0.1 = 5.2.
      expect(infos.episode.done[0]).toBe(1);
      expect(rounded(metricsOf(infos, 0))).toEqual(oneServedOrder({
        meanPickupMin: 5, meanDeliveryMin: 9, meanDetourMin: 3, revenue: 11.5, vehicleUtilisation: 9 / 80, emptyKm: 4, repositionKm: 2, episodeReturn: 5.2,
      }));
      env.close();
    });
  });
}
