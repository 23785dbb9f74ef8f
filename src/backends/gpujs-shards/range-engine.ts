/**
 * What a shard worker runs: an engine over one contiguous env range of a batch, stepping in place
 * on the batch's io arena in shared memory. MAPF-v0 builds a {@link MapfGpujsEngine} on views of
 * its range, with the gpu.js mode's synchronous mode (the worker thread is the parallelism).
 * @module
 * @internal
 */

import { GpujsRuntime } from '../gpujs/runtime.js';
import type { GpujsChoice } from '../gpujs/probe.js';
import { type FailedStepCheck, MapfGpujsEngine } from '../../envs/mapf/gpujs/engine.js';
import { type MapfConfig, resolveMapfConfig } from '../../envs/mapf/config.js';
import { type MapfIo, ioViews } from '../../envs/mapf/layout.js';
import type { MapTables } from '../../envs/mapf/install.js';
import { type MapfEngineOptions, mapfParams } from '../../envs/mapf/native-engine.js';
import type { ShardWorkerData } from './protocol.js';

/** The operations a shard worker runs on its range (see protocol.ts `Command`). @internal */
export interface RangeEngine {
  /** The first failing check made before a step, or null. Changes nothing. */
  failedStepCheck(): FailedStepCheck | null;
  /** A step, after every range's checks passed. */
  applyStep(): void;
  /** Resets the masked envs of the range (all when mask is null). */
  reset(mask: Uint8Array | null): void;
  /** Builds and keeps the maps for new seeds; throws where one is invalid. Changes nothing. */
  prepareReseed(seeds: Uint32Array, mask: Uint8Array | null): void;
  /** Installs the prepared maps and the seeds. */
  commitReseed(seeds: Uint32Array, mask: Uint8Array | null): void;
  /** gpu.js kernel classes that ran so far, by kernel name. */
  kernels(): Record<string, string>;
  /** Frees the gpu.js runtime. */
  close(): void;
}

/** Construction data of a MAPF-v0 range (`ShardWorkerData.build`). @internal */
export interface MapfRangeBuild {
  /** The user's config, as given to make(). */
  config: MapfConfig | undefined;
  /** The batch's engine options (numEnvs of the whole batch). */
  options: MapfEngineOptions;
  /** The gpu.js choice, in its synchronous mode. */
  choice: GpujsChoice;
}

/** The views of envs `[begin, end)` in every io field of a batch of `numEnvs` envs. @internal */
export function sliceIo(io: MapfIo, numEnvs: number, begin: number, end: number): MapfIo {
  const out: Partial<Record<keyof MapfIo, ArrayBufferView>> = {};
  for (const key of Object.keys(io) as Array<keyof MapfIo>) {
    const view = io[key];
    const perEnv = view.length / numEnvs;
    out[key] = view.subarray(begin * perEnv, end * perEnv);
  }
  return out as unknown as MapfIo;
}

class MapfRange implements RangeEngine {
  private readonly engine: MapfGpujsEngine;
  private readonly runtime: GpujsRuntime;
  private pendingMaps: Array<[number, MapTables]> | null = null;

  constructor(data: ShardWorkerData) {
    const build = data.build as unknown as MapfRangeBuild;
    const cfg = resolveMapfConfig(build.config ?? {});
    const batch = mapfParams(cfg, build.options);
    const full = ioViews(batch, data.io as unknown as ArrayBuffer);
    const { buffer: _buffer, offsets: _offsets, ...fields } = full;
    const io = sliceIo(fields, build.options.numEnvs, data.envBegin, data.envEnd);
    const seeds = new Uint32Array(data.seeds);
    this.runtime = new GpujsRuntime(build.choice);
    const options = { ...build.options, numEnvs: data.envEnd - data.envBegin, numThreads: 1 };
    this.engine = new MapfGpujsEngine(this.runtime, cfg, options, seeds.slice(data.envBegin, data.envEnd), {
      io, envBase: data.envBegin, sharedMapSeed: seeds[0],
    });
  }

  failedStepCheck(): FailedStepCheck | null { return this.engine.failedStepCheck(); }
  applyStep(): void { this.engine.applyStep(); }
  reset(mask: Uint8Array | null): void { this.engine.reset(mask); }

  prepareReseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    this.pendingMaps = null;
    // As MapfGpujsEngine.reseed: a missing mask means every env (a shared map stays).
    this.pendingMaps = this.engine.buildMaps(seeds, mask ?? new Uint8Array(seeds.length).fill(1));
  }

  commitReseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    const maps = this.pendingMaps ?? [];
    this.pendingMaps = null;
    this.engine.installReseed(maps, seeds, mask);
  }

  kernels(): Record<string, string> { return this.runtime.choice.kernels; }
  close(): void { this.engine.close(); }
}

/** Builds the range engine a shard worker's data describes. @internal */
export function buildRangeEngine(data: ShardWorkerData): RangeEngine {
  if (data.env === 'MAPF-v0') return new MapfRange(data);
  throw new Error(`gpujs shards: no range engine for ${data.env}`);
}
