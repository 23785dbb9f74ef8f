/**
 * The MAPF-v0 observation kernel and the packed layout it reads.
 *
 * Each padded map row is stored as overlapping 22-bit chunks: chunk k holds the cells of columns
 * [11k, 11k + 22) as bits (cell 11k + j is bit j), for the obstacle grid and for the grid of active
 * agents, interleaved (`[slot, row, chunk, {obstacles, agents}]`). A window row of at most 11
 * cells starting at column s then lies inside chunk floor(s / 11), at bit offset o = s mod 11.
 *
 * One kernel thread handles one window row of one agent (for windows wider than 11 cells, one
 * 11-cell segment of it): it reads the two chunks, shifts by 2^-o (host-computed, exact) and
 * returns the row's obstacle bits plus 2^SW times its agent bits, an integer below 2^22. Every
 * value is an integer below 2^24, the thread's item is the half-offset quotient the runtime
 * prescribes (exact on GPUs too), and every other operation is a multiplication by a power of two
 * or a floor, so the result is the same in every gpu.js mode. The goal channel (one clipped cell) and
 * the expansion of the bits into the observation buffer are done by the host (obs-writer.ts).
 * @module
 * @internal
 */

import { type KernelThis, MAX_THREADS_PER_CALL } from '../../../backends/gpujs/runtime.js';

/** Cells between consecutive chunk starts; a chunk holds twice as many. @internal */
export const CHUNK_STEP = 11;

/**
 * One thread per (window item, window row). `windows[2i]` is the index in `rows` of item i's top
 * window row (obstacle chunk; the agents chunk follows it), `windows[2i + 1]` is 2^-o.
 * Constants: `rowStride` (numbers per padded row in `rows`), `segmentSpan` (2^SW),
 * `segmentScale` (2^-SW). Returns obstacle bits + agent bits * 2^SW of the row's SW cells.
 * @internal
 */
export function windowRowsKernel(this: KernelThis, itemBase: number, windows: Float32Array, rows: Int32Array): number {
  const per = this.constants.perItem;
  const q = Math.floor((this.thread.x + 0.5) / per);
  const y = this.thread.x - q * per;
  const item = itemBase + q;
  const at = windows[item * 2] + y * this.constants.rowStride;
  const scale = windows[item * 2 + 1];
  const span = this.constants.segmentSpan;
  const obstacles = Math.floor(rows[at] * scale);
  const agents = Math.floor(rows[at + 1] * scale);
  const obstacleBits = obstacles - Math.floor(obstacles * this.constants.segmentScale) * span;
  const agentBits = agents - Math.floor(agents * this.constants.segmentScale) * span;
  return obstacleBits + agentBits * span;
}

/** Sizes of the observation window and of the packed rows, for one batch. @internal */
export class WindowGeometry {
  /** Window side D = 2r + 1. */
  readonly d: number;
  /** Cells of one window segment (SW = min(D, 11)) and segments per window row. */
  readonly segWidth: number;
  readonly segs: number;
  /** Cells of the last segment of a row (D - (segs - 1) * SW). */
  readonly lastWidth: number;
  /** Chunks per padded row. */
  readonly chunks: number;
  /** Numbers per padded row in the rows buffer (two per chunk), and per env slot. */
  readonly rowStride: number;
  readonly slotStride: number;
  /** Window items per agent (one per segment) and per env. */
  readonly itemsPerEnv: number;
  /** Env slots per kernel call (one runtime chunk of at most 2^20 threads; every index below 2^24). */
  readonly envsPerCall: number;
  /** 2^-o for o in [0, 11). */
  readonly shiftScale: Float32Array;

  constructor(readonly radius: number, readonly numAgents: number, readonly ph: number, readonly pw: number) {
    this.d = 2 * radius + 1;
    this.segWidth = Math.min(this.d, CHUNK_STEP);
    this.segs = Math.ceil(this.d / this.segWidth);
    this.lastWidth = this.d - (this.segs - 1) * this.segWidth;
    this.chunks = Math.floor((pw - 1) / CHUNK_STEP) + 1;
    this.rowStride = 2 * this.chunks;
    this.slotStride = ph * this.rowStride;
    this.itemsPerEnv = numAgents * this.segs;
    const byThreads = Math.floor(MAX_THREADS_PER_CALL / (this.itemsPerEnv * this.d));
    const byRows = Math.floor((2 ** 24 - 1) / this.slotStride);
    const byWindows = Math.floor(2 ** 23 / this.itemsPerEnv);
    this.envsPerCall = Math.max(1, Math.min(byThreads, byRows, byWindows));
    this.shiftScale = new Float32Array(CHUNK_STEP);
    for (let o = 0; o < CHUNK_STEP; o++) this.shiftScale[o] = 2 ** -o;
  }

  /** Most agents per env whose window inputs stay indexable below 2^24. */
  get maxAgents(): number {
    return Math.floor((2 ** 23 - 1) / this.segs);
  }

  /** Whether one env's windows fit the kernel's index limits (false only for huge agent counts). */
  get fits(): boolean {
    return this.numAgents <= this.maxAgents && this.slotStride < 2 ** 24;
  }

  /** Kernel constants. */
  constants(): Record<string, number> {
    return { rowStride: this.rowStride, segmentSpan: 2 ** this.segWidth, segmentScale: 2 ** -this.segWidth };
  }

  /** Obstacle chunks of one padded obstacle grid, `[PH, chunks]`. */
  obstacleChunks(obstacles: Uint8Array): Int32Array {
    const out = new Int32Array(this.ph * this.chunks);
    for (let y = 0; y < this.ph; y++) {
      for (let k = 0; k < this.chunks; k++) {
        let bits = 0;
        for (let j = 0; j < 2 * CHUNK_STEP; j++) {
          const x = k * CHUNK_STEP + j;
          if (x < this.pw && obstacles[y * this.pw + x]) bits |= 1 << j;
        }
        out[y * this.chunks + k] = bits;
      }
    }
    return out;
  }
}
