/**
 * Builds MAPF-v0 observations with the gpu.js kernel of obs-kernel.ts: brings the packed rows of
 * the envs to observe up to date (packed-rows.ts), fills the window inputs, runs the kernel over
 * groups of envs and expands each group's result with {@link ObsWriter}.
 *
 * Synchronously, one kernel call covers as many envs as its index limits allow. Asynchronously
 * (threaded webasm, webgpu) the batch is cut into a few groups, each queued as soon as its envs
 * are stepped: the workers compute a group's observations while this thread steps the next
 * groups and writes the groups already computed. The last observations of
 * episodes that a same-step autoreset replaces are built from snapshots, into `finalObs`.
 * @module
 * @internal
 */

import { type GpujsKernel, type GpujsRuntime, type KernelSink, MAX_THREADS_PER_CALL } from '../../../backends/gpujs/runtime.js';
import type { MapTables } from '../install.js';
import type { MapfIo } from '../layout.js';
import { WindowGeometry, windowRowsKernel } from './obs-kernel.js';
import { ObsWriter } from './obs-writer.js';
import { PackedRows, WindowInputs } from './packed-rows.js';
import type { MapfState } from './state.js';

/** Groups (at most) the batch is cut into for pipelined async builds. */
const PIPELINE_GROUPS = 2;

/** One kernel call: its envs (`dest`, written where `write` is 1) and where their inputs live. */
interface CallPlan {
  kernel: GpujsKernel;
  inputs: WindowInputs;
  writer: ObsWriter;
  count: number;
  goalSlot: number;
  dest: Int32Array;
  write: Uint8Array;
  /** Kernel arguments after `itemBase`: the window inputs and the rows of the call's env slots. */
  args: [Float32Array, Int32Array];
  /** One env's results gathered across kernel chunks (only where an env spans several). */
  gather: Float32Array;
  sink: KernelSink;
}

/** Observation building of one batch. @internal */
export class ObsBuilder {
  readonly geometry: WindowGeometry;
  private readonly callEnvs: number;
  private readonly pipeEnvs: number;
  private readonly rows: PackedRows;
  private readonly finalRows: PackedRows;
  /** `[M]` obstacle chunks of each installed map slot. */
  private readonly obstacleChunks: Array<Int32Array | null>;
  private readonly syncPlan: CallPlan;
  private readonly finalPlan: CallPlan;
  private readonly pipePlans: CallPlan[];
  /** Kernel arguments of each synchronous call over the batch state. */
  private readonly syncArgs: Array<[Float32Array, Int32Array]>;
  /** Snapshots `[callEnvs, A]` of the agents of envs whose episode ended this step (keepFinalObs). */
  private readonly finalPos: Int32Array;
  private readonly finalGoal: Int32Array;
  private readonly finalActive: Uint8Array;
  private readonly gatherLength: number;

