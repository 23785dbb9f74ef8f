/**
 * RideDispatch-v0 io arena and native parameters. The field list mirrors `list_io_fields` in
 * `native/envs/dispatch/dispatch_layout.h` (same names, same order); the addon re-checks every size
 * and offset. Cities, orders and vehicles live in the addon's own memory.
 * @module
 * @internal
 */

import { type IoArena, type IoField, allocateArena, arenaBytes, checkArenaBudget } from '../../core/io-arena.js';

/** Metric slots per env (`DispatchMetric` in dispatch_types.h). */
export const DISPATCH_METRIC_NAMES = [
  'ordersGenerated', 'ordersServed', 'ordersCompleted', 'ordersExpired', 'ordersOverflow', 'pendingAtEnd',
  'serviceRate', 'meanPickupMin', 'meanConfirmationMin', 'meanDeliveryMin', 'meanDetourMin', 'revenue',
  'vehicleUtilisation', 'emptyKm', 'repositionKm', 'bidConflicts', 'invalidActions', 'episodeReturn',
] as const;

/** Per-vehicle observation blocks (reference/dispatch.md §3.9). @internal */
export const SELF_FIXED = 12, SELF_PER_ORDER = 7, ORDER_FEATURES = 9, PAIR_FEATURES = 2, GLOBAL_FEATURES = 4;

/** Parameters of a batch, as the native `DispatchBatch` reads them. @internal */
export interface DispatchParams {
  id: string;
  numEnvs: number; numVehicles: number; numSlots: number; capacity: number; numNeighbours: number; numZones: number;
  numCities: number; demandBins: number; travelBins: number; poissonLen: number; horizon: number; maxWait: number;
  startHour: number; demandMode: number; replayLen: number; maxPickupMin: number; partyMax: number; reposition: number;
  conflictRule: number; routeObjective: number; teamReward: number; pairBlock: number; globalMaps: number;
  autoreset: number; keepFinalObs: number; maxBytes: number; fareBase: number; farePerKm: number; farePerMin: number;
  reward: Float32Array;
}

/** Offsets of the blocks of one vehicle's observation row. @internal */
export interface DispatchObsLayout {
  self: [number, number]; orders: [number, number]; pair: [number, number]; global: [number, number]; maps: [number, number];
  size: number;
}

/** Where each block sits in a vehicle's flat observation row (start, length). @internal */
export function obsLayout(p: Pick<DispatchParams, 'capacity' | 'numSlots' | 'numZones' | 'globalMaps' | 'pairBlock'>): DispatchObsLayout {
  const self = SELF_FIXED + SELF_PER_ORDER * p.capacity;
  const orders = ORDER_FEATURES * p.numSlots, pair = p.pairBlock ? PAIR_FEATURES * p.numSlots : 0, maps = p.globalMaps ? 2 * p.numZones : 0;
  let at = 0;
  const block = (n: number): [number, number] => { const b: [number, number] = [at, n]; at += n; return b; };
  const out = { self: block(self), orders: block(orders), pair: block(pair), global: block(GLOBAL_FEATURES), maps: block(maps), size: 0 };
  out.size = at;
  return out;
}

/** Names of the io fields. @internal */
export type DispatchIoName =
  | 'actions' | 'obs' | 'actionMask' | 'rewards' | 'terminations' | 'truncations' | 'lostBid' | 'canAct' | 'invalidAction'
  | 'wonSlot' | 'vehPos' | 'vehStatus' | 'vehLoad' | 'episodeDone' | 'finalReturn' | 'finalLength' | 'finalMetrics' | 'finalObs';

/** The io fields of a batch, in native order. @internal */
export function dispatchIoFields(p: DispatchParams): Array<IoField<DispatchIoName>> {
  const e = p.numEnvs, ev = e * p.numVehicles, obs = ev * obsLayout(p).size, actions = 1 + p.numSlots + p.numNeighbours;
  return [
    ['actions', 'i32', ev], ['obs', 'f32', obs], ['actionMask', 'u8', ev * actions], ['rewards', 'f32', ev],
    ['terminations', 'u8', ev], ['truncations', 'u8', ev], ['lostBid', 'u8', ev], ['canAct', 'u8', ev],
    ['invalidAction', 'u8', ev], ['wonSlot', 'i32', ev], ['vehPos', 'f32', ev * 2], ['vehStatus', 'i32', ev],
    ['vehLoad', 'i32', ev], ['episodeDone', 'u8', e], ['finalReturn', 'f32', ev], ['finalLength', 'i32', e],
    ['finalMetrics', 'f32', e * DISPATCH_METRIC_NAMES.length], ['finalObs', 'f32', p.keepFinalObs ? obs : 0],
  ];
}

/** Upper estimate of the addon's state arena (cities, replay, orders, vehicles). @internal */
export function dispatchStateBytes(p: DispatchParams, replayRows: number): number {
  const z = p.numZones, m = p.numCities, e = p.numEnvs, ev = e * p.numVehicles, c = p.capacity;
  const city = m * (8 * z + 4 * p.travelBins * z * z + 4 * z * z + 4 * z * p.numNeighbours + 4 * p.demandBins * (p.poissonLen + z + z * z));
  const env = e * (4 * 4 + 1 + 17 * p.numSlots + 8 * 18) + ev * (4 * 6 + 4 * 11 * c + 4 * c);
  return city + 16 * replayRows + 4 * (p.horizon + 1) + env + 64 * 60;
}

/** Throws {@link AllocationError} when a batch's buffers would exceed `maxBytes`; returns the io fields. @internal */
export function checkDispatchBatch(p: DispatchParams, replayRows: number): Array<IoField<DispatchIoName>> {
  const fields = dispatchIoFields(p);
  checkArenaBudget({
    id: p.id, ioBytes: arenaBytes(fields), stateBytes: dispatchStateBytes(p, replayRows), maxBytes: p.maxBytes, numEnvs: p.numEnvs,
    shape: `numEnvs ${p.numEnvs}`, lower: 'numEnvs, numVehicles or numSlots',
  });
  return fields;
}

/** Allocates the io arena. @internal */
export function allocateDispatchIo(p: DispatchParams, replayRows: number): IoArena<DispatchIoName> {
  return allocateArena(checkDispatchBatch(p, replayRows), p.id);
}
