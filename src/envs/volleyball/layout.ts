/**
 * Volleyball io arena and native parameters. The field list mirrors `list_io_fields` in
 * `native/envs/volleyball/vb_layout.h` (same names, same order); the addon re-checks every size
 * and offset. Drone, ball and rule state live in the addon's own memory, out of the user's reach.
 * @module
 * @internal
 */

import { type IoArena, type IoField, allocateArena, arenaBytes, checkArenaBudget } from '../../core/io-arena.js';
import type { ResolvedVolleyballConfig } from './config.js';

/** Metric slots per env. @internal */
export const VB_METRIC_SLOTS = 8;
/** Numbers per drone in `outDrone`: pos 3, quat 4 (wxyz), vel 3, world angular velocity 3. */
export const VB_DRONE_STATE = 13;

/** Integer parameters of a batch, as the native `VolleyballBatch` reads them. @internal */
export interface VolleyballParams {
  id: string;
  numEnvs: number;
  task: number;
  numAgents: number;
  obsDim: number;
  actionMode: number;
  substeps: number;
  maxSteps: number;
  autoreset: number;
  keepFinalObs: number;
  randomServe: number;
  maxBytes: number;
}

/** Batch options a volleyball engine needs beyond the config. @internal */
export interface VolleyballBatchOptions {
  numEnvs: number;
  numThreads: number;
  autoresetMode: 'same-step' | 'next-step' | 'disabled';
  keepFinalObs: boolean;
  maxBufferBytes: number;
}

const AUTORESET = { 'same-step': 0, 'next-step': 1, disabled: 2 } as const;

/** Native parameters of a batch. @internal */
export function volleyballParams(cfg: ResolvedVolleyballConfig, o: VolleyballBatchOptions): VolleyballParams {
  return {
    id: cfg.id, numEnvs: o.numEnvs, task: cfg.info.index, numAgents: cfg.info.drones, obsDim: cfg.info.obsDim,
    actionMode: cfg.actionMode === 'thrustBodyRates' ? 1 : 0, substeps: cfg.substeps, maxSteps: cfg.maxEpisodeSteps,
    autoreset: AUTORESET[o.autoresetMode], keepFinalObs: o.keepFinalObs ? 1 : 0, randomServe: cfg.randomServe ? 1 : 0,
    maxBytes: o.maxBufferBytes,
  };
}

/** Names of the io fields. @internal */
export type VolleyballIoName =
  | 'actions' | 'obs' | 'rewards' | 'terminations' | 'truncations' | 'outDrone' | 'outBall' | 'outBoard' | 'outHit'
  | 'episodeDone' | 'finalReturn' | 'finalLength' | 'finalMetrics' | 'finalObs';

/** The io fields of a batch, in native order. @internal */
export function volleyballIoFields(p: VolleyballParams): Array<IoField<VolleyballIoName>> {
  const e = p.numEnvs, ea = e * p.numAgents, obs = ea * p.obsDim;
  return [
    ['actions', 'f32', ea * 4], ['obs', 'f32', obs], ['rewards', 'f32', ea], ['terminations', 'u8', ea],
    ['truncations', 'u8', ea], ['outDrone', 'f32', ea * VB_DRONE_STATE], ['outBall', 'f32', e * 6],
    ['outBoard', 'f32', e * 6], ['outHit', 'u8', ea], ['episodeDone', 'u8', e], ['finalReturn', 'f32', ea],
    ['finalLength', 'i32', e], ['finalMetrics', 'f32', e * VB_METRIC_SLOTS], ['finalObs', 'f32', p.keepFinalObs ? obs : 0],
  ];
}

/** Bytes of the addon's state arena (mirrors `list_state_fields`, with alignment slack). @internal */
export function volleyballStateBytes(p: VolleyballParams): number {
  const e = p.numEnvs, ea = e * p.numAgents;
  return e * (4 * 4 + 1 + 4 * (12 + 20 + 8 + 8 + 8)) + ea * (4 * (3 + 3 + 4 + 3 + 4 + 6 + 1 + 1) + 1) + 64 * 20;
}

/**
 * Throws {@link AllocationError} when a batch's buffers would exceed `maxBytes`; returns the io
 * arena's fields. @internal
 */
export function checkVolleyballBatch(p: VolleyballParams): Array<IoField<VolleyballIoName>> {
  const fields = volleyballIoFields(p);
  checkArenaBudget({
    id: p.id, ioBytes: arenaBytes(fields), stateBytes: volleyballStateBytes(p), maxBytes: p.maxBytes, numEnvs: p.numEnvs,
    shape: `numEnvs ${p.numEnvs}`, lower: 'numEnvs',
  });
  return fields;
}

/** Allocates the io arena. @internal */
export function allocateVolleyballIo(p: VolleyballParams): IoArena<VolleyballIoName> {
  return allocateArena(checkVolleyballBatch(p), p.id);
}
