/**
 * RideDispatch-v0 configuration: the parameters of reference/dispatch.md §3.11 in camelCase, their
 * defaults, the presets, and validation into a resolved form (every error an
 * {@link InvalidConfigError} or `InvalidMapError` naming the field and the value).
 * @module
 */

import { isFloat32Finite } from '../../core/float32.js';
import { InvalidConfigError, InvalidMapError, formatValue } from '../../errors.js';
import { type DispatchCity, MAX_TRAVEL_MIN, MAX_ZONES, gridCity } from './city.js';
import { type CityFile, parseCityFile } from './city-file.js';
import { type ResolvedDemand, type DemandConfig, resolveDemand } from './demand-config.js';
import { type RewardCoefficients, type RewardPreset, type RewardSpec, resolveReward } from './reward.js';

/** How bids on one slot are settled: smallest pickup ETA, lowest vehicle index, or a seeded random priority. */
export type ConflictRule = 'nearest' | 'lowestIndex' | 'seededRandom';
/** What a pooled plan minimises: total route minutes, or the sum of passengers' minutes. */
export type RouteObjective = 'routeMinutes' | 'passengerMinutes';
/** Per-vehicle rewards, or the env's sum given to every vehicle. */
export type RewardSharing = 'individual' | 'team';
/** Names of {@link DISPATCH_PRESETS}. */
export type DispatchPresetName = 'default' | 'hailingC1';

/** Configuration of `RideDispatch-v0`. Every field is optional; defaults follow reference/dispatch.md §3.11. */
export interface DispatchConfig {
  /** A preset whose values are the defaults of the other fields. Default `'default'`. */
  preset?: DispatchPresetName;
  /**
   * A matrix city: a parsed city file object (docs/envs/dispatch-city-format.md) or the result of
   * `loadCityFile(path)`. Default: a `gridWidth × gridHeight` grid city.
   */
  city?: CityFile | DispatchCity;
  /** Grid cells along x, ≥ 1 (W·H ≤ 4096). Default 8. */
  gridWidth?: number;
  /** Grid cells along y, ≥ 1. Default 8. */
  gridHeight?: number;
  /** Kilometres per grid cell, > 0. Default 1. */
  cellKm?: number;
  /** Grid driving speed, km/h, > 0. Default 30 (2 minutes per cell). */
  speedKmh?: number;
  /** Minutes of a grid intra-zone trip and least minutes of any grid trip, integer ≥ 1. Default 1. */
  intraZoneMin?: number;
  /** Vehicles (agents) per env, 1..65536. Default 32. */
  numVehicles?: number;
  /** Seats per vehicle C, 1..4. Default 3. */
  capacity?: number;
  /** Order slots K, 1..1024. Default 32. */
  numSlots?: number;
  /** Steps (minutes) per episode, ≥ 1. Default 60. */
  horizonSteps?: number;
  /** Hour of day of step 0, 0..23. Default 8. */
  startHour?: number;
  /** An order requested at step s can be matched at steps s .. s + maxWaitSteps − 1, ≥ 1. Default 5. */
  maxWaitSteps?: number;
  /**
   * Where orders come from: `'synthetic'` (seeded generator), `'city'` (the city file's
   * `originRates` and `destinations`), explicit rate tables, or a replay list. Default `'city'`
   * when the city file has `originRates`, else `'synthetic'`.
   */
  demand?: DemandConfig;
  /** Multiplies every arrival rate, ≥ 0. Default 1. */
  demandScale?: number;
  /** Synthetic demand: daily mean of orders per vehicle per minute, ≥ 0. Default 0.13. */
  ordersPerVehicleMinute?: number;
  /** Gravity decay per travel minute of synthetic or rate-table destinations, ≥ 0. Default 0.1. */
  gravityBeta?: number;
  /** Parties of 1..partyMax seats (uniform), ≤ capacity. Default 1. */
  partyMax?: number;
  /** An order's destination may be its origin zone. Default true. */
  allowIntraZone?: boolean;
  /** Fare flag drop, ≥ 0. Default 2.5, or the city file's `fare.base`. */
  fareBase?: number;
  /** Fare per kilometre, ≥ 0. Default 1.5, or the city file's. */
  farePerKm?: number;
  /** Fare per minute, ≥ 0. Default 0.5, or the city file's. */
  farePerMin?: number;
  /** Bids with a pickup ETA above this many minutes are masked, ≥ 0. Default `Infinity`. */
  maxPickupMin?: number;
  /** Reposition actions. Default true. */
  repositionEnabled?: boolean;
  /** Reposition neighbours R: 0, 4 or 8 on a grid, 0..8 nearest zones on a matrix city. Default 4 (grid) / 8 (matrix), 0 without repositioning. */
  numNeighbours?: number;
  /** Default `'nearest'`. */
  conflictRule?: ConflictRule;
  /** Default `'routeMinutes'`. */
  routeObjective?: RouteObjective;
  /** Reward preset or coefficients over a preset. Default `'tripleBert'`. */
  reward?: RewardPreset | RewardSpec;
  /** Default `'individual'`. */
  rewardSharing?: RewardSharing;
  /** Fill the per (vehicle, slot) pickup ETA and insertion-cost block. Default false. */
  pairInsertionCost?: boolean;
  /** Add per-zone maps of pending orders and idle vehicles to the observation. Default false. */
  globalMaps?: boolean;
  /** Synthetic demand only: one generated city per env, seeded by the env's seed. Default false (one city from the batch seed). */
  cityPerEnv?: boolean;
}

