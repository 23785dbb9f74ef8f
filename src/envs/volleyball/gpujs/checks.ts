/**
 * What the native volleyball bindings check before a step (bindings/batch_base.h `CheckEnvs`,
 * vb_layout.h `first_bad_action`, volleyball_wrap.h `ThrowBadAction`), with the same error
 * classes, codes and message text, built through the native error translation so that details
 * match too.
 * @module
 * @internal
 */

import { FLOAT32_LIMIT } from '../../../core/float32.js';
import { translateNativeError } from '../../../backends/native/errors.js';

/** A coded error as the addon throws it, translated to the typed class. */
function coded(code: string, message: string): Error {
  const err = new Error(message) as Error & { code: string };
  err.code = code;
  return translateNativeError(err);
}

/** Every env was reset, and none waits for a reset with autoreset disabled (`CheckEnvs`). @internal */
export function checkEnvsReady(id: string, firstUninitialized: number, autoresetDisabled: boolean, needsReset: Uint8Array): void {
  if (firstUninitialized >= 0) {
    throw coded('ERR_MW_RESET_NEEDED', `${id}: env ${firstUninitialized} has not been reset since it was created; call reset() before step()`);
  }
  if (!autoresetDisabled) return;
  const e = needsReset.indexOf(1);
  if (e >= 0) throw coded('ERR_MW_RESET_NEEDED', `${id}: env ${e} finished its episode and autoreset is disabled; call reset() first`);
}

/** Largest magnitude the native check accepts: `3.4e38f`. */
const LIMIT = FLOAT32_LIMIT;

/** C's `%f` of a float32 value outside the accepted range (NaN, infinities, |x| >= 3.4e38), as glibc prints it. */
function formatRejected(x: number, signBit: boolean): string {
  if (Number.isNaN(x)) return signBit ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  // Such values are integers (>= 2^127): print them exactly, as %f does.
  return `${BigInt(x).toString()}.000000`;
}

/**
 * Throws `InvalidActionError` for the first NaN, infinite or out-of-float-range action, with the
 * native message. `bits` views the same memory as `actions`. @internal
 */
export function checkActions(id: string, actions: Float32Array, bits: Uint32Array, numAgents: number): void {
  for (let i = 0; i < actions.length; i++) {
    const x = actions[i];
    if (x < LIMIT && x > -LIMIT) continue;
    const agent = Math.floor(i / 4);
    const text = formatRejected(x, (bits[i] >>> 31) === 1);
    throw coded('ERR_MW_INVALID_ACTION', `${id}: env ${Math.floor(agent / numAgents)}, agent ${agent % numAgents}: action component ${i % 4} is ${text}, not a finite number`);
  }
}
