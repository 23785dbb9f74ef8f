import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rngDraw } from '../../src/rng.js';
import { CDF_ONE, categoricalCdf, cdfPick, poissonCdf, poissonRowLength } from '../../src/envs/dispatch/cdf.js';
import { cityNeighbours, gridCity, travelTable } from '../../src/envs/dispatch/city.js';
import { loadCityFile, parseCityFile } from '../../src/envs/dispatch/city-file.js';
import { DISPATCH_PRESETS, resolveDispatchConfig } from '../../src/envs/dispatch/config.js';
import { buildDemandTables, hourlyTotals, syntheticDemand } from '../../src/envs/dispatch/demand.js';
import { buildReplay } from '../../src/envs/dispatch/replay.js';
import { REWARD_COEFFICIENT_NAMES } from '../../src/envs/dispatch/reward.js';
import { buildCityTables } from '../../src/envs/dispatch/tables.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/dispatch/manhattan-4.json');
const fixtureJson = (): Record<string, unknown> => JSON.parse(readFileSync(FIXTURE, 'utf8'));

/** Runs `fn`, expecting an error with `code` whose message contains `text`. */
function expectError(fn: () => unknown, code: string, text: string): void {
  try {
    fn();
  } catch (err) {
    expect((err as { code: string }).code).toBe(code);
    expect((err as Error).message).toContain(text);
    return;
  }
  throw new Error(`expected ${code} mentioning ${text}`);
}

/** Byte equality of two typed arrays (fast on large tables). */
function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function checkCdfRows(cdf: Uint32Array, n: number): void {
  expect(cdf.length % n).toBe(0);
  let bad = -1;
  for (let row = 0; row < cdf.length / n && bad < 0; row++) {
    for (let k = 1; k < n; k++) if (cdf[row * n + k] < cdf[row * n + k - 1]) bad = row;
    if (cdf[row * n + n - 1] !== CDF_ONE) bad = row;
  }
  expect(bad).toBe(-1);
}

describe('grid city', () => {
  const city = gridCity({ width: 4, height: 3, cellKm: 1, speedKmh: 30, intraZoneMin: 1 });
  it('uses the Manhattan metric for km and minutes', () => {
    const z = 12;
    const at = (a: number, b: number): [number, number] => [city.travelMin[a * z + b], city.distKm[a * z + b]];
    expect(at(0, 0)).toEqual([1, 0]);
    expect(at(0, 1)).toEqual([2, 1]); // 1 km at 30 km/h = 2 min
    expect(at(0, 11)).toEqual([10, 5]); // (3, 2) cells away
    expect(at(5, 6)).toEqual([2, 1]);
    expect(at(11, 4)).toEqual([8, 4]);
    expect(Array.from(city.zoneXY.subarray(2 * 6, 2 * 6 + 2))).toEqual([Math.fround(2.5 / 4), Math.fround(1.5 / 3)]);
  });
  it('rounds minutes up, but not exact multiples, and honours intraZoneMin', () => {
    const c = gridCity({ width: 4, height: 1, cellKm: 0.1, speedKmh: 20, intraZoneMin: 2 });
    // 0.1 km → 0.3 min → 2 (floor at intraZoneMin); 0.3 km → 0.9 min → 2; exact 0.1·3·60/20 = 0.9
    expect(Array.from(c.travelMin.subarray(0, 4))).toEqual([2, 2, 2, 2]);
    const d = gridCity({ width: 8, height: 1, cellKm: 0.1, speedKmh: 6, intraZoneMin: 1 });
    // 0.1 km at 6 km/h = exactly 1 min per cell (0.30000000000000004 km must not become 4 min)
    expect(Array.from(d.travelMin.subarray(0, 8))).toEqual([1, 1, 2, 3, 4, 5, 6, 7]);
    const e = gridCity({ width: 3, height: 1, cellKm: 1, speedKmh: 40, intraZoneMin: 1 });
    expect(Array.from(e.travelMin.subarray(0, 3))).toEqual([1, 2, 3]); // 1.5 → 2, 3 → 3
  });
  it('lists von Neumann and Moore neighbours, −1 off the grid', () => {
    const n4 = cityNeighbours(city, 4);
    expect(Array.from(n4.subarray(0, 4))).toEqual([-1, 4, -1, 1]); // up, down, left, right of (0, 0)
    expect(Array.from(n4.subarray(4 * 5, 4 * 5 + 4))).toEqual([1, 9, 4, 6]);
    const n8 = cityNeighbours(city, 8);
    expect(Array.from(n8.subarray(8 * 5, 8 * 5 + 8))).toEqual([1, 9, 4, 6, 0, 2, 8, 10]);
    expect(Array.from(n8.subarray(8 * 11, 8 * 11 + 8))).toEqual([7, -1, 10, -1, 6, -1, -1, -1]);
    expect(() => cityNeighbours(city, 3)).toThrow(/0, 4 or 8/);
  });
});

