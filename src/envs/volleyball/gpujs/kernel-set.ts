/**
 * The gpu.js kernels of one volleyball batch and the calls a step makes to them: each call names
 * its kernel, item count, arguments and the sink that copies the result into the batch state or
 * the observation buffer. Results are component-major per call (`[component, item of the call]`):
 * state sinks copy one run per component, the observation sink transposes into `[E, A, D]`. The step code yields calls; a sync driver runs them with `run`, the
 * async one awaits `runAsync` (webgpu or threaded webasm).
 * @module
 * @internal
 */

import { type GpujsKernel, type GpujsRuntime, type KernelSink, type KernelSource, MAX_THREADS_PER_CALL } from '../../../backends/gpujs/runtime.js';
import { controlKernel, integrateKernel } from './physics-kernels.js';
import { observationKernel } from './obs-kernel.js';
import { CTL_STRIDE, DRONE_STRIDE, type VolleyballState } from './state.js';

/** One kernel invocation. @internal */
export interface KernelCall {
  kernel: GpujsKernel;
  items: number;
  args: readonly unknown[];
  sink: KernelSink;
}

/** Batch facts the kernels are compiled for. @internal */
export interface KernelParams {
  task: number;
  numEnvs: number;
  numAgents: number;
  obsDim: number;
  teamSize: number;
  substeps: number;
  maxSteps: number;
  ctbr: boolean;
  /** `[A, 3]` anchors (float32). */
  anchors: Float32Array;
}

/** Drone items of the reset-pass observation kernel (a small kernel, so resets cost little). */
const SMALL_OBS_ITEMS = 64;

/** Items of one kernel call, as the runtime chunks them. */
function chunkItems(perItem: number, maxItems: number): number {
  return Math.max(1, Math.min(maxItems, Math.floor(MAX_THREADS_PER_CALL / perItem)));
}

/**
 * A sink copying a component-major result into a component-major state array over n items; the
 * array is read at each call (`drones` changes between the two buffers every substep).
 */
function stateSink(target: () => Float32Array, n: number, perItem: number, chunk: number): KernelSink {
  return (r, first, count) => {
    const out = target();
    for (let k = 0; k < perItem; k++) out.set(r.subarray(k * chunk, k * chunk + count), k * n + first);
  };
}

/** Runs a call synchronously. @internal */
export function runCall(c: KernelCall): void {
  c.kernel.run(c.items, c.args, c.sink);
}

/** Runs a call on the async mode. @internal */
export function runCallAsync(c: KernelCall): Promise<void> {
  return c.kernel.runAsync(c.items, c.args, c.sink);
}

/** The kernels of a batch, with the scratch arrays their calls reuse. @internal */
export class VolleyballKernels {
  private readonly control: GpujsKernel;
  private readonly integrate: GpujsKernel;
  private readonly obsFull: GpujsKernel;
  private readonly obsSmall: GpujsKernel;
  private readonly identity: Float32Array;
  /** Sinks of the control and integration calls, built once. */
  private readonly controlSink: KernelSink;
  private readonly integrateSink: KernelSink;
  /** `[E]` 1 for the envs of the current reset pass. */
  private readonly wanted: Uint8Array;
  /** `[E + N]` step counts then drone flags, refreshed before each observation call. */
  private readonly stepFlags: Float32Array;
  /** Drone indices of the reset pass (the first `count` entries are used). */
  private readonly resetList: Float32Array;
  private readonly numDrones: number;
  private readonly obsChunkFull: number;
  private readonly obsChunkSmall: number;