/** Presets (reference/dispatch.md §3.11): `default`, and `hailingC1` (single-seat hailing with fare rewards, KDD Cup / Lin et al. style). */
export const DISPATCH_PRESETS: Readonly<Record<DispatchPresetName, Readonly<DispatchConfig>>> = {
  default: {},
  hailingC1: { capacity: 1, reward: 'fare' },
};

/** A validated configuration: the native parameters' values plus the city and demand sources. */
export interface ResolvedDispatchConfig {
  /** The city (grid or matrix). */
  city: DispatchCity;
  /** Z. */ numZones: number;
  /** V. */ numVehicles: number;
  /** C. */ capacity: number;
  /** K. */ numSlots: number;
  /** R (0 when repositioning is disabled and numNeighbours was not given). */ numNeighbours: number;
  /** T. */ horizon: number;
  /** Hour of step 0. */ startHour: number;
  /** maxWaitSteps. */ maxWait: number;
  /** B = 24. */ demandBins: number;
  /** Bt: 1 (static travel times) or 24. */ travelBins: number;
  /** P, the arrival-row length, the same for every city of the batch (it does not depend on the seed). */ poissonLen: number;
  /** Expected orders per hour Λ_b of each bin, demandScale included (zeros for replay). */ ordersPerHour: Float64Array;
  /** The demand source. */ demand: ResolvedDemand;
  /** Rate multiplier. */ demandScale: number;
  /** Synthetic daily mean per vehicle-minute. */ ordersPerVehicleMinute: number;
  /** Gravity decay per minute. */ gravityBeta: number;
  /** Largest party. */ partyMax: number;
  /** Intra-zone orders allowed. */ allowIntraZone: boolean;
  /** Fare flag drop. */ fareBase: number;
  /** Fare per km. */ farePerKm: number;
  /** Fare per minute. */ farePerMin: number;
  /** Pickup cap in whole minutes; 2^31 − 1 for none. */ maxPickupMin: number;
  /** Reposition actions enabled. */ reposition: boolean;
  /** Conflict rule. */ conflictRule: ConflictRule;
  /** Plan objective. */ routeObjective: RouteObjective;
  /** `Float32Array(15)` in `RewardCoef` order. */ reward: Float32Array;
  /** Reward sharing. */ rewardSharing: RewardSharing;
  /** Pair block. */ pairInsertionCost: boolean;
  /** Zone maps. */ globalMaps: boolean;
  /** One synthetic city per env. */ cityPerEnv: boolean;
}

/** Native codes (`ConflictRule`, `RouteObjective` in dispatch_types.h). */
export const CONFLICT_RULE_CODES: Readonly<Record<ConflictRule, number>> = { nearest: 0, lowestIndex: 1, seededRandom: 2 };
/** Native codes of {@link RouteObjective}. */
export const ROUTE_OBJECTIVE_CODES: Readonly<Record<RouteObjective, number>> = { routeMinutes: 0, passengerMinutes: 1 };