describe('CDF tables', () => {
  it('categorical rows are non-decreasing, end at 2^32 − 1 and repeat on zero weights', () => {
    const cdf = categoricalCdf([1, 0, 2, 1, 0]);
    checkCdfRows(cdf, 5);
    expect(cdf[0]).toBe(2 ** 30);
    expect(cdf[1]).toBe(cdf[0]);
    expect(cdf[2]).toBe(3 * 2 ** 30);
    expect(cdf[4]).toBe(CDF_ONE);
    expect(cdfPick(cdf, 0, 5, 0)).toBe(0);
    expect(cdfPick(cdf, 0, 5, 2 ** 30 - 1)).toBe(0);
    expect(cdfPick(cdf, 0, 5, 2 ** 30)).toBe(2);
    expect(cdfPick(cdf, 0, 5, CDF_ONE - 1)).toBe(3);
  });
  it('Poisson rows have the documented length', () => {
    expect(poissonRowLength(0)).toBe(10);
    expect(poissonRowLength(4)).toBe(34);
    expect(poissonCdf(0).every((v) => v === CDF_ONE)).toBe(true);
    checkCdfRows(poissonCdf(30), poissonRowLength(30));
    expect(() => poissonRowLength(1e6)).toThrow(/too many/);
  });

  for (const lambda of [0.5, 4.3, 30]) {
    it(`Poisson(${lambda}) draws have mean and variance λ (200k draws, native counter layout)`, () => {
      const cdf = poissonCdf(lambda);
      const n = 200_000;
      const w = new Uint32Array(4);
      let s = 0, s2 = 0, s4 = 0;
      for (let i = 0; i < n; i++) {
        // As the native arrival draw: key (seed, stream 1), counter (index 0, step, episode, env 0), word 0.
        const u = rngDraw(1234, 1, 0, i >>> 16, i & 0xffff, 0, w)[0];
        const x = cdfPick(cdf, 0, cdf.length, u);
        s += x; s2 += x * x;
        s4 += (x - lambda) ** 4;
      }
      const mean = s / n, variance = s2 / n - mean * mean;
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n));
      // Var of the sample variance ≈ (μ4 − σ⁴) / n with μ4 = λ(1 + 3λ) for a Poisson law.
      const seVar = Math.sqrt((lambda * (1 + 3 * lambda) - lambda * lambda) / n);
      expect(Math.abs(variance - lambda)).toBeLessThan(4 * seVar);
      expect(s4).toBeGreaterThan(0);
    });
  }

  it('categorical draws match their probabilities (chi-square)', () => {
    const weights = [5, 1, 0, 3, 0.5, 7, 2, 0, 1.5, 4];
    const total = weights.reduce((a, b) => a + b, 0);
    const cdf = categoricalCdf(weights);
    const n = 100_000;
    const counts = new Array(weights.length).fill(0);
    const w = new Uint32Array(4);
    // As the native origin draws: stream 2, counter (order index, step, episode, env 0), word 0.
    for (let i = 0; i < n; i++) counts[cdfPick(cdf, 0, cdf.length, rngDraw(99, 2, 0, 0, i >>> 6, i & 63, w)[0])]++;
    let chi2 = 0;
    weights.forEach((wt, k) => {
      if (wt === 0) expect(counts[k]).toBe(0);
      else chi2 += (counts[k] - (n * wt) / total) ** 2 / ((n * wt) / total);
    });
    expect(chi2).toBeLessThan(40); // 7 degrees of freedom; P(χ² > 40) ≈ 1e-6
  });
});

