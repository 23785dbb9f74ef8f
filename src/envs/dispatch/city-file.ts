/**
 * The RideDispatch-v0 city file: a JSON document describing a matrix city (zones, travel minutes,
 * kilometres, optional demand tables and fare). The format is specified in
 * docs/envs/dispatch-city-format.md; {@link parseCityFile} validates it and names the exact
 * offending entry of a malformed file.
 * @module
 */

import { readFileSync } from 'node:fs';
import { isFloat32Finite } from '../../core/float32.js';
import { InvalidMapError } from '../../errors.js';
import { type DispatchCity, type FareCoefficients, MAX_TRAVEL_MIN, MAX_ZONES } from './city.js';
import { JsonReader, readBlockedTable } from './json-tables.js';

/** The `format` value every city file carries. */
export const CITY_FILE_FORMAT = 'manyworlds-dispatch-city';

/** A zone of a city file: normalised `x`, `y` in [0, 1], or `lat`, `lon` in degrees. */
export interface CityFileZone {
  /** Zone name (default `z<index>`); names are unique. */
  name?: string;
  /** Normalised x in [0, 1] (with `y`). */
  x?: number;
  /** Normalised y in [0, 1], growing southwards (with `x`). */
  y?: number;
  /** Latitude in degrees (with `lon`). */
  lat?: number;
  /** Longitude in degrees (with `lat`). */
  lon?: number;
}

/** The JSON document of a matrix city (version 1); see docs/envs/dispatch-city-format.md. */
export interface CityFile {
  /** Always {@link CITY_FILE_FORMAT}. */
  format: string;
  /** Format version: 1. */
  version: number;
  /** Display name. */
  name?: string;
  /** Free-form provenance (source data, months, filters, licence, modifications); not read. */
  meta?: Record<string, unknown>;
  /** The Z zones (1..4096). */
  zones: CityFileZone[];
  /** Travel minutes `[Z][Z]` or `[Bt][Z][Z]` (Bt = 1, 6 or 24), each ≥ 1; rounded to integers. */
  minutes: number[][] | number[][][];
  /** Trip kilometres `[Z][Z]`, each ≥ 0. */
  km: number[][];
  /** Orders per hour by origin zone, `[Bo][Z]` (Bo = 1, 6 or 24), each ≥ 0. */
  originRates?: number[][];
  /** Destination weights P(d | o), `[Bd][Z][Z]` (Bd = 1, 6 or 24), each ≥ 0; rows are normalised. */
  destinations?: number[][][];
  /** Fare coefficients (defaults of `fareBase`, `farePerKm`, `farePerMin`), each ≥ 0. */
  fare?: FareCoefficients;
}

const KNOWN = new Set(['format', 'version', 'name', 'meta', 'zones', 'minutes', 'km', 'originRates', 'destinations', 'fare']);
const nonNeg = (x: number): boolean => isFloat32Finite(x) && x >= 0;

function zoneCoordinates(r: JsonReader, zones: unknown[]): { names: string[]; xy: Float32Array } {
  const z = zones.length;
  const names: string[] = [];
  const seen = new Map<string, number>();
  const raw = new Float64Array(2 * z);
  let geo: boolean | null = null;
  for (let i = 0; i < z; i++) {
    const zone = zones[i];
    const p = `zones[${i}]`;
    if (typeof zone !== 'object' || zone === null || Array.isArray(zone)) r.fail(p, 'must be an object', zone);
    const o = zone as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['name', 'x', 'y', 'lat', 'lon'].includes(k)) r.fail(`${p}.${k}`, 'is not a zone field (name, x, y, lat, lon)');
    const name = o.name ?? `z${i}`;
    if (typeof name !== 'string' || name.length === 0) r.fail(`${p}.name`, 'must be a non-empty string', name);
    const prev = seen.get(name);
    if (prev !== undefined) r.fail(`${p}.name`, `repeats the name of zones[${prev}]`, name);
    seen.set(name, i);
    names.push(name);
    const isGeo = 'lat' in o || 'lon' in o;
    if (isGeo && ('x' in o || 'y' in o)) r.fail(p, 'must give either x and y or lat and lon, not both');
    if (geo !== null && geo !== isGeo) r.fail(p, `uses ${isGeo ? 'lat/lon' : 'x/y'} while zones[0] uses ${geo ? 'lat/lon' : 'x/y'}`);
    geo = isGeo;
    const [a, b] = isGeo ? ['lon', 'lat'] : ['x', 'y'];
    const limits: Record<string, [number, number]> = { x: [0, 1], y: [0, 1], lon: [-180, 180], lat: [-90, 90] };
    for (const k of [a, b]) {
      const v = o[k];
      const [lo, hi] = limits[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) r.fail(`${p}.${k}`, `must be a number in [${lo}, ${hi}]`, v);
    }
    raw[2 * i] = o[a] as number;
    raw[2 * i + 1] = o[b] as number;
  }
  const xy = new Float32Array(2 * z);
  if (!geo) {
    xy.set(raw);
    return { names, xy };
  }
  // Equirectangular projection (north up, y southwards), one scale for both axes, centred.
  let meanLat = 0;
  for (let i = 0; i < z; i++) meanLat += raw[2 * i + 1] / z;
  const c = Math.cos((meanLat * Math.PI) / 180);
  const px = (i: number): number => raw[2 * i] * c;
  const py = (i: number): number => -raw[2 * i + 1];
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < z; i++) {
    x0 = Math.min(x0, px(i)); x1 = Math.max(x1, px(i)); y0 = Math.min(y0, py(i)); y1 = Math.max(y1, py(i));
  }
  const s = Math.max(x1 - x0, y1 - y0);
  for (let i = 0; i < z; i++) {
    xy[2 * i] = s > 0 ? (px(i) - x0 + (s - (x1 - x0)) / 2) / s : 0.5;
    xy[2 * i + 1] = s > 0 ? (py(i) - y0 + (s - (y1 - y0)) / 2) / s : 0.5;
  }
  return { names, xy };
}