const KNOWN = new Set([
  'preset', 'city', 'gridWidth', 'gridHeight', 'cellKm', 'speedKmh', 'intraZoneMin', 'numVehicles', 'capacity', 'numSlots',
  'horizonSteps', 'startHour', 'maxWaitSteps', 'demand', 'demandScale', 'ordersPerVehicleMinute', 'gravityBeta', 'partyMax',
  'allowIntraZone', 'fareBase', 'farePerKm', 'farePerMin', 'maxPickupMin', 'repositionEnabled', 'numNeighbours',
  'conflictRule', 'routeObjective', 'reward', 'rewardSharing', 'pairInsertionCost', 'globalMaps', 'cityPerEnv',
]);
const GRID_ONLY = ['gridWidth', 'gridHeight', 'cellKm', 'speedKmh', 'intraZoneMin'] as const;
const INT32_MAX = 2147483647;

function fail(field: string, value: unknown, rule: string): never {
  throw new InvalidConfigError(`RideDispatch-v0: ${field} ${rule}, got ${formatValue(value)}`, { field, value });
}
function int(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(field, v, `must be an integer in [${lo}, ${hi}]`);
  return v as number;
}
function num(field: string, v: unknown, lo: number, strict = false): number {
  // The engine keeps these as float32: a larger magnitude would become Infinity there.
  if (!isFloat32Finite(v) || (strict ? (v as number) <= lo : (v as number) < lo)) fail(field, v, `must be a finite float32 number ${strict ? '>' : '≥'} ${lo}`);
  return v as number;
}
function bool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(field, v, 'must be a boolean');
  return v as boolean;
}
function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) fail(field, v, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  return v as T;
}

/** Sanity checks of a city object built in code (files are validated entry by entry when parsed). */
function checkCity(city: DispatchCity): DispatchCity {
  if (city === null || typeof city !== 'object') fail('city', city, 'must be a city object (gridCity(), parseCityFile() or loadCityFile())');
  const z = city.numZones;
  // A table is an array or typed array of exactly n entries.
  const table = (t: unknown, n: number): t is ArrayLike<number> => (Array.isArray(t) || ArrayBuffer.isView(t)) && (t as ArrayLike<number>).length === n;
  const ok = Number.isInteger(z) && z >= 1 && z <= MAX_ZONES && table(city.zoneXY, 2 * z) && table(city.distKm, z * z) &&
    [1, 6, 24].includes(city.travelBlocks) && table(city.travelMin, city.travelBlocks * z * z) &&
    (city.originRates === null || table(city.originRates, city.originBlocks * z)) &&
    (city.destWeights === null || table(city.destWeights, city.destBlocks * z * z)) &&
    (city.kind === 'matrix' || city.width * city.height === z);
  if (!ok) fail('city', `(${city.kind} city '${city.name}')`, 'has inconsistent table sizes; build cities with gridCity(), parseCityFile() or loadCityFile()');
  // The value rules of the city file format, for objects built or edited in code (InvalidMapError
  // naming the entry, as the native check of the tables does).
  const values = (field: string, t: ArrayLike<number> | null, valid: (x: number) => boolean, rule: string): void => {
    if (t === null) return;
    for (let i = 0; i < t.length; i++) {
      if (!valid(t[i])) {
        throw new InvalidMapError(`RideDispatch-v0: city.${field}[${i}] ${rule}, got ${formatValue(t[i])}`, { field: `city.${field}`, index: i, value: t[i] });
      }
    }
  };
  values('zoneXY', city.zoneXY, (x) => x >= 0 && x <= 1, 'must be in [0, 1]');
  values('distKm', city.distKm, (x) => x >= 0 && isFloat32Finite(x), 'must be a finite number >= 0');
  values('travelMin', city.travelMin, (x) => Number.isInteger(x) && x >= 1 && x <= MAX_TRAVEL_MIN, `must be an integer in [1, ${MAX_TRAVEL_MIN}]`);
  values('originRates', city.originRates, (x) => x >= 0 && isFloat32Finite(x), 'must be a finite rate >= 0 (orders per hour)');
  values('destWeights', city.destWeights, (x) => x >= 0 && isFloat32Finite(x), 'must be a finite weight >= 0');
  return city;
}

