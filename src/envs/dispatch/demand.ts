/**
 * RideDispatch-v0 demand (reference/dispatch.md §3.3, §4.4): hourly origin rates and destination
 * laws, the seeded synthetic city generator, and their conversion to the integer CDF tables the
 * native core samples from.
 *
 * Per env and step in bin b (hour of day, B = 24): the number of new orders is
 * Poisson(Λ_b · demandScale / 60) with Λ_b = Σ_o rate_b(o) orders per hour (one draw, by the
 * superposition of the per-zone processes), each order's origin is drawn with probability
 * rate_b(o) / Λ_b, and its destination from P_b(d | o).
 * @module
 */

import { InvalidConfigError, formatValue } from '../../errors.js';
import { CounterRng } from '../../rng.js';
import { blockOfHour, type DispatchCity } from './city.js';
import { poissonRowLength, writeCategoricalCdf, writePoissonCdf } from './cdf.js';

/**
 * RNG stream of the synthetic city generator. The native core's dispatch streams are 0–2 and 4–6
 * (vehicle starts, arrivals, origins, parties, conflicts, destinations; stream 3 is left to
 * policies; `native/envs/dispatch/dispatch_step.h`), all with env word 0 like this one, so the
 * generator takes its own stream to stay independent.
 */
export const CITY_GENERATOR_STREAM = 16;

/** Demand bins: one per hour of the day (the native `demand_bins`). */
export const DEMAND_BINS = 24;

/** Writes the destination weights of origin `origin` in bin `bin` into `out` (length Z, ≥ 0). */
export type DestinationWeights = (bin: number, origin: number, out: Float64Array) => void;

/** The CDF tables of one city (shapes as `View` in dispatch_types.h, without the city index). */
export interface DemandTables {
  /** `[B, P]` CDF of the number of new orders per step. */
  arrivalCdf: Uint32Array;
  /** `[B, Z]` CDF of an order's origin zone. */
  originCdf: Uint32Array;
  /** `[B, Z, Z]` CDF of the destination given the origin. */
  destCdf: Uint32Array;
  /** P, the length of an arrival row. */
  poissonLen: number;
}

/** Options of {@link buildDemandTables}. */
export interface DemandTableOptions {
  /** Multiplies every rate. Default 1. */
  demandScale?: number;
  /** Destination may equal origin. Default true. */
  allowIntraZone?: boolean;
  /**
   * Row length P (the batch-wide `poisson_len`); default {@link poissonLenFor} of the scaled rates.
   * A shorter row only moves the far tail into its last entry.
   */
  poissonLen?: number;
}

/** Expected orders per hour Λ_b of each of the 24 bins for `[blocks, Z]` origin rates. */
export function hourlyTotals(rates: Float64Array, numZones: number): Float64Array {
  const blocks = rates.length / numZones;
  const out = new Float64Array(DEMAND_BINS);
  for (let h = 0; h < DEMAND_BINS; h++) {
    const b = blockOfHour(h, blocks);
    for (let o = 0; o < numZones; o++) out[h] += rates[b * numZones + o];
  }
  return out;
}

/** P for hourly totals Λ_b (orders per hour) and 1-minute steps: the longest {@link poissonRowLength} over bins. */
export function poissonLenFor(ordersPerHour: ArrayLike<number>, demandScale = 1): number {
  let p = 1;
  for (let b = 0; b < ordersPerHour.length; b++) p = Math.max(p, poissonRowLength((ordersPerHour[b] * demandScale) / 60));
  return p;
}

function destinationSource(dest: Float64Array | DestinationWeights, z: number): DestinationWeights {
  if (typeof dest === 'function') return dest;
  const blocks = dest.length / (z * z);
  return (bin, origin, out) => {
    const at = (blockOfHour(bin, blocks) * z + origin) * z;
    for (let d = 0; d < z; d++) out[d] = dest[at + d];
  };
}

/**
 * Builds the CDF tables of a city from `[blocks, Z]` origin rates (orders per hour; blocks 1, 6
 * or 24) and destination weights (a `[blocks, Z, Z]` table or a {@link DestinationWeights}
 * callback). With `allowIntraZone` false the diagonal weight is ignored. Throws
 * {@link InvalidConfigError} when an origin with a positive rate has no destination of positive
 * weight. Rows that can never be drawn (bins without demand, origins without rate) are uniform.
 */
