/**
 * Runs the gpu.js kernels of one batch in the chosen mode. Env code builds kernels through
 * {@link GpujsRuntime.kernel} and calls them per step, synchronously (`reset()`, `step()`) or
 * asynchronously (`stepAsync()`, which takes webgpu or threaded webasm where the probe chose them).
 *
 * Kernel convention (portable across cpu, webasm, webgl2 and webgpu; see docs/gpujs.md):
 * - the first argument is `itemBase` (a number); thread `x` works on item
 *   `itemBase + Math.floor(this.thread.x / this.constants.perItem)`, part `x % perItem`;
 * - every integer a kernel forms stays below 2^24 and is built from `+ - *` and the quotient
 *   `Math.floor((a + 0.5) / b)` (a, b integers, a below 2^20): GPU division is approximate, and a
 *   plain `Math.floor(a / b)` at an exact multiple can land one below; no bit operations, no `%`,
 *   loops bounded by constants;
 * - the result is one float per thread (Float32Array), copied out by the `sink` callback.
 * Batches larger than 2^20 threads run in chunks of whole items, so thread indices stay exact.
 * @module
 * @internal
 */

import { BackendUnavailableError, NativeError } from '../../errors.js';
import type { GpuInstance, GpuKernelFunction, GpujsMode } from './gpujs-types.js';
import type { GpujsChoice } from './probe.js';
import { loadGpujs } from './load.js';

/**
 * Most threads of one kernel call: 2^20, so that `Math.floor((x + 0.5) / k)` gives the exact
 * quotient of a thread index on every mode, GPUs included (their division may be off by 2.5 ULP,
 * which stays below the 0.5 / k margin for dividends under about 1.6M).
 */
export const MAX_THREADS_PER_CALL = 1 << 20;

/** Receives one chunk of a kernel's results: threads of items `[first, first + count)`. @internal */
export type KernelSink = (result: Float32Array, first: number, count: number) => void;

/** A kernel function as written in env code: `this` is gpu.js's kernel context. @internal */
export type KernelSource = (this: KernelThis, itemBase: number, ...args: never[]) => number;

/** What a kernel body may read from `this`. @internal */
export interface KernelThis {
  thread: { x: number; y: number; z: number };
  constants: Record<string, number>;
}

/** A kernel's static description. @internal */
export interface KernelSpec {
  /** Name used in error messages. */
  name: string;
  /** Threads per item (an item is an agent, an env, ...). */
  perItem: number;
  /** Most items of one run (the batch size). */
  maxItems: number;
  /** Integer constants (`this.constants`); `perItem` is added. */
  constants?: Record<string, number>;
}

/** One kernel compiled for the sync mode and, where different, for the async mode. @internal */
export class GpujsKernel {
  private readonly chunkItems: number;
  private syncFn: GpuKernelFunction | null = null;
  private asyncFn: GpuKernelFunction | null = null;

  constructor(private readonly rt: GpujsRuntime, private readonly source: KernelSource, readonly spec: KernelSpec) {
    this.chunkItems = Math.max(1, Math.min(spec.maxItems, Math.floor(MAX_THREADS_PER_CALL / spec.perItem)));
  }

  private compile(async: boolean): GpuKernelFunction {
    const gpu = async ? this.rt.asyncGpu : this.rt.syncGpu;
    const threaded = async && this.rt.choice.mode === 'webasm';
    try {
      return gpu.createKernel(this.source as never, {
        output: [this.chunkItems * this.spec.perItem],
        constants: { ...this.spec.constants, perItem: this.spec.perItem },
        tactic: 'precision',
        ...(threaded ? { asyncMode: true, poolSize: this.rt.choice.workers } : {}),
        ...(async && this.rt.choice.mode === 'webgpu' ? { asyncMode: true } : {}),
      });
    } catch (err) {
      throw new NativeError(`gpujs: kernel ${this.spec.name} does not compile in mode ${async ? this.rt.choice.mode : this.rt.choice.syncMode}: ${(err as Error).message}`);
    }
  }

  /** The backend class gpu.js really used for the sync kernel (after the first run). */
  backendClass(): string | undefined {
    return this.syncFn?.kernel?.constructor.name;
  }

  /** Records which gpu.js kernel class ran `fn` (once). */
  private record(fn: GpuKernelFunction, key: string): void {
    const kernels = this.rt.choice.kernels;
    if (kernels[key] === undefined && fn.kernel) kernels[key] = fn.kernel.constructor.name;
  }

  /** Runs the kernel over `items` items synchronously, chunk by chunk, handing each result to `sink`. */
  run(items: number, args: readonly unknown[], sink: KernelSink): void {
    this.syncFn ??= this.compile(false);
    for (let first = 0; first < items; first += this.chunkItems) {
      const count = Math.min(this.chunkItems, items - first);
      sink(this.syncFn(first, ...args) as Float32Array, first, count);
    }
    this.record(this.syncFn, this.spec.name);
  }

  /** As {@link run}, on the async mode (webgpu, threaded webasm); the sync mode elsewhere. */
  async runAsync(items: number, args: readonly unknown[], sink: KernelSink): Promise<void> {
    if (!this.rt.hasAsync) { this.run(items, args, sink); return; }
    this.asyncFn ??= this.compile(true);
    for (let first = 0; first < items; first += this.chunkItems) {
      const count = Math.min(this.chunkItems, items - first);
      const out = await (this.asyncFn(first, ...args) as Promise<Float32Array | { toArray(): Float32Array }>);
      sink(out instanceof Float32Array ? out : (out as { toArray(): Float32Array }).toArray(), first, count);
    }
    this.record(this.asyncFn, `${this.spec.name} (async)`);
  }

  destroy(): void {
    this.syncFn?.destroy();
    this.asyncFn?.destroy();
    this.syncFn = this.asyncFn = null;
  }
}

/** The gpu.js instances of one batch. @internal */
export class GpujsRuntime {
  readonly syncGpu: GpuInstance;
  readonly asyncGpu: GpuInstance;
  /** Whether async runs use a different kernel (webgpu, or threaded webasm). */
  readonly hasAsync: boolean;
  private readonly kernels: GpujsKernel[] = [];

  constructor(readonly choice: GpujsChoice) {
    const load = loadGpujs();
    if (!load.ok) throw new BackendUnavailableError(`gpujs: ${load.reason}`);
    const { GPU } = load.module;
    this.syncGpu = new GPU({ mode: choice.syncMode });
    this.hasAsync = choice.mode === 'webgpu' || choice.threaded;
    this.asyncGpu = choice.mode === 'webgpu' ? new GPU({ mode: 'webgpu' }) : this.syncGpu;
  }

  /** The mode of sync calls and of async calls. */
  get modes(): { sync: GpujsMode; async: GpujsMode } {
    return { sync: this.choice.syncMode, async: this.hasAsync ? this.choice.mode : this.choice.syncMode };
  }

  /** Creates a kernel (compiled on its first run). */
  kernel(source: KernelSource, spec: KernelSpec): GpujsKernel {
    const k = new GpujsKernel(this, source, spec);
    this.kernels.push(k);
    return k;
  }

  /** Frees every kernel and the gpu.js instances. */
  destroy(): void {
    for (const k of this.kernels) k.destroy();
    this.kernels.length = 0;
    void this.syncGpu.destroy();
    if (this.asyncGpu !== this.syncGpu) void this.asyncGpu.destroy();
  }
}
