/**
 * The float32 range check shared by the action and config checks: the engines keep these values as
 * float32 and accept a magnitude below 3.4e38 (`3.4e38f` in C++; a larger finite JS number would
 * become Infinity, or lie at the very edge of the range, once stored).
 * @module
 * @internal
 */

/** The bound the engines check against: `3.4e38f` as float32. @internal */
export const FLOAT32_LIMIT = Math.fround(3.4e38);

/** True for a number the engines accept as a float32 value: not NaN, |v| < 3.4e38. @internal */
export function isFloat32Finite(v: unknown): boolean {
  return typeof v === 'number' && v < FLOAT32_LIMIT && v > -FLOAT32_LIMIT;
}
