/**
 * RideDispatch-v0 on the gpu.js backend: installing cities and the replay list after the checks of
 * `check_city` / `check_replay` (dispatch_layout.h), with the addon's error codes and messages, and
 * the errors the bindings raise before a step (envs never reset, envs waiting for a reset, actions
 * out of range).
 * @module
 * @internal
 */

import { translateNativeError } from '../../../backends/native/errors.js';
import type { DispatchCityTables } from '../tables.js';
import type { CoreParams } from './constants.js';
import type { CitySlot, DispatchState } from './state.js';
import type { EpisodeBook } from '../../../backends/gpujs/episode-book.js';

const CDF_ONE = 0xffffffff;
const MAX_TRAVEL_MIN = 100000;

/** An error as the addon throws it (a coded Error), translated to the package's typed class. @internal */
export function codedError(code: string, message: string): Error {
  return translateNativeError(Object.assign(new Error(message), { code }));
}

/** `bad_cdf_row`: the first row of `rows` rows of length n that decreases or does not end at 2^32 − 1, or −1. */
function badCdfRow(cdf: Uint32Array, rows: number, n: number): number {
  for (let r = 0; r < rows; r++) {
    const at = r * n;
    for (let k = 1; k < n; k++) if (cdf[at + k] < cdf[at + k - 1]) return r;
    if (cdf[at + n - 1] !== CDF_ONE) return r;
  }
  return -1;
}

/** `check_city`: what is wrong with a city's tables, or null. */
function checkCity(p: CoreParams, t: DispatchCityTables): string | null {
  const Z = p.Z, zz = Z * Z, B = p.demandBins;
  for (let k = 0; k < 2 * Z; k++) if (!Number.isFinite(t.zoneXY[k])) return `zoneXY of zone ${Math.floor(k / 2)} is not finite`;
  for (let k = 0; k < p.travelBins * zz; k++) {
    if (t.travelMin[k] < 1 || t.travelMin[k] > MAX_TRAVEL_MIN) return `travelMin entry ${k} is outside 1..100000 minutes`;
  }
  for (let k = 0; k < zz; k++) {
    if (!Number.isFinite(t.distKm[k]) || t.distKm[k] < 0) return `distKm entry ${k} is negative or not finite`;
  }
  for (let k = 0; k < Z * p.R; k++) {
    if (t.neighbours[k] < -1 || t.neighbours[k] >= Z) return `neighbour entry ${k} is not a zone or -1`;
  }
  let r = badCdfRow(t.arrivalCdf, B, p.poissonLen);
  if (r >= 0) return `arrivalCdf row ${r} decreases or does not end at 4294967295`;
  r = badCdfRow(t.originCdf, B, Z);
  if (r >= 0) return `originCdf row ${r} decreases or does not end at 4294967295`;
  r = badCdfRow(t.destCdf, B * Z, Z);
  if (r >= 0) return `destCdf row ${r} (bin * Z + origin) decreases or does not end at 4294967295`;
  return null;
}

/** Checks a city (sizes as the bindings' table arguments, then `check_city`) and copies it into slot `m`. @internal */
export function installCity(s: DispatchState, book: EpisodeBook, m: number, t: DispatchCityTables, id: string): void {
  const p = s.p, Z = p.Z, zz = Z * Z, B = p.demandBins;
  const sizes: Array<[string, ArrayLike<number>, number]> = [
    ['zoneXY', t.zoneXY, Z * 2], ['travelMin', t.travelMin, p.travelBins * zz], ['distKm', t.distKm, zz],
    ['neighbours', t.neighbours, Z * p.R], ['arrivalCdf', t.arrivalCdf, B * p.poissonLen], ['originCdf', t.originCdf, B * Z],
    ['destCdf', t.destCdf, B * zz],
  ];
  for (const [what, a, n] of sizes) {
    if (a.length !== n) throw codedError('ERR_MW_INVALID_ARGUMENT', `${id}: ${what} must have ${n} elements, got ${a.length}`);
  }
  const bad = checkCity(p, t);
  if (bad) throw codedError('ERR_MW_INVALID_MAP', `${id}: city ${m}: ${bad}`);
  const slot: CitySlot = {
    xy: t.zoneXY.slice(), tt: t.travelMin.slice(), km: t.distKm.slice(), nb: t.neighbours.slice(),
    arrival: t.arrivalCdf.slice(), origin: t.originCdf.slice(), dest: t.destCdf.slice(),
  };
  s.cities[m] = slot;
  for (let e = m; e < p.numEnvs; e += p.numCities) book.uninitialize(e);
}

