/**
 * RideDispatch-v0 infos: typed-array views over the io arena: action masks, bid outcomes, vehicle
 * positions and loads, and episode statistics with the §3.10 metrics.
 * @module
 */

import type { BatchInfos, EpisodeInfo } from '../../core/types.js';
import { episodeMetricBase } from '../../core/episode-slot.js';
import type { IoArena } from '../../core/io-arena.js';
import { DISPATCH_METRIC_NAMES, type DispatchIoName } from './layout.js';

/** Infos of a RideDispatch-v0 batch. All arrays are views rewritten by every step/reset. */
export interface DispatchInfos extends BatchInfos {
  /** `[E, A, obsSize]` last observation of the ended episodes (same-step with `keepFinalObs`). */
  finalObs?: Float32Array;
  /** `[E, V]` always 1: every vehicle acts every step. */
  agentMask: Uint8Array;
  /** `[E, V, 1 + K + R]` 1 where the action is valid now (0 no-op, 1..K bid on slot, then reposition). */
  actionMask: Uint8Array;
  /** `[E, V]` 1 where the vehicle's bid lost to another vehicle on this step. */
  lostBid: Uint8Array;
  /** `[E, V]` 1 where some action other than no-op is valid (Triple-BERT-style decision points). */
  canAct: Uint8Array;
  /** `[E, V]` 1 where the action was invalid (masked) and ran as a no-op. */
  invalidAction: Uint8Array;
  /** `[E, V]` order slot the vehicle won on this step, -1 none. */
  wonSlot: Int32Array;
  /** `[E, V, 2]` vehicle position, interpolated along its current leg, normalised to [0, 1]. */
  vehiclePositions: Float32Array;
  /** `[E, V]` 0 idle, 1 to pickup, 2 to drop-off, 3 repositioning. */
  vehicleStatus: Int32Array;
  /** `[E, V]` seats taken (awaiting pickup and on board). */
  vehicleLoad: Int32Array;
  /** Episodes that ended on this step, with the metrics named in `metricNames`. */
  episode: EpisodeInfo;
}

/** Builds the infos of a batch once; its arrays are live views. @internal */
export function dispatchInfos(io: IoArena<DispatchIoName>, numEnvs: number, numVehicles: number, keepFinalObs: boolean): DispatchInfos {
  const v = io.views;
  const infos: DispatchInfos = {
    agentMask: new Uint8Array(numEnvs * numVehicles).fill(1),
    actionMask: v.actionMask as Uint8Array,
    lostBid: v.lostBid as Uint8Array,
    canAct: v.canAct as Uint8Array,
    invalidAction: v.invalidAction as Uint8Array,
    wonSlot: v.wonSlot as Int32Array,
    vehiclePositions: v.vehPos as Float32Array,
    vehicleStatus: v.vehStatus as Int32Array,
    vehicleLoad: v.vehLoad as Int32Array,
    episode: {
      done: v.episodeDone as Uint8Array,
      return: v.finalReturn as Float32Array,
      length: v.finalLength as Int32Array,
      metrics: v.finalMetrics as Float32Array,
      metricNames: DISPATCH_METRIC_NAMES,
    },
  };
  if (keepFinalObs) infos.finalObs = v.finalObs as Float32Array;
  return infos;
}

/** Metrics of env `env`'s last finished episode, keyed by name. Throws `InvalidArgumentError` for an env index outside the batch or infos of another env family. */
export function dispatchEpisodeMetrics(infos: DispatchInfos, env: number): Record<string, number> {
  const out: Record<string, number> = {};
  const base = episodeMetricBase(infos.episode, env, DISPATCH_METRIC_NAMES.length, 'dispatchEpisodeMetrics');
  DISPATCH_METRIC_NAMES.forEach((name, k) => { out[name] = infos.episode.metrics[base + k]; });
  return out;
}
