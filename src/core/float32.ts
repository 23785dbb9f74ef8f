/**
 * The float32 range check shared by the action checks: a finite JS number beyond it becomes
 * Infinity when stored in a Float32Array.
 * @module
 * @internal
 */

/** Largest finite float32 (2^128 − 2^104). @internal */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** True for a number that stays finite when stored in a Float32Array. @internal */
export function isFloat32Finite(v: unknown): boolean {
  return typeof v === 'number' && Math.abs(v) <= FLOAT32_MAX;
}
