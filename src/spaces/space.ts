/**
 * The abstract {@link Space} base class, element types (dtypes) and small shared helpers.
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { CounterRng } from '../rng.js';

/** Element type of a space's values, named as in NumPy. */
export type Dtype = 'int32' | 'float32' | 'uint8' | 'float64';

/** The typed array that holds values of each {@link Dtype}. */
export interface DtypeArrayMap {
  /** Signed 32-bit integers. */
  int32: Int32Array;
  /** 32-bit floats. */
  float32: Float32Array;
  /** Unsigned bytes. */
  uint8: Uint8Array;
  /** 64-bit floats. */
  float64: Float64Array;
}

/** The typed array type for dtype `D`, e.g. `TypedArrayOf<'uint8'>` is `Uint8Array`. */
export type TypedArrayOf<D extends Dtype> = DtypeArrayMap[D];

/** Static facts about a {@link Dtype}. */
export interface DtypeInfo {
  /** Whether values are integers. */
  readonly integer: boolean;
  /** Smallest value (`-Infinity` for floats). */
  readonly min: number;
  /** Largest value (`Infinity` for floats). */
  readonly max: number;
  /** Bytes per element. */
  readonly bytes: number;
}

/** {@link DtypeInfo} for every dtype. */
export const DTYPE_INFO: Readonly<Record<Dtype, DtypeInfo>> = Object.freeze({
  int32: Object.freeze({ integer: true, min: -2147483648, max: 2147483647, bytes: 4 }),
  float32: Object.freeze({ integer: false, min: -Infinity, max: Infinity, bytes: 4 }),
  uint8: Object.freeze({ integer: true, min: 0, max: 255, bytes: 1 }),
  float64: Object.freeze({ integer: false, min: -Infinity, max: Infinity, bytes: 8 }),
});

/** Whether `x` is one of the four dtype names. */
export function isDtype(x: unknown): x is Dtype {
  return x === 'int32' || x === 'float32' || x === 'uint8' || x === 'float64';
}

/** Allocates a zero-filled typed array of `length` elements of `dtype`. */
export function createTypedArray<D extends Dtype>(dtype: D, length: number): TypedArrayOf<D> {
  switch (dtype) {
    case 'int32': return new Int32Array(length) as TypedArrayOf<D>;
    case 'float32': return new Float32Array(length) as TypedArrayOf<D>;
    case 'uint8': return new Uint8Array(length) as TypedArrayOf<D>;
    case 'float64': return new Float64Array(length) as TypedArrayOf<D>;
    default: throw new InvalidArgumentError(`unknown dtype '${String(dtype)}'`, { dtype });
  }
}

/** Whether `x` is a typed array of exactly the class used for `dtype`. */
export function isTypedArrayOf<D extends Dtype>(x: unknown, dtype: D): x is TypedArrayOf<D> {
  switch (dtype) {
    case 'int32': return x instanceof Int32Array;
    case 'float32': return x instanceof Float32Array;
    case 'uint8': return x instanceof Uint8Array;
    case 'float64': return x instanceof Float64Array;
    default: return false;
  }
}

/**
 * Validates a shape (non-negative safe integers) and returns its number of elements.
 * @throws InvalidArgumentError for a malformed shape.
 */
export function shapeSize(shape: readonly number[]): number {
  if (!Array.isArray(shape)) {
    throw new InvalidArgumentError('shape must be an array of non-negative integers', { shape });
  }
  let size = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new InvalidArgumentError(`shape entries must be non-negative integers, got ${formatValue(d)}`, { shape });
    }
    size *= d;
  }
  if (!Number.isSafeInteger(size)) {
    throw new InvalidArgumentError('shape has too many elements', { shape });
  }
  return size;
}

/**
 * Throws {@link InvalidArgumentError} unless `rng` is a counter RNG (it has `below`, `uniform` and
 * `nextU32`): `sample()` draws from the RNG it is given, so that samples are reproducible.
 * @internal
 */