/**
 * Validates a parsed city file (a {@link CityFile} object or any JSON value) and returns the
 * matrix city. Throws {@link InvalidMapError} naming the offending entry (`minutes[0][3][5]`,
 * `zones[2].lat`, ...) for a wrong format or version, wrong shapes, non-numeric, NaN or negative
 * values, minutes below 1, duplicate zone names or unknown fields.
 * @param source - what to call the file in error messages (a path; default `'(object)'`).
 */
export function parseCityFile(json: unknown, source = '(object)'): DispatchCity {
  const r = new JsonReader(`city file ${source}`, InvalidMapError, { source });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) r.fail('the document', 'must be a JSON object');
  const f = json as Record<string, unknown>;
  if (f.format !== CITY_FILE_FORMAT) r.fail('format', `must be '${CITY_FILE_FORMAT}'`, f.format);
  if (f.version !== 1) r.fail('version', 'must be 1', f.version);
  for (const k of Object.keys(f)) if (!KNOWN.has(k)) r.fail(k, `is not a city file field (${[...KNOWN].join(', ')})`);
  if (f.name !== undefined && typeof f.name !== 'string') r.fail('name', 'must be a string', f.name);
  if (f.meta !== undefined && (typeof f.meta !== 'object' || f.meta === null || Array.isArray(f.meta))) r.fail('meta', 'must be an object');
  const zones = r.array(f.zones, 'zones');
  const z = zones.length;
  if (z < 1 || z > MAX_ZONES) r.fail('zones', `must list 1 to ${MAX_ZONES} zones`, `${z} zones`);
  const { names, xy } = zoneCoordinates(r, zones);

  const tb = r.blocks(f.minutes, 'minutes', 3, true);
  const travelBlocks = (tb || 1) as 1 | 6 | 24;
  const minutes = new Float64Array(travelBlocks * z * z);
  r.table(f.minutes, 'minutes', tb ? [tb, z, z] : [z, z], (x) => Number.isFinite(x) && x >= 1 && x <= MAX_TRAVEL_MIN, `a finite number in [1, ${MAX_TRAVEL_MIN}]`, minutes);
  const travelMin = Int32Array.from(minutes, (m) => Math.round(m));
  const km = new Float64Array(z * z);
  r.table(f.km, 'km', [z, z], nonNeg, 'a finite number ≥ 0', km);

  const rates = f.originRates === undefined ? null : readBlockedTable(r, f.originRates, 'originRates', [z], 'a finite number ≥ 0 (orders per hour)');
  const dest = f.destinations === undefined ? null : readBlockedTable(r, f.destinations, 'destinations', [z, z]);
  let fare: FareCoefficients | null = null;
  if (f.fare !== undefined) {
    if (typeof f.fare !== 'object' || f.fare === null || Array.isArray(f.fare)) r.fail('fare', 'must be an object { base, perKm, perMin }', f.fare);
    const o = f.fare as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['base', 'perKm', 'perMin'].includes(k)) r.fail(`fare.${k}`, 'is not a fare field (base, perKm, perMin)');
    for (const k of ['base', 'perKm', 'perMin']) {
      if (typeof o[k] !== 'number' || !nonNeg(o[k] as number)) r.fail(`fare.${k}`, 'must be a finite number ≥ 0', o[k]);
    }
    fare = { base: o.base as number, perKm: o.perKm as number, perMin: o.perMin as number };
  }
  return {
    kind: 'matrix', name: (f.name as string | undefined) ?? source, numZones: z, width: 0, height: 0, zoneNames: names, zoneXY: xy,
    travelBlocks, travelMin, distKm: Float32Array.from(km), fare,
    originRates: rates?.data ?? null, originBlocks: rates?.blocks ?? 0, destWeights: dest?.data ?? null, destBlocks: dest?.blocks ?? 0,
  };
}

/** Reads and validates a city file from disk; throws {@link InvalidMapError} (also for unreadable or non-JSON files). */
export function loadCityFile(path: string): DispatchCity {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidMapError(`RideDispatch-v0: cannot read city file ${path}: ${(err as Error).message}`, { source: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidMapError(`RideDispatch-v0: city file ${path} is not valid JSON: ${(err as Error).message}`, { source: path });
  }
  return parseCityFile(json, path);
}