export function buildDemandTables(
  city: DispatchCity, rates: Float64Array, dest: Float64Array | DestinationWeights, opts: DemandTableOptions = {},
): DemandTables {
  const z = city.numZones;
  const scale = opts.demandScale ?? 1;
  const intra = opts.allowIntraZone ?? true;
  const totals = hourlyTotals(rates, z);
  const poissonLen = opts.poissonLen ?? poissonLenFor(totals, scale);
  if (!Number.isInteger(poissonLen) || poissonLen < 1) throw new InvalidConfigError(`RideDispatch-v0: poissonLen must be an integer ≥ 1, got ${formatValue(poissonLen)}`);
  const arrivalCdf = new Uint32Array(DEMAND_BINS * poissonLen);
  const originCdf = new Uint32Array(DEMAND_BINS * z);
  const destCdf = new Uint32Array(DEMAND_BINS * z * z);
  const weights = destinationSource(dest, z);
  const row = new Float64Array(z);
  const rateBlocks = rates.length / z;
  for (let b = 0; b < DEMAND_BINS; b++) {
    writePoissonCdf((totals[b] * scale) / 60, poissonLen, arrivalCdf, b * poissonLen);
    writeCategoricalCdf(rates, blockOfHour(b, rateBlocks) * z, z, originCdf, b * z);
  }
  // Origin-major, so destination models can reuse per-origin work across bins.
  for (let o = 0; o < z; o++) {
    for (let b = 0; b < DEMAND_BINS; b++) {
      weights(b, o, row);
      if (!intra) row[o] = 0;
      const at = (b * z + o) * z;
      if (writeCategoricalCdf(row, 0, z, destCdf, at) > 0) continue;
      if (rates[blockOfHour(b, rateBlocks) * z + o] > 0 && scale > 0) {
        throw new InvalidConfigError(
          `RideDispatch-v0: ${city.name}: zone ${o} (${city.zoneNames[o]}) has orders at hour ${b} but no destination of positive weight${intra ? '' : ' other than itself (allowIntraZone is false)'}`,
          { field: 'destinations', index: [b, o] },
        );
      }
      if (!intra && z > 1) {
        // A row that is never drawn: uniform over the other zones, so that it too respects allowIntraZone.
        row.fill(1);
        row[o] = 0;
        writeCategoricalCdf(row, 0, z, destCdf, at);
      }
    }
  }
  return { arrivalCdf, originCdf, destCdf, poissonLen };
}

/**
 * `exp(−beta · (tt_b[o][d] − min over allowed d of tt_b[o][d]))` for one (bin, origin): a cache of
 * the last row, which depends on the bin only through its travel block.
 */
function gravityKernel(city: DispatchCity, beta: number, intra: boolean): (bin: number, origin: number) => Float64Array {
  const z = city.numZones;
  const out = new Float64Array(z);
  let last = -1;
  return (bin, origin) => {
    const block = blockOfHour(bin, city.travelBlocks);
    const key = block * z + origin;
    if (key === last) return out;
    last = key;
    const tt = key * z;
    let ttMin = Infinity;
    for (let d = 0; d < z; d++) if (d !== origin || intra) ttMin = Math.min(ttMin, city.travelMin[tt + d]);
    for (let d = 0; d < z; d++) out[d] = Math.exp(-beta * (city.travelMin[tt + d] - ttMin));
    return out;
  };
}

/**
 * Gravity destination law `P_b(d | o) ∝ attr(b, d) · exp(−beta · tt_b[o][d])` (travel minutes of
 * the city's block for hour b), computed relative to the row's shortest allowed trip so it never
 * underflows; when every allowed attractiveness of a row is 0 the row is `exp(−beta · tt)` alone.
 * @param attr - `[blocks, Z]` attractiveness (blocks 1, 6 or 24).
 */