describe('synthetic demand', () => {
  const city = gridCity({ width: 8, height: 8, cellKm: 1, speedKmh: 30, intraZoneMin: 1 });
  const opts = { ordersPerHour: 0.13 * 32 * 60, gravityBeta: 0.1, allowIntraZone: true };
  it('is a pure function of the seed', () => {
    const a = syntheticDemand(city, 7, opts), b = syntheticDemand(city, 7, opts), c = syntheticDemand(city, 8, opts);
    expect(same(a.originRates, b.originRates)).toBe(true);
    expect(same(a.originRates, c.originRates)).toBe(false);
    const ta = buildDemandTables(city, a.originRates, a.destinations), tb = buildDemandTables(city, b.originRates, b.destinations);
    expect(same(ta.destCdf, tb.destCdf)).toBe(true);
    checkCdfRows(ta.originCdf, 64);
    checkCdfRows(ta.destCdf, 64);
    checkCdfRows(ta.arrivalCdf, ta.poissonLen);
  });
  it('has the configured daily mean rate with morning and evening peaks', () => {
    const d = syntheticDemand(city, 3, opts);
    const totals = hourlyTotals(d.originRates, 64);
    const mean = totals.reduce((x, y) => x + y, 0) / 24;
    expect(mean).toBeCloseTo(0.13 * 32 * 60, 9);
    expect(totals[8]).toBeGreaterThan(1.4 * totals[3]);
    expect(totals[18]).toBeGreaterThan(1.4 * totals[13]);
  });
  it('morning origins follow r, evening origins b; destination rows sum to the origin rate', () => {
    const d = syntheticDemand(city, 11, opts);
    const dist = (h: number, f: Float64Array): number => {
      const row = d.originRates.subarray(h * 64, h * 64 + 64);
      const sum = row.reduce((x, y) => x + y, 0);
      return row.reduce((acc, v, i) => acc + Math.abs(v / sum - f[i]), 0);
    };
    expect(dist(8, d.residential)).toBeLessThan(dist(18, d.residential));
    expect(dist(18, d.business)).toBeLessThan(dist(8, d.business));
    const row = new Float64Array(64);
    for (const [h, o] of [[8, 3], [13, 40], [18, 63]]) {
      d.destinations(h, o, row);
      expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(d.originRates[h * 64 + o], 9);
    }
  });
  it('never sends an order to its origin with allowIntraZone false', () => {
    const d = syntheticDemand(city, 5, { ...opts, allowIntraZone: false });
    const t = buildDemandTables(city, d.originRates, d.destinations, { allowIntraZone: false });
    for (let b = 0; b < 24; b++) {
      for (let o = 0; o < 64; o++) {
        const at = (b * 64 + o) * 64;
        expect(t.destCdf[at + o]).toBe(o === 0 ? 0 : t.destCdf[at + o - 1]);
      }
    }
  });
});

describe('city files', () => {
  it('loads the example file and normalises lat/lon', () => {
    const city = loadCityFile(FIXTURE);
    expect(city.numZones).toBe(4);
    expect(city.travelBlocks).toBe(6);
    expect(city.originBlocks).toBe(6);
    expect(city.zoneNames[3]).toBe('Harlem');
    for (const v of city.zoneXY) expect(v >= 0 && v <= 1).toBe(true);
    expect(city.zoneXY[2 * 3 + 1]).toBeCloseTo(0, 6); // Harlem is the northernmost: y = 0
    expect(city.zoneXY[2 * 2 + 1]).toBeCloseTo(1, 6); // Lower Manhattan the southernmost
    expect(travelTable(city).travelMin.length).toBe(24 * 16);
    expect(Array.from(cityNeighbours(city, 8).subarray(0, 8))).toEqual([1, 2, 3, -1, -1, -1, -1, -1]);
  });
  it('names the offending entry', () => {
    const cases: Array<[(f: any) => void, string]> = [
      [(f) => { f.minutes[2][1][3] = -4; }, 'minutes[2][1][3] must be a finite number in [1, 100000], got -4'],
      [(f) => { f.minutes[0][0][0] = 0.5; }, 'minutes[0][0][0]'],
      [(f) => { f.minutes[1][2] = [1, 2, 3]; }, 'minutes[1][2] must have 4 entries'],
      [(f) => { f.minutes = f.minutes.slice(0, 5); }, 'must have 1, 6 or 24 time blocks'],
      [(f) => { f.km[3][0] = 'x'; }, 'km[3][0] must be a finite number ≥ 0, got "x"'],
      [(f) => { f.km[1][1] = null; }, 'km[1][1]'],
      [(f) => { f.originRates[4][2] = -1; }, 'originRates[4][2]'],
      [(f) => { f.destinations[0][3][1] = Number.NaN; }, 'destinations[0][3][1]'],
      [(f) => { f.zones[2].lat = 95; }, 'zones[2].lat must be a number in [-90, 90]'],
      [(f) => { f.zones[1] = { name: 'A', x: 0.5, y: 0.5 }; }, 'zones[1] uses x/y while zones[0] uses lat/lon'],
      [(f) => { f.zones[3].name = 'Midtown'; }, 'zones[3].name repeats the name of zones[0]'],
      [(f) => { f.version = 2; }, 'version must be 1'],
      [(f) => { f.speed = 3; }, 'speed is not a city file field'],
      [(f) => { f.fare.perKm = -1; }, 'fare.perKm'],
    ];
    for (const [edit, text] of cases) {
      const f = fixtureJson();
      edit(f);
      expectError(() => parseCityFile(f, 'test.json'), 'ERR_MW_INVALID_MAP', text);
    }
    const dir = mkdtempSync(join(tmpdir(), 'mw-city-'));
    writeFileSync(join(dir, 'bad.json'), '{ "format": ');
    expectError(() => loadCityFile(join(dir, 'bad.json')), 'ERR_MW_INVALID_MAP', 'not valid JSON');
    expectError(() => loadCityFile(join(dir, 'missing.json')), 'ERR_MW_INVALID_MAP', 'cannot read');
  });
  it('rejects origins with orders but no destination', () => {
    const f = fixtureJson() as any;
    f.destinations[0][2] = [0, 0, 1, 0];
    expect(() => resolveDispatchConfig({ city: f, allowIntraZone: true })).not.toThrow();
    expectError(() => resolveDispatchConfig({ city: f, allowIntraZone: false }), 'ERR_MW_INVALID_MAP', 'destinations[0][2]');
  });
});