function resolveCity(c: DispatchConfig): DispatchCity {
  if (c.city === undefined) {
    return gridCity({
      width: int('gridWidth', c.gridWidth ?? 8, 1, 4096), height: int('gridHeight', c.gridHeight ?? 8, 1, 4096),
      cellKm: num('cellKm', c.cellKm ?? 1, 0, true), speedKmh: num('speedKmh', c.speedKmh ?? 30, 0, true),
      intraZoneMin: int('intraZoneMin', c.intraZoneMin ?? 1, 1, 1440),
    });
  }
  for (const k of GRID_ONLY) if (c[k] !== undefined) fail(k, c[k], 'applies to grid cities only; remove it or the city');
  const city = c.city as unknown;
  if (typeof city !== 'object' || city === null) fail('city', city, 'must be a city file object or the result of loadCityFile()');
  if ('kind' in city && (city.kind === 'matrix' || city.kind === 'grid')) return checkCity(city as DispatchCity);
  return parseCityFile(city, '(config.city)');
}

/** Largest fare or per-step reward magnitude allowed: far beyond any real one, and small enough
 * that sums over vehicles and episodes stay finite in float32. */
const MAGNITUDE_LIMIT = 1e20;

/**
 * Refuses fare coefficients and reward weights that are each finite but whose products with this
 * city's longest trip (km, minutes) could overflow float32, which would put Infinity or NaN into
 * the fare features and the rewards. Bounds per term: the longest trip, ETAs and added minutes
 * of at most 2C + 2 legs, delays of C on-board orders.
 */
function checkMagnitudes(city: DispatchCity, capacity: number, fare: { fareBase: number; farePerKm: number; farePerMin: number },
  w: RewardCoefficients): void {
  const max = (t: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < t.length; i++) m = Math.max(m, t[i]); return m; };
  const km = max(city.distKm), min = max(city.travelMin), legs = 2 * capacity + 2;
  const fareMax = fare.fareBase + fare.farePerKm * Math.max(km, 30) + fare.farePerMin * Math.max(min, 60);
  if (!(fareMax < MAGNITUDE_LIMIT)) {
    fail('fareBase + farePerKm·km + farePerMin·min', fareMax, `must stay below 1e20 for this city's longest trip (${km} km, ${min} min)`);
  }
  const terms: Array<[keyof RewardCoefficients, number]> = [
    ['wAssign', 1], ['wFare', fareMax], ['wDist', km], ['wPickup', (legs * min) / 60], ['wTimeout', capacity + 1],
    ['wAdd', (legs * min) / 60], ['wAddExcess', (legs * min) / 60], ['wTrip', min], ['wDetourExisting', capacity * legs * min],
    ['wIdle', 1], ['wEmptyMove', 1], ['wRepositionKm', km], ['wLostBid', 1],
  ];
  const bound = terms.reduce((sum, [k, q]) => sum + Math.abs(w[k]) * q, 0);
  if (!(bound < MAGNITUDE_LIMIT)) {
    const worst = terms.reduce((a, b) => (Math.abs(w[b[0]]) * b[1] > Math.abs(w[a[0]]) * a[1] ? b : a));
    fail(`reward.${worst[0]}`, w[worst[0]], `is too large: one step's reward could reach ${bound.toExponential(2)} on this city (the weights must keep it below 1e20)`);
  }
}

