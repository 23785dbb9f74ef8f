/**
 * MAPF-v0 on the gpujs backend over several worker threads (Node): the batch's envs are cut into
 * contiguous ranges, one per worker, each worker steps a complete {@link MapfGpujsEngine} over its
 * range, and all of them write into one io arena in shared memory, so the user sees the same
 * buffers and infos as with one thread and nothing is copied per step. A step first has every
 * worker check its range and steps only when all pass: bad input raises the lowest env's error,
 * as the single-thread engine does, and changes nothing.
 * @module
 * @internal
 */

import type { EnvEngine } from '../../core/engine.js';
import type { AutoresetMode, BatchInfos } from '../../core/types.js';
import type { GpujsChoice } from '../gpujs/probe.js';
import type { MapfConfig, ResolvedMapfConfig } from '../../envs/mapf/config.js';
import { type MapfIoArena, allocateIo, checkBatchSize } from '../../envs/mapf/layout.js';
import { mapfInfos } from '../../envs/mapf/infos.js';
import { type MapfEngineOptions, mapfParams } from '../../envs/mapf/native-engine.js';
import { Command, envRanges } from './protocol.js';
import { ShardPool } from './pool.js';
import type { MapfRangeBuild } from './range-engine.js';

export { SHARD_THREADS_UNAVAILABLE } from './threads.js';

const ID = 'MAPF-v0';

/** Engine of MAPF-v0 on gpu.js, sharded over `numThreads` worker threads. @internal */
export class MapfShardedGpujsEngine implements EnvEngine {
  readonly backend = 'gpujs' as const;
  readonly numEnvs: number;
  readonly numAgents: number;
  readonly numThreads: number;
  readonly autoresetMode: AutoresetMode;
  readonly obsSize: number;
  readonly io: MapfIoArena;
  readonly infos: BatchInfos;
  readonly details: Readonly<Record<string, unknown>>;
  private readonly pool: ShardPool;

  /**
   * Starts `o.numThreads` workers (at most one per env), each building the engine of its range
   * from `rawConfig` (the config as given to make(), already validated into `cfg`), and blocks
   * until all are ready. The kernels run in `choice.syncMode` on each worker.
   */
  constructor(cfg: ResolvedMapfConfig, rawConfig: MapfConfig | undefined, o: MapfEngineOptions, seeds: Uint32Array, choice: GpujsChoice) {
    const params = mapfParams(cfg, o);
    this.numEnvs = o.numEnvs;
    this.numAgents = cfg.numAgents;
    this.autoresetMode = o.autoresetMode;
    this.obsSize = 3 * (2 * cfg.obsRadius + 1) ** 2;
    const ranges = envRanges(o.numEnvs, o.numThreads);
    this.numThreads = ranges.length;
    const bytes = checkBatchSize(params, 1, o.maxBufferBytes, ID);
    this.io = allocateIo(params, bytes, ID, true);
    this.infos = mapfInfos(this.io, cfg, o.keepFinalObs);
    const published: GpujsChoice = { ...choice, threaded: false, workers: 0, kernels: {} };
    const workerChoice: GpujsChoice = { ...choice, mode: choice.syncMode, threaded: false, workers: 0, kernels: {} };
    const build: MapfRangeBuild = { config: rawConfig, options: { ...o, numThreads: 1 }, choice: workerChoice };
    this.pool = new ShardPool({
      env: ID, numEnvs: o.numEnvs, ranges, io: this.io.buffer as unknown as SharedArrayBuffer, seeds,
      build: build as unknown as Record<string, unknown>, kernels: published.kernels,
    });
    this.details = { gpujs: published, shards: ranges.map(([begin, end]) => [begin, end]) };
  }

  get obs(): Float32Array | Uint8Array { return this.io.obs; }
  get rewards(): Float32Array { return this.io.rewards; }
  get terminations(): Uint8Array { return this.io.terminations; }
  get truncations(): Uint8Array { return this.io.truncations; }
  get actions(): Int32Array { return this.io.actions; }

  /** Reseeds in two rounds: every worker builds its new maps, and only if all succeed installs them. */
  reseed(seeds: Uint32Array, mask: Uint8Array | null): void {
    this.pool.seeds.set(seeds);
    if (mask) this.pool.mask.set(mask);
    this.pool.run(Command.PREPARE_RESEED, mask !== null);
    this.pool.run(Command.COMMIT_RESEED, mask !== null);
  }

  reset(mask: Uint8Array | null): void {
    if (mask) this.pool.mask.set(mask);
    this.pool.run(Command.RESET, mask !== null);
  }

  step(): void {
    this.pool.run(Command.CHECK);
    this.pool.run(Command.STEP);
  }

  /** As step(), waiting for the workers without blocking the event loop. */
  async stepAsync(): Promise<void> {
    await this.pool.runAsync(Command.CHECK);
    await this.pool.runAsync(Command.STEP);
  }

  noop(): void {}

  close(): void {
    this.pool.close();
  }
}