  constructor(runtime: GpujsRuntime, private readonly s: MapfState, io: MapfIo) {
    const p = s.p, g = new WindowGeometry(p.radius, p.numAgents, s.ph, s.pw);
    this.geometry = g;
    const e = p.numEnvs, n = p.numAgents;
    this.callEnvs = Math.min(e, g.envsPerCall);
    const callThreads = this.callEnvs * g.itemsPerEnv * g.d;
    // Pipelining needs every call to be one kernel chunk (its inputs are taken when it is queued).
    const pipelined = runtime.hasAsync && callThreads <= MAX_THREADS_PER_CALL && e >= 2 && PIPELINE_GROUPS > 1;
    this.pipeEnvs = pipelined ? Math.ceil(this.callEnvs / PIPELINE_GROUPS) : 0;
    const numCalls = Math.ceil(e / this.callEnvs), numPipes = pipelined ? Math.ceil(e / this.pipeEnvs) : 0;
    this.rows = new PackedRows(g, s.rowOf, Math.max(numCalls * this.callEnvs, numPipes * this.pipeEnvs), true);
    this.finalRows = new PackedRows(g, s.rowOf, p.keepFinalObs ? this.callEnvs : 0, false);
    this.obstacleChunks = new Array<Int32Array | null>(s.maps.length).fill(null);
    const kernelOf = (envs: number): GpujsKernel => runtime.kernel(windowRowsKernel, {
      name: envs === this.callEnvs ? 'mapf-obs-rows' : 'mapf-obs-rows (group)', perItem: g.d, maxItems: envs * g.itemsPerEnv, constants: g.constants(),
    });
    // Envs spanning several kernel chunks are gathered before they are written.
    this.gatherLength = callThreads > MAX_THREADS_PER_CALL ? g.itemsPerEnv * g.d : 0;
    const syncKernel = kernelOf(this.callEnvs), syncInputs = new WindowInputs(g, s.rowOf, this.callEnvs * g.itemsPerEnv, this.callEnvs);
    const obsWriter = new ObsWriter(g, io.obs);
    this.syncPlan = this.newPlan(syncKernel, syncInputs, obsWriter, this.callEnvs);
    // Final observations have inputs of their own: they are built while async calls may be in flight.
    const finalInputs = p.keepFinalObs ? new WindowInputs(g, s.rowOf, this.callEnvs * g.itemsPerEnv, this.callEnvs) : syncInputs;
    this.finalPlan = this.newPlan(syncKernel, finalInputs, p.keepFinalObs ? new ObsWriter(g, io.finalObs) : obsWriter, this.callEnvs);
    this.finalPlan.args = [finalInputs.windows, this.finalRows.slice(0, this.callEnvs)];
    this.syncArgs = Array.from({ length: numCalls }, (_, c) => [syncInputs.windows, this.rows.slice(c * this.callEnvs, this.callEnvs)]);
    this.pipePlans = [];
    if (pipelined) {
      const kernel = kernelOf(this.pipeEnvs), inputs = new WindowInputs(g, s.rowOf, this.pipeEnvs * g.itemsPerEnv, numPipes * this.pipeEnvs);
      for (let c = 0; c < numPipes; c++) {
        const plan = this.newPlan(kernel, inputs, obsWriter, this.pipeEnvs);
        plan.args = [inputs.windows, this.rows.slice(c * this.pipeEnvs, this.pipeEnvs)];
        this.pipePlans.push(plan);
      }
    }
    const fa = p.keepFinalObs ? this.callEnvs * n : 0;
    this.finalPos = new Int32Array(fa);
    this.finalGoal = new Int32Array(fa);
    this.finalActive = new Uint8Array(fa);
  }

  private newPlan(kernel: GpujsKernel, inputs: WindowInputs, writer: ObsWriter, envs: number): CallPlan {
    const plan: CallPlan = {
      kernel, inputs, writer, count: 0, goalSlot: 0, dest: new Int32Array(envs), write: new Uint8Array(envs), args: [inputs.windows, this.rows.slice(0, envs)],
      gather: new Float32Array(this.gatherLength),
      sink: (res, first, count) => this.consume(plan, res, first, count),
    };
    return plan;
  }

  /** Installs the obstacle chunks of map slot `slot` into the rows of the envs that play on it. */
  installMap(slot: number, map: MapTables): void {
    const chunks = this.geometry.obstacleChunks(map.obstacles);
    this.obstacleChunks[slot] = chunks;
    if (this.s.p.mapPerEnv) this.rows.reset(slot, chunks);
    else for (let e = 0; e < this.s.p.numEnvs; e++) this.rows.reset(e, chunks);
  }

  /**
   * Prepares `plan` for envs `[e0, e0 + envs)` of the batch state (only those in `mask`, all if
   * null), with goal cells from goal slot `goalSlot` on; false if none is to be written.
   */
  private planState(plan: CallPlan, e0: number, envs: number, mask: Uint8Array | null, goalSlot: number): boolean {
    const s = this.s, n = s.p.numAgents;
    plan.count = Math.min(envs, s.p.numEnvs - e0);
    plan.goalSlot = goalSlot;
    let any = false;
    for (let i = 0; i < plan.count; i++) {
      const e = e0 + i, on = !mask || mask[e] === 1;
      plan.write[i] = on ? 1 : 0;
      plan.dest[i] = e;
      if (!on) continue;
      any = true;
      this.rows.syncAgents(e, s.pos, s.active, e * n);
      plan.inputs.fill(s.pos, s.goal, e * n, i, goalSlot + i);
    }
    return any;
  }

