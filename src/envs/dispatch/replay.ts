/**
 * RideDispatch-v0 replay demand: an explicit order list, the same in every env and episode,
 * instead of sampled arrivals (reference/dispatch.md §3.3).
 * @module
 */

import { InvalidConfigError, formatValue } from '../../errors.js';

/** One order of a replay list. */
export interface ReplayOrder {
  /** Step at which the order is requested, 0..horizonSteps − 1. */
  step: number;
  /** Origin zone, 0..Z − 1. */
  origin: number;
  /** Destination zone, 0..Z − 1. */
  dest: number;
  /** Seats, 1..capacity. Default 1. */
  party?: number;
}

/** A validated replay list in the native layout. */
export interface ReplayTable {
  /** `[N, 4]` rows (step, origin, dest, party), sorted by step (stable: list order within a step). */
  rows: Int32Array;
  /** `[T + 1]` first row of each step; `start[T] = N`. */
  start: Int32Array;
  /** N, the number of orders. */
  length: number;
}

/** Options of {@link buildReplay} beyond the shapes. */
export interface ReplayOptions {
  /** Reject orders whose destination equals the origin. Default false. */
  forbidIntraZone?: boolean;
  /** Field name used in error messages. Default `'demand.replay'`. */
  field?: string;
}

/**
 * Validates an order list and sorts it into the native replay layout. Throws
 * {@link InvalidConfigError} naming the offending row (`demand.replay[12].origin must be an
 * integer in [0, 63], got 70`).
 */
export function buildReplay(
  orders: ReadonlyArray<ReplayOrder>, horizon: number, numZones: number, capacity: number, opts: ReplayOptions = {},
): ReplayTable {
  const field = opts.field ?? 'demand.replay';
  if (!Array.isArray(orders)) {
    throw new InvalidConfigError(`RideDispatch-v0: ${field} must be an array of { step, origin, dest, party? }`, { field });
  }
  const n = orders.length;
  const bad = (i: number, key: string, rule: string, value: unknown): never => {
    throw new InvalidConfigError(`RideDispatch-v0: ${field}[${i}]${key ? `.${key}` : ''} ${rule}, got ${formatValue(value)}`,
      { field, index: i, value });
  };
  const int = (i: number, o: Record<string, unknown>, key: string, lo: number, hi: number): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(i, key, `must be an integer in [${lo}, ${hi}]`, v);
    return v as number;
  };
  const steps = new Int32Array(n);
  const cols = new Int32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const o = orders[i] as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) bad(i, '', 'must be an object { step, origin, dest, party? }', o);
    const rec = o as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (!['step', 'origin', 'dest', 'party'].includes(k)) bad(i, k, 'is not an order field (step, origin, dest, party)', rec[k]);
    steps[i] = int(i, rec, 'step', 0, horizon - 1);
    cols[4 * i] = steps[i];
    cols[4 * i + 1] = int(i, rec, 'origin', 0, numZones - 1);
    cols[4 * i + 2] = int(i, rec, 'dest', 0, numZones - 1);
    cols[4 * i + 3] = rec.party === undefined ? 1 : int(i, rec, 'party', 1, capacity);
    if (opts.forbidIntraZone && cols[4 * i + 1] === cols[4 * i + 2]) bad(i, 'dest', 'equals the origin while allowIntraZone is false', rec.dest);
  }
  // Counting sort by step: stable, O(N + T).
  const start = new Int32Array(horizon + 1);
  for (let i = 0; i < n; i++) start[steps[i] + 1]++;
  for (let t = 0; t < horizon; t++) start[t + 1] += start[t];
  const next = start.slice(0, horizon);
  const rows = new Int32Array(4 * n);
  for (let i = 0; i < n; i++) rows.set(cols.subarray(4 * i, 4 * i + 4), 4 * next[steps[i]]++);
  return { rows, start, length: n };
}
