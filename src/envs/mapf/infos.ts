/**
 * MAPF-v0 infos: typed-array views over the arena that follow the agents every step.
 * @module
 */

import type { BatchInfos, EpisodeInfo } from '../../core/types.js';
import { episodeMetricBase } from '../../core/episode-slot.js';
import type { MapfIo } from './layout.js';
import type { ResolvedMapfConfig } from './config.js';
import type { GridMap } from './maps.js';
import type { VectorEnv } from '../../core/vector-env.js';
import { InvalidArgumentError, formatValue } from '../../errors.js';

/** Names of the metric slots of `infos.episode.metrics`, in order (POGEMA's metric keys). */
export const MAPF_METRIC_NAMES = ['ISR', 'CSR', 'ep_length', 'SoC', 'makespan', 'avg_throughput'] as const;

/** Metrics POGEMA reports in each `onTarget` mode. */
export const MAPF_METRICS_BY_MODE: Readonly<Record<'finish' | 'nothing' | 'restart', readonly string[]>> = {
  finish: ['ISR', 'CSR', 'ep_length'],
  nothing: ['ISR', 'CSR', 'ep_length', 'SoC', 'makespan'],
  restart: ['avg_throughput'],
};

/** Infos of a MAPF-v0 batch. All arrays are views rewritten by every step/reset. */
export interface MapfInfos extends BatchInfos {
  /** `[E, A]` 1 while the agent is active (in `finish` mode an agent on its goal becomes inactive). */
  agentMask: Uint8Array;
  /** `[E, A, 2]` (row, col) of each agent in map coordinates. */
  positions: Int32Array;
  /** `[E, A, 2]` (row, col) of each agent's current goal. */
  goals: Int32Array;
  /** `[E, A, 2]` POMAPF `xy`: position minus the episode's start cell (with `pomapfExtras`). */
  xyRelative?: Int32Array;
  /** `[E, A, 2]` POMAPF `target_xy`: goal minus the start cell (with `pomapfExtras`). */
  targetXYRelative?: Int32Array;
  /** Episodes that ended on this step, with POGEMA's metrics for the `onTarget` mode. */
  episode: EpisodeInfo;
}

/** Builds the infos object of a batch once; its arrays are live views. @internal */
export function mapfInfos(arena: MapfIo, cfg: ResolvedMapfConfig, keepFinalObs: boolean): MapfInfos {
  const infos: MapfInfos = {
    agentMask: arena.outActive,
    positions: arena.outPos,
    goals: arena.outGoal,
    episode: {
      done: arena.episodeDone,
      return: arena.finalReturn,
      length: arena.finalLength,
      metrics: arena.finalMetrics,
      metricNames: MAPF_METRIC_NAMES,
    },
  };
  if (cfg.pomapfExtras) {
    infos.xyRelative = arena.outXYRel;
    infos.targetXYRelative = arena.outTargetRel;
  }
  if (keepFinalObs) infos.finalObs = arena.finalObs;
  return infos;
}

/**
 * The metrics of env `env`'s last finished episode, keyed by POGEMA's names: those of `onTarget`'s
 * mode ({@link MAPF_METRICS_BY_MODE}). Without `onTarget`, the metrics the episode has (the slots
 * of other modes hold NaN), which are the same names. Throws `InvalidArgumentError` for an env index
 * outside the batch or infos of another env family.
 */
export function mapfEpisodeMetrics(infos: MapfInfos, env: number, onTarget?: ResolvedMapfConfig['onTarget']): Record<string, number> {
  const out: Record<string, number> = {};
  const base = episodeMetricBase(infos.episode, env, MAPF_METRIC_NAMES.length, 'mapfEpisodeMetrics');
  MAPF_METRIC_NAMES.forEach((name, k) => {
    const value = infos.episode.metrics[base + k];
    if (onTarget === undefined ? !Number.isNaN(value) : (MAPF_METRICS_BY_MODE[onTarget] as readonly string[]).includes(name)) out[name] = value;
  });
  return out;
}

/**
 * The map env `envIndex` of a MAPF-v0 batch steps on, as a fresh {@link GridMap} copy: the env's
 * generated map (from its current seed: `seed + i` at make(), or what `reset({ seed })` gave it),
 * the batch's shared map, or the map given in the config. Pass it to `renderSvg` / `renderAscii`
 * with frames of your own run.
 * @throws InvalidArgumentError when `env` is not a MAPF-v0 batch or `envIndex` is not one of its envs.
 * @example
 * ```ts
 * using env = make('MAPF-v0', { numEnvs: 8, seed: 3, config: { numAgents: 4, size: 16 } });
 * const map = mapfEnvMap(env, 5);   // what env 5's observations show in channel 0
 * ```
 */
export function mapfEnvMap(env: VectorEnv, envIndex: number): GridMap {
  const batch = env as Partial<VectorEnv> | null | undefined;
  if (batch?.id !== 'MAPF-v0' || typeof batch.envMapOf !== 'function') {
    throw new InvalidArgumentError(`mapfEnvMap(env, envIndex): env must be a MAPF-v0 batch, got ${typeof batch?.id === 'string' ? batch.id : formatValue(env)}`, {});
  }
  if (!Number.isInteger(envIndex) || envIndex < 0 || envIndex >= env.numEnvs) {
    throw new InvalidArgumentError(`mapfEnvMap(env, envIndex): envIndex must be an integer in [0, ${env.numEnvs}), got ${formatValue(envIndex)}`, { env: envIndex });
  }
  return env.envMapOf(envIndex) as GridMap;
}
