/**
 * RideDispatch-v0 cities (reference/dispatch.md §3.1): Z zones with zone-to-zone travel minutes
 * (optionally per time block), trip kilometres, normalised zone coordinates and reposition
 * neighbours. A grid city is computed from its size and speed (Manhattan metric); a matrix city
 * comes from a city file (see `city-file.ts` and docs/envs/dispatch-city-format.md).
 * @module
 */

import { InvalidConfigError, formatValue } from '../../errors.js';

/** Most zones a city may have (the native `num_zones` bound). */
export const MAX_ZONES = 4096;
/** Longest travel time between two zones, minutes (the native core's bound, so route sums cannot overflow). */
export const MAX_TRAVEL_MIN = 100000;

/** Fare coefficients: `fare = base + perKm · km + perMin · minutes`. */
export interface FareCoefficients {
  /** Flag-drop fare. */
  base: number;
  /** Fare per trip kilometre. */
  perKm: number;
  /** Fare per trip minute. */
  perMin: number;
}

/**
 * A city in memory. Time tables have 1 block (constant), 6 blocks (4 hours each from midnight:
 * block of hour h = floor(h / 4)) or 24 blocks (hourly); see {@link blockOfHour}.
 */
export interface DispatchCity {
  /** `'grid'` (computed) or `'matrix'` (from a file). */
  kind: 'grid' | 'matrix';
  /** Display name. */
  name: string;
  /** Z. */
  numZones: number;
  /** Grid width in cells (grid cities), 0 for matrix cities. */
  width: number;
  /** Grid height in cells (grid cities), 0 for matrix cities. */
  height: number;
  /** One name per zone. */
  zoneNames: readonly string[];
  /** `[Z, 2]` zone coordinates (x, y) in [0, 1]; y grows southwards (row 0 of a grid is at the top). */
  zoneXY: Float32Array;
  /** Blocks of `travelMin`: 1, 6 or 24. */
  travelBlocks: 1 | 6 | 24;
  /** `[travelBlocks, Z, Z]` integer travel minutes, ≥ 1 (the diagonal is the intra-zone trip). */
  travelMin: Int32Array;
  /** `[Z, Z]` trip kilometres, ≥ 0. */
  distKm: Float32Array;
  /** `[originBlocks, Z]` orders per hour by origin zone, or null (file cities only). */
  originRates: Float64Array | null;
  /** Blocks of `originRates` (0 when absent). */
  originBlocks: 0 | 1 | 6 | 24;
  /** `[destBlocks, Z, Z]` destination weights P(d | o) (rows need not be normalised), or null. */
  destWeights: Float64Array | null;
  /** Blocks of `destWeights` (0 when absent). */
  destBlocks: 0 | 1 | 6 | 24;
  /** Fare coefficients given by the file, or null. */
  fare: FareCoefficients | null;
}

/** Block of hour `hour` (0..23) in a table of `blocks` blocks (1, 6 or 24). */
export function blockOfHour(hour: number, blocks: number): number {
  return blocks <= 1 ? 0 : Math.floor((hour * blocks) / 24);
}

/** Options of {@link gridCity}. */
export interface GridCityOptions {
  /** Cells along x, ≥ 1. */
  width: number;
  /** Cells along y, ≥ 1. */
  height: number;
  /** Kilometres per cell side (> 0). */
  cellKm: number;
  /** Driving speed, km/h (> 0). */
  speedKmh: number;
  /** Minutes of an intra-zone trip and the least minutes of any trip (integer ≥ 1). */
  intraZoneMin: number;
}

/**
 * Builds a W×H grid city. Zone `z = row · W + col`, at `((col + 0.5) / W, (row + 0.5) / H)`.
 * Distances use the Manhattan metric: `km = (|Δcol| + |Δrow|) · cellKm` and
 * `minutes = max(intraZoneMin, ceil(km / speedKmh · 60))` (the ceiling ignores a relative
 * floating-point excess below 1e-9, so exact multiples are not rounded up), with
 * `minutes[z][z] = intraZoneMin` and `km[z][z] = 0`. One travel block (static times).
 */
