/**
 * RideDispatch-v0 through the public API: the validation checks of reference/dispatch.md §3.13
 * (conservation, seat bounds, each order served at most once, service rate → 1 when vehicles
 * vastly outnumber demand, expiry after exactly maxWaitSteps), replay demand, a pooled plan on a
 * hand-made matrix city with every minute known, assignment rewards computed by hand from §3.8,
 * conflict resolution, and the Poisson sampler end to end.
 */
import { describe, expect, it } from 'vitest';
import {
  CounterRng, rngBelow, rngDraw, type DispatchConfig, type DispatchInfos, type ReplayOrder, type VectorEnv,
} from '../../src/index.js';
import { resolveDispatchConfig } from '../../src/envs/dispatch/config.js';
import { buildCityTables } from '../../src/envs/dispatch/tables.js';
import { cdfPick } from '../../src/envs/dispatch/cdf.js';
import {
  METRICS, STATUS, conservationGap, dims, dispatchBackends, etaOf, makeDispatch, matrixCity, metricsOf, nearestBids,
  randomValidActions, seedWithStarts, startZone, sum, type DispatchOptions,
} from '../helpers/dispatch.js';

const f32 = Math.fround;

for (const backend of dispatchBackends()) {
  const mk = (opts: DispatchOptions = {}): VectorEnv => makeDispatch({ backend, ...opts });

  describe(`${backend}: RideDispatch-v0 invariants over random episodes (§3.13)`, () => {
    // Small K (overflow happens), parties up to the capacity, repositions, every capacity.
    const cases: Array<[string, DispatchConfig]> = [
      ['C 1', { capacity: 1, gridWidth: 4, gridHeight: 4, numVehicles: 6, numSlots: 6, horizonSteps: 25, demandScale: 4, pairInsertionCost: true }],
      ['C 3, parties 1..3', { capacity: 3, partyMax: 3, gridWidth: 5, gridHeight: 3, numVehicles: 5, numSlots: 5, horizonSteps: 30, demandScale: 5, pairInsertionCost: true }],
      ['C 4, Moore neighbours, team reward', { capacity: 4, partyMax: 2, gridWidth: 4, gridHeight: 4, numVehicles: 7, numSlots: 10, horizonSteps: 20, demandScale: 3, numNeighbours: 8, rewardSharing: 'team', pairInsertionCost: true, reward: 'rideGym' }],
    ];
    for (const [name, config] of cases) {
      it(`${name}: conservation, seats in [0, C], one winner per slot, served = Σ won slots, metrics consistent with the step outputs`, () => {
        const E = 3;
        const env = mk({ numEnvs: E, seed: 5, autoresetMode: 'same-step', config });
        const C = config.capacity!, V = config.numVehicles!, K = config.numSlots!, T = config.horizonSteps!;
        const R = config.numNeighbours ?? 4, Z = config.gridWidth! * config.gridHeight!;
        const d = dims(V, K, C, R, Z, { pair: true });
        expect(env.obsSize).toBe(d.D);
        const r0 = env.reset();
        let infos0 = r0.infos as DispatchInfos;
        const rng = new CounterRng(3);
        // Running per-env tallies from the step outputs.
        const won = new Array<number>(E).fill(0), lost = new Array<number>(E).fill(0), pickup = new Array<number>(E).fill(0);
        const confirm = new Array<number>(E).fill(0), ret = new Array<number>(E * V).fill(0);
        let episodes = 0, overflow = 0, expired = 0, completed = 0;
        const prevObs = new Float32Array(r0.obs.length);
        prevObs.set(r0.obs);
        for (let t = 0; t < 3 * T; t++) {
          const act = randomValidActions(env, infos0, rng, 0.2);
          const r = env.step(act);
          infos0 = r.infos as DispatchInfos;
          const infos = r.infos as DispatchInfos;
          for (let e = 0; e < E; e++) {
            const slotsWon = new Set<number>();
            for (let a = 0; a < V; a++) {
              const i = e * V + a;
              ret[i] = f32(ret[i] + r.rewards[i]);
              expect(infos.invalidAction[i], 'masked-random actions are valid').toBe(0);
              const k = infos.wonSlot[i];
              if (k >= 0) {
                expect(act[i], 'a vehicle wins the slot it bid on').toBe(1 + k);
                expect(slotsWon.has(k), `env ${e}: slot ${k} won twice on one step`).toBe(false);
                slotsWon.add(k);
                won[e]++;
                pickup[e] += etaOf(prevObs, d, i, k);
                confirm[e] += Math.round(prevObs[i * d.D + d.orders + 9 * k + 5] * 5); // waited / maxWaitSteps
              }
              if (infos.lostBid[i]) {
                lost[e]++;
                expect(act[i]).toBeGreaterThanOrEqual(1);
                expect(act[i]).toBeLessThanOrEqual(K);
                expect(k).toBe(-1);
              }
            }
            if (!infos.episode.done[e]) continue;
            episodes++;
            const m = metricsOf(infos, e);
            expect(conservationGap(m), `env ${e} episode ${JSON.stringify(m)}`).toBe(0);
            expect(m.ordersServed).toBe(won[e]);
            expect(m.bidConflicts).toBe(lost[e]);
            expect(m.invalidActions).toBe(0);
            expect(m.ordersCompleted).toBeLessThanOrEqual(m.ordersServed);
            expect(m.serviceRate).toBeCloseTo(m.ordersServed / m.ordersGenerated, 6);
            if (m.ordersServed > 0) {
              expect(m.meanPickupMin).toBeCloseTo(pickup[e] / won[e], 4);
              expect(m.meanConfirmationMin).toBeCloseTo(confirm[e] / won[e], 4);
            }
            if (m.ordersCompleted > 0) expect(m.meanDetourMin).toBeGreaterThanOrEqual(0); // grid times obey the triangle inequality
            expect(m.vehicleUtilisation).toBeGreaterThanOrEqual(0);
            expect(m.vehicleUtilisation).toBeLessThanOrEqual(1);
            expect(infos.episode.length[e]).toBe(T);
            for (let a = 0; a < V; a++) expect(infos.episode.return[e * V + a]).toBe(ret[e * V + a]);
            expect(m.episodeReturn).toBeCloseTo(sum(ret.slice(e * V, (e + 1) * V)) / V, 3);
            if (config.rewardSharing === 'team') expect(new Set(ret.slice(e * V, (e + 1) * V)).size).toBe(1);
            overflow += m.ordersOverflow;
            expired += m.ordersExpired;
            completed += m.ordersCompleted;
            won[e] = lost[e] = pickup[e] = confirm[e] = 0;
            ret.fill(0, e * V, (e + 1) * V);
          }
          // Seats: load in [0, C], and the self block agrees (free + load = C, onboard ≤ load).
          for (let i = 0; i < E * V; i++) {
            const load = infos.vehicleLoad[i];
            expect(load >= 0 && load <= C, `vehicle row ${i}: load ${load}`).toBe(true);
            const row = i * d.D;
            expect(Math.round(r.obs[row + 7] * C)).toBe(C - load);
            expect(Math.round(r.obs[row + 8] * C)).toBeLessThanOrEqual(load);
            const status = infos.vehicleStatus[i];
            expect(r.obs[row + 3 + status]).toBe(1);
            expect(load === 0).toBe(status === STATUS.idle || status === STATUS.repositioning);
          }
          prevObs.set(r.obs);
        }
        expect(episodes).toBe(3 * E);
        // The scenarios exercise what they are meant to.
        expect(overflow).toBeGreaterThan(0);
        expect(expired).toBeGreaterThan(0);
        expect(completed).toBeGreaterThan(0);
        env.close();
      });
    }
  });

  describe(`${backend}: RideDispatch-v0 demand and expiry`, () => {
    // 12 orders over 10 steps on a 3×3 grid, two of them in the last step.
    const orders: ReplayOrder[] = [
      { step: 0, origin: 0, dest: 8 }, { step: 0, origin: 4, dest: 4 }, { step: 1, origin: 2, dest: 6, party: 2 },
      { step: 3, origin: 5, dest: 1 }, { step: 3, origin: 5, dest: 3 }, { step: 3, origin: 7, dest: 0 },
      { step: 4, origin: 1, dest: 1 }, { step: 6, origin: 3, dest: 8, party: 3 }, { step: 7, origin: 6, dest: 2 },
      { step: 8, origin: 8, dest: 0 }, { step: 9, origin: 0, dest: 4 }, { step: 9, origin: 2, dest: 2 },
    ];
    const T = 10, Z = 9;
    const base: DispatchConfig = { gridWidth: 3, gridHeight: 3, numVehicles: 2, numSlots: 16, capacity: 3, horizonSteps: T, demand: { replay: orders } };

    it('replay: the orders shown at each step are exactly the listed ones, in slot order, with their zones, trip and party', () => {
      const env = mk({ config: { ...base, maxWaitSteps: T + 5 } });
      const d = dims(2, 16, 3, 4, Z);
      const city = env.metadata.city as { zoneXY: Float32Array; travelMin: Int32Array };
      let r = env.reset();
      for (let t = 0; t <= T; t++) {
        // Nothing expires (maxWait > T) and nobody bids: slot i holds the i-th listed order.
        const listed = orders.filter((o) => o.step <= Math.min(t, T - 1));
        for (let k = 0; k < 16; k++) {
          const o = r.obs.subarray(d.orders + 9 * k, d.orders + 9 * (k + 1));
          if (k >= listed.length) {
            expect(Array.from(o), `t=${t} slot ${k} empty`).toEqual(new Array(9).fill(0));
            continue;
          }
          const ord = listed[k];
          expect(o[0]).toBe(1);
          expect([o[1], o[2]]).toEqual([city.zoneXY[2 * ord.origin], city.zoneXY[2 * ord.origin + 1]]);
          expect([o[3], o[4]]).toEqual([city.zoneXY[2 * ord.dest], city.zoneXY[2 * ord.dest + 1]]);
          expect(o[5]).toBe(f32(f32(t - ord.step) * f32(1 / (T + 5))));
          expect(Math.round(o[6] * 60)).toBe(city.travelMin[ord.origin * Z + ord.dest]);
          expect(Math.round(o[8] * 3)).toBe(ord.party ?? 1);
        }
        expect(r.obs[d.global + 2]).toBe(f32(listed.length / 16));
        if (t < T) r = env.step(new Int32Array(2));
      }
      const m = metricsOf(r.infos as DispatchInfos, 0);
      expect(m.ordersGenerated).toBe(orders.length);
      expect(m.pendingAtEnd).toBe(orders.length);
      expect(m.ordersExpired).toBe(0);
      env.close();
    });

    for (const W of [1, 3, 5]) {
      it(`maxWaitSteps ${W}, nobody bids: an order of step s is shown at steps s .. s + ${W} − 1 and then expires; expired = orders of steps ≤ T − ${W}`, () => {
        const env = mk({ numEnvs: 2, config: { ...base, maxWaitSteps: W } });
        const d = dims(2, 16, 3, 4, Z);
        let r = env.reset();
        for (let t = 0; t <= T; t++) {
          const live = orders.filter((o) => o.step <= t && t < o.step + W && o.step < T);
          for (let e = 0; e < 2; e++) {
            const row = e * 2 * d.D;
            const waited: number[] = [];
            for (let k = 0; k < 16; k++) if (r.obs[row + d.orders + 9 * k]) waited.push(Math.round(r.obs[row + d.orders + 9 * k + 5] * W));
            expect(waited.sort(), `t=${t} env ${e}: ages of the pending orders`).toEqual(live.map((o) => t - o.step).sort());
            expect(Math.max(-1, ...waited)).toBeLessThan(W);
          }
          if (t < T) r = env.step(new Int32Array(4));
        }
        for (let e = 0; e < 2; e++) {
          const m = metricsOf(r.infos as DispatchInfos, e);
          expect(m.ordersGenerated).toBe(12);
          expect(m.ordersExpired).toBe(orders.filter((o) => o.step <= T - W).length);
          expect(m.pendingAtEnd).toBe(orders.filter((o) => o.step > T - W).length);
          expect(m.ordersServed + m.ordersOverflow + m.bidConflicts + m.invalidActions).toBe(0);
          expect(m.serviceRate).toBe(0);
          expect(Number.isNaN(m.meanPickupMin) && Number.isNaN(m.meanDeliveryMin)).toBe(true);
        }
        env.close();
      });
    }

    it('service rate → 1 when vehicles vastly outnumber demand (V 64, nearest-ETA bids)', () => {
      const E = 3, V = 64, K = 16;
      const config: DispatchConfig = { numVehicles: V, numSlots: K, demandScale: 0.06, pairInsertionCost: true, repositionEnabled: false };
      const env = mk({ numEnvs: E, seed: 21, config });
      const d = dims(V, K, 3, 0, 64, { pair: true });
      let r = env.reset();
      const acts = new Int32Array(E * V);
      for (let t = 0; t < 60; t++) r = env.step(nearestBids(r.obs as Float32Array, r.infos as DispatchInfos, d, E, acts));
      let gen = 0, served = 0;
      for (let e = 0; e < E; e++) {
        const m = metricsOf(r.infos as DispatchInfos, e);
        expect(conservationGap(m)).toBe(0);
        gen += m.ordersGenerated;
        served += m.ordersServed;
        expect(m.ordersOverflow + m.ordersExpired).toBe(0);
      }
      expect(gen).toBeGreaterThan(40);
      expect(served / gen).toBeGreaterThanOrEqual(0.99);
      env.close();
    });

    it('Poisson arrivals end to end: counts per step and per episode match λ = Σ rates / 60; origins follow the rates', () => {
      // 4×4 grid, 7.5 orders/h per zone except zone 5 (37.5/h): Λ = 150/h = 2.5 per step; T 16, 400 envs.
      const E = 400, T = 16, K = 32;
      const rates = new Array<number>(16).fill(7.5);
      rates[5] = 37.5;
      const lambda = sum(rates) / 60;
      const env = mk({
        numEnvs: E, seed: 1000, config: { gridWidth: 4, gridHeight: 4, numVehicles: 1, numSlots: K, horizonSteps: T, maxWaitSteps: 1, demand: { rates: [rates] } },
      });
      const d = dims(1, K, 3, 4, 16);
      const perStep = new Map<number, number>();
      const origins = new Array<number>(16).fill(0);
      let r = env.reset();
      for (let t = 0; t < T; t++) {
        // maxWait 1: the orders shown at step t are exactly those requested at t.
        for (let e = 0; e < E; e++) {
          const n = Math.round(r.obs[e * d.D + d.global + 2] * K);
          perStep.set(n, (perStep.get(n) ?? 0) + 1);
          for (let k = 0; k < K; k++) {
            const o = e * d.D + d.orders + 9 * k;
            if (!r.obs[o]) continue;
            origins[Math.floor(r.obs[o + 2] * 4) * 4 + Math.floor(r.obs[o + 1] * 4)]++;
          }
        }
        r = env.step(new Int32Array(E));
      }
      // Per episode: T independent Poisson(λ) counts, mean and variance λT.
      const totals = Array.from({ length: E }, (_, e) => metricsOf(r.infos as DispatchInfos, e));
      for (const m of totals) expect(m.ordersOverflow).toBe(0);
      const g = totals.map((m) => m.ordersGenerated);
      const mean = sum(g) / E, variance = sum(g.map((x) => (x - mean) ** 2)) / (E - 1);
      const mu = lambda * T;
      expect(Math.abs(mean - mu), `mean ${mean} vs λT ${mu}`).toBeLessThan(4 * Math.sqrt(mu / E));
      expect(Math.abs(variance - mu), `variance ${variance} vs λT ${mu}`).toBeLessThan(4 * mu * Math.sqrt(2 / (E - 1) + 1 / (mu * E)));
      // Per step: chi-square of the counts 0..7, ≥ 8 against Poisson(λ) (8 degrees of freedom, p = 0.001 → 26.1).
      const n = E * T;
      let p = Math.exp(-lambda), cum = 0, chi = 0;
      for (let k = 0; k <= 8; k++) {
        const prob = k < 8 ? p : 1 - cum;
        const seen = k < 8 ? perStep.get(k) ?? 0 : [...perStep].filter(([c]) => c >= 8).reduce((s, [, x]) => s + x, 0);
        chi += (seen - n * prob) ** 2 / (n * prob);
        cum += p;
        p *= lambda / (k + 1);
      }
      expect(chi, `counts per step ${JSON.stringify([...perStep].sort((a, b) => a[0] - b[0]))}`).toBeLessThan(26.1);
      // Origins ∝ rates: chi-square with 15 degrees of freedom (p = 0.001 → 37.7).
      const all = sum(origins);
      const chiO = origins.reduce((s, x, z) => s + (x - (all * rates[z]) / sum(rates)) ** 2 / ((all * rates[z]) / sum(rates)), 0);
      expect(chiO, `origins ${origins.join(' ')}`).toBeLessThan(37.7);
      env.close();
    });
  });

  describe(`${backend}: RideDispatch-v0 pooling, rewards and conflicts on hand-made cities`, () => {
    // Four zones; every minute of the scenario below follows from these tables.
    const MIN = [
      [1, 3, 5, 8],
      [3, 1, 4, 6],
      [5, 4, 1, 2],
      [8, 6, 2, 1],
    ];
    const KM = [
      [0.5, 1.5, 2.5, 4],
      [1.5, 0.5, 2, 3],
      [2.5, 2, 0.5, 1],
      [4, 3, 1, 0.5],
    ];
    const city = matrixCity(MIN, KM);
    const fare = (km: number, min: number): number => 2.5 + 1.5 * km + 0.5 * min;

    it('capacity 2: a second order is pooled with the best drop-off order; route, minutes, masks, rewards and metrics as computed by hand', () => {
      const seed = seedWithStarts([0], 4);
      // Order A 0→3 at step 0, order B 1→2 at step 1, order X 3→0 at step 2 (never takeable: the vehicle is
      // heading to a pickup, then full, until X expires).
      const replay: ReplayOrder[] = [{ step: 0, origin: 0, dest: 3 }, { step: 1, origin: 1, dest: 2 }, { step: 2, origin: 3, dest: 0 }];
      const T = 12, K = 4;
      const env = mk({
        seed, config: { city, capacity: 2, numVehicles: 1, numSlots: K, horizonSteps: T, maxWaitSteps: 3, demand: { replay }, pairInsertionCost: true, repositionEnabled: false },
      });
      const d = dims(1, K, 2, 0, 4, { pair: true });
      const xy = (z: number): number[] => [(z + 0.5) / 4, 0.5].map(f32);
      const r0 = env.reset();
      let infos = r0.infos as DispatchInfos;
      expect(Array.from(infos.vehiclePositions)).toEqual(xy(0));
      const status: number[] = [infos.vehicleStatus[0]], load: number[] = [infos.vehicleLoad[0]], rewards: number[] = [];
      const obs: Float32Array[] = [r0.obs.slice() as Float32Array];
      // Step 0: bid on A (slot 0). ETA 1 (intra-zone), A's total 1 + 8 = 9 → r = 3 + 4 − 3·1/60 − 3·9/60.
      expect([etaOf(r0.obs as Float32Array, d, 0, 0), Math.round(r0.obs[d.pair + 1] * 60)]).toEqual([1, 9]);
      const plan = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
      for (let t = 0; t < T; t++) {
        const r = env.step([plan[t]]);
        infos = r.infos as DispatchInfos;
        obs.push(r.obs.slice() as Float32Array);
        status.push(infos.vehicleStatus[0]);
        load.push(infos.vehicleLoad[0]);
        rewards.push(r.rewards[0]);
        if (t === 0) {
          // B is in slot 0 (A's slot was freed). Pooling B: pickup ETA 0→1 = 3; drop B first (3 + 4 = 7, then A at 7 + 2 = 9)
          // beats A first (3 + 6 = 9, then B at 11); A arrives 1 minute later than planned → addMin = 7 + 1 = 8.
          expect(infos.actionMask[1]).toBe(1);
          expect([etaOf(r.obs as Float32Array, d, 0, 0), Math.round(r.obs[d.pair + 1] * 60)]).toEqual([3, 8]);
        }
      }
      const I = STATUS;
      expect(status).toEqual([I.idle, I.toDropoff, I.toPickup, I.toPickup, I.toDropoff, I.toDropoff, I.toDropoff, I.toDropoff, I.toDropoff, I.toDropoff, I.idle, I.idle, I.idle]);
      expect(load).toEqual([0, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0]);
      // X (shown at steps 2..4) is masked throughout: heading to a pickup (2, 3), then full (4).
      for (const t of [2, 3, 4]) {
        const slots = Array.from({ length: K }, (_, k) => obs[t][d.orders + 9 * k]);
        expect(slots.filter(Boolean).length, `t=${t}: X pending`).toBe(1);
        expect(obs[t][9], `t=${t}: canAccept`).toBe(0);
      }
      // Committed orders at step 2 (entry 0 = A on board, entry 1 = B awaiting pickup): B is dropped first.
      const entry = (t: number, c: number): number[] => Array.from(obs[t].subarray(12 + 7 * c, 12 + 7 * (c + 1)));
      const h = (m: number): number => f32(m * f32(1 / 60));
      expect(entry(2, 0)).toEqual([1, 1, ...xy(3), h(8), h(9), h(1)]); // A: 8 min left, 9 ride minutes planned, 1 over its direct 8
      expect(entry(2, 1)).toEqual([1, 0, ...xy(2), h(6), h(4), h(0)]); // B: 6 min left, 4 ride minutes
      expect(obs[2][2]).toBe(h(2)); // 2 minutes left on the 3-minute leg to B's pickup
      expect(obs[2][0]).toBeCloseTo(xy(1)[0] + (xy(0)[0] - xy(1)[0]) * (2 / 3), 6);
      expect(obs[2][1]).toBe(0.5);
      // Drop-offs: B at zone 2 at step 8, A at zone 3 at step 10.
      expect(Array.from(obs[8].subarray(0, 2))).toEqual(xy(2));
      expect(Array.from(obs[10].subarray(0, 2))).toEqual(xy(3));
      // Rewards (tripleBert): A 3 + 4 − 3/60 − 27/60 = 6.5; B 3 + 2 − 9/60 − 24/60 = 4.45; nothing else.
      expect(rewards[0]).toBeCloseTo(6.5, 5);
      expect(rewards[1]).toBeCloseTo(4.45, 5);
      expect(rewards.slice(2)).toEqual(new Array(T - 2).fill(0));
      const m = metricsOf(infos, 0);
      expect(m).toMatchObject({
        ordersGenerated: 3, ordersServed: 2, ordersCompleted: 2, ordersExpired: 1, ordersOverflow: 0, pendingAtEnd: 0,
        meanPickupMin: 2, meanConfirmationMin: 0, bidConflicts: 0, invalidActions: 0, repositionKm: 0,
      });
      expect(m.serviceRate).toBeCloseTo(2 / 3, 6);
      expect(m.meanDeliveryMin).toBe(6.5); // B 8 − 4 = 4, A 10 − 1 = 9
      expect(m.meanDetourMin).toBe(0.5); // B 4 − 4, A 9 − 8
      expect(m.revenue).toBeCloseTo(fare(4, 8) + fare(2, 4), 4);
      expect(m.vehicleUtilisation).toBe(0.75); // passengers on board during minutes 1..9 of 12
      expect(m.emptyKm).toBe(0.5); // minute 0: the intra-zone leg to A's pickup
      expect(m.episodeReturn).toBeCloseTo(10.95, 4);
      env.close();
    });

    it('routeObjective passengerMinutes: the plan minimising the summed drop-off minutes', () => {
      // The vehicle at zone 0 carries A (0→1) when it takes B (0→2) with pickup ETA 1 (intra-zone):
      // A first: A at 1 + 2 = 3, B at 3 + 40 = 43 (route 43, summed minutes 46);
      // B first: B at 1 + 20 = 21, A at 21 + 14 = 35 (route 35, summed minutes 56).
      // routeMinutes picks B first, passengerMinutes A first.
      const MIN3 = [[1, 2, 20], [2, 1, 40], [20, 14, 1]];
      const KM3 = [[0, 1, 10], [1, 0, 20], [10, 7, 0]];
      const seed = seedWithStarts([0], 3);
      const replay: ReplayOrder[] = [{ step: 0, origin: 0, dest: 1 }, { step: 1, origin: 0, dest: 2 }];
      const order: Record<string, number[]> = {};
      for (const routeObjective of ['routeMinutes', 'passengerMinutes'] as const) {
        const env = mk({ seed, config: { city: matrixCity(MIN3, KM3), capacity: 2, numVehicles: 1, numSlots: 2, horizonSteps: 3, demand: { replay }, routeObjective } });
        env.reset();
        env.step([1]); // A: picked up at step 1 (intra-zone leg)
        const r = env.step([1]); // B: pickup ETA 1 (intra-zone)
        order[routeObjective] = [0, 1].map((c) => Math.round(r.obs[12 + 7 * c + 4] * 60)); // minutes left to each drop-off
        env.close();
      }
      // After one minute of the step: A first → A at 3 − 1, B at 43 − 1; B first → B at 21 − 1, A at 35 − 1.
      expect(order.routeMinutes).toEqual([34, 20]);
      expect(order.passengerMinutes).toEqual([2, 42]);
    });

    it('assignment rewards by hand: tripleBert with a timeout and excess added time, rideGym, fare, team sharing', () => {
      // Two zones 45 minutes / 30 km apart; vehicle 0 at zone 0 takes the order 0→1 (ETA 1, total 46).
      const city2 = matrixCity([[1, 45], [45, 1]], [[0, 30], [30, 0]]);
      const replay: ReplayOrder[] = [{ step: 0, origin: 0, dest: 1 }];
      const seed = seedWithStarts([0, 0], 2);
      const step0 = (config: DispatchConfig): Float32Array => {
        const env = mk({ seed, config: { city: city2, numVehicles: 2, numSlots: 2, horizonSteps: 3, demand: { replay }, repositionEnabled: false, ...config } });
        env.reset();
        const r = env.step([1, 0]).rewards.slice();
        env.close();
        return r;
      };
      // r = wAssign + wDist·km − wPickup·eta/60 − wTimeout·nTimeout − wAdd·add/60 − wAddExcess·max(0, add − 40)/60
      const tripleBert = 3 + 30 - (3 * 1) / 60 - 1 * 1 - (3 * 46) / 60 - (5 * 6) / 60;
      let r = step0({});
      expect(r[0]).toBeCloseTo(tripleBert, 4);
      expect(r[1]).toBe(0);
      // Thresholds and coefficients can be overridden over the preset.
      r = step0({ reward: { thetaAdd: 50, thetaTimeout: 50 } });
      expect(r[0]).toBeCloseTo(3 + 30 - 3 / 60 - (3 * 46) / 60, 4);
      // rideGym: +1 − 0.01·tripMin, −0.02 for the minute driven empty to the pickup; the idle vehicle −0.01.
      r = step0({ reward: 'rideGym' });
      expect(r[0]).toBeCloseTo(1 - 0.01 * 45 - 0.02, 5);
      expect(r[1]).toBeCloseTo(-0.01, 6);
      // fare: base + perKm·km + perMin·min.
      r = step0({ reward: 'fare', fareBase: 1, farePerKm: 2, farePerMin: 0.25 });
      expect(r[0]).toBeCloseTo(1 + 60 + 11.25, 4);
      // Team sharing: every vehicle gets the env's sum.
      r = step0({ reward: 'rideGym', rewardSharing: 'team' });
      expect(r[0]).toBeCloseTo(1 - 0.45 - 0.02 - 0.01, 5);
      expect(r[1]).toBe(r[0]);
      // wLostBid: the farther bidder loses.
      const env = mk({ seed: seedWithStarts([1, 0], 2), config: { city: city2, numVehicles: 2, numSlots: 2, horizonSteps: 3, demand: { replay }, reward: { preset: 'fare', wLostBid: 0.5 } } });
      env.reset();
      const s = env.step([1, 1]);
      const infos = s.infos as DispatchInfos;
      expect(Array.from(infos.wonSlot)).toEqual([-1, 0]);
      expect(Array.from(infos.lostBid)).toEqual([1, 0]);
      expect(s.rewards[0]).toBe(-0.5);
      env.close();
    });

    it('conflicts: nearest bidder wins (ties to the lowest index); lowestIndex; seededRandom follows its RNG stream', () => {
      // 5×1 grid, 2 minutes per cell; one order at zone 2; 6 vehicles all bid on it.
      const V = 6, Z = 5;
      const replay: ReplayOrder[] = [{ step: 0, origin: 2, dest: 4 }];
      const starts = [0, 4, 1, 3, 0, 3]; // ETAs 4, 4, 2, 2, 4, 2
      const seed = seedWithStarts(starts, Z);
      const winner = (conflictRule: DispatchConfig['conflictRule']): { won: number[]; lost: number[]; m: number } => {
        const env = mk({ seed, config: { gridWidth: 5, gridHeight: 1, numVehicles: V, numSlots: 2, horizonSteps: 2, demand: { replay }, conflictRule } });
        const r0 = env.reset();
        expect(Array.from({ length: V }, (_, a) => Math.round((r0.infos as DispatchInfos).vehiclePositions[2 * a] * Z - 0.5))).toEqual(starts);
        const r = env.step(new Array(V).fill(1));
        const infos = r.infos as DispatchInfos;
        const out = { won: Array.from(infos.wonSlot), lost: Array.from(infos.lostBid), m: 0 };
        env.step(new Array(V).fill(0));
        out.m = metricsOf(infos, 0).bidConflicts;
        env.close();
        return out;
      };
      const nearest = winner('nearest');
      expect(nearest.won).toEqual([-1, -1, 0, -1, -1, -1]);
      expect(nearest.lost).toEqual([1, 1, 0, 1, 1, 1]);
      expect(nearest.m).toBe(5);
      expect(winner('lowestIndex').won).toEqual([0, -1, -1, -1, -1, -1]);
      // seededRandom: the smallest word 0 of rngDraw(seed, 5, 0, episode 0, step 0, slot · V + vehicle) wins.
      const words = Array.from({ length: V }, (_, a) => rngDraw(seed, 5, 0, 0, 0, 0 * V + a)[0]);
      const expected = words.indexOf(Math.min(...words));
      expect(winner('seededRandom').won).toEqual(Array.from({ length: V }, (_, a) => (a === expected ? 0 : -1)));
    });

    it('sampled orders are the draws of docs/rng.md: count (stream 1), origin (2), destination (6), party (4) against the CDF tables', () => {
      // partyMax 3 on a 3×3 grid with hourly rates; nobody bids and maxWait is 1, so step t shows exactly the orders of t.
      const rates = Array.from({ length: 24 }, (_, h) => Array.from({ length: 9 }, (_, z) => (h % 3) * 20 + 10 * ((z * 7 + h) % 4)));
      const config: DispatchConfig = {
        gridWidth: 3, gridHeight: 3, numVehicles: 1, numSlots: 40, capacity: 3, partyMax: 3, horizonSteps: 130, startHour: 22,
        maxWaitSteps: 1, demand: { rates },
      };
      const K = 40, Z = 9, T = 130, seeds = [4242, 4243];
      const tables = buildCityTables(resolveDispatchConfig(config), 0);
      const P = tables.arrivalCdf.length / 24;
      const env = mk({ numEnvs: 2, seed: seeds[0], autoresetMode: 'same-step', config });
      const d = dims(1, K, 3, 4, Z);
      let r = env.reset();
      let checked = 0;
      for (let t = 0; t < T; t++) {
        const b = (22 + Math.floor(t / 60)) % 24;
        for (let e = 0; e < 2; e++) {
          const draw = (stream: number, i: number): number => rngDraw(seeds[e], stream, 0, 0, t, i)[0];
          const n = cdfPick(tables.arrivalCdf, b * P, P, draw(1, 0));
          const want: number[][] = [];
          for (let i = 0; i < n; i++) {
            const o = cdfPick(tables.originCdf, b * Z, Z, draw(2, i));
            const dest = cdfPick(tables.destCdf, (b * Z + o) * Z, Z, draw(6, i));
            want.push([o, dest, 1 + rngBelow(draw(4, i), 3)]);
          }
          const zone = (x: number, y: number): number => Math.floor(y * 3) * 3 + Math.floor(x * 3);
          const seen: number[][] = [];
          for (let k = 0; k < K; k++) {
            const o = r.obs.subarray(e * d.D + d.orders + 9 * k, e * d.D + d.orders + 9 * k + 9);
            if (o[0]) seen.push([zone(o[1], o[2]), zone(o[3], o[4]), Math.round(o[8] * 3)]);
          }
          expect(seen, `t=${t} env ${e}`).toEqual(want);
          checked += n;
        }
        r = env.step(new Int32Array(2));
      }
      expect(checked).toBeGreaterThan(200);
      env.close();
    });

    it('vehicles start in the zones drawn from stream 0 (docs/rng.md), also after autoresets', () => {
      const V = 7, Z = 64;
      const env = mk({ numEnvs: 2, seed: 77, autoresetMode: 'same-step', config: { numVehicles: V, horizonSteps: 2 } });
      const zoneOf = (infos: DispatchInfos, i: number): number => {
        const x = Math.round(infos.vehiclePositions[2 * i] * 8 - 0.5), y = Math.round(infos.vehiclePositions[2 * i + 1] * 8 - 0.5);
        return y * 8 + x;
      };
      let r = env.reset();
      for (let ep = 0; ep < 3; ep++) {
        for (let e = 0; e < 2; e++) {
          for (let a = 0; a < V; a++) expect(zoneOf(r.infos as DispatchInfos, e * V + a), `episode ${ep} env ${e} vehicle ${a}`).toBe(startZone(77 + e, ep, a, Z));
        }
        env.step(new Int32Array(2 * V));
        r = env.step(new Int32Array(2 * V));
      }
      env.close();
    });
  });

  describe(`${backend}: RideDispatch-v0 metrics are named and NaN only where undefined`, () => {
    it('metricNames lists the 18 metrics; an episode without orders has NaN means and zero counts', () => {
      const env = mk({ config: { numVehicles: 2, horizonSteps: 3, demandScale: 0 } });
      const r0 = env.reset();
      expect([...(r0.infos as DispatchInfos).episode.metricNames]).toEqual([...METRICS]);
      let r = r0;
      for (let t = 0; t < 3; t++) r = env.step([0, 0]);
      const m = metricsOf(r.infos as DispatchInfos, 0);
      expect(m.ordersGenerated).toBe(0);
      for (const k of ['serviceRate', 'meanPickupMin', 'meanConfirmationMin', 'meanDeliveryMin', 'meanDetourMin'] as const) expect(m[k]).toBeNaN();
      expect(m.vehicleUtilisation).toBe(0);
      env.close();
    });
  });
}

