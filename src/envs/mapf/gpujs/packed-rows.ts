/**
 * Host side of the observation kernel's inputs (layout in obs-kernel.ts): the packed obstacle and
 * agent rows of env slots, kept up to date by setting and clearing single bits, and the per-window
 * inputs (row index and 2^-o of every window segment) with the clipped goal cell of every agent.
 * Per-cell and per-column tables replace the divisions of these per-step loops.
 * @module
 * @internal
 */

import { CHUNK_STEP, type WindowGeometry } from './obs-kernel.js';

/** Packed rows of `slots` env slots, `[slots, PH, chunks, {obstacles, agents}]`. @internal */
export class PackedRows {
  readonly rows: Int32Array;
  /** Per padded cell: index of its agents chunk within a slot, its bit there, and whether a chunk precedes it. */
  private readonly cellChunk: Int32Array;
  private readonly cellBit: Int32Array;
  private readonly cellHasPrev: Uint8Array;
  /** `[slots, A]` padded cell whose agent bit is set, -1 none (slots kept in sync incrementally). */
  private readonly marked: Int32Array;

  constructor(private readonly g: WindowGeometry, rowOf: Int32Array, slots: number, tracked: boolean) {
    this.rows = new Int32Array(slots * g.slotStride);
    const cells = g.ph * g.pw;
    this.cellChunk = new Int32Array(cells);
    this.cellBit = new Int32Array(cells);
    this.cellHasPrev = new Uint8Array(cells);
    for (let c = 0; c < cells; c++) {
      const row = rowOf[c], col = c - row * g.pw, k = Math.floor(col / CHUNK_STEP);
      this.cellChunk[c] = row * g.rowStride + 2 * k + 1;
      this.cellBit[c] = col - CHUNK_STEP * k;
      this.cellHasPrev[c] = k > 0 ? 1 : 0;
    }
    this.marked = new Int32Array(tracked ? slots * g.numAgents : 0).fill(-1);
  }

  /** Rows of slots `[first, first + count)`, as a kernel argument. */
  slice(first: number, count: number): Int32Array {
    return this.rows.subarray(first * this.g.slotStride, (first + count) * this.g.slotStride);
  }

  /** Writes the obstacle chunks `[PH * chunks]` of slot `slot` and clears its agent bits. */
  reset(slot: number, obstacleChunks: Int32Array): void {
    const rows = this.rows, n = obstacleChunks.length;
    for (let i = 0, at = slot * this.g.slotStride; i < n; i++, at += 2) {
      rows[at] = obstacleChunks[i];
      rows[at + 1] = 0;
    }
    if (this.marked.length > 0) this.marked.fill(-1, slot * this.g.numAgents, (slot + 1) * this.g.numAgents);
  }

  /** Sets (or clears) the agent bit of padded cell `cell` in slot `slot`: bit b of its chunk, bit b + 11 of the one before. */
  private agentBit(slot: number, cell: number, on: boolean): void {
    const rows = this.rows, at = slot * this.g.slotStride + this.cellChunk[cell], bit = 1 << this.cellBit[cell];
    const prevBit = bit << CHUNK_STEP, prev = this.cellHasPrev[cell] === 1;
    if (on) {
      rows[at] |= bit;
      if (prev) rows[at - 2] |= prevBit;
    } else {
      rows[at] &= ~bit;
      if (prev) rows[at - 2] &= ~prevBit;
    }
  }

  /** Sets the bits of the active agents `[from, from + A)` of `pos` in an untracked, cleared slot. */
  markAgents(slot: number, pos: Int32Array, active: Uint8Array, from: number): void {
    for (let a = from; a < from + this.g.numAgents; a++) if (active[a]) this.agentBit(slot, pos[a], true);
  }

