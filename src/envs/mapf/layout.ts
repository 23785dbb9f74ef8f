/**
 * MAPF-v0 io arena: the buffers a batch shares with its user (actions in; observations, rewards,
 * flags and infos out), all in one ArrayBuffer the native addon borrows. The field list mirrors
 * `list_io_fields` in `native/envs/mapf/mapf_layout.h` (same names, same order); the addon
 * re-checks every size and offset. Maps, tasks and agent state live in the addon's own memory,
 * out of the user's reach.
 *
 * The buffer comes from a `WebAssembly.Memory` of fixed size: such a buffer cannot be detached
 * (transferring it copies), so the memory the addon writes stays valid while a step runs.
 * @module
 * @internal
 */

import { AllocationError } from '../../errors.js';
import { checkArenaBudget } from '../../core/io-arena.js';

/** Integer parameters of a batch, as the native `MapfBatch` reads them. @internal */
export interface MapfParams {
  numEnvs: number;
  numAgents: number;
  height: number;
  width: number;
  radius: number;
  collision: number;
  onTarget: number;
  maxSteps: number;
  autoreset: number;
  obsU8: number;
  keepFinalObs: number;
  extras: number;
  placement: number;
  goalMode: number;
  goalSeqLen: number;
  mapPerEnv: number;
  /** Cells in the start pool and in the goal pool (0 when unused). */
  startPoolLen: number;
  goalPoolLen: number;
  /** Refuse state and scratch allocations above this many bytes. */
  maxBytes: number;
}

type Kind = 'u8' | 'i32' | 'f32' | 'obs';

/** Number of metric slots per env (ISR, CSR, ep_length, SoC, makespan, avg_throughput). */
export const NUM_METRIC_SLOTS = 6;

/** The part of the WebAssembly API used here (Node's types do not declare it). */
/** A `WebAssembly.Memory` (Node's types do not declare the WebAssembly namespace). @internal */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmMemoryCtor {
  new (descriptor: { initial: number; maximum: number; shared?: boolean }): WasmMemory;
}
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryCtor } }).WebAssembly.Memory;

const WASM_PAGE = 65536;

function ioFields(p: MapfParams): Array<[keyof MapfIo, Kind, number]> {
  const e = p.numEnvs, a = p.numAgents, ea = e * a;
  const d = 2 * p.radius + 1;
  const obs = ea * 3 * d * d;
  const extras = p.extras ? ea * 2 : 0;
  return [
    ['actions', 'i32', ea], ['obs', 'obs', obs], ['rewards', 'f32', ea], ['terminations', 'u8', ea],
    ['truncations', 'u8', ea], ['outActive', 'u8', ea], ['outPos', 'i32', ea * 2], ['outGoal', 'i32', ea * 2],
    ['outXYRel', 'i32', extras], ['outTargetRel', 'i32', extras], ['episodeDone', 'u8', e],
    ['finalReturn', 'f32', ea], ['finalLength', 'i32', e], ['finalMetrics', 'f32', e * NUM_METRIC_SLOTS],
    ['finalObs', 'obs', p.keepFinalObs ? obs : 0],
  ];
}

/** Typed-array views of the io fields of one batch. @internal */
export interface MapfIo {
  actions: Int32Array; obs: Float32Array | Uint8Array; rewards: Float32Array; terminations: Uint8Array;
  truncations: Uint8Array; outActive: Uint8Array; outPos: Int32Array; outGoal: Int32Array;
  outXYRel: Int32Array; outTargetRel: Int32Array; episodeDone: Uint8Array; finalReturn: Float32Array;
  finalLength: Int32Array; finalMetrics: Float32Array; finalObs: Float32Array | Uint8Array;
}

/** An allocated io arena: its buffer, the byte offset of each field, and the views. @internal */
export interface MapfIoArena extends MapfIo {
  memory: WasmMemory;
  buffer: ArrayBuffer;
  offsets: Float64Array;
}

const ALIGN = 64;

