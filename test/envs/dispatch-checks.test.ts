/**
 * RideDispatch-v0: the pair block agrees with the mask, and configurations whose values are each
 * valid but whose products would overflow float32 (NaN or Infinity in fares and rewards) or whose
 * hand-built city tables break the city-file rules are refused with a typed error naming the field
 * or entry.
 */
import { describe, expect, it } from 'vitest';
import { DISPATCH_METRIC_NAMES, InvalidConfigError, InvalidMapError, make, parseCityFile, type DispatchInfos } from '../../src/index.js';
import { dims, dispatchBackends, makeDispatch, matrixCity, seedWithStarts } from '../helpers/dispatch.js';

const MIN = [[1, 3, 5, 8], [3, 1, 4, 6], [5, 4, 1, 2], [8, 6, 2, 1]];
const KM = [[0.5, 1.5, 2.5, 4], [1.5, 0.5, 2, 3], [2.5, 2, 0.5, 1], [4, 3, 1, 0.5]];

for (const backend of dispatchBackends()) {
  describe(`${backend}: the pair block follows the mask`, () => {
    it('an order beyond maxPickupMin is masked and its added minutes are 0; within the limit they are the plan search\'s', () => {
      // One vehicle in zone 0; order 0 waits in zone 3 (8 min away, over the 2 min limit), order 1 in
      // zone 0 (1 min away) going to zone 2: a lone vehicle's added minutes are 1 to the pickup + 5.
      const seed = seedWithStarts([0], 4);
      const env = makeDispatch({
        backend, seed,
        config: {
          city: parseCityFile(matrixCity(MIN, KM)), numVehicles: 1, numSlots: 2, horizonSteps: 4, maxPickupMin: 2,
          pairInsertionCost: true, repositionEnabled: false,
          demand: { replay: [{ step: 0, origin: 3, dest: 0 }, { step: 0, origin: 0, dest: 2 }] },
        },
      });
      const { obs, infos } = env.reset();
      const d = dims(1, 2, 3, 0, 4, { pair: true });
      expect(Array.from((infos as DispatchInfos).actionMask)).toEqual([1, 0, 1]);
      const o = obs as Float32Array;
      expect(o[d.pair] * 60).toBeCloseTo(8, 4);       // slot 0: ETA shown for every pending order ...
      expect(o[d.pair + 1]).toBe(0);                   // ... but no added minutes: the bid is masked
      expect(o[d.pair + 2] * 60).toBeCloseTo(1, 4);
      expect(o[d.pair + 3] * 60).toBeCloseTo(1 + 5, 4);
      env.close();
    });
  });
}

for (const backend of dispatchBackends()) {
  describe(`${backend}: a repositioning vehicle takes an order, worked by hand`, () => {
    it('3×1 grid (1 km, 2 min per cell): reposition right, bid mid-leg, pickup at t + ETA, drop-off, rewards and metrics', () => {
      // Vehicle in zone 0; order 0→2 requested at step 1. Fare preset plus wRepositionKm 0.5 and
      // wEmptyMove 0.1. Actions: 0 no-op, 1–2 bids, 3–6 up, down, left, right.
      const env = makeDispatch({
        backend, seed: seedWithStarts([0], 3),
        config: {
          gridWidth: 3, gridHeight: 1, numVehicles: 1, numSlots: 2, horizonSteps: 10, pairInsertionCost: true,
          reward: { preset: 'fare', wRepositionKm: 0.5, wEmptyMove: 0.1 }, demand: { replay: [{ step: 1, origin: 0, dest: 2 }] },
        },
      });
      let infos = env.reset().infos as DispatchInfos;
      expect(Array.from(infos.actionMask), 'only right: the grid edges and no orders yet').toEqual([1, 0, 0, 0, 0, 0, 1]);
      let r = env.step([6]);
      infos = r.infos as DispatchInfos;
      // One minute into the 2-minute leg 0 → 1: halfway between the centres 1/6 and 1/2. The 1 km
      // leg is charged when it starts: −0.5·1 − 0.1 (moved empty).
      expect(infos.vehiclePositions[0]).toBeCloseTo(1 / 3, 6);
      expect(r.rewards[0]).toBeCloseTo(-0.6, 6);
      // The order's ETA is the leg's remaining minute plus tt[1][0] = 2: 3. Repositioning again is masked.
      expect(Array.from(infos.actionMask)).toEqual([1, 1, 0, 0, 0, 0, 0]);
      expect((r.obs as Float32Array)[dims(1, 2, 3, 4, 3, { pair: true }).pair] * 60).toBeCloseTo(3, 4);
      r = env.step([1]);
      infos = r.infos as DispatchInfos;
      // Won: fare 2.5 + 1.5·2 km + 0.5·4 min = 7.5, less 0.1 for the minute that ends the leg in zone 1.
      expect(infos.wonSlot[0]).toBe(0);
      expect(r.rewards[0]).toBeCloseTo(7.4, 5);
      expect(infos.vehiclePositions[0]).toBeCloseTo(0.5, 6);
      const status: number[] = [];
      const rewards: number[] = [];
      for (let t = 2; t < 10; t++) {
        r = env.step([0]);
        status.push((r.infos as DispatchInfos).vehicleStatus[0]);
        rewards.push(r.rewards[0]);
      }
      // Steps 3, 4: to the pickup (reached at 1 + 3 = 4); 4–8 riding 4 minutes to zone 2; then idle.
      expect(status).toEqual([1, 2, 2, 2, 2, 0, 0, 0]);
      expect(rewards.map((x) => Math.round(x * 1e5) / 1e5)).toEqual([-0.1, -0.1, 0, 0, 0, 0, 0, 0]);
      const m = Object.fromEntries(['ordersServed', 'ordersCompleted', 'meanPickupMin', 'meanConfirmationMin', 'meanDeliveryMin',
        'meanDetourMin', 'revenue', 'vehicleUtilisation', 'emptyKm', 'repositionKm', 'episodeReturn'].map((k) => {
        const i = DISPATCH_METRIC_NAMES.indexOf(k as (typeof DISPATCH_METRIC_NAMES)[number]);
        return [k, Math.round((r.infos as DispatchInfos).episode.metrics[i] * 1e5) / 1e5];
      }));
      // Empty km: the 1 km reposition and the 1 km back to the pickup; 4 of 10 vehicle-minutes
      // carried a passenger; return −0.6 + 7.4 − 0.2.
      expect(m).toEqual({
        ordersServed: 1, ordersCompleted: 1, meanPickupMin: 3, meanConfirmationMin: 0, meanDeliveryMin: 4, meanDetourMin: 0,
        revenue: 7.5, vehicleUtilisation: 0.4, emptyKm: 2, repositionKm: 1, episodeReturn: 6.6,
      });
      env.close();
    });
  });
}

