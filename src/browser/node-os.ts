/**
 * Browser stand-in for the two `node:os` functions the library uses.
 * @module
 * @internal
 */

/** Logical cores the browser reports (`navigator.hardwareConcurrency`), at least 1. @internal */
export function availableParallelism(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/**
 * A browser does not say how much memory the machine has; `make()` uses 3/4 of this as the
 * default `maxBufferBytes`, so report 4 GiB: a tab cannot hold much more. @internal
 */
export function totalmem(): number {
  return 4 * 2 ** 30;
}
