/**
 * Volleyball infos: typed-array views over the io arena with the world state of every drone, the
 * ball and (Hard task) the defending board, the legal hits of the step, and episode statistics.
 * @module
 */

import type { BatchInfos, EpisodeInfo } from '../../core/types.js';
import { episodeMetricBase } from '../../core/episode-slot.js';
import type { IoArena } from '../../core/io-arena.js';
import { VB_METRIC_SLOTS, type VolleyballIoName } from './layout.js';
import { droneTeams, type ResolvedVolleyballConfig } from './config.js';

/** Infos of a volleyball batch. All arrays are views rewritten by every step/reset. */
export interface VolleyballInfos extends BatchInfos {
  /** `[E, A]` always 1: every drone acts until the episode ends. */
  agentMask: Uint8Array;
  /**
   * `[E, A, 13]` world state of each drone: position (m), attitude quaternion (w, x, y, z),
   * velocity (m/s), angular velocity (rad/s, world frame). Not mirrored for the far team.
   */
  drones: Float32Array;
  /** `[E, 6]` ball position (m) and velocity (m/s); zeros in BackAndForth. */
  ball: Float32Array;
  /** `[E, 6]` SetAndSpikeHard: the defending board's centre (m) and axis (unit); zeros otherwise. */
  board: Float32Array;
  /** `[E, A]` 1 where the drone made a legal (racket) hit on this step. */
  hits: Uint8Array;
  /** `[E, A, obsSize]` last observation of the ended episodes (same-step with `keepFinalObs`). */
  finalObs?: Float32Array;
  /** `[A]` team of each agent: 0 near side (x > 0), 1 far side; all 0 in drills and cooperative tasks. */
  teams: Uint8Array;
  /** Episodes that ended on this step, with the task's metrics (`metricNames`). */
  episode: EpisodeInfo;
}

/** Builds the infos of a batch once; its arrays are live views. @internal */
export function volleyballInfos(io: IoArena<VolleyballIoName>, cfg: ResolvedVolleyballConfig, numEnvs: number, keepFinalObs: boolean): VolleyballInfos {
  const v = io.views;
  const infos: VolleyballInfos = {
    agentMask: new Uint8Array(numEnvs * cfg.info.drones).fill(1),
    drones: v.outDrone as Float32Array,
    ball: v.outBall as Float32Array,
    board: v.outBoard as Float32Array,
    hits: v.outHit as Uint8Array,
    teams: Uint8Array.from(droneTeams(cfg.info)),
    episode: {
      done: v.episodeDone as Uint8Array,
      return: v.finalReturn as Float32Array,
      length: v.finalLength as Int32Array,
      metrics: v.finalMetrics as Float32Array,
      metricNames: cfg.info.metricNames,
    },
  };
  if (keepFinalObs) infos.finalObs = v.finalObs as Float32Array;
  return infos;
}

/** Metrics of env `env`'s last finished episode, keyed by name (the task's slots only). Throws `InvalidArgumentError` for an env index outside the batch or infos of another env family. */
export function volleyballEpisodeMetrics(infos: VolleyballInfos, env: number): Record<string, number> {
  const base = episodeMetricBase(infos.episode, env, VB_METRIC_SLOTS, 'volleyballEpisodeMetrics');
  const out: Record<string, number> = {};
  infos.episode.metricNames.forEach((name, k) => {
    out[name] = infos.episode.metrics[base + k];
  });
  return out;
}
