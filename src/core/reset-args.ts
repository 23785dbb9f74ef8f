/**
 * Checks and converts the arguments of `VectorEnv.reset()`: the options object, the env mask
 * and the seeds.
 * @module
 * @internal
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { ResetOptions } from './types.js';

/**
 * Throws {@link InvalidArgumentError} unless `opts` is an object with no keys but `allowed`
 * (`where` starts the messages: the env id, or the id and a ParallelEnv's env). @internal
 */
export function checkResetOptions(where: string, opts: ResetOptions, allowed: readonly string[] = ['seed', 'mask']): void {
  if (opts === null || typeof opts !== 'object') {
    throw new InvalidArgumentError(`${where}: reset options must be an object ({ ${allowed.map((k) => `${k}?`).join(', ')} }), got ${opts === null ? 'null' : typeof opts}`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`${where}: unknown reset option '${key}' (options: ${allowed.join(', ')})`, { option: key });
  }
}

/** `v` as a seed: an integer in [0, 2^32); else {@link InvalidArgumentError} naming it `name`. @internal */
export function checkSeed(id: string, v: unknown, name = 'seed'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new InvalidArgumentError(`${id}: ${name} must be an integer in [0, 2^32), got ${formatValue(v)}`, { value: v });
  }
  return v;
}

/**
 * The reset mask as one byte per env (1 = reset), always a copy: the caller's array may be a
 * view on the env's own buffers. Entries must be 0, 1, true or false. @internal
 */
export function resetMask(id: string, numEnvs: number, mask: ArrayLike<number | boolean>): Uint8Array {
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
  if (typeof seed === 'number') {
    const base = checkSeed(id, seed);
    for (let e = 0; e < numEnvs; e++) out[e] = (base + e) >>> 0;
  } else {
    if (seed === null || typeof seed !== 'object' || seed.length !== numEnvs) {
      throw new InvalidArgumentError(`${id}: a seed array must have ${numEnvs} entries`);
    }
    for (let e = 0; e < numEnvs; e++) out[e] = checkSeed(id, seed[e], `seed[${e}]`);
  }
  return out;
}