describe('RideDispatch-v0: values that are each valid but overflow together', () => {
  const refused = (config: object, field: RegExp): void => {
    let err: unknown;
    try { make('RideDispatch-v0', { numEnvs: 1, config }).close(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect((err as Error).message).toMatch(field);
  };
  it('fares whose value for the longest trip would overflow', () => {
    refused({ farePerKm: 3e38 }, /fareBase \+ farePerKm·km \+ farePerMin·min must stay below 1e20/);
    refused({ fareBase: 1e21 }, /must stay below 1e20/);
  });
  it('reward weights whose product with trip minutes, km or fares would overflow', () => {
    refused({ reward: { preset: 'fare', wDist: 3e38, wTrip: 3e38 } }, /reward\.wTrip is too large/);
    refused({ reward: { wFare: 1e19 } }, /reward\.wFare is too large/);
  });
  it('large but harmless values are accepted', () => {
    make('RideDispatch-v0', { numEnvs: 1, config: { farePerKm: 1e6, reward: { wFare: 1e6, wTrip: 1e6 } } }).close();
  });
});

describe('RideDispatch-v0: a city object built or edited in code is checked value by value', () => {
  const base = (): ReturnType<typeof parseCityFile> => parseCityFile(matrixCity([[1, 2], [2, 1]], [[0, 1], [1, 0]]));
  const refused = (edit: (c: ReturnType<typeof parseCityFile>) => void, field: string): void => {
    const city = base();
    edit(city);
    let err: unknown;
    try { make('RideDispatch-v0', { numEnvs: 1, config: { city, numVehicles: 1 } }).close(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidMapError);
    expect((err as Error).message).toContain(field);
  };
  it('negative or non-finite origin rates, zone coordinates outside [0, 1], negative km and weights', () => {
    refused((c) => { c.originRates = new Float64Array([-60, 120]); c.originBlocks = 1; }, 'city.originRates[0] must be a finite rate >= 0');
    refused((c) => { c.originRates = new Float64Array([60, Infinity]); c.originBlocks = 1; }, 'city.originRates[1]');
    refused((c) => { c.zoneXY[2] = 7; }, 'city.zoneXY[2] must be in [0, 1]');
    refused((c) => { (c.distKm as Float32Array)[1] = -1; }, 'city.distKm[1]');
    refused((c) => { c.destWeights = new Float64Array([0.5, -0.5, 0.5, 0.5]); c.destBlocks = 1; }, 'city.destWeights[1]');
  });
  it('a city file whose km would overflow float32 is refused by entry, as any bad km', () => {
    let err: unknown;
    const file = matrixCity([[1, 5], [5, 1]], [[0, 1e39], [1, 0]]);
    try { make('RideDispatch-v0', { numEnvs: 1, config: { city: file } }).close(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidMapError);
    expect((err as Error).message).toContain('km[0][1] must be a finite number ≥ 0, got 1e+39');
  });
  it('an untouched parsed city is accepted', () => {
    make('RideDispatch-v0', { numEnvs: 1, config: { city: base(), numVehicles: 1 } }).close();
  });
});