export function gravityDestinations(city: DispatchCity, attr: Float64Array, beta: number, allowIntraZone = true): DestinationWeights {
  const z = city.numZones;
  const attrBlocks = attr.length / z;
  const kernel = gravityKernel(city, beta, allowIntraZone);
  return (bin, origin, out) => {
    const k = kernel(bin, origin);
    const ab = blockOfHour(bin, attrBlocks) * z;
    let sum = 0;
    for (let d = 0; d < z; d++) if (d !== origin || allowIntraZone) sum += k[d] * attr[ab + d];
    for (let d = 0; d < z; d++) out[d] = sum > 0 ? k[d] * attr[ab + d] : k[d];
  };
}

// Diurnal profile f(h) = base + A_am·N(h; 8, 1.5) + A_pm·N(h; 18, 2), at bin centres h + 0.5 with
// circular hour distance. Placeholders (reference/dispatch.md §4.4), to be calibrated on real data.
const DIURNAL = { base: 1, am: 7.5, amHour: 8, amSd: 1.5, pm: 11, pmHour: 18, pmSd: 2 } as const;

function gauss(h: number, mu: number, sd: number): number {
  const d0 = Math.abs(h - mu);
  const d = Math.min(d0, 24 - d0);
  return Math.exp((-d * d) / (2 * sd * sd)) / (sd * Math.sqrt(2 * Math.PI));
}

/** The three Poisson components of synthetic demand, `[24]` orders per hour each. */
export interface DiurnalComponents {
  /** All-day base: origins and destinations ∝ (r + b) / 2. */
  base: Float64Array;
  /** Morning commute: origins ∝ r, destinations ∝ b. */
  am: Float64Array;
  /** Evening commute: origins ∝ b, destinations ∝ r. */
  pm: Float64Array;
}

/**
 * The synthetic diurnal components per hour, scaled so the mean over the 24 hours of their sum
 * is `ordersPerHour`: `base` (origins and destinations ∝ (r + b) / 2), `am` (morning commute:
 * origins ∝ r, destinations ∝ b) and `pm` (evening: origins ∝ b, destinations ∝ r).
 */
export function diurnalComponents(ordersPerHour: number): DiurnalComponents {
  const base = new Float64Array(DEMAND_BINS), am = new Float64Array(DEMAND_BINS), pm = new Float64Array(DEMAND_BINS);
  let total = 0;
  for (let h = 0; h < DEMAND_BINS; h++) {
    base[h] = DIURNAL.base;
    am[h] = DIURNAL.am * gauss(h + 0.5, DIURNAL.amHour, DIURNAL.amSd);
    pm[h] = DIURNAL.pm * gauss(h + 0.5, DIURNAL.pmHour, DIURNAL.pmSd);
    total += base[h] + am[h] + pm[h];
  }
  const c = total > 0 ? (ordersPerHour * DEMAND_BINS) / total : 0;
  for (let h = 0; h < DEMAND_BINS; h++) { base[h] *= c; am[h] *= c; pm[h] *= c; }
  return { base, am, pm };
}

/** Hourly totals Λ_b of the synthetic generator (independent of the seed). */
export function syntheticHourlyTotals(ordersPerHour: number): Float64Array {
  const { base, am, pm } = diurnalComponents(ordersPerHour);
  return Float64Array.from(base, (v, h) => v + am[h] + pm[h]);
}

/** Options of {@link syntheticDemand}. */
export interface SyntheticDemandOptions {
  /** Daily mean of the total rate, orders per hour (`ordersPerVehicleMinute · V · 60`). */
  ordersPerHour: number;
  /** Gravity decay per travel minute. */
  gravityBeta: number;
  /** Destination may equal origin. */
  allowIntraZone: boolean;
}

/** A synthetic city's demand: `[24, Z]` origin rates, destination law, and its attractiveness fields. */
export interface SyntheticDemand {
  /** `[24, Z]` orders per hour by origin. */
  originRates: Float64Array;
  /** Destination weights per bin and origin. */
  destinations: DestinationWeights;
  /** `[Z]` residential attractiveness r, normalised to sum 1. */
  residential: Float64Array;
  /** `[Z]` business attractiveness b, normalised to sum 1. */
  business: Float64Array;
}

