/**
 * Counter-based random numbers: Philox4x32-10, bit-identical to `native/common/rng.h`.
 *
 * A draw is a pure function of `(seed, stream, env, episode, step, index)`; see `docs/rng.md`
 * for the specification and test vectors.
 * @module
 */

import { InvalidArgumentError, formatValue } from './errors.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const hilo = aHi * bLo;
  const lohi = aLo * bHi;
  const mid = (lolo >>> 16) + (hilo & 0xffff) + (lohi & 0xffff);
  return (aHi * bHi + (hilo >>> 16) + (lohi >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * Philox4x32 with 10 rounds (Salmon et al., SC'11). Writes four unsigned 32-bit words into `out`.
 * @param c0 - counter word 0 … @param c3 - counter word 3; @param k0 - key word 0; @param k1 - key word 1.
 */
export function philox4x32_10(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

/** Stream ids, one per use (same values as `mw::RngStream` in C++). */
export const RngStream = {
  /** Map generators (per env). */
  map: 0,
  /** Random starts and goals (per env, per episode). */
  placement: 1,
  /** Lifelong goals (per env, per episode, per agent). */
  goals: 2,
  /** Random policies in tools and tests. */
  actions: 3,
} as const;

/**
 * The project's draw: key = (seed, stream), counter = (index, step, episode, env).
 * @returns four unsigned 32-bit words.
 */
export function rngDraw(
  seed: number, stream: number, env: number, episode: number, step: number, index: number,
  out?: Uint32Array,
): Uint32Array {
  return philox4x32_10(index, step, episode, env, seed, stream, out);
}

/** Uniform integer in `[0, n)` from a 32-bit word `u` by multiply-shift (no rejection). */
export function rngBelow(u: number, n: number): number {
  return mulhi32(u >>> 0, n >>> 0);
}

/**
 * A small sequential generator on top of the counter RNG, for policies, spaces' `sample()` and
 * tools: the `i`-th 32-bit word is word `i % 4` of `rngDraw(seed, stream, 0, 0, 0, i / 4)`.
 */
export class CounterRng {
  private readonly buf = new Uint32Array(4);
  private counter = 0;
  /**
   * @param seed - key word 0; @param stream - key word 1; @param env - counter word 3. Each must be
   * an integer in [0, 2^32); anything else throws {@link InvalidArgumentError}.
   */
  constructor(readonly seed: number, readonly stream: number = RngStream.actions, readonly env = 0) {
    for (const [name, v] of [['seed', seed], ['stream', stream], ['env', env]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new InvalidArgumentError(`CounterRng: ${name} must be an integer in [0, 2^32), got ${formatValue(v)}`, { [name]: v });
      }
    }
  }
  /** Next unsigned 32-bit word. */
  nextU32(): number {
    const i = this.counter++;
    if ((i & 3) === 0) rngDraw(this.seed, this.stream, this.env, 0, 0, i >>> 2, this.buf);
    return this.buf[i & 3];
  }
  /** Uniform integer in `[0, n)`, for an integer `n` in [1, 2^32); anything else throws {@link InvalidArgumentError}. */
  below(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= 0xffffffff)) {
      throw new InvalidArgumentError(`CounterRng.below(n): n must be an integer in [1, 2^32), got ${formatValue(n)}`, { n });
    }
    return rngBelow(this.nextU32(), n);
  }
  /** Uniform float in `[0, 1)` with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }
}