  private consume(plan: CallPlan, res: Float32Array, first: number, count: number): void {
    const g = this.geometry, perEnv = g.itemsPerEnv * g.d, n = g.numAgents, goals = plan.inputs.goals;
    if (first === 0 && count >= plan.count * g.itemsPerEnv) {
      for (let i = 0; i < plan.count; i++) if (plan.write[i]) plan.writer.writeEnv(res, i * perEnv, goals, (plan.goalSlot + i) * n, plan.dest[i]);
      return;
    }
    // One env spans several kernel chunks (huge agent counts): gather it, write it after its last chunk.
    plan.gather.set(res.subarray(0, count * g.d), first * g.d);
    if (first + count >= g.itemsPerEnv && plan.write[0]) plan.writer.writeEnv(plan.gather, 0, goals, plan.goalSlot * n, plan.dest[0]);
  }

  private run(plan: CallPlan): void {
    plan.kernel.run(plan.count * this.geometry.itemsPerEnv, plan.args, plan.sink);
  }

  private runAsync(plan: CallPlan): Promise<void> {
    return plan.kernel.runAsync(plan.count * this.geometry.itemsPerEnv, plan.args, plan.sink);
  }

  /** Remembers env `env`'s agents before a same-step reset replaces them (keepFinalObs). */
  keepFinal(env: number): void {
    const plan = this.finalPlan;
    if (plan.count === this.callEnvs) this.buildFinal();
    const n = this.s.p.numAgents, at = plan.count * n, row = env * n;
    this.finalPos.set(this.s.pos.subarray(row, row + n), at);
    this.finalGoal.set(this.s.goal.subarray(row, row + n), at);
    this.finalActive.set(this.s.active.subarray(row, row + n), at);
    plan.dest[plan.count] = env;
    plan.write[plan.count++] = 1;
  }

  /** Writes the final observations of the snapshots taken since the last call, synchronously. */
  buildFinal(): void {
    const plan = this.finalPlan, n = this.s.p.numAgents;
    if (plan.count === 0) return;
    for (let i = 0; i < plan.count; i++) {
      this.finalRows.reset(i, this.obstacleChunks[this.s.mapSlot(plan.dest[i])] as Int32Array);
      this.finalRows.markAgents(i, this.finalPos, this.finalActive, i * n);
      plan.inputs.fill(this.finalPos, this.finalGoal, i * n, i, i);
    }
    this.run(plan);
    plan.count = 0;
  }

  /** Writes the observations of the envs in `mask` (all if null), synchronously. */
  build(mask: Uint8Array | null): void {
    for (let c = 0; c * this.callEnvs < this.s.p.numEnvs; c++) {
      if (!this.planState(this.syncPlan, c * this.callEnvs, this.callEnvs, mask, 0)) continue;
      this.syncPlan.args = this.syncArgs[c];
      this.run(this.syncPlan);
    }
  }

  /** Envs per async group: each group's kernel call can be queued as soon as its envs are stepped. */
  get asyncGroupEnvs(): number {
    return this.pipePlans.length > 0 ? this.pipeEnvs : this.s.p.numEnvs;
  }

  /**
   * Queues the observations of the async group starting at env `e0` (all envs: `e0` 0 without
   * pipelining) on the async mode (threaded webasm, webgpu); the promise settles once they are
   * written. Its inputs are taken now, so the caller may step the next group meanwhile.
   */
  queueAsync(e0: number): Promise<void> {
    if (this.pipePlans.length === 0) return this.buildAllAsync();
    const plan = this.pipePlans[e0 / this.pipeEnvs];
    return this.planState(plan, e0, this.pipeEnvs, null, e0) ? this.runAsync(plan) : Promise.resolve();
  }

  /** Every env, one call after the other (calls too large to be queued ahead). */
  private async buildAllAsync(): Promise<void> {
    for (let c = 0; c * this.callEnvs < this.s.p.numEnvs; c++) {
      if (!this.planState(this.syncPlan, c * this.callEnvs, this.callEnvs, null, 0)) continue;
      this.syncPlan.args = this.syncArgs[c];
      await this.runAsync(this.syncPlan);
    }
  }
}