  constructor(rt: GpujsRuntime, private readonly p: KernelParams, private readonly s: VolleyballState) {
    const n = p.numEnvs * p.numAgents;
    this.numDrones = n;
    this.identity = Float32Array.from({ length: n }, (_, i) => i);
    this.resetList = new Float32Array(n);
    this.stepFlags = new Float32Array(p.numEnvs + n);
    this.wanted = new Uint8Array(p.numEnvs);
    this.controlSink = stateSink(() => s.ctl, n, CTL_STRIDE, chunkItems(CTL_STRIDE, n));
    this.integrateSink = stateSink(() => s.drones, n, DRONE_STRIDE, chunkItems(DRONE_STRIDE, n));
    const make = (src: unknown, name: string, perItem: number, maxItems: number, constants: Record<string, number>): GpujsKernel => {
      const chunk = chunkItems(perItem, maxItems);
      return rt.kernel(src as KernelSource, { name, perItem, maxItems, constants: { ...constants, chunk, numDrones: n } });
    };
    this.control = make(controlKernel, 'volleyball control', CTL_STRIDE, n, { numItems: n, ctbr: p.ctbr ? 1 : 0 });
    this.integrate = make(integrateKernel, 'volleyball integrate', DRONE_STRIDE, n, { numItems: n, A: p.numAgents, substeps: p.substeps });
    const obsConstants = { numItems: n, numEnvs: p.numEnvs, task: p.task, A: p.numAgents, teamSize: Math.max(1, p.teamSize), maxSteps: p.maxSteps };
    this.obsFull = make(observationKernel, 'volleyball observations', p.obsDim, n, obsConstants);
    this.obsSmall = make(observationKernel, 'volleyball reset observations', p.obsDim, Math.min(n, SMALL_OBS_ITEMS), obsConstants);
    this.obsChunkFull = chunkItems(p.obsDim, n);
    this.obsChunkSmall = chunkItems(p.obsDim, Math.min(n, SMALL_OBS_ITEMS));
  }

  /** The control call: throttles and PID state of every drone from `actions`. */
  controlCall(actions: Float32Array): KernelCall {
    const s = this.s;
    return { kernel: this.control, items: this.numDrones, args: [actions, s.drones, s.ctl], sink: this.controlSink };
  }

  /** One substep of every drone: call after `s.swapDrones()`; reads `s.dronesStart`, writes `s.drones`. */
  integrateCall(): KernelCall {
    const s = this.s;
    return { kernel: this.integrate, items: this.numDrones, args: [s.dronesStart, s.ctl], sink: this.integrateSink };
  }

  /** Observations of every drone into `obs`. */
  observationsCall(obs: Float32Array): KernelCall {
    const D = this.p.obsDim, chunk = this.obsChunkFull;
    return this.obsCall(this.obsFull, this.identity, this.numDrones, (r, first, count) => {
      for (let t = 0; t < count; t++) {
        const o = (first + t) * D;
        for (let k = 0; k < D; k++) obs[o + k] = r[k * chunk + t];
      }
    });
  }

  /**
   * Observations of the drones of the envs in `envs[0..numEnvs)` into `obs`: the small kernel
   * over an index list, or the full one when many envs reset.
   */
  resetObservationsCall(obs: Float32Array, envs: Int32Array, numEnvs: number): KernelCall {
    const A = this.p.numAgents, D = this.p.obsDim, items = numEnvs * A;
    const many = items * 4 > this.numDrones;
    let list = this.identity, kernel = this.obsFull, chunk = this.obsChunkFull, n = this.numDrones;
    const wanted = this.wanted;
    wanted.fill(0);
    for (let k = 0; k < numEnvs; k++) wanted[envs[k]] = 1;
    if (!many) {
      // Few envs: the small kernel over their drones.
      for (let k = 0; k < numEnvs; k++) for (let a = 0; a < A; a++) this.resetList[k * A + a] = envs[k] * A + a;
      list = this.resetList; kernel = this.obsSmall; chunk = this.obsChunkSmall; n = items;
    }
    return this.obsCall(kernel, list, n, (r, first, count) => {
      for (let t = 0; t < count; t++) {
        const d = list[first + t];
        if (!wanted[Math.floor(d / A)]) continue;
        for (let k = 0; k < D; k++) obs[d * D + k] = r[k * chunk + t];
      }
    });
  }

  private obsCall(kernel: GpujsKernel, list: Float32Array, items: number, sink: KernelSink): KernelCall {
    const s = this.s;
    this.stepFlags.set(s.steps);
    this.stepFlags.set(s.flags, this.p.numEnvs);
    return { kernel, items, args: [list, s.drones, s.ctl, s.ball, s.ruleI, this.stepFlags, this.p.anchors], sink };
  }
}
