/**
 * Io arenas: the buffers a batch shares with its user (actions in; observations, rewards, flags
 * and infos out), all in one `WebAssembly.Memory` of fixed size whose buffer cannot be detached,
 * so memory a native step writes stays valid while it runs. Fields are packed at 64-byte aligned
 * offsets in the order the native layout header lists them; the addon re-checks every offset.
 * @module
 * @internal
 */

import { AllocationError } from '../errors.js';

/** Element types of io fields. @internal */
export type IoKind = 'u8' | 'i32' | 'f32';
/** One io field: name, element type, element count. @internal */
export type IoField<N extends string = string> = readonly [N, IoKind, number];
/** View type of each kind. @internal */
export interface IoViewOf { u8: Uint8Array; i32: Int32Array; f32: Float32Array }

/** A `WebAssembly.Memory` (Node's types do not declare the WebAssembly namespace). @internal */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer;
}
interface WasmMemoryCtor {
  new (descriptor: { initial: number; maximum: number }): WasmMemoryLike;
}
const WasmMemoryClass = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryCtor } }).WebAssembly.Memory;

const WASM_PAGE = 65536;
/** Largest io arena: a WebAssembly memory holds at most 65536 pages (4 GiB). @internal */
export const MAX_ARENA_BYTES = 65536 * WASM_PAGE;
const ALIGN = 64;
const SIZE: Record<IoKind, number> = { u8: 1, i32: 4, f32: 4 };

/** Bytes of an arena holding `fields`. @internal */
export function arenaBytes(fields: readonly IoField[]): number {
  let total = 0;
  for (const [, kind, count] of fields) total = Math.ceil(total / ALIGN) * ALIGN + count * SIZE[kind];
  return total;
}

/** What {@link checkArenaBudget} weighs: a batch's io arena and native state, and how to name it. @internal */
export interface ArenaBudget {
  /** Env id, first in the message. */
  id: string;
  /** Bytes of the io arena (see {@link arenaBytes}). */
  ioBytes: number;
  /** Upper estimate of the native state and scratch bytes. */
  stateBytes: number;
  /** The batch's `maxBufferBytes`. */
  maxBytes: number;
  numEnvs: number;
  /** The batch's size as the message shows it, e.g. `numEnvs 4, numAgents 64`. */
  shape: string;
  /** The settings to lower, e.g. `numEnvs or numSlots`. */
  lower: string;
}

/**
 * Throws {@link AllocationError} before anything is allocated when a batch's buffers exceed
 * `maxBytes`, or its outputs the 4 GiB an arena can hold. @internal
 */
export function checkArenaBudget(b: ArenaBudget): void {
  const io = b.ioBytes, total = io + b.stateBytes;
  if (Number.isSafeInteger(total) && total <= b.maxBytes && io <= MAX_ARENA_BYTES) return;
  const gib = (x: number): string =>  // readable at any size: bytes, KiB, MiB or GiB
    x < 2 ** 10 ? `${x} bytes` : x < 2 ** 20 ? `${(x / 2 ** 10).toFixed(1)} KiB` : x < 2 ** 30 ? `${(x / 2 ** 20).toFixed(1)} MiB` : `${(x / 2 ** 30).toFixed(2)} GiB`;
  const limit = io > MAX_ARENA_BYTES ? `the ${gib(MAX_ARENA_BYTES)} an output arena can hold` : `the limit of ${gib(b.maxBytes)}`;
  throw new AllocationError(`${b.id}: the batch needs ${gib(total)} of buffers (${gib(io)} of outputs), more than ${limit} (${b.shape}); lower ${b.lower}`,
    { bytes: total, ioBytes: io, maxBytes: b.maxBytes, numEnvs: b.numEnvs });
}

/** An allocated arena: memory, buffer, byte offsets in field order, and one view per field. @internal */
export interface IoArena<N extends string> {
  memory: WasmMemoryLike;
  buffer: ArrayBuffer;
  offsets: Float64Array;
  views: Record<N, Uint8Array | Int32Array | Float32Array>;
}

/** Allocates an arena for `fields`; throws {@link AllocationError} when it cannot. @internal */
export function allocateArena<N extends string>(fields: ReadonlyArray<IoField<N>>, what: string): IoArena<N> {
  const bytes = arenaBytes(fields);
  if (bytes > MAX_ARENA_BYTES) {
    throw new AllocationError(`${what}: the outputs need ${bytes} bytes, more than the 4 GiB an output arena can hold; lower numEnvs`, { bytes });
  }
  let memory: WasmMemoryLike;
  try {
    const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
    memory = new WasmMemoryClass({ initial: pages, maximum: pages });
  } catch (err) {
    throw new AllocationError(`${what}: cannot allocate ${bytes} bytes of batch buffers: ${(err as Error).message}`, { bytes });
  }
  const buffer = memory.buffer;
  const offsets = new Float64Array(fields.length);
  const views = {} as Record<N, Uint8Array | Int32Array | Float32Array>;
  let at = 0;
  fields.forEach(([name, kind, count], i) => {
    at = Math.ceil(at / ALIGN) * ALIGN;
    offsets[i] = at;
    views[name] = kind === 'u8' ? new Uint8Array(buffer, at, count) : kind === 'i32' ? new Int32Array(buffer, at, count) : new Float32Array(buffer, at, count);
    at += count * SIZE[kind];
  });
  return { memory, buffer, offsets, views };
}
