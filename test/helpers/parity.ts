/**
 * Cross-backend parity helpers for the gpujs tests: bit-for-bit comparison of two batches'
 * outputs, naming the first difference, and comparison of the errors two calls raise.
 */
import { expect } from 'vitest';
import { type CounterRng, ManyWorldsError, type VectorEnv } from '../../src/index.js';
import { type Outputs, digest, outputArrays } from './conformance.js';

/** `n` uniform MAPF actions (0..4). */
export function randomMapfActions(n: number, rng: CounterRng): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.below(5);
  return a;
}

/** Compares two step/reset results; on a mismatch, fails naming the first differing output, index and values. */
export function expectSameOutputs(native: VectorEnv, gpujs: VectorEnv, rn: Outputs, rg: Outputs, where: string): void {
  if (digest(native, rn) === digest(gpujs, rg)) return;
  const theirs = new Map(outputArrays(gpujs, rg));
  for (const [name, mine] of outputArrays(native, rn)) {
    const other = theirs.get(name);
    expect(other, `${where}: gpujs lacks ${name}`).toBeDefined();
    const a = mine as unknown as ArrayLike<number>, b = other as unknown as ArrayLike<number>;
    expect(b.length, `${where}: ${name} length`).toBe(a.length);
    for (let i = 0; i < a.length; i++) {
      if (Object.is(a[i], b[i]) || a[i] === b[i]) continue;
      expect.fail(`${where}: ${name}[${i}] is ${b[i]} on gpujs, ${a[i]} on native`);
    }
  }
  expect.fail(`${where}: the digests differ but no output does`);
}

/** Runs `fn` and returns what it threw (or rejected with); fails if it did not throw. */
export async function thrownBy(fn: () => unknown): Promise<ManyWorldsError> {
  try {
    await fn();
  } catch (err) {
    return err as ManyWorldsError;
  }
  throw new Error('expected a throw');
}

/** Expects the same error class, code, message and details from both calls. */
export async function expectSameError(native: () => unknown, gpujs: () => unknown): Promise<void> {
  const a = await thrownBy(native), b = await thrownBy(gpujs);
  expect(b).toBeInstanceOf(ManyWorldsError);
  expect(b.constructor).toBe(a.constructor);
  expect({ code: b.code, message: b.message, details: b.details }).toEqual({ code: a.code, message: a.message, details: a.details });
}
