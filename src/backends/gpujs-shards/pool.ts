/**
 * The main thread's side of a sharded gpujs batch: starts one worker per env range, hands them
 * commands through the control words in shared memory (see protocol.ts), waits for all of them
 * (blocking with `Atomics.wait`, or with `Atomics.waitAsync` so the event loop stays free), and
 * turns what they report into one outcome: the error of the lowest env, rebuilt as its class.
 * @module
 * @internal
 */

import { NativeError } from '../../errors.js';
import {
  Command, Control, type SerializedError, type ShardWorkerData, controlLength, errorEnv, rebuildError,
} from './protocol.js';
import { ShardThread } from './threads.js';

/** How long the workers may take to build their engines before the batch gives up. */
const START_TIMEOUT_MS = 120_000;
/** How long close() waits for the workers to free their engines before terminating them. */
const CLOSE_TIMEOUT_MS = 2_000;

/** What a shard pool is built from. @internal */
export interface ShardPoolOptions {
  /** Which range engine the workers build (`'MAPF-v0'`). */
  env: string;
  /** Envs in the batch. */
  numEnvs: number;
  /** The contiguous env ranges, one per worker. */
  ranges: ReadonlyArray<readonly [number, number]>;
  /** The batch's io arena, in shared memory. */
  io: SharedArrayBuffer;
  /** The batch's seeds at creation. */
  seeds: Uint32Array;
  /** Env-specific construction data for every worker (structured-cloned). */
  build: Record<string, unknown>;
  /** Filled with the gpu.js kernel classes the workers report. */
  kernels: Record<string, string>;
}

interface WorkerError { rank: number; env: number; worker: number; error: SerializedError }

type WaitAsync = (ta: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };

/** The workers of one sharded batch and the shared words they are driven by. @internal */
export class ShardPool {
  /** `[E]` seeds handed to the workers (written before a reseed). */
  readonly seeds: Uint32Array;
  /** `[E]` env mask handed to the workers (written before a masked reset or reseed). */
  readonly mask: Uint8Array;
  private readonly control: Int32Array;
  private readonly threads: ShardThread[] = [];
  private readonly kernels: Record<string, string>;

  /** Starts the workers and waits (blocking) until each has built its range engine; throws the first failure. */
  constructor(o: ShardPoolOptions) {
    const workers = o.ranges.length;
    this.kernels = o.kernels;
    const control = new SharedArrayBuffer(4 * controlLength(workers));
    const seeds = new SharedArrayBuffer(4 * o.numEnvs), mask = new SharedArrayBuffer(o.numEnvs);
    this.control = new Int32Array(control);
    this.seeds = new Uint32Array(seeds);
    this.mask = new Uint8Array(mask);
    this.seeds.set(o.seeds);
    Atomics.store(this.control, Control.PENDING, workers);
    try {
      o.ranges.forEach(([envBegin, envEnd], index) => {
        const data: ShardWorkerData = { env: o.env, index, control, seeds, mask, io: o.io, envBegin, envEnd, build: o.build };
        this.threads.push(new ShardThread(data));
      });
      this.waitSync(START_TIMEOUT_MS);
      this.collect();
    } catch (err) {
      this.terminate();
      throw err;
    }
  }

  /** Runs a command on every worker and blocks until all are done; throws the lowest env's error. */
  run(command: number, masked = false): void {
    this.start(command, masked);
    this.waitSync(Infinity);
    this.collect();
  }

  /** As {@link run}, waiting with `Atomics.waitAsync`: the event loop stays free meanwhile. */
  async runAsync(command: number, masked = false): Promise<void> {
    this.start(command, masked);
    const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;
    if (!waitAsync) {
      this.waitSync(Infinity);
    } else {
      // The workers are unref'd and Atomics.waitAsync holds no handle: without one, Node would
      // see nothing pending and exit under an awaited stepAsync. A timer keeps it alive meanwhile.
      const keepAlive = setInterval(() => {}, 1 << 30);
      try {
        for (let left = Atomics.load(this.control, Control.PENDING); left !== 0; left = Atomics.load(this.control, Control.PENDING)) {
          const r = waitAsync(this.control, Control.PENDING, left);
          if (r.async) await r.value;
        }
      } finally {
        clearInterval(keepAlive);
      }
    }
    this.collect();
  }

  /** Asks the workers to free their engines, waits briefly, and stops them. Idempotent. */
  close(): void {
    if (this.threads.length === 0) return;
    try {
      this.start(Command.CLOSE, false);
      this.waitSync(CLOSE_TIMEOUT_MS);
    } catch {
      // The workers are terminated below whatever they report.
    } finally {
      this.terminate();
    }
  }

  private start(command: number, masked: boolean): void {
    if (this.threads.length === 0) throw new NativeError('gpujs: the shard workers of this batch were stopped');
    Atomics.store(this.control, Control.MASKED, masked ? 1 : 0);
    Atomics.store(this.control, Control.COMMAND, command);
    Atomics.store(this.control, Control.PENDING, this.threads.length);
    Atomics.add(this.control, Control.SEQUENCE, 1);
    Atomics.notify(this.control, Control.SEQUENCE);
  }

  /** Blocks until every worker finished the current command, or throws after `timeoutMs`. */
  private waitSync(timeoutMs: number): void {
    const deadline = Date.now() + timeoutMs;
    for (let left = Atomics.load(this.control, Control.PENDING); left !== 0; left = Atomics.load(this.control, Control.PENDING)) {
      const wait = Number.isFinite(deadline) ? Math.max(0, deadline - Date.now()) : Infinity;
      if (Atomics.wait(this.control, Control.PENDING, left, wait) === 'timed-out') {
        const failure = this.threads.find((t) => t.failure)?.failure;
        throw new NativeError(`gpujs: ${left} shard worker(s) did not answer within ${timeoutMs} ms${failure ? `: ${failure.message}` : ''}`);
      }
    }
  }

  /** Reads every worker's messages; throws the error of the lowest (check rank, env, worker). */
  private collect(): void {
    let worst: WorkerError | null = null;
    this.threads.forEach((thread, worker) => {
      const count = Atomics.load(this.control, Control.RESULTS + worker);
      for (let i = 0; i < count; i++) {
        const message = thread.receive();
        if (!message) break;
        if (message.type === 'kernels') {
          for (const [name, cls] of Object.entries(message.kernels)) this.kernels[name] ??= cls;
          continue;
        }
        const candidate = { rank: message.rank, env: errorEnv(message.error), worker, error: message.error };
        if (!worst || before(candidate, worst)) worst = candidate;
      }
    });
    if (worst) throw rebuildError((worst as WorkerError).error);
  }

  private terminate(): void {
    for (const t of this.threads) t.terminate();
    this.threads.length = 0;
  }
}

function before(a: WorkerError, b: WorkerError): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.env !== b.env) return a.env < b.env;
  return a.worker < b.worker;
}
