/**
 * RideDispatch-v0 on the gpu.js backend: the observation kernel. One thread per observation value
 * of an env: each vehicle's self and pair blocks, then once per env the blocks every vehicle
 * shares (orders, global, maps), which the sink copies into every row as the C++ copies vehicle
 * 0's. The kernel is branch-free: a thread gathers one packed value of its env (obs-pack.ts) and
 * computes `value * mul / div` with per-position tables where one of mul, div is 1, so each
 * output is one correctly rounded float32 operation on exact inputs, the value the C++ writes,
 * in every gpu.js mode.
 * @module
 * @internal
 */

import type { GpujsKernel, GpujsRuntime, KernelThis } from '../../../backends/gpujs/runtime.js';
import { type CoreParams, PER_DAY, PER_HOUR } from './constants.js';
import { COM_FIELDS, ORD_FIELDS, PAIR_FIELDS, type ObsBatch, type PackLayout, VEH_FIELDS, packLayout } from './obs-pack.js';

/** The kernel (gpu.js subset): thread = (env, position); off/mul/div are tables over positions. */
function dispatchObsKernel(this: KernelThis, itemBase: number, numItems: number, data: Float32Array, off: Float32Array,
  mul: Float32Array, div: Float32Array): number {
  const x = this.thread.x;
  const local = Math.floor((x + 0.5) / this.constants.perItem);
  const env = itemBase + local;
  if (env >= numItems) {
    return 0;
  }
  const f = x - local * this.constants.perItem;
  return (data[env * this.constants.BLOCK + off[f]] * mul[f]) / div[f];
}

/** Per-position gather offsets (into an env's packed block) and factors of the kernel. @internal */
export interface ObsTables { off: Float32Array; mul: Float32Array; div: Float32Array; vehRow: number; ordLen: number; perEnv: number }

/** Threads of one env: V vehicle parts (self, pair), then orders, global and maps. @internal */
export function obsThreadsPerEnv(p: CoreParams): number {
  return p.V * (p.selfSize + p.globalAt - p.pairAt) + (p.pairAt - p.selfSize) + (p.obsSize - p.globalAt);
}

/** Builds the position tables: what each thread of an env gathers, and by what it multiplies or divides. @internal */
export function obsTables(p: CoreParams, L: PackLayout): ObsTables {
  const pairLen = p.globalAt - p.pairAt, vehRow = p.selfSize + pairLen, ordLen = p.pairAt - p.selfSize;
  const perEnv = obsThreadsPerEnv(p);
  const off = new Float32Array(perEnv), mul = new Float32Array(perEnv).fill(1), div = new Float32Array(perEnv).fill(1);
  const invC = Math.fround(1 / p.C);
  let n = 0;
  const put = (at: number, m = 1, d = 1): void => { off[n] = at; mul[n] = m; div[n] = d; n++; };
  for (let a = 0; a < p.V; a++) {
    const v = L.veh + a * VEH_FIELDS;
    put(v); put(v + 1); put(v + 2, PER_HOUR);
    for (let k = 0; k < 4; k++) put(v + 3 + k);
    put(v + 7, invC); put(v + 8, invC); put(v + 9);
    put(L.env + 1, PER_DAY); put(L.env, 1, p.horizon);
    for (let e = 0; e < p.C; e++) {
      const c = L.com + (a * p.C + e) * COM_FIELDS;
      for (let q = 0; q < COM_FIELDS; q++) put(c + q, q >= 4 ? PER_HOUR : 1);
    }
    if (p.pairBlock) for (let q = 0; q < p.K * PAIR_FIELDS; q++) put(L.pair + a * p.K * PAIR_FIELDS + q, PER_HOUR);
  }
  const orderMul = [1, 1, 1, 1, 1, Math.fround(1 / p.maxWait), PER_HOUR, 1, invC];
  for (let k = 0; k < p.K; k++) for (let q = 0; q < ORD_FIELDS; q++) put(L.ord + k * ORD_FIELDS + q, orderMul[q]);
  put(L.env, 1, p.horizon); put(L.env + 1, PER_DAY); put(L.env + 2, 1, p.K); put(L.env + 3, Math.fround(1 / p.V));
  if (p.globalMaps) for (let z = 0; z < 2 * p.Z; z++) put(L.maps + z);
  return { off, mul, div, vehRow, ordLen, perEnv };
}

/** Runs the observation kernel over job batches and places each job's values in its env's rows. @internal */
export class ObsKernel {
  private readonly kernel: GpujsKernel;
  readonly layout: PackLayout;
  private readonly tables: ObsTables;

  constructor(rt: GpujsRuntime, private readonly p: CoreParams, readonly batchEnvs: number) {
    this.layout = packLayout(p);
    this.tables = obsTables(p, this.layout);
    this.kernel = rt.kernel(dispatchObsKernel as never, {
      name: 'RideDispatch-v0 observations', perItem: this.tables.perEnv, maxItems: batchEnvs, constants: { BLOCK: this.layout.block },
    });
  }

  private args(b: ObsBatch): unknown[] {
    return [b.count, b.data, this.tables.off, this.tables.mul, this.tables.div];
  }

  /** A sink that places the values of batch `b` (job j = env b.jobs[j]) into the rows of `target` ([E, V, D]). */
  private sink(b: ObsBatch, target: Float32Array): (result: Float32Array, first: number, count: number) => void {
    const p = this.p, V = p.V, D = p.obsSize, S = p.selfSize, { vehRow, ordLen, perEnv } = this.tables, jobs = b.jobs;
    const pairLen = vehRow - S, tailLen = D - p.globalAt, vehPart = V * vehRow;
    return (result, first, count) => {
      for (let j = first; j < first + count; j++) {
        const r0 = (j - first) * perEnv, shared = r0 + vehPart;
        const orders = result.subarray(shared, shared + ordLen);
        const tail = result.subarray(shared + ordLen, shared + ordLen + tailLen);
        for (let a = 0; a < V; a++) {
          const dst = (jobs[j] * V + a) * D, src = r0 + a * vehRow;
          for (let f = 0; f < S; f++) target[dst + f] = result[src + f];
          target.set(orders, dst + S);
          for (let f = 0; f < pairLen; f++) target[dst + p.pairAt + f] = result[src + S + f];
          target.set(tail, dst + p.globalAt);
        }
      }
    };
  }

  /** Writes the rows of every job of `b` into `target`, synchronously. */
  run(b: ObsBatch, target: Float32Array): void {
    if (b.count === 0) return;
    this.kernel.run(b.count, this.args(b), this.sink(b, target));
  }

  /** As {@link run}, on the async mode (threaded webasm, webgpu). */
  runAsync(b: ObsBatch, target: Float32Array): Promise<void> {
    if (b.count === 0) return Promise.resolve();
    return this.kernel.runAsync(b.count, this.args(b), this.sink(b, target));
  }
}
