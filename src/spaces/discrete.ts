/**
 * {@link Discrete}: a finite range of integers.
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { CounterRng } from '../rng.js';
import { DTYPE_INFO, Space, requireRng, uniformInt, type DiscreteJSON } from './space.js';

/**
 * The integers `start, start + 1, …, start + n - 1`. Values are plain numbers; dtype `int32`,
 * shape `[]`.
 */
export class Discrete extends Space<number> {
  /** Element type: always `int32`. */
  declare readonly dtype: 'int32';
  /** Number of values (at least 1). */
  readonly n: number;
  /** Smallest value. */
  readonly start: number;

  /**
   * @param n - number of values, an integer >= 1.
   * @param start - smallest value, an integer; all values must fit in int32.
   * @throws InvalidArgumentError if `n` or `start` is not an integer, `n < 1`, or the range
   *   leaves int32.
   */
  constructor(n: number, start = 0) {
    super([], 'int32');
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`Discrete: n must be an integer >= 1, got ${formatValue(n)}`, { n });
    }
    if (!Number.isSafeInteger(start)) {
      throw new InvalidArgumentError(`Discrete: start must be an integer, got ${formatValue(start)}`, { start });
    }
    const { min, max } = DTYPE_INFO.int32;
    if (start < min || start + n - 1 > max) {
      throw new InvalidArgumentError('Discrete: values must fit in int32', { n, start });
    }
    this.n = n;
    this.start = start;
  }

  /**
   * Uniform value in `[start, start + n)`; consumes one word of `rng`. With `mask` (`n` entries,
   * nonzero or `true` = allowed; e.g. one agent's row of RideDispatch's `infos.actionMask`): uniform
   * over the allowed values, as Gymnasium's `sample(mask)`, still one word.
   * @throws InvalidArgumentError when `rng` is not a CounterRng, `mask` does not hold `n`
   *   entries, or it allows no value.
   */
  sample(rng: CounterRng, mask?: ArrayLike<number | boolean>): number {
    requireRng(rng, 'Discrete');
    if (mask === undefined) return this.start + uniformInt(rng, this.n);
    if (mask === null || typeof mask !== 'object' || mask.length !== this.n) {
      const got = mask !== null && typeof mask === 'object' ? `${mask.length} entries` : formatValue(mask);
      throw new InvalidArgumentError(`Discrete.sample(rng, mask): mask must hold n = ${this.n} entries, got ${got}`, {});
    }
    let allowed = 0;
    for (let i = 0; i < this.n; i++) if (mask[i]) allowed++;
    if (allowed === 0) throw new InvalidArgumentError(`Discrete.sample(rng, mask): the mask allows none of the ${this.n} values`, {});
    let k = uniformInt(rng, allowed);
    for (let i = 0; ; i++) if (mask[i] && k-- === 0) return this.start + i;
  }

  /** Whether `x` is an integer number in `[start, start + n)`. */
  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  /** `{ type: 'Discrete', n, start }`. */
  toJSON(): DiscreteJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }

  /** `Discrete(n)` or `Discrete(n, start=s)`. */
  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}