/**
 * Seeded synthetic demand over any city (reference/dispatch.md §4.4). Draws, in order, from
 * `new CounterRng(seed, CITY_GENERATOR_STREAM)` for the residential then the business field: a hot-spot
 * count `1 + below(4)`, then per spot its centre (`uniform()` across the zones' bounding box in
 * cell units, x then y), its σ `0.5 + 1.5·uniform()` cells and amplitude `0.5 + uniform()`. A field
 * is `0.1 + Σ amplitude · exp(−dist² / 2σ²)` at each zone, normalised to sum 1. Cell units are grid
 * cells, or `xy · sqrt(Z)` for matrix cities. The demand is the superposition of three Poisson
 * processes ({@link diurnalComponents}), each with gravity destinations
 * (`exp(−gravityBeta · minutes)`), so a bin's origin rates and destination law are exact mixtures.
 */
export function syntheticDemand(city: DispatchCity, seed: number, o: SyntheticDemandOptions): SyntheticDemand {
  const z = city.numZones;
  const cx = new Float64Array(z), cy = new Float64Array(z);
  const s = city.kind === 'grid' ? 0 : Math.sqrt(z);
  for (let i = 0; i < z; i++) {
    cx[i] = city.kind === 'grid' ? i % city.width : city.zoneXY[2 * i] * s;
    cy[i] = city.kind === 'grid' ? Math.floor(i / city.width) : city.zoneXY[2 * i + 1] * s;
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < z; i++) { x0 = Math.min(x0, cx[i] - 0.5); x1 = Math.max(x1, cx[i] + 0.5); y0 = Math.min(y0, cy[i] - 0.5); y1 = Math.max(y1, cy[i] + 0.5); }
  const rng = new CounterRng(seed >>> 0, CITY_GENERATOR_STREAM);
  const field = (): Float64Array => {
    const f = new Float64Array(z).fill(0.1);
    const spots = 1 + rng.below(4);
    for (let k = 0; k < spots; k++) {
      const hx = x0 + rng.uniform() * (x1 - x0), hy = y0 + rng.uniform() * (y1 - y0);
      const sd = 0.5 + 1.5 * rng.uniform(), amp = 0.5 + rng.uniform();
      for (let i = 0; i < z; i++) f[i] += amp * Math.exp(-((cx[i] - hx) ** 2 + (cy[i] - hy) ** 2) / (2 * sd * sd));
    }
    let sum = 0;
    for (let i = 0; i < z; i++) sum += f[i];
    for (let i = 0; i < z; i++) f[i] /= sum;
    return f;
  };
  const r = field(), b = field();
  const m = Float64Array.from(r, (v, i) => (v + b[i]) / 2);
  const { base, am, pm } = diurnalComponents(o.ordersPerHour);
  const originRates = new Float64Array(DEMAND_BINS * z);
  for (let h = 0; h < DEMAND_BINS; h++) {
    for (let i = 0; i < z; i++) originRates[h * z + i] = base[h] * m[i] + am[h] * r[i] + pm[h] * b[i];
  }
  const kernel = gravityKernel(city, o.gravityBeta, o.allowIntraZone);
  let lastKey = -1, sm = 0, sb = 0, sr = 0;
  const destinations: DestinationWeights = (bin, origin, out) => {
    const k = kernel(bin, origin);
    const key = blockOfHour(bin, city.travelBlocks) * z + origin;
    if (key !== lastKey) {
      // The row sums depend on the kernel row only (its travel block and origin).
      sm = 0; sb = 0; sr = 0;
      for (let d = 0; d < z; d++) {
        if (d === origin && !o.allowIntraZone) continue;
        sm += m[d] * k[d]; sb += b[d] * k[d]; sr += r[d] * k[d];
      }
      lastKey = key;
    }
    // λ(o, d) = Σ_component rate_component(o) · G_component(d | o), G = attr · kernel normalised per row.
    const w1 = (base[bin] * m[origin]) / sm, w2 = (am[bin] * r[origin]) / sb, w3 = (pm[bin] * b[origin]) / sr;
    for (let d = 0; d < z; d++) out[d] = k[d] * (w1 * m[d] + w2 * b[d] + w3 * r[d]);
    if (!o.allowIntraZone) out[origin] = 0;
  };
  return { originRates, destinations, residential: r, business: b };
}