/** `check_replay`: what is wrong with a replay list, or null. */
function checkReplay(p: CoreParams, rows: Int32Array, start: Int32Array): string | null {
  const T = p.horizon, N = p.replayLen;
  if (start[0] !== 0 || start[T] !== N) return `start[0] must be 0 and start[T] the number of rows (${N})`;
  for (let t = 0; t < T; t++) {
    if (start[t + 1] < start[t] || start[t + 1] > N) return `start decreases or passes N at step ${t + 1}`;
    for (let r = start[t]; r < start[t + 1]; r++) {
      const at = 4 * r;
      if (rows[at] !== t) return `row ${r} is not listed under its step`;
      if (rows[at + 1] < 0 || rows[at + 1] >= p.Z || rows[at + 2] < 0 || rows[at + 2] >= p.Z) return `row ${r} has a zone out of range`;
      if (rows[at + 3] < 1 || rows[at + 3] > p.C) return `row ${r} has a party outside 1..capacity`;
    }
  }
  return null;
}

/** Checks and installs the replay list; every env must be reset before it steps again. @internal */
export function installReplay(s: DispatchState, book: EpisodeBook, rows: Int32Array, start: Int32Array, id: string): void {
  const p = s.p;
  if (rows.length !== 4 * p.replayLen) throw codedError('ERR_MW_INVALID_ARGUMENT', `${id}: replay rows must have ${4 * p.replayLen} elements, got ${rows.length}`);
  if (start.length !== p.horizon + 1) throw codedError('ERR_MW_INVALID_ARGUMENT', `${id}: replay start must have ${p.horizon + 1} elements, got ${start.length}`);
  const bad = checkReplay(p, rows, start);
  if (bad) throw codedError('ERR_MW_INVALID_MAP', `${id}: replay: ${bad}`);
  s.replay = rows.slice();
  s.replayStart = start.slice();
  s.replayReady = true;
  for (let e = 0; e < p.numEnvs; e++) book.uninitialize(e);
}

/**
 * The bindings' checks before a step (`CheckEnvs`, `first_bad_action`): throws the addon's
 * ResetNeededError or InvalidActionError, with its message, and changes nothing.
 * @internal
 */
export function checkBeforeStep(s: DispatchState, book: EpisodeBook, actions: Int32Array, id: string): void {
  const p = s.p;
  const never = book.firstUninitialized();
  if (never >= 0) {
    throw codedError('ERR_MW_RESET_NEEDED', `${id}: env ${never} has not been reset since it was created or its city changed; call reset() before step()`);
  }
  if (p.autoreset === 2) {
    for (let e = 0; e < p.numEnvs; e++) {
      if (s.needsReset[e]) throw codedError('ERR_MW_RESET_NEEDED', `${id}: env ${e} finished its episode and autoreset is disabled; call reset() first`);
    }
  }
  const A = p.numActions, n = actions.length;
  for (let i = 0; i < n; i++) {
    const a = actions[i];
    if (a < 0 || a >= A) {
      throw codedError('ERR_MW_INVALID_ACTION', `${id}: env ${Math.floor(i / p.V)}, vehicle ${i % p.V}: action ${a} is not in [0, ${A})`);
    }
  }
}
