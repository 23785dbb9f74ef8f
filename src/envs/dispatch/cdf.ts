/**
 * Integer CDF tables for RideDispatch-v0: every random choice of the native core (the number of
 * new orders in a step, their origins and destinations) is a draw `u` (a uint32 word of the counter
 * RNG) compared against a row of uint32 thresholds built here, so every backend takes identical
 * integer decisions.
 *
 * Convention (shared with `native/envs/dispatch`): a row of `n` values is non-decreasing and ends
 * with `0xFFFFFFFF`; `cdf[k] = min(0xFFFFFFFF, floor(P(X ≤ k) · 2^32))` computed in double precision
 * (zero-probability entries repeat the previous value) with the last value forced to `0xFFFFFFFF`;
 * a draw `u` picks the first `k` with `u < cdf[k]`, or `n - 1` when there is none.
 * @module
 */

import { InvalidConfigError, formatValue } from '../../errors.js';

/** The last value of every CDF row. */
export const CDF_ONE = 0xffffffff;

/** Longest arrival-count row the tables accept (a mean of about 65 000 orders per step). */
export const MAX_POISSON_LEN = 1 << 16;

const TWO32 = 4294967296;

/**
 * Writes the CDF row of the categorical law with non-negative `weights[from .. from + n)` into
 * `out[at .. at + n)`. An all-zero row is written as the uniform law (callers reject rows that can
 * be drawn from); the caller validates that weights are finite and non-negative.
 * @returns the sum of the weights.
 */
export function writeCategoricalCdf(
  weights: ArrayLike<number>, from: number, n: number, out: Uint32Array, at: number,
): number {
  let total = 0;
  for (let k = 0; k < n; k++) total += weights[from + k];
  if (!(total > 0)) {
    for (let k = 0; k < n; k++) out[at + k] = k === n - 1 ? CDF_ONE : Math.floor(((k + 1) / n) * TWO32);
    return 0;
  }
  let acc = 0;
  for (let k = 0; k < n; k++) {
    acc += weights[from + k];
    out[at + k] = Math.min(CDF_ONE, Math.floor((acc / total) * TWO32));
  }
  out[at + n - 1] = CDF_ONE;
  return total;
}

/** The CDF row of a categorical law over `weights` (a fresh `Uint32Array`). */
export function categoricalCdf(weights: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(weights.length);
  if (weights.length > 0) writeCategoricalCdf(weights, 0, weights.length, out, 0);
  return out;
}

/**
 * Length of the arrival-count row for a Poisson mean `lambda` (orders per step):
 * `max(1, ceil(lambda + 10·sqrt(lambda) + 10))`. Throws {@link InvalidConfigError} above
 * {@link MAX_POISSON_LEN} or for a negative or non-finite mean.
 */
export function poissonRowLength(lambda: number): number {
  if (!Number.isFinite(lambda) || lambda < 0) {
    throw new InvalidConfigError(`RideDispatch-v0: the mean number of orders per step must be finite and ≥ 0, got ${formatValue(lambda)}`, { value: lambda });
  }
  const n = Math.max(1, Math.ceil(lambda + 10 * Math.sqrt(lambda) + 10));
  if (n > MAX_POISSON_LEN) {
    throw new InvalidConfigError(
      `RideDispatch-v0: ${lambda.toFixed(1)} orders per step on average is too many (the arrival table would need ${n} entries, at most ${MAX_POISSON_LEN}); lower the demand (demandScale, rates)`,
      { value: lambda },
    );
  }
  return n;
}

/**
 * Writes the CDF row of Poisson(`lambda`) truncated to `n` values into `out[at .. at + n)`. The pmf
 * is summed in log space (`log p_k = log p_{k-1} + log(lambda / k)`), so large means do not
 * underflow `exp(-lambda)`.
 */
export function writePoissonCdf(lambda: number, n: number, out: Uint32Array, at: number): void {
  if (lambda === 0) {
    out.fill(CDF_ONE, at, at + n);
    return;
  }
  const logLambda = Math.log(lambda);
  let logP = -lambda;
  let acc = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) logP += logLambda - Math.log(k);
    acc += Math.exp(logP);
    out[at + k] = Math.min(CDF_ONE, Math.floor(acc * TWO32));
  }
  out[at + n - 1] = CDF_ONE;
}

/** The CDF row of Poisson(`lambda`), of length `n` (default {@link poissonRowLength}). */
export function poissonCdf(lambda: number, n: number = poissonRowLength(lambda)): Uint32Array {
  const out = new Uint32Array(n);
  writePoissonCdf(lambda, n, out, 0);
  return out;
}

/**
 * The value a draw `u` (uint32) picks from the CDF row `cdf[at .. at + n)`: the first `k` with
 * `u < cdf[at + k]` or `cdf[at + k] = 2^32 - 1` (so `u = 2^32 - 1` never picks a zero-probability
 * entry after the row saturates), else `n - 1`. Binary search; the same result as the native scan.
 */
export function cdfPick(cdf: ArrayLike<number>, at: number, n: number, u: number): number {
  let lo = 0;
  let hi = n - 1;
  u >>>= 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cdf[at + mid];
    if (u < c || c === 0xffffffff) hi = mid; // the first saturated entry takes u = 2^32 - 1 too
    else lo = mid + 1;
  }
  return lo;
}
