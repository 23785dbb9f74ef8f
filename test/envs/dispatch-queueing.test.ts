/**
 * Queueing sanity of RideDispatch-v0 (specs/dispatch.md, "What must be shown"): with capacity 1 and
 * a greedy policy (every vehicle bids on the valid order with the smallest pickup ETA), the
 * long-run served rate never exceeds min(arrival rate, V / mean busy minutes per order), and it
 * approaches the arrival rate when vehicles are plentiful. Both sides are computed here: the
 * arrival rate from the configured rate table, the busy minutes per order (pickup + delivery) from
 * the episode metrics.
 */
import { describe, expect, it } from 'vitest';
import type { DispatchInfos } from '../../src/envs/dispatch/infos.js';
import { conservationGap, dims, dispatchBackends, makeDispatch, metricsOf, nearestBids, type MetricName } from '../helpers/dispatch.js';

// 8×8 grid, 1 km cells at 30 km/h: 2 minutes per cell, at most 28 minutes between zones.
const W = 8, H = 8, Z = W * H, MAX_TRIP_MIN = 2 * (W - 1 + H - 1);

interface Run {
  V: number;
  /** Arrival rate λ (orders per minute) from the rate table. */
  lambda: number;
  /** Served orders per minute over all envs. */
  served: number;
  generated: number;
  /** V / (mean pickup + mean delivery minutes), orders per minute per env. */
  capacity: number;
  meanBusy: number;
  meanDelivery: number;
  /** Completed orders per minute over all envs. */
  completed: number;
  /** Mean vehicleUtilisation (share of vehicle-minutes with a passenger on board). */
  utilisation: number;
}

/** E envs of T minutes with capacity 1, flat rates (`perZoneHour` orders per hour in every zone), nearest-ETA bids. */
function run(backend: string, V: number, perZoneHour: number, T: number, E: number, seed: number): Run {
  const K = 32;
  const env = makeDispatch({
    backend: backend as 'native', numEnvs: E, seed, numThreads: 1,
    config: {
      capacity: 1, numVehicles: V, numSlots: K, horizonSteps: T, gridWidth: W, gridHeight: H, repositionEnabled: false,
      pairInsertionCost: true, demand: { rates: [new Array<number>(Z).fill(perZoneHour)] },
    },
  });
  const d = dims(V, K, 1, 0, Z, { pair: true });
  let r = env.reset();
  const acts = new Int32Array(E * V);
  for (let t = 0; t < T; t++) r = env.step(nearestBids(r.obs as Float32Array, r.infos as DispatchInfos, d, E, acts));
  const infos = r.infos as DispatchInfos;
  const tot = (k: MetricName): number => Array.from({ length: E }, (_, e) => metricsOf(infos, e)[k]).reduce((a, b) => a + b, 0);
  const mean = (k: MetricName, w: MetricName): number =>
    Array.from({ length: E }, (_, e) => metricsOf(infos, e)[k] * metricsOf(infos, e)[w]).reduce((a, b) => a + b, 0) / tot(w);
  for (let e = 0; e < E; e++) {
    expect(infos.episode.done[e]).toBe(1);
    expect(conservationGap(metricsOf(infos, e))).toBe(0);
    expect(metricsOf(infos, e).invalidActions).toBe(0);
  }
  const meanPickup = mean('meanPickupMin', 'ordersServed'), meanDelivery = mean('meanDeliveryMin', 'ordersCompleted');
  const meanBusy = meanPickup + meanDelivery;
  env.close();
  return {
    V, lambda: (Z * perZoneHour) / 60, served: tot('ordersServed') / (E * T), generated: tot('ordersGenerated') / (E * T),
    capacity: V / meanBusy, meanBusy, meanDelivery, completed: tot('ordersCompleted') / (E * T), utilisation: tot('vehicleUtilisation') / E,
  };
}

for (const backend of dispatchBackends()) {
  describe(`${backend}: RideDispatch-v0 queueing sanity (capacity 1, greedy nearest bids)`, () => {
    it('served rate ≤ min(arrival rate, V / mean busy minutes) for every fleet size, and → the arrival rate for large V', () => {
      // λ = 64 zones × 0.9375 / h = 1 order per minute; 12 hours, 3 envs per fleet size.
      const T = 720, E = 3;
      const runs = [2, 4, 8, 16, 48].map((V, i) => run(backend, V, 0.9375, T, E, 100 + i));
      for (const x of runs) {
        const what = JSON.stringify(x);
        // Arrival side: never more served than generated; generated ≈ λ (4 standard errors).
        expect(x.served, what).toBeLessThanOrEqual(x.generated);
        expect(x.served, what).toBeLessThanOrEqual(x.lambda + 4 * Math.sqrt(x.lambda / (E * T)));
        // Fleet side: a vehicle carries one order at a time and is busy pickup + delivery minutes per order.
        // Over T minutes: Σ busy ≤ V·T plus, per vehicle, the unfinished last order (at most a pickup of
        // MAX_TRIP_MIN and a delivery), so served/T ≤ V/meanBusy · (1 + (MAX_TRIP_MIN + meanDelivery)/T).
        expect(x.served, what).toBeLessThanOrEqual(x.capacity * (1 + (MAX_TRIP_MIN + x.meanDelivery) / T));
        // Minutes with a passenger on board: the completed deliveries, plus at most one unfinished ride per vehicle.
        const onboard = x.utilisation * x.V, delivered = x.completed * x.meanDelivery;
        expect(onboard, what).toBeGreaterThanOrEqual(delivered - 1e-6);
        expect(onboard, what).toBeLessThanOrEqual(delivered + (x.V * MAX_TRIP_MIN) / T);
        // Where the fleet is the bottleneck, the greedy policy keeps it busy: served ≈ V / meanBusy.
        if (x.capacity < 0.8 * x.lambda) expect(x.served, what).toBeGreaterThan(0.9 * x.capacity);
      }
      expect(runs[0].capacity).toBeLessThan(0.5 * runs[0].lambda);
      // More vehicles serve more, up to the arrival rate.
      for (let i = 1; i < runs.length; i++) expect(runs[i].served).toBeGreaterThan(runs[i - 1].served);
      const large = runs[runs.length - 1];
      expect(large.capacity).toBeGreaterThan(2 * large.lambda);
      expect(large.served / large.generated, JSON.stringify(large)).toBeGreaterThan(0.97);
      expect(Math.abs(large.served - large.lambda), JSON.stringify(large)).toBeLessThan(4 * Math.sqrt(large.lambda / (E * T)) + 0.03 * large.lambda);
    });
  });
}