  /** Brings tracked slot `slot` to the active agents `[from, from + A)` of `pos`: clears the old bits, sets the new. */
  syncAgents(slot: number, pos: Int32Array, active: Uint8Array, from: number): void {
    const n = this.g.numAgents, marked = this.marked, m0 = slot * n, rows = this.rows, base = slot * this.g.slotStride;
    const cellChunk = this.cellChunk, cellBit = this.cellBit, cellHasPrev = this.cellHasPrev;
    for (let a = 0; a < n; a++) {
      const cell = marked[m0 + a];
      if (cell < 0) continue;
      const at = base + cellChunk[cell], bit = 1 << cellBit[cell];
      rows[at] &= ~bit;
      if (cellHasPrev[cell] === 1) rows[at - 2] &= ~(bit << CHUNK_STEP);
    }
    for (let a = 0; a < n; a++) {
      const cell = pos[from + a];
      if (active[from + a] !== 1) {
        marked[m0 + a] = -1;
        continue;
      }
      marked[m0 + a] = cell;
      const at = base + cellChunk[cell], bit = 1 << cellBit[cell];
      rows[at] |= bit;
      if (cellHasPrev[cell] === 1) rows[at - 2] |= bit << CHUNK_STEP;
    }
  }
}

/** Per-window kernel inputs of one call and the clipped goal cells of its agents. @internal */
export class WindowInputs {
  /** `[items, 2]`: rows index of the window segment's top row, and 2^-o. */
  readonly windows: Float32Array;
  /** `[slots, A]` goal cell in the window plane (row * D + col). */
  readonly goals: Int32Array;
  private readonly colChunk: Int32Array;
  private readonly colScale: Float32Array;

  constructor(private readonly g: WindowGeometry, private readonly rowOf: Int32Array, items: number, goalSlots: number) {
    this.windows = new Float32Array(2 * items);
    this.goals = new Int32Array(goalSlots * g.numAgents);
    this.colChunk = new Int32Array(g.pw * g.segs);
    this.colScale = new Float32Array(g.pw * g.segs);
    for (let col = g.radius; col < g.pw - g.radius; col++) {
      for (let seg = 0; seg < g.segs; seg++) {
        const start = col - g.radius + seg * g.segWidth, k = Math.floor(start / CHUNK_STEP);
        this.colChunk[col * g.segs + seg] = 2 * k;
        this.colScale[col * g.segs + seg] = g.shiftScale[start - CHUNK_STEP * k];
      }
    }
  }

  /**
   * Fills the windows of agents `[from, from + A)` of `pos` / `goal` at call slot `slot` (reading
   * rows slot `slot` of the call's rows) and their goal cells at goal slot `goalSlot`.
   */
  fill(pos: Int32Array, goal: Int32Array, from: number, slot: number, goalSlot: number): void {
    const g = this.g, n = g.numAgents, r = g.radius, d = g.d, segs = g.segs, pw = g.pw, rowOf = this.rowOf, rowStride = g.rowStride;
    const w = this.windows, colChunk = this.colChunk, colScale = this.colScale, goals = this.goals;
    const slotTop = slot * g.slotStride - r * rowStride, g0 = goalSlot * n - from;
    let at = 2 * slot * g.itemsPerEnv;
    for (let i = from; i < from + n; i++) {
      const cell = pos[i], target = goal[i];
      const row = rowOf[cell], col = cell - row * pw, top = slotTop + row * rowStride;
      if (segs === 1) {
        w[at] = top + colChunk[col];
        w[at + 1] = colScale[col];
        at += 2;
      } else {
        for (let seg = col * segs, end = seg + segs; seg < end; seg++, at += 2) {
          w[at] = top + colChunk[seg];
          w[at + 1] = colScale[seg];
        }
      }
      const grow = rowOf[target];
      const dr = Math.min(r, Math.max(-r, grow - row)), dc = Math.min(r, Math.max(-r, target - grow * pw - col));
      goals[g0 + i] = (r + dr) * d + (r + dc);
    }
  }
}
