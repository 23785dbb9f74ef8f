/**
 * {@link Box}: an n-dimensional box of numbers, possibly unbounded.
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import type { CounterRng } from '../rng.js';
import {
  DTYPE_INFO, Space, createTypedArray, isDtype, isTypedArrayOf, requireRng, shapeSize, uniformInt,
  type BoxJSON, type Dtype, type JSONBound, type TypedArrayOf,
} from './space.js';

const TWO_PI = 2 * Math.PI;

/** Lower or upper bounds given to the {@link Box} constructor: one number or one per element. */
export type BoxBounds = number | ArrayLike<number>;

/**
 * The product of intervals `[low[i], high[i]]` over the elements of an array of shape `shape`.
 * Values are typed arrays of `prod(shape)` elements in row-major order: `Float32Array` for
 * `float32`, `Float64Array` for `float64`, `Int32Array` for `int32`, `Uint8Array` for `uint8`.
 *
 * Bounds may be `±Infinity`. For float32 boxes the bounds are rounded to float32. For integer
 * dtypes finite bounds must be integers inside the dtype's range, and infinite bounds stand for
 * the dtype's limits (so `new Box(-Infinity, Infinity, [2], 'uint8')` is `[0, 255]²`).
 *
 * Bounds equal for every element are stored once, so batched boxes of millions of elements cost
 * no extra memory.
 * @typeParam D - the dtype.
 */
export class Box<D extends Dtype = Dtype> extends Space<TypedArrayOf<D>> {
  /** Element type. */
  declare readonly dtype: D;
  /** Number of elements of one value: the product of `shape`. */
  readonly size: number;
  /** Lower bounds: one entry when equal for all elements, else `size` entries. */
  private readonly lo: Float64Array;
  /** Upper bounds: one entry when equal for all elements, else `size` entries. */
  private readonly hi: Float64Array;

  /**
   * @param low - lower bound, a number or an array of `prod(shape)` numbers.
   * @param high - upper bound, a number or an array of `prod(shape)` numbers.
   * @param shape - shape of one value.
   * @param dtype - element type (default `float32`).
   * @throws InvalidArgumentError for a bad shape or dtype, bounds of the wrong length, NaN bounds,
   *   `low > high`, or integer-dtype bounds that are not integers inside the dtype's range.
   */
  constructor(low: BoxBounds, high: BoxBounds, shape: readonly number[], dtype: D = 'float32' as D) {
    super(shape, dtype);
    if (!isDtype(dtype)) throw new InvalidArgumentError(`Box: unknown dtype '${String(dtype)}'`, { dtype });
    this.size = shapeSize(shape);
    this.lo = normalizeBounds(low, this.size, dtype, 'low');
    this.hi = normalizeBounds(high, this.size, dtype, 'high');
    const checked = Math.min(this.size, Math.max(this.lo.length, this.hi.length));
    for (let i = 0; i < checked; i++) {
      if (this.lowAt(i) > this.highAt(i)) {
        throw new InvalidArgumentError(`Box: low > high at element ${i}`, { index: i, low: this.lowAt(i), high: this.highAt(i) });
      }
    }
  }

  /** Lower bound of element `i` (row-major). */
  lowAt(i: number): number {
    return this.lo.length === 1 ? this.lo[0] : this.lo[i];
  }

  /** Upper bound of element `i` (row-major). */
  highAt(i: number): number {
    return this.hi.length === 1 ? this.hi[0] : this.hi[i];
  }

  /** All lower bounds as a new `Float64Array` of `size` elements (allocates). */
  get low(): Float64Array {
    return expand(this.lo, this.size);
  }

  /** All upper bounds as a new `Float64Array` of `size` elements (allocates). */
  get high(): Float64Array {
    return expand(this.hi, this.size);
  }

  /** Whether the lower bounds are all equal and the upper bounds are all equal (each stored as one number). */
  get uniformBounds(): boolean {
    return this.lo.length === 1 && this.hi.length === 1;
  }

  /** Whether every element has finite lower and upper bounds. */
  isBounded(): boolean {
    for (const b of this.lo) if (!Number.isFinite(b)) return false;
    for (const b of this.hi) if (!Number.isFinite(b)) return false;
    return true;
  }

  /**
   * Draws a value, element by element in row-major order:
   * - integer dtypes: uniform over the integers in `[low, high]` (one word);
   * - floats with both bounds finite: `low·(1-u) + high·u` with `u = rng.uniform()` (one word);
   * - floats with only `low` finite: `low + E`, with only `high` finite: `high - E`, where
   *   `E = -ln(1 - u)` is a standard exponential (one word);
   * - floats unbounded on both sides: a standard normal by Box–Muller,
   *   `sqrt(-2 ln(1 - u1)) · cos(2π u2)` (two words).
   *
   * Results are clamped to the bounds and rounded to the dtype.
   */
  sample(rng: CounterRng): TypedArrayOf<D> {
    requireRng(rng, 'Box');
    const out = createTypedArray(this.dtype, this.size);
    const integer = DTYPE_INFO[this.dtype].integer;
    for (let i = 0; i < this.size; i++) {
      const lo = this.lowAt(i);
      const hi = this.highAt(i);
      if (integer) {
        out[i] = lo + uniformInt(rng, hi - lo + 1);
        continue;
      }
      let v: number;
      if (Number.isFinite(lo) && Number.isFinite(hi)) {
        const u = rng.uniform();
        v = lo * (1 - u) + hi * u;
      } else if (Number.isFinite(lo)) {
        v = lo - Math.log1p(-rng.uniform());
      } else if (Number.isFinite(hi)) {
        v = hi + Math.log1p(-rng.uniform());
      } else {
        const r = Math.sqrt(-2 * Math.log1p(-rng.uniform()));
        v = r * Math.cos(TWO_PI * rng.uniform());
      }
      out[i] = Math.min(Math.max(v, lo), hi);
    }
    return out;
  }

