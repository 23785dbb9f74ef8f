/**
 * RideDispatch-v0 on the gpu.js backend: the constants and parameters of the TypeScript core, one
 * to one with `native/envs/dispatch/dispatch_types.h` (statuses, reward coefficients, metric slots,
 * RNG streams) and the batch parameters with the float ones rounded to float32 as the addon reads
 * them.
 * @module
 * @internal
 */

import type { DispatchParams } from '../layout.js';

/** Vehicle status (`Status`). @internal */
export const IDLE = 0, TO_PICKUP = 1, TO_DROPOFF = 2, REPOSITIONING = 3;
/** Autoreset codes (`Autoreset`). @internal */
export const SAME_STEP = 0, NEXT_STEP = 1, DISABLED = 2;
/** Conflict rules (`ConflictRule`). @internal */
export const NEAREST = 0, SEEDED_RANDOM = 2;
/** Route objective that sums every passenger's minutes (`kPassengerMinutes`). @internal */
export const PASSENGER_MINUTES = 1;
/** Replay demand (`kDemandReplay`). @internal */
export const DEMAND_REPLAY = 1;

/** Reward coefficient slots (`RewardCoef`). @internal */
export const W = {
  assign: 0, fare: 1, dist: 2, pickup: 3, timeout: 4, add: 5, addExcess: 6, trip: 7, detourExisting: 8, idle: 9,
  emptyMove: 10, repositionKm: 11, lostBid: 12, thetaAdd: 13, thetaTimeout: 14,
} as const;

/** Episode metric slots (`DispatchMetric`). @internal */
export const M = {
  generated: 0, served: 1, completed: 2, expired: 3, overflow: 4, pendingAtEnd: 5, serviceRate: 6, meanPickup: 7,
  meanConfirmation: 8, meanDelivery: 9, meanDetour: 10, revenue: 11, utilisation: 12, emptyKm: 13, repositionKm: 14,
  bidConflicts: 15, invalidActions: 16, episodeReturn: 17,
} as const;
/** Metric slots per env. @internal */
export const NUM_METRICS = 18;

/** RNG streams of the env (`Stream` in dispatch_step.h). @internal */
export const STREAM = { vehicles: 0, arrivals: 1, origins: 2, party: 4, conflict: 5, dests: 6 } as const;

/** Status bits per env (`StatusBit`). @internal */
export const STATUS_STEPPED_DONE = 2;

/** float32 of 1/60 (`1.0f / 60.0f`), the hours-per-minute factor of the observations. @internal */
export const PER_HOUR = Math.fround(1 / 60);
/** float32 of 1/1440 (minutes of a day). @internal */
export const PER_DAY = Math.fround(1 / 1440);

/** Parameters of a batch as the core reads them (the addon's `Params`). @internal */
export interface CoreParams {
  numEnvs: number; V: number; K: number; C: number; R: number; Z: number; numCities: number;
  demandBins: number; travelBins: number; poissonLen: number; horizon: number; maxWait: number; startHour: number;
  demandMode: number; replayLen: number; maxPickupMin: number; partyMax: number; reposition: number;
  conflictRule: number; routeObjective: number; teamReward: number; pairBlock: number; globalMaps: number;
  autoreset: number; keepFinalObs: number;
  /** float32 fare terms. */
  fareBase: number; farePerKm: number; farePerMin: number;
  /** float32 reward coefficients in {@link W} order. */
  reward: Float32Array;
  /** Actions per vehicle, 1 + K + R. */
  numActions: number;
  /** Floats of one vehicle's observation row and the starts of its blocks. */
  obsSize: number; selfSize: number; pairAt: number; globalAt: number; mapsAt: number;
}

/** The core parameters of a batch from its native parameters. @internal */
export function coreParams(p: DispatchParams): CoreParams {
  const selfSize = 12 + 7 * p.capacity;
  const pairAt = selfSize + 9 * p.numSlots;
  const globalAt = pairAt + (p.pairBlock ? 2 * p.numSlots : 0);
  const mapsAt = globalAt + 4;
  return {
    numEnvs: p.numEnvs, V: p.numVehicles, K: p.numSlots, C: p.capacity, R: p.numNeighbours, Z: p.numZones,
    numCities: p.numCities, demandBins: p.demandBins, travelBins: p.travelBins, poissonLen: p.poissonLen,
    horizon: p.horizon, maxWait: p.maxWait, startHour: p.startHour, demandMode: p.demandMode, replayLen: p.replayLen,
    maxPickupMin: p.maxPickupMin, partyMax: p.partyMax, reposition: p.reposition, conflictRule: p.conflictRule,
    routeObjective: p.routeObjective, teamReward: p.teamReward, pairBlock: p.pairBlock, globalMaps: p.globalMaps,
    autoreset: p.autoreset, keepFinalObs: p.keepFinalObs,
    fareBase: Math.fround(p.fareBase), farePerKm: Math.fround(p.farePerKm), farePerMin: Math.fround(p.farePerMin),
    reward: Float32Array.from(p.reward),
    numActions: 1 + p.numSlots + p.numNeighbours,
    obsSize: mapsAt + (p.globalMaps ? 2 * p.numZones : 0), selfSize, pairAt, globalAt, mapsAt,
  };
}

/** `fare_of`: base + per_km · km + per_min · minutes, in float32. @internal */
export function fareOf(p: CoreParams, km: number, minutes: number): number {
  const f = Math.fround;
  return f(f(p.fareBase + f(p.farePerKm * km)) + f(p.farePerMin * minutes));
}

/** `inv_fare_norm`: 1 / fare of a one-hour, 30 km trip (0 when that fare is 0), in float32. @internal */
export function invFareNorm(p: CoreParams): number {
  const f = Math.fround;
  const n = f(f(p.fareBase + f(30 * p.farePerKm)) + f(60 * p.farePerMin));
  return n > 0 ? f(1 / n) : 0;
}
