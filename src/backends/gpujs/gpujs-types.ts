/**
 * The part of gpu.js 2.24 this package uses, typed here (the package ships loose typings).
 * @module
 * @internal
 */

/** A gpu.js mode this package runs kernels in. */
export type GpujsMode = 'webgpu' | 'webgl2' | 'webasm' | 'cpu';

/** A compiled gpu.js kernel: call it with the kernel's arguments. @internal */
export interface GpuKernelFunction {
  (...args: unknown[]): Float32Array | Promise<Float32Array> | unknown;
  /** The backend kernel object (its constructor name tells the backend that really runs). */
  readonly kernel?: { constructor: { name: string }; fallbackReason?: string };
  destroy(removeCanvasReferences?: boolean): void;
}

/** Settings of `createKernel` used here. @internal */
export interface GpuKernelSettings {
  output: number[];
  constants?: Record<string, number>;
  tactic?: 'speed' | 'balanced' | 'precision';
  asyncMode?: boolean;
  /** Worker threads of threaded webasm. */
  poolSize?: number;
  loopMaxIterations?: number;
  dynamicArguments?: boolean;
}

/** A `GPU` instance. @internal */
export interface GpuInstance {
  createKernel(fn: (...args: never[]) => unknown, settings: GpuKernelSettings): GpuKernelFunction;
  addFunction(fn: (...args: never[]) => unknown, settings?: Record<string, unknown>): GpuInstance;
  destroy(): Promise<void> | void;
}

/** The `GPU` class with the static probes used here. @internal */
export interface GpuClass {
  new (settings: { mode: string; canvas?: unknown }): GpuInstance;
  readonly isWebGL2Supported: boolean;
  readonly isWebGPUSupported: boolean;
  readonly isWebAssemblySupported: boolean;
  isWebGPUAvailable(): Promise<boolean>;
}

/** What `require('gpu.js')` gives. @internal */
export interface GpujsModule {
  GPU: GpuClass;
  WebAssemblyKernel?: { readonly isThreadsSupported: boolean; readonly isSIMDSupported: boolean };
}