export function gridCity(o: GridCityOptions): DispatchCity {
  const { width: w, height: h, cellKm, speedKmh, intraZoneMin } = o;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || w * h > MAX_ZONES) {
    throw new InvalidConfigError(`RideDispatch-v0: grid must be at least 1×1 with at most ${MAX_ZONES} zones, got ${formatValue(w)}×${formatValue(h)}`, { field: 'gridWidth', value: [w, h] });
  }
  const z = w * h;
  const zoneXY = new Float32Array(2 * z);
  const names: string[] = [];
  for (let i = 0; i < z; i++) {
    const row = Math.floor(i / w), col = i % w;
    zoneXY[2 * i] = (col + 0.5) / w;
    zoneXY[2 * i + 1] = (row + 0.5) / h;
    names.push(`r${row}c${col}`);
  }
  // Minutes depend only on the Manhattan cell distance: tabulate once per distance.
  const byCells = new Int32Array(w + h);
  for (let d = 0; d < w + h; d++) {
    const exact = (d * cellKm * 60) / speedKmh;
    byCells[d] = d === 0 ? intraZoneMin : Math.max(intraZoneMin, Math.ceil(exact * (1 - 1e-9)));
  }
  if (byCells[w + h - 2] > MAX_TRAVEL_MIN) {
    throw new InvalidConfigError(`RideDispatch-v0: the grid's longest trip takes ${byCells[w + h - 2]} minutes, more than ${MAX_TRAVEL_MIN}; raise speedKmh or lower cellKm`,
      { field: 'speedKmh', value: speedKmh });
  }
  const travelMin = new Int32Array(z * z);
  const distKm = new Float32Array(z * z);
  for (let a = 0; a < z; a++) {
    const ar = Math.floor(a / w), ac = a % w;
    for (let b = 0; b < z; b++) {
      const d = Math.abs(ar - Math.floor(b / w)) + Math.abs(ac - (b % w));
      travelMin[a * z + b] = byCells[d];
      distKm[a * z + b] = d * cellKm;
    }
  }
  return {
    kind: 'grid', name: `grid ${w}×${h}`, numZones: z, width: w, height: h, zoneNames: names, zoneXY,
    travelBlocks: 1, travelMin, distKm, originRates: null, originBlocks: 0, destWeights: null, destBlocks: 0, fare: null,
  };
}

/** Grid neighbour offsets (Δrow, Δcol): von Neumann up, down, left, right, then Moore's diagonals. */
const GRID_MOVES: ReadonlyArray<readonly [number, number]> = [
  [-1, 0], [1, 0], [0, -1], [0, 1], [-1, -1], [-1, 1], [1, -1], [1, 1],
];

/**
 * `[Z, R]` reposition targets, −1 where none.
 * - Grid cities: R must be 0, 4 (von Neumann: up, down, left, right) or 8 (Moore: those, then
 *   up-left, up-right, down-left, down-right); off-grid targets are −1.
 * - Matrix cities: R in 0..8, the R nearest other zones by travel minutes averaged over the travel
 *   blocks, ties by kilometres then by zone index; −1 pads when Z − 1 < R.
 */
export function cityNeighbours(city: DispatchCity, r: number): Int32Array {
  const z = city.numZones;
  const out = new Int32Array(z * r).fill(-1);
  if (r === 0) return out;
  if (city.kind === 'grid') {
    if (r !== 4 && r !== 8) {
      throw new InvalidConfigError(`RideDispatch-v0: numNeighbours of a grid city must be 0, 4 or 8, got ${formatValue(r)}`, { field: 'numNeighbours', value: r });
    }
    const { width: w, height: h } = city;
    for (let i = 0; i < z; i++) {
      const row = Math.floor(i / w), col = i % w;
      for (let k = 0; k < r; k++) {
        const nr = row + GRID_MOVES[k][0], nc = col + GRID_MOVES[k][1];
        if (nr >= 0 && nr < h && nc >= 0 && nc < w) out[i * r + k] = nr * w + nc;
      }
    }
    return out;
  }
  const blocks = city.travelBlocks;
  const mean = new Float64Array(z);
  const order: number[] = [];
  for (let i = 0; i < z; i++) {
    order.length = 0;
    for (let j = 0; j < z; j++) {
      let s = 0;
      for (let b = 0; b < blocks; b++) s += city.travelMin[(b * z + i) * z + j];
      mean[j] = s / blocks;
      if (j !== i) order.push(j);
    }
    order.sort((a, b) => mean[a] - mean[b] || city.distKm[i * z + a] - city.distKm[i * z + b] || a - b);
    for (let k = 0; k < Math.min(r, order.length); k++) out[i * r + k] = order[k];
  }
  return out;
}

/** Travel minutes in the native layout. */
export interface TravelTable {
  /** Bt: 1 or the number of demand bins. */
  travelBins: number;
  /** `[Bt, Z, Z]` minutes. */
  travelMin: Int32Array;
}

/**
 * `[Bt, Z, Z]` travel minutes with Bt = 1 or `bins` (the native `travel_bins`): a 1-block table
 * is returned as is, a 6- or 24-block table is expanded to one block per demand bin.
 */
export function travelTable(city: DispatchCity, bins = 24): TravelTable {
  if (city.travelBlocks === 1) return { travelBins: 1, travelMin: city.travelMin };
  if (city.travelBlocks === bins) return { travelBins: bins, travelMin: city.travelMin };
  const zz = city.numZones * city.numZones;
  const out = new Int32Array(bins * zz);
  for (let b = 0; b < bins; b++) {
    const src = blockOfHour(b, city.travelBlocks);
    out.set(city.travelMin.subarray(src * zz, (src + 1) * zz), b * zz);
  }
  return { travelBins: bins, travelMin: out };
}
