/** Assertions on the library's typed errors, shared by the bad-input suites. */
import { expect } from 'vitest';
import type { ManyWorldsError } from '../../src/index.js';

/** A class of the library's typed errors. */
export type ErrorClass = new (...args: never[]) => ManyWorldsError;

/** Runs `fn`, expecting a typed error of `cls` whose message contains `text`. */
export function refuses(fn: () => unknown, cls: ErrorClass, text: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeInstanceOf(cls);
  expect((err as Error).message).toContain(text);
}
