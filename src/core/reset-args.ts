/**
 * Checks and converts the arguments of `VectorEnv.reset()`: the options object, the env mask
 * and the seeds.
 * @module
 * @internal
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { ResetOptions } from './types.js';

/** Throws {@link InvalidArgumentError} unless `opts` is an object with only `seed` and `mask`. @internal */
export function checkResetOptions(id: string, opts: ResetOptions): void {
  if (opts === null || typeof opts !== 'object') {
    throw new InvalidArgumentError(`${id}: reset options must be an object ({ seed?, mask? }), got ${opts === null ? 'null' : typeof opts}`);
  }
  for (const key of Object.keys(opts)) {
    if (key !== 'seed' && key !== 'mask') throw new InvalidArgumentError(`${id}: unknown reset option '${key}' (options: seed, mask)`, { option: key });
  }
}

/**
 * The reset mask as one byte per env (1 = reset), always a copy: the caller's array may be a
 * view on the env's own buffers. Entries must be 0, 1, true or false. @internal
 */
export function resetMask(id: string, numEnvs: number, mask: ArrayLike<number>): Uint8Array {
  if (mask === null || typeof mask !== 'object' || mask.length !== numEnvs) {
    throw new InvalidArgumentError(`${id}: reset mask must have ${numEnvs} entries`, { length: (mask as { length?: number })?.length });
  }
  const out = new Uint8Array(numEnvs);
  for (let e = 0; e < numEnvs; e++) {
    const v: unknown = mask[e];
    if (v !== 0 && v !== 1 && v !== true && v !== false) {
      throw new InvalidArgumentError(`${id}: reset mask[${e}] must be 0, 1, true or false, got ${formatValue(v)}`, { env: e });
    }
    out[e] = v === 1 || v === true ? 1 : 0;
  }
  return out;
}

/** Per-env seeds: `seed + e` (mod 2^32) for a number, `seed[e]` for an array of `numEnvs` entries. @internal */
export function resetSeeds(id: string, numEnvs: number, seed: number | ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(numEnvs);
  const check = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new InvalidArgumentError(`${id}: ${where} must be an integer in [0, 2^32), got ${formatValue(v)}`, { value: v });
    }
    return v;
  };
  if (typeof seed === 'number') {
    const base = check(seed, 'seed');
    for (let e = 0; e < numEnvs; e++) out[e] = (base + e) >>> 0;
  } else {
    if (seed === null || typeof seed !== 'object' || seed.length !== numEnvs) {
      throw new InvalidArgumentError(`${id}: a seed array must have ${numEnvs} entries`);
    }
    for (let e = 0; e < numEnvs; e++) out[e] = check(seed[e], `seed[${e}]`);
  }
  return out;
}
