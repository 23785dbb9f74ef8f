/**
 * Expands the observation kernel's packed rows into an observation buffer (float32 or uint8).
 *
 * Observations are 0/1 and mostly 0 (an obstacle row of a 30 % map holds about three ones, an
 * agent row is usually empty, the goal plane holds a single one), and one env's `[A, 3, D, D]`
 * block is contiguous. So the block is zeroed at once (a memset, the fastest way to write memory
 * from JavaScript), and then only non-empty rows are written: float32 rows by walking their set
 * bits (ones stored as bit patterns through an Int32Array view, no double-to-float conversion),
 * uint8 rows of 8 to 11 cells as two overlapping 8-byte table stores through a DataView (which
 * allows any alignment). Other shapes walk set bits generically. No allocation per call.
 * @module
 * @internal
 */

import type { WindowGeometry } from './obs-kernel.js';

const ONE_F32_BITS = 0x3f800000;

/** 8-byte patterns of 0/1 bytes: byte j of entry m is bit j of m (never NaN as a double: the top byte is 0 or 1). */
function byteTable(): Float64Array {
  const table = new Float64Array(256);
  const word = new Uint8Array(8);
  const asDouble = new Float64Array(word.buffer);
  for (let m = 0; m < 256; m++) {
    for (let j = 0; j < 8; j++) word[j] = (m >> j) & 1;
    table[m] = asDouble[0];
  }
  return table;
}

/** Writes observations of whole envs into one observation buffer. @internal */
export class ObsWriter {
  /** The buffer as stored: bytes for uint8 observations, float bit patterns for float32 ones. */
  private readonly out: Uint8Array | Int32Array;
  private readonly one: number;
  private readonly perEnv: number;
  private readonly bytes: Uint8Array;
  private readonly ints: Int32Array;
  private readonly view: DataView;
  private readonly table: Float64Array;
  /** Bytes per observation element (1 or 4). */
  private readonly elemBytes: number;
  /** Whether the buffer is shared memory (the threaded executor's arena). */
  private readonly shared: boolean;
  /**
   * Writes env `env`'s block from the packed rows of its agents, `res[resBase + (a * segs + s) * D + y]`
   * for agent a, segment s and row y, and their goal cells `goals[goalBase + a]`.
   */
  readonly writeEnv: (res: Float32Array, resBase: number, goals: Int32Array, goalBase: number, env: number) => void;

  constructor(private readonly g: WindowGeometry, target: Float32Array | Uint8Array) {
    this.perEnv = g.numAgents * 3 * g.d * g.d;
    const u8 = target instanceof Uint8Array;
    this.bytes = u8 ? target : new Uint8Array(0);
    this.ints = u8 ? new Int32Array(0) : new Int32Array(target.buffer, target.byteOffset, target.length);
    this.out = u8 ? this.bytes : this.ints;
    this.one = u8 ? 1 : ONE_F32_BITS;
    this.view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    this.elemBytes = u8 ? 1 : 4;
    this.shared = typeof SharedArrayBuffer !== 'undefined' && target.buffer instanceof SharedArrayBuffer;
    this.table = u8 ? byteTable() : new Float64Array(0);
    const oneSegment = g.segs === 1;
    const write = u8 ? (oneSegment && g.d >= 8 ? this.writeRowsU8 : this.writeAny) : (oneSegment ? this.writeRowsF32 : this.writeAny);
    this.writeEnv = write.bind(this);
  }

  /**
   * Zeroes elements [from, from + count) of the buffer: `fill` (a memset) on an ordinary buffer;
   * on shared memory V8's `fill` takes a path about 3× slower, so 8-byte DataView stores there.
   */
  private clear(from: number, count: number): void {
    if (!this.shared) { this.out.fill(0, from, from + count); return; }
    const view = this.view, end = (from + count) * this.elemBytes;
    let b = from * this.elemBytes;
    for (; b + 8 <= end; b += 8) view.setFloat64(b, 0);
    for (; b < end; b++) view.setUint8(b, 0);
  }

  /** uint8, one segment of 8 to 11 cells: two overlapping 8-byte stores per non-empty row. */
  private writeRowsU8(res: Float32Array, resBase: number, goals: Int32Array, goalBase: number, env: number): void {
    const { d, numAgents } = this.g;
    const view = this.view, table = this.table, bytes = this.bytes, plane = d * d, tail = d - 8, mask = (1 << d) - 1;
    let off = env * this.perEnv;
    this.clear(off, this.perEnv);
    for (let a = 0; a < numAgents; a++) {
      const base = resBase + a * d;
      for (let y = 0; y < d; y++, off += d) {
        const v = res[base + y] | 0, obstacles = v & mask, agents = v >>> d;
        if (obstacles !== 0) {
          view.setFloat64(off, table[obstacles & 255], true);
          view.setFloat64(off + tail, table[obstacles >>> tail], true);
        }
        if (agents !== 0) {
          view.setFloat64(off + plane, table[agents & 255], true);
          view.setFloat64(off + plane + tail, table[agents >>> tail], true);
        }
      }
      off += plane;
      bytes[off + goals[goalBase + a]] = 1;
      off += plane;
    }
  }

  /** float32, one segment: the set bits of each row, lowest first. */
  private writeRowsF32(res: Float32Array, resBase: number, goals: Int32Array, goalBase: number, env: number): void {
    const { d, numAgents } = this.g;
    const ints = this.ints, plane = d * d, mask = (1 << d) - 1;
    let off = env * this.perEnv;
    this.clear(off, this.perEnv);
    for (let a = 0; a < numAgents; a++) {
      const base = resBase + a * d;
      for (let y = 0; y < d; y++, off += d) {
        const v = res[base + y] | 0;
        let obstacles = v & mask, agents = v >>> d;
        while (obstacles !== 0) {
          const low = obstacles & -obstacles;
          ints[off + 31 - Math.clz32(low)] = ONE_F32_BITS;
          obstacles ^= low;
        }
        while (agents !== 0) {
          const low = agents & -agents;
          ints[off + plane + 31 - Math.clz32(low)] = ONE_F32_BITS;
          agents ^= low;
        }
      }
      off += plane;
      ints[off + goals[goalBase + a]] = ONE_F32_BITS;
      off += plane;
    }
  }

  /** Any shape: set bits of every segment of every row, skipping cells past the row's end. */
  private writeAny(res: Float32Array, resBase: number, goals: Int32Array, goalBase: number, env: number): void {
    const { d, segs, segWidth, numAgents } = this.g;
    const out = this.out, one = this.one, plane = d * d, mask = (1 << segWidth) - 1;
    let off = env * this.perEnv;
    this.clear(off, this.perEnv);
    for (let a = 0; a < numAgents; a++) {
      for (let s = 0; s < segs; s++) {
        const base = resBase + (a * segs + s) * d;
        let cell = off + s * segWidth;
        for (let y = 0; y < d; y++, cell += d) {
          const v = res[base + y] | 0;
          // The last segment's SW cells reach past the row's D cells: those bits are skipped.
          let obstacles = v & mask, agents = v >>> segWidth;
          while (obstacles !== 0) {
            const low = obstacles & -obstacles;
            const x = 31 - Math.clz32(low);
            if (s * segWidth + x < d) out[cell + x] = one;
            obstacles ^= low;
          }
          while (agents !== 0) {
            const low = agents & -agents;
            const x = 31 - Math.clz32(low);
            if (s * segWidth + x < d) out[cell + plane + x] = one;
            agents ^= low;
          }
        }
      }
      out[off + 2 * plane + goals[goalBase + a]] = one;
      off += 3 * plane;
    }
  }
}
