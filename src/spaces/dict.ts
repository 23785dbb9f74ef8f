/**
 * {@link Dict}: named subspaces.
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import type { CounterRng } from '../rng.js';
import { Space, requireRng, type DictJSON, type SpaceJSON, type SpaceValue } from './space.js';

/** The subspaces of a {@link Dict}, by key. */
export type SpaceRecord = Record<string, Space<unknown>>;

/** The value type of a {@link Dict} over subspaces `S`: one value per key. */
export type DictValue<S extends SpaceRecord> = { [K in keyof S]: SpaceValue<S[K]> };

/**
 * Objects with exactly the keys of `spaces`, each value in its subspace. As in Gymnasium, keys
 * are kept in sorted order (code-unit order), which is the order of {@link Dict.keys},
 * of sampling and of {@link Dict.toJSON}. Shape `[]`, dtype `null`.
 * @typeParam S - the subspaces, by key.
 */
export class Dict<S extends SpaceRecord = SpaceRecord> extends Space<DictValue<S>> {
  /** Composite spaces have no dtype. */
  declare readonly dtype: null;
  /** The subspaces, by key (a frozen copy). */
  readonly spaces: Readonly<S>;
  /** The keys, sorted. */
  private readonly sortedKeys: readonly string[];

  /**
   * @param spaces - the subspaces, by key.
   * @throws InvalidArgumentError if `spaces` is not a plain object of {@link Space}s.
   */
  constructor(spaces: S) {
    super([], null);
    if (spaces === null || typeof spaces !== 'object' || Array.isArray(spaces)) {
      throw new InvalidArgumentError('Dict: spaces must be an object of spaces', {});
    }
    const keys = Object.keys(spaces).sort();
    const copy: Record<string, Space<unknown>> = {};
    for (const key of keys) {
      const sub = spaces[key];
      if (!(sub instanceof Space)) {
        throw new InvalidArgumentError(`Dict: '${key}' is not a Space`, { key });
      }
      copy[key] = sub;
    }
    this.spaces = Object.freeze(copy) as Readonly<S>;
    this.sortedKeys = Object.freeze(keys);
  }

  /** The keys, sorted. */
  keys(): readonly string[] {
    return this.sortedKeys;
  }

  /** Samples each subspace in key order from the same `rng`. */
  sample(rng: CounterRng): DictValue<S> {
    requireRng(rng, 'Dict');
    const out: Record<string, unknown> = {};
    for (const key of this.sortedKeys) out[key] = this.spaces[key].sample(rng);
    return out as DictValue<S>;
  }

  /** Whether `x` is a non-array object with exactly these keys, each value in its subspace. */
  contains(x: unknown): boolean {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
    const rec = x as Record<string, unknown>;
    const own = Object.keys(rec);
    if (own.length !== this.sortedKeys.length) return false;
    for (const key of this.sortedKeys) {
      if (!Object.prototype.hasOwnProperty.call(rec, key)) return false;
      if (!this.spaces[key].contains(rec[key])) return false;
    }
    return true;
  }

  /** `{ type: 'Dict', spaces: { key: description } }`. */
  toJSON(): DictJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const key of this.sortedKeys) spaces[key] = this.spaces[key].toJSON();
    return { type: 'Dict', spaces };
  }

  /** E.g. `Dict(action_mask: Box(0, 1, [5], uint8), obs: Discrete(3))`. */
  toString(): string {
    return `Dict(${this.sortedKeys.map((k) => `${k}: ${this.spaces[k].toString()}`).join(', ')})`;
  }
}
