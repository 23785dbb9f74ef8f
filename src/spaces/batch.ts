/**
 * {@link batchSpace}: the space of `n` stacked values of a space, as in Gymnasium's vector envs.
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import { Box } from './box.js';
import { Dict, type SpaceRecord } from './dict.js';
import { Discrete } from './discrete.js';
import { MultiDiscrete } from './multi-discrete.js';
import type { Dtype, Space } from './space.js';

/** The type {@link batchSpace} returns for a space of type `S`. */
export type BatchedSpace<S> =
  S extends Discrete ? MultiDiscrete
    : S extends MultiDiscrete ? MultiDiscrete
      : S extends Box<infer D> ? Box<D>
        : S extends Dict<infer R> ? Dict<{ [K in keyof R]: BatchedSpace<R[K]> }>
          : Space<unknown>;

/**
 * The space of `n` copies of `space` stacked along a new leading axis:
 * - `Discrete(k, start)` becomes `MultiDiscrete` of `n` components `k` (with `start`);
 * - `Box` of shape `s` becomes a `Box` of shape `[n, ...s]` with bounds tiled `n` times (uniform
 *   bounds stay one number, so nothing large is allocated);
 * - `MultiDiscrete(nvec)` with `k = nvec.length` becomes a flat `MultiDiscrete` of shape `[n * k]`
 *   whose `nvec` is `nvec` tiled `n` times: copy `i` occupies components `i*k … i*k + k - 1`
 *   (Gymnasium would use shape `[n, k]`; the memory layout is the same);
 * - `Dict` becomes a `Dict` of the batched subspaces.
 * @param space - the space of one value.
 * @param n - number of copies, an integer >= 1.
 * @throws InvalidArgumentError if `n` is not a positive integer or the space kind is unknown.
 */
export function batchSpace<S extends Space<unknown>>(space: S, n: number): BatchedSpace<S>;
export function batchSpace(space: Space<unknown>, n: number): Space<unknown> {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`batchSpace: n must be an integer >= 1, got ${formatValue(n)}`, { n });
  }
  if (space instanceof Discrete) {
    return new MultiDiscrete(new Array<number>(n).fill(space.n), new Array<number>(n).fill(space.start));
  }
  if (space instanceof MultiDiscrete) {
    return new MultiDiscrete(tile(space.nvec, n), tile(space.start, n));
  }
  if (space instanceof Box) {
    const box = space as Box<Dtype>;
    const low = box.uniformBounds ? box.lowAt(0) : tile(box.low, n);
    const high = box.uniformBounds ? box.highAt(0) : tile(box.high, n);
    return new Box(low, high, [n, ...box.shape], box.dtype);
  }
  if (space instanceof Dict) {
    const sub: SpaceRecord = {};
    for (const key of space.keys()) sub[key] = batchSpace(space.spaces[key], n);
    return new Dict(sub);
  }
  throw new InvalidArgumentError(`batchSpace: cannot batch ${space.toString()}`, { space: space.toString() });
}

function tile(values: ArrayLike<number>, n: number): Float64Array {
  const k = values.length;
  const out = new Float64Array(k * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = values[j];
  return out;
}