export function requireRng(rng: unknown, where: string): asserts rng is CounterRng {
  const r = rng as Partial<CounterRng> | null | undefined;
  if (typeof r?.below !== 'function' || typeof r.uniform !== 'function' || typeof r.nextU32 !== 'function') {
    throw new InvalidArgumentError(`${where}.sample(rng): rng must be a CounterRng, e.g. sample(new CounterRng(seed)), got ${formatValue(rng)}`, {});
  }
}

/**
 * Uniform integer in `[0, count)` for `1 <= count <= 2^32`, consuming one word of `rng`
 * (multiply-shift, see `docs/rng.md`; `count = 2^32` returns the word itself).
 */
export function uniformInt(rng: CounterRng, count: number): number {
  return count >= 4294967296 ? rng.nextU32() : rng.below(count);
}

/** Plain description of a {@link Discrete} space. */
export interface DiscreteJSON {
  /** Space kind. */
  type: 'Discrete';
  /** Number of values. */
  n: number;
  /** Smallest value. */
  start: number;
}

/**
 * A bound in a {@link BoxJSON}: a number, or `'inf'` / `'-inf'` since JSON has no infinities.
 */
export type JSONBound = number | 'inf' | '-inf';

/** Plain description of a {@link Box} space. */
export interface BoxJSON {
  /** Space kind. */
  type: 'Box';
  /** Shape of one value. */
  shape: number[];
  /** Element type. */
  dtype: Dtype;
  /** Lower bound: one value for all elements, or one per element (row-major). */
  low: JSONBound | JSONBound[];
  /** Upper bound: one value for all elements, or one per element (row-major). */
  high: JSONBound | JSONBound[];
}

/** Plain description of a {@link MultiDiscrete} space. */
export interface MultiDiscreteJSON {
  /** Space kind. */
  type: 'MultiDiscrete';
  /** Number of values of each component. */
  nvec: number[];
  /** Smallest value of each component. */
  start: number[];
}

/** Plain description of a {@link Dict} space. */
export interface DictJSON {
  /** Space kind. */
  type: 'Dict';
  /** Descriptions of the subspaces, by key (sorted). */
  spaces: Record<string, SpaceJSON>;
}

/** What {@link Space.toJSON} returns: a plain, JSON-serialisable description. */
export type SpaceJSON = DiscreteJSON | BoxJSON | MultiDiscreteJSON | DictJSON;

/**
 * A set of values, as in Gymnasium: observation and action spaces describe what an env
 * produces and accepts.
 *
 * Spaces are immutable. `sample()` is deterministic: the same `CounterRng` state gives the
 * same value.
 * @typeParam T - type of the values.
 */
export abstract class Space<T> {
  /** Shape of one value (`[]` for scalars and for composite spaces such as {@link Dict}). */
  readonly shape: readonly number[];
  /** Element type of values; `null` for composite spaces ({@link Dict}), which have none. */
  readonly dtype: Dtype | null;

  /**
   * @param shape - shape of one value (copied and frozen).
   * @param dtype - element type, or `null` for composite spaces.
   */
  protected constructor(shape: readonly number[], dtype: Dtype | null) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
  }

  /** Draws a random value of the space, consuming words of `rng`. */
  abstract sample(rng: CounterRng): T;

  /** Whether `x` is a value of this space (right type, dtype, length and range). */
  abstract contains(x: unknown): boolean;

  /** A plain, JSON-serialisable description of the space. */
  abstract toJSON(): SpaceJSON;

  /** A short human-readable description, e.g. `Discrete(5)`. */
  abstract toString(): string;

  /** Whether `other` describes the same set of values (same kind, parameters, shape and dtype). */
  equals(other: unknown): boolean {
    return other instanceof Space && JSON.stringify(other.toJSON()) === JSON.stringify(this.toJSON());
  }
}

/** The value type of a space: `SpaceValue<Discrete>` is `number`. */
export type SpaceValue<S> = S extends Space<infer T> ? T : never;