function elemSize(kind: Kind, p: MapfParams): number {
  if (kind === 'u8') return 1;
  if (kind === 'obs') return p.obsU8 ? 1 : 4;
  return 4;
}

/** Bytes of the io arena of a batch (computed without allocating). @internal */
export function ioBytes(p: MapfParams): number {
  let total = 0;
  for (const [, kind, count] of ioFields(p)) total = Math.ceil(total / ALIGN) * ALIGN + count * elemSize(kind, p);
  return total;
}

/**
 * Bytes the addon allocates for the state arena and the per-thread scratch of a batch (an upper
 * estimate, mirroring `list_state_fields` and `scratch_*_per_slot` in the native headers). @internal
 */
export function stateBytes(p: MapfParams, threads: number): number {
  const e = p.numEnvs, a = p.numAgents, ea = e * a, m = p.mapPerEnv ? e : 1;
  const hw = p.height * p.width, padded = (p.height + 2 * p.radius) * (p.width + 2 * p.radius);
  const state = m * padded + 4 * m * (3 * hw + 3) + 4 * a * (2 + p.goalSeqLen) + 4 * (p.startPoolLen + p.goalPoolLen) + e * 25 + ea * 25;
  const scratch = Math.min(threads, e) * (2 * padded + 4 * (3 * padded + 5 * a + 3 * hw));
  return state + scratch + 64 * 40;
}

/**
 * Throws {@link AllocationError} when a batch's buffers (io arena, state and scratch) would exceed
 * `maxBytes` or the 4 GiB an io arena can hold; returns the io arena's size. @internal
 */
export function checkBatchSize(p: MapfParams, threads: number, maxBytes: number, what: string): number {
  const io = ioBytes(p);
  checkArenaBudget({
    id: what, ioBytes: io, stateBytes: stateBytes(p, threads), maxBytes, numEnvs: p.numEnvs,
    shape: `numEnvs ${p.numEnvs}, numAgents ${p.numAgents}`, lower: 'numEnvs, numAgents or obsRadius',
  });
  return io;
}

/**
 * Allocates the io arena of a batch (call {@link checkBatchSize} first). With `shared`, the memory
 * is a shared `WebAssembly.Memory`, whose buffer is a SharedArrayBuffer that worker threads can
 * write into (see {@link ioViews}). @internal
 */
export function allocateIo(p: MapfParams, bytes: number, what: string, shared = false): MapfIoArena {
  let memory: WasmMemory;
  try {
    const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
    memory = new WasmMemory({ initial: pages, maximum: pages, ...(shared ? { shared: true } : {}) });
  } catch (err) {
    throw new AllocationError(`${what}: cannot allocate ${bytes} bytes of batch buffers: ${(err as Error).message}`, { bytes });
  }
  return { memory, ...ioViews(p, memory.buffer) };
}

/**
 * The io fields of a batch laid out in `buffer` (an arena's buffer, possibly a SharedArrayBuffer
 * received by a worker thread), with the byte offset of each field. @internal
 */
export function ioViews(p: MapfParams, buffer: ArrayBuffer): MapfIo & { buffer: ArrayBuffer; offsets: Float64Array } {
  const fields = ioFields(p);
  const offsets = new Float64Array(fields.length);
  const views: Partial<Record<keyof MapfIo, ArrayBufferView>> = {};
  let at = 0;
  fields.forEach(([name, kind, count], i) => {
    at = Math.ceil(at / ALIGN) * ALIGN;
    offsets[i] = at;
    views[name] = makeView(buffer, kind, p, at, count);
    at += count * elemSize(kind, p);
  });
  return { buffer, offsets, ...(views as unknown as MapfIo) };
}

function makeView(buffer: ArrayBuffer, kind: Kind, p: MapfParams, at: number, count: number): ArrayBufferView {
  switch (kind) {
    case 'u8': return new Uint8Array(buffer, at, count);
    case 'i32': return new Int32Array(buffer, at, count);
    case 'f32': return new Float32Array(buffer, at, count);
    case 'obs': return p.obsU8 ? new Uint8Array(buffer, at, count) : new Float32Array(buffer, at, count);
  }
}