describe('configuration', () => {
  it('resolves the defaults of §3.11', () => {
    const c = resolveDispatchConfig();
    expect([c.numZones, c.numVehicles, c.numSlots, c.capacity, c.numNeighbours, c.horizon, c.startHour, c.maxWait]).toEqual([64, 32, 32, 3, 4, 60, 8, 5]);
    expect([c.demand.kind, c.travelBins, c.demandBins, c.partyMax, c.maxPickupMin]).toEqual(['synthetic', 1, 24, 1, 2147483647]);
    expect([c.fareBase, c.farePerKm, c.farePerMin, c.conflictRule, c.rewardSharing]).toEqual([2.5, 1.5, 0.5, 'nearest', 'individual']);
    expect(c.reward.length).toBe(15);
    const coef = Object.fromEntries(REWARD_COEFFICIENT_NAMES.map((k, i) => [k, c.reward[i]]));
    expect(coef).toMatchObject({ wAssign: 3, wDist: 1, wPickup: 3, wTimeout: 1, wAdd: 3, wAddExcess: 5, thetaAdd: 40, thetaTimeout: 40, wFare: 0 });
    expect(c.ordersPerHour.reduce((a, b) => a + b, 0) / 24).toBeCloseTo(0.13 * 32 * 60, 9);
  });
  it('applies presets and reward overrides', () => {
    const c = resolveDispatchConfig({ preset: 'hailingC1' });
    expect(c.capacity).toBe(1);
    expect(Array.from(c.reward)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(DISPATCH_PRESETS.hailingC1.reward).toBe('fare');
    const r = resolveDispatchConfig({ reward: { preset: 'rideGym', wLostBid: 0.5 } }).reward;
    expect(r[0]).toBe(1);
    expect(r[7]).toBeCloseTo(0.01, 7);
    expect(r[12]).toBe(0.5);
  });
  it('names the offending field', () => {
    const cases: Array<[object, string]> = [
      [{ numSlots: 0 }, 'numSlots'], [{ numSlots: 1025 }, 'numSlots'], [{ capacity: 5 }, 'capacity'], [{ numVehicles: 0 }, 'numVehicles'],
      [{ numNeighbours: 9 }, 'numNeighbours'], [{ numNeighbours: 6 }, 'numNeighbours'], [{ horizonSteps: 0 }, 'horizonSteps'],
      [{ startHour: 24 }, 'startHour'], [{ partyMax: 4, capacity: 3 }, 'partyMax'], [{ demandScale: -1 }, 'demandScale'],
      [{ cellKm: 0 }, 'cellKm'], [{ conflictRule: 'fastest' }, 'conflictRule'], [{ reward: 'gmv' }, 'reward'],
      [{ reward: { wAsign: 1 } }, 'reward.wAsign'], [{ reward: { thetaAdd: -1 } }, 'reward.thetaAdd'], [{ colour: 1 }, 'colour'],
      [{ demand: { rates: [[1, 2]] } }, 'demand.rates[0] must have 64 entries'],
      [{ demand: { rates: Array(6).fill(Array(64).fill(1)).map((r, i) => (i === 2 ? [...r.slice(0, 5), -3, ...r.slice(6)] : r)) } }, 'demand.rates[2][5]'],
      [{ demand: { replay: [{ step: 0, origin: 0, dest: 1 }, { step: 3, origin: 64, dest: 1 }] } }, 'demand.replay[1].origin'],
      [{ demand: { replay: [{ step: 60, origin: 0, dest: 1 }] } }, 'demand.replay[0].step'],
      [{ cityPerEnv: true, demand: { replay: [] } }, 'cityPerEnv'], [{ allowIntraZone: false, gridWidth: 1, gridHeight: 1 }, 'allowIntraZone'],
      [{ demand: 'city' }, "demand 'city'"], [{ city: fixtureJson(), gridWidth: 4 }, 'gridWidth'],
    ];
    for (const [cfg, text] of cases) expectError(() => resolveDispatchConfig(cfg as never), 'ERR_MW_INVALID_CONFIG', text);
  });
  it('builds consistent tables for file, rate-table and replay demand', () => {
    const file = resolveDispatchConfig({ city: fixtureJson() as never, numVehicles: 4 });
    expect([file.demand.kind, file.travelBins, file.numNeighbours, file.fareBase]).toEqual(['rates', 24, 8, 3]);
    const t = buildCityTables(file, 0);
    expect(t.travelMin.length).toBe(24 * 16);
    expect(t.arrivalCdf.length).toBe(24 * file.poissonLen);
    checkCdfRows(t.destCdf, 4);
    expect(file.ordersPerHour[12]).toBe(110 + 70 + 55 + 30);
    const rates = resolveDispatchConfig({ demand: { rates: [Array(64).fill(60)] } });
    const rt = buildCityTables(rates, 0);
    expect(rates.ordersPerHour[0]).toBe(3840);
    expect(rt.arrivalCdf.length).toBe(24 * poissonRowLength(64));
    const replay = resolveDispatchConfig({ demand: { replay: [{ step: 5, origin: 1, dest: 2, party: 2 }, { step: 0, origin: 3, dest: 4 }, { step: 5, origin: 6, dest: 7 }] } });
    if (replay.demand.kind !== 'replay') throw new Error('expected replay');
    expect(Array.from(replay.demand.replay.rows)).toEqual([0, 3, 4, 1, 5, 1, 2, 2, 5, 6, 7, 1]);
    expect(replay.demand.replay.start[0]).toBe(0);
    expect(replay.demand.replay.start[5]).toBe(1);
    expect(replay.demand.replay.start[6]).toBe(3);
    expect(replay.demand.replay.start[60]).toBe(3);
    expect(buildCityTables(replay, 0).arrivalCdf.length).toBe(24);
    expect(buildReplay([], 3, 2, 1).start).toEqual(new Int32Array(4));
  });
  it('accepts loaded and built cities, and drops neighbours without repositioning', () => {
    const loaded = resolveDispatchConfig({ city: loadCityFile(FIXTURE), demand: 'synthetic', numNeighbours: 2 });
    expect([loaded.numZones, loaded.numNeighbours, loaded.demand.kind]).toEqual([4, 2, 'synthetic']);
    expect(Array.from(buildCityTables(loaded, 3).neighbours.subarray(0, 2))).toEqual([1, 2]);
    const built = resolveDispatchConfig({ city: gridCity({ width: 3, height: 2, cellKm: 0.5, speedKmh: 15, intraZoneMin: 1 }), repositionEnabled: false });
    expect([built.numZones, built.numNeighbours, built.reposition]).toEqual([6, 0, false]);
    const broken = { ...gridCity({ width: 2, height: 2, cellKm: 1, speedKmh: 30, intraZoneMin: 1 }), numZones: 5 };
    expectError(() => resolveDispatchConfig({ city: broken }), 'ERR_MW_INVALID_CONFIG', 'inconsistent');
  });
  it('per-env synthetic cities share the arrival table and differ in hot spots', () => {
    const c = resolveDispatchConfig({ cityPerEnv: true });
    const a = buildCityTables(c, 1), b = buildCityTables(c, 2);
    expect(same(a.arrivalCdf, b.arrivalCdf)).toBe(true);
    expect(same(a.originCdf, b.originCdf)).toBe(false);
    expect(a.arrivalCdf.length).toBe(24 * c.poissonLen);
  });
});
