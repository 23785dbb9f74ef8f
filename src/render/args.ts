/**
 * Argument checks shared by the renderers, so that a wrong frame list, options object or field
 * type is an {@link InvalidArgumentError} naming it rather than a `TypeError` from deep inside the
 * drawing code.
 * @internal
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { VectorEnv } from '../core/vector-env.js';

/** True for an array or a typed array. */
const isArrayLike = (v: unknown): v is ArrayLike<number> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** Refuses anything but a non-empty array of objects. @internal */
export function checkFrameList(fn: string, frames: unknown): void {
  if (!Array.isArray(frames) || frames.length === 0) {
    throw new InvalidArgumentError(`${fn} needs an array of at least one frame, got ${formatValue(frames)}`, {});
  }
  frames.forEach((f, k) => {
    if (f === null || typeof f !== 'object') throw new InvalidArgumentError(`${fn}: frame ${k} must be an object, got ${formatValue(f)}`, { frame: k });
  });
}

/** Refuses an options argument that is not an object (or, when optional, undefined). @internal */
export function checkOptions(fn: string, options: unknown, optional: boolean): void {
  if (optional && options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`${fn}: options must be an object, got ${formatValue(options)}`, {});
  }
}

/** Refuses a frame field that is not an array or typed array. @internal */
export function checkField(where: string, name: string, value: unknown): void {
  if (!isArrayLike(value)) throw new InvalidArgumentError(`${where}: ${name} must be an array or typed array, got ${formatValue(value)}`, { field: name });
}

/** Refuses a present option that is not a positive finite number. @internal */
export function checkPositive(name: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new InvalidArgumentError(`${name} must be a positive finite number, got ${formatValue(value)}`, { [name]: value });
  }
}

/** Refuses a present title that is not a string. @internal */
export function checkTitle(value: unknown): void {
  if (value !== undefined && typeof value !== 'string') throw new InvalidArgumentError(`title must be a string, got ${formatValue(value)}`, {});
}

/**
 * The checks a frame collector makes before it resets `env`: an autoreset mode that keeps the
 * final state, an env index in range, a step count ≥ 0 and a policy function. @internal
 */
export function checkCollectArgs(fn: string, env: VectorEnv, envIndex: unknown, steps: unknown, policy: unknown): void {
  if (env.metadata.autoresetMode === 'same-step') {
    throw new InvalidArgumentError(`${fn}: ${env.id} uses 'same-step' autoreset, which hides the final state; use 'next-step'`, {});
  }
  if (!Number.isInteger(envIndex) || (envIndex as number) < 0 || (envIndex as number) >= env.numEnvs) {
    throw new InvalidArgumentError(`envIndex must be an integer in [0, ${env.numEnvs}), got ${formatValue(envIndex)}`, { envIndex });
  }
  if (!Number.isInteger(steps) || (steps as number) < 0) throw new InvalidArgumentError(`steps must be an integer ≥ 0, got ${formatValue(steps)}`, { steps });
  if (typeof policy !== 'function') throw new InvalidArgumentError(`${fn}: policy must be a function, got ${formatValue(policy)}`, {});
}
