/**
 * The `demand` option of RideDispatch-v0 and its validation: synthetic, the city file's tables,
 * explicit rate tables, or a replay list.
 * @module
 */

import { InvalidConfigError, InvalidMapError, formatValue } from '../../errors.js';
import { blockOfHour, type DispatchCity } from './city.js';
import { DEMAND_BINS, hourlyTotals, poissonLenFor, syntheticHourlyTotals } from './demand.js';
import { JsonReader, readBlockedTable } from './json-tables.js';
import { buildReplay, type ReplayOrder, type ReplayTable } from './replay.js';

/** Explicit demand tables. */
export interface DemandRatesConfig {
  /** Orders per hour by origin zone, `[blocks][Z]` (blocks 1, 6 or 24: constant, 4-hour blocks from midnight, hourly), each ≥ 0. */
  rates: number[][];
  /**
   * Destination weights P(d | o), `[blocks][Z][Z]` (blocks 1, 6 or 24), each ≥ 0, rows normalised.
   * Default: gravity, `P(d | o) ∝ rate(d) · exp(−gravityBeta · minutes(o, d))`.
   */
  destinations?: number[][][];
}

/** A replay list: the same orders in every env and episode. */
export interface DemandReplayConfig {
  /** The orders; sorted by step when read (stable). */
  replay: ReplayOrder[];
}

/** Values of the `demand` option. */
export type DemandConfig = 'synthetic' | 'city' | DemandRatesConfig | DemandReplayConfig;

/** Fields every resolved demand source has. */
export interface ResolvedDemandBase {
  /** P, the arrival-row length (1 for replay). */
  poissonLen: number;
  /** `[24]` expected orders per hour by bin, demandScale included (zeros for replay). */
  ordersPerHour: Float64Array;
}

/** Synthetic demand: tables are generated per city seed. */
export interface ResolvedSyntheticDemand extends ResolvedDemandBase {
  /** Discriminant. */
  kind: 'synthetic';
}

/** Demand from rate tables (the config's or the city file's). */
export interface ResolvedRatesDemand extends ResolvedDemandBase {
  /** Discriminant. */
  kind: 'rates';
  /** `[blocks, Z]` orders per hour, before demandScale. */
  originRates: Float64Array;
  /** `[blocks, Z, Z]` destination weights, or null for gravity on the rates. */
  destWeights: Float64Array | null;
}

/** Replay demand. */
export interface ResolvedReplayDemand extends ResolvedDemandBase {
  /** Discriminant. */
  kind: 'replay';
  /** The sorted order list. */
  replay: ReplayTable;
}

/** A validated demand source. */
export type ResolvedDemand = ResolvedSyntheticDemand | ResolvedRatesDemand | ResolvedReplayDemand;

/** What {@link resolveDemand} needs from the rest of the configuration. */
export interface DemandContext {
  /** T. */ horizon: number;
  /** C. */ capacity: number;
  /** Intra-zone orders allowed. */ allowIntraZone: boolean;
  /** Rate multiplier. */ demandScale: number;
  /** Gravity decay per minute. */ gravityBeta: number;
  /** Synthetic daily mean, orders per hour. */ ordersPerHour: number;
}

/** Throws unless every origin with a positive rate in some hour has a destination of positive weight then. */
function checkDestinationRows(
  rates: Float64Array, dest: Float64Array, z: number, intra: boolean, fail: (path: string, msg: string) => never,
): void {
  const rb = rates.length / z, db = dest.length / (z * z);
  for (let h = 0; h < DEMAND_BINS; h++) {
    const r = blockOfHour(h, rb), d = blockOfHour(h, db);
    for (let o = 0; o < z; o++) {
      if (!(rates[r * z + o] > 0)) continue;
      let sum = 0;
      for (let k = 0; k < z; k++) if (k !== o || intra) sum += dest[(d * z + o) * z + k];
      if (!(sum > 0)) {
        fail(`destinations[${d}][${o}]`, `has no destination of positive weight${intra ? '' : ' other than the origin (allowIntraZone is false)'} while origin ${o} has orders (rate at hour ${h} is ${rates[r * z + o]})`);
      }
    }
  }
}