  /** Whether `x` is a typed array of this box's dtype, of length `size`, with every element in bounds. */
  contains(x: unknown): boolean {
    return isTypedArrayOf(x, this.dtype) && x.length === this.size && this.firstInvalid(x, 0) === -1;
  }

  /**
   * Whether the `size` elements of `data` starting at `offset` lie in the box (no allocation).
   * Checks values only, not the array's type; for integer dtypes values must be integers. NaN is
   * never contained. Use it to check one value inside a large batched buffer.
   */
  containsFlat(data: ArrayLike<number>, offset = 0): boolean {
    return this.firstInvalid(data, offset) === -1;
  }

  /**
   * Element index (relative to `offset`) of the first of the `size` elements of `data` starting at
   * `offset` that is outside the box, `size` if `data` is too short, or -1 if all are inside.
   */
  firstInvalid(data: ArrayLike<number>, offset = 0): number {
    const n = this.size;
    const integer = DTYPE_INFO[this.dtype].integer;
    if (this.lo.length === 1 && this.hi.length === 1) {
      const lo = this.lo[0];
      const hi = this.hi[0];
      for (let i = 0; i < n; i++) {
        const v = data[offset + i];
        // Written so that NaN and undefined (past the end) fail.
        if (!(v >= lo && v <= hi) || (integer && !Number.isInteger(v))) return i;
      }
      return -1;
    }
    for (let i = 0; i < n; i++) {
      const v = data[offset + i];
      if (!(v >= this.lowAt(i) && v <= this.highAt(i)) || (integer && !Number.isInteger(v))) return i;
    }
    return -1;
  }

  /** `{ type: 'Box', shape, dtype, low, high }`, bounds as one value when uniform, infinities as strings. */
  toJSON(): BoxJSON {
    const enc = (b: Float64Array): JSONBound | JSONBound[] =>
      b.length === 1 ? jsonBound(b[0]) : Array.from(b, jsonBound);
    return { type: 'Box', shape: [...this.shape], dtype: this.dtype, low: enc(this.lo), high: enc(this.hi) };
  }

  /** E.g. `Box(0, 1, [3, 4], float32)`; long per-element bounds are abbreviated. */
  toString(): string {
    const fmt = (b: Float64Array): string => {
      if (b.length === 1) return String(b[0]);
      const head = Array.from(b.subarray(0, 6), String).join(', ');
      return `[${head}${b.length > 6 ? ', …' : ''}]`;
    };
    return `Box(${fmt(this.lo)}, ${fmt(this.hi)}, [${this.shape.join(', ')}], ${this.dtype})`;
  }
}

function jsonBound(b: number): JSONBound {
  if (b === Infinity) return 'inf';
  if (b === -Infinity) return '-inf';
  return b;
}

function expand(b: Float64Array, size: number): Float64Array {
  return b.length === 1 ? new Float64Array(size).fill(b[0]) : b.slice();
}

/** Validates bounds and converts them to the dtype: one entry if all equal, else `size` entries. */
function normalizeBounds(bounds: BoxBounds, size: number, dtype: Dtype, which: 'low' | 'high'): Float64Array {
  let values: Float64Array;
  if (typeof bounds === 'number') {
    values = Float64Array.of(bounds);
  } else if (bounds !== null && typeof bounds === 'object' && typeof bounds.length === 'number') {
    if (bounds.length !== size) {
      throw new InvalidArgumentError(`Box: ${which} has ${bounds.length} elements, shape needs ${size}`, { which, length: bounds.length, size });
    }
    values = Float64Array.from(bounds);
  } else {
    throw new InvalidArgumentError(`Box: ${which} must be a number or an array of numbers`, { which });
  }
  const info = DTYPE_INFO[dtype];
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new InvalidArgumentError(`Box: ${which} must not be NaN`, { which, index: i });
    }
    if (info.integer) {
      if (v === -Infinity) v = info.min;
      else if (v === Infinity) v = info.max;
      else if (!Number.isInteger(v) || v < info.min || v > info.max) {
        throw new InvalidArgumentError(`Box: ${which} ${v} is not an integer in ${dtype} range`, { which, index: i, value: v });
      }
    } else if (dtype === 'float32' && Number.isFinite(v)) {
      v = Math.fround(v);
      if (!Number.isFinite(v)) {
        throw new InvalidArgumentError(`Box: ${which} ${values[i]} overflows float32`, { which, index: i, value: values[i] });
      }
    }
    values[i] = v;
  }
  if (values.length > 1 && values.every((v) => v === values[0])) return values.subarray(0, 1).slice();
  return values;
}