/** Validates a configuration (after applying its preset); throws {@link InvalidConfigError} or `InvalidMapError` naming the field. */
export function resolveDispatchConfig(config: DispatchConfig = {}): ResolvedDispatchConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new InvalidConfigError('RideDispatch-v0: config must be an object');
  for (const key of Object.keys(config)) {
    if (!KNOWN.has(key)) throw new InvalidConfigError(`RideDispatch-v0: unknown config field '${key}'`, { field: key });
  }
  const preset = oneOf('preset', config.preset ?? 'default', Object.keys(DISPATCH_PRESETS) as DispatchPresetName[]);
  const c: DispatchConfig = { ...DISPATCH_PRESETS[preset], ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) };
  const city = resolveCity(c);
  const z = city.numZones;
  const capacity = int('capacity', c.capacity ?? 3, 1, 4);
  const numVehicles = int('numVehicles', c.numVehicles ?? 32, 1, 65536);
  const horizon = int('horizonSteps', c.horizonSteps ?? 60, 1, 1_000_000);
  const allowIntraZone = bool('allowIntraZone', c.allowIntraZone ?? true);
  const reposition = bool('repositionEnabled', c.repositionEnabled ?? true);
  const numNeighbours = int('numNeighbours', c.numNeighbours ?? (!reposition ? 0 : city.kind === 'grid' ? 4 : 8), 0, 8);
  if (city.kind === 'grid' && ![0, 4, 8].includes(numNeighbours)) fail('numNeighbours', numNeighbours, 'must be 0, 4 or 8 on a grid city');
  const demandScale = num('demandScale', c.demandScale ?? 1, 0);
  const ordersPerVehicleMinute = num('ordersPerVehicleMinute', c.ordersPerVehicleMinute ?? 0.13, 0);
  const gravityBeta = num('gravityBeta', c.gravityBeta ?? 0.1, 0);
  const maxPickup = c.maxPickupMin ?? Infinity;
  if (typeof maxPickup !== 'number' || Number.isNaN(maxPickup) || maxPickup < 0) fail('maxPickupMin', maxPickup, 'must be a number ≥ 0 (Infinity for no limit)');
  const demand = resolveDemand(c.demand, city, {
    horizon, capacity, allowIntraZone, demandScale, gravityBeta, ordersPerHour: ordersPerVehicleMinute * numVehicles * 60,
  });
  const cityPerEnv = bool('cityPerEnv', c.cityPerEnv ?? false);
  if (cityPerEnv && demand.kind !== 'synthetic') fail('cityPerEnv', cityPerEnv, 'needs synthetic demand (other demand sources are the same in every env)');
  const partyMax = int('partyMax', c.partyMax ?? 1, 1, 4);
  if (partyMax > capacity) fail('partyMax', partyMax, `must not exceed capacity (${capacity})`);
  const fare = {
    fareBase: num('fareBase', c.fareBase ?? city.fare?.base ?? 2.5, 0),
    farePerKm: num('farePerKm', c.farePerKm ?? city.fare?.perKm ?? 1.5, 0),
    farePerMin: num('farePerMin', c.farePerMin ?? city.fare?.perMin ?? 0.5, 0),
  };
  const reward = resolveReward(c.reward);
  checkMagnitudes(city, capacity, fare, reward.coefficients);
  return {
    city, numZones: z, numVehicles, capacity, numNeighbours, horizon, allowIntraZone, reposition, demand, demandScale,
    ordersPerVehicleMinute, gravityBeta, partyMax, cityPerEnv,
    numSlots: int('numSlots', c.numSlots ?? 32, 1, 1024),
    startHour: int('startHour', c.startHour ?? 8, 0, 23),
    maxWait: int('maxWaitSteps', c.maxWaitSteps ?? 5, 1, 1_000_000),
    demandBins: 24,
    travelBins: city.travelBlocks === 1 ? 1 : 24,
    poissonLen: demand.poissonLen,
    ordersPerHour: demand.ordersPerHour,
    ...fare,
    maxPickupMin: Math.min(INT32_MAX, Math.floor(maxPickup)),
    conflictRule: oneOf('conflictRule', c.conflictRule ?? 'nearest', ['nearest', 'lowestIndex', 'seededRandom'] as const),
    routeObjective: oneOf('routeObjective', c.routeObjective ?? 'routeMinutes', ['routeMinutes', 'passengerMinutes'] as const),
    reward: reward.vector,
    rewardSharing: oneOf('rewardSharing', c.rewardSharing ?? 'individual', ['individual', 'team'] as const),
    pairInsertionCost: bool('pairInsertionCost', c.pairInsertionCost ?? false),
    globalMaps: bool('globalMaps', c.globalMaps ?? false),
  };
}