/** Validates the `demand` option against the city; throws {@link InvalidConfigError} (or `InvalidMapError` for the city file's tables). */
export function resolveDemand(spec: DemandConfig | undefined, city: DispatchCity, ctx: DemandContext): ResolvedDemand {
  const z = city.numZones;
  const mode = spec ?? (city.originRates ? 'city' : 'synthetic');
  const needsOtherZone = (): void => {
    if (z === 1 && !ctx.allowIntraZone) {
      throw new InvalidConfigError('RideDispatch-v0: allowIntraZone false needs at least 2 zones', { field: 'allowIntraZone', value: false });
    }
  };
  if (mode === 'synthetic') {
    needsOtherZone();
    const ordersPerHour = syntheticHourlyTotals(ctx.ordersPerHour).map((v) => v * ctx.demandScale);
    return { kind: 'synthetic', poissonLen: poissonLenFor(ordersPerHour), ordersPerHour };
  }
  if (mode === 'city') {
    if (!city.originRates) {
      throw new InvalidConfigError(`RideDispatch-v0: demand 'city' needs a city file with originRates (${city.name} has none)`, { field: 'demand', value: 'city' });
    }
    needsOtherZone();
    if (city.destWeights) {
      checkDestinationRows(city.originRates, city.destWeights, z, ctx.allowIntraZone, (path, msg) => {
        throw new InvalidMapError(`RideDispatch-v0: city file ${city.name}: ${path} ${msg}`, { field: 'destinations' });
      });
    }
    return rates(city.originRates, city.destWeights, z, ctx);
  }
  if (typeof mode !== 'object' || mode === null || Array.isArray(mode)) {
    throw new InvalidConfigError(`RideDispatch-v0: demand must be 'synthetic', 'city', { rates, destinations? } or { replay }, got ${formatValue(mode)}`, { field: 'demand', value: mode });
  }
  const keys = Object.keys(mode);
  if ('replay' in mode) {
    if (keys.length !== 1) throw new InvalidConfigError(`RideDispatch-v0: demand { replay } takes no other field, got ${keys.join(', ')}`, { field: 'demand' });
    const replay = buildReplay(mode.replay, ctx.horizon, z, ctx.capacity, { forbidIntraZone: !ctx.allowIntraZone });
    return { kind: 'replay', replay, poissonLen: 1, ordersPerHour: new Float64Array(DEMAND_BINS) };
  }
  for (const k of keys) {
    if (k !== 'rates' && k !== 'destinations') throw new InvalidConfigError(`RideDispatch-v0: demand.${k} is not a demand field (rates, destinations, replay)`, { field: `demand.${k}` });
  }
  needsOtherZone();
  const r = new JsonReader('', InvalidConfigError);
  const originRates = readBlockedTable(r, mode.rates, 'demand.rates', [z], 'a finite number ≥ 0 (orders per hour)').data;
  const destWeights = mode.destinations === undefined ? null : readBlockedTable(r, mode.destinations, 'demand.destinations', [z, z]).data;
  if (destWeights) checkDestinationRows(originRates, destWeights, z, ctx.allowIntraZone, (path, msg) => r.fail(`demand.${path}`, msg));
  return rates(originRates, destWeights, z, ctx);
}

function rates(originRates: Float64Array, destWeights: Float64Array | null, z: number, ctx: DemandContext): ResolvedDemand {
  const ordersPerHour = hourlyTotals(originRates, z).map((v) => v * ctx.demandScale);
  return { kind: 'rates', originRates, destWeights, poissonLen: poissonLenFor(ordersPerHour), ordersPerHour };
}
