/**
 * {@link MultiDiscrete}: a vector of independent discrete components.
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { CounterRng } from '../rng.js';
import { DTYPE_INFO, Space, requireRng, uniformInt, type MultiDiscreteJSON } from './space.js';

/**
 * Vectors `x` of `nvec.length` integers with `start[i] <= x[i] < start[i] + nvec[i]` (`start`
 * defaults to zeros, so by default `0 <= x[i] < nvec[i]`). Values are `Int32Array`s; dtype
 * `int32`, shape `[nvec.length]`.
 */
export class MultiDiscrete extends Space<Int32Array> {
  /** Element type: always `int32`. */
  declare readonly dtype: 'int32';
  /** Number of values of each component (each >= 1). */
  readonly nvec: readonly number[];
  /** Smallest value of each component. */
  readonly start: readonly number[];
  /** Whether every `start` is 0 (fast path in {@link MultiDiscrete.firstInvalid}). */
  private readonly allZeroStart: boolean;

  /**
   * @param nvec - number of values of each component, integers >= 1.
   * @param start - smallest value of each component (default all 0); same length as `nvec`.
   * @throws InvalidArgumentError for non-integer or non-positive `nvec` entries, a `start` of the
   *   wrong length, or ranges that leave int32.
   */
  constructor(nvec: ArrayLike<number>, start?: ArrayLike<number>) {
    if (nvec === null || typeof nvec !== 'object' || typeof nvec.length !== 'number') {
      throw new InvalidArgumentError('MultiDiscrete: nvec must be an array of integers', { nvec });
    }
    super([nvec.length], 'int32');
    const starts = start ?? new Array<number>(nvec.length).fill(0);
    if (starts.length !== nvec.length) {
      throw new InvalidArgumentError(`MultiDiscrete: start has ${starts.length} entries, nvec ${nvec.length}`, {
        nvecLength: nvec.length, startLength: starts.length,
      });
    }
    const { min, max } = DTYPE_INFO.int32;
    for (let i = 0; i < nvec.length; i++) {
      const n = nvec[i];
      const s = starts[i];
      if (!Number.isSafeInteger(n) || n < 1) {
        throw new InvalidArgumentError(`MultiDiscrete: nvec[${i}] must be an integer >= 1, got ${formatValue(n)}`, { index: i, n });
      }
      if (!Number.isSafeInteger(s) || s < min || s + n - 1 > max) {
        throw new InvalidArgumentError(`MultiDiscrete: component ${i} must be an int32 range`, { index: i, n, start: s });
      }
    }
    this.nvec = Object.freeze(Array.from(nvec));
    this.start = Object.freeze(Array.from(starts));
    this.allZeroStart = this.start.every((s) => s === 0);
  }

  /** Uniform value, each component independently, in order; one word of `rng` per component. */
  sample(rng: CounterRng): Int32Array {
    requireRng(rng, 'MultiDiscrete');
    const out = new Int32Array(this.nvec.length);
    for (let i = 0; i < out.length; i++) out[i] = this.start[i] + uniformInt(rng, this.nvec[i]);
    return out;
  }

  /** Whether `x` is an `Int32Array` of length `nvec.length` with every component in range. */
  contains(x: unknown): boolean {
    return x instanceof Int32Array && x.length === this.nvec.length && this.firstInvalid(x, 0) === -1;
  }

  /**
   * Whether the `nvec.length` elements of `data` starting at `offset` are in range, without
   * allocating (values must be integers; the array's type is not checked).
   */
  containsFlat(data: ArrayLike<number>, offset = 0): boolean {
    return this.firstInvalid(data, offset) === -1;
  }

  /**
   * Component index (relative to `offset`) of the first out-of-range element among the
   * `nvec.length` elements of `data` starting at `offset`, or -1 if all are in range.
   */
  firstInvalid(data: ArrayLike<number>, offset = 0): number {
    const k = this.nvec.length;
    const nvec = this.nvec;
    if (this.allZeroStart) {
      for (let i = 0; i < k; i++) {
        const v = data[offset + i];
        if (!(v >= 0 && v < nvec[i]) || !Number.isInteger(v)) return i;
      }
      return -1;
    }
    for (let i = 0; i < k; i++) {
      const v = data[offset + i] - this.start[i];
      if (!(v >= 0 && v < nvec[i]) || !Number.isInteger(v)) return i;
    }
    return -1;
  }

  /** `{ type: 'MultiDiscrete', nvec, start }`. */
  toJSON(): MultiDiscreteJSON {
    return { type: 'MultiDiscrete', nvec: [...this.nvec], start: [...this.start] };
  }

  /** E.g. `MultiDiscrete([5, 5, 5])`; long vectors are abbreviated. */
  toString(): string {
    const fmt = (v: readonly number[]): string =>
      `[${v.slice(0, 8).join(', ')}${v.length > 8 ? `, … (${v.length})` : ''}]`;
    return this.allZeroStart
      ? `MultiDiscrete(${fmt(this.nvec)})`
      : `MultiDiscrete(${fmt(this.nvec)}, start=${fmt(this.start)})`;
  }
}
