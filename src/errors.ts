/**
 * Typed errors. Every error manyworlds throws is a {@link ManyWorldsError} with a stable `code`.
 * @module
 */

/** Stable error codes; match on `err.code`, never on the message. */
export type ErrorCode =
  | 'ERR_MW_INVALID_CONFIG'
  | 'ERR_MW_INVALID_MAP'
  | 'ERR_MW_INVALID_ACTION'
  | 'ERR_MW_INVALID_ARGUMENT'
  | 'ERR_MW_UNKNOWN_ENV'
  | 'ERR_MW_BACKEND_UNAVAILABLE'
  | 'ERR_MW_ALLOCATION'
  | 'ERR_MW_ENV_CLOSED'
  | 'ERR_MW_ENV_BUSY'
  | 'ERR_MW_RESET_NEEDED'
  | 'ERR_MW_NATIVE';

/** Base class of all manyworlds errors. */
export class ManyWorldsError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Structured details (env id, env index, agent, value, ...) when known. */
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A configuration value is missing, of the wrong type or out of range. */
export class InvalidConfigError extends ManyWorldsError {
  constructor(message: string, details: Record<string, unknown> = {}, code: ErrorCode = 'ERR_MW_INVALID_CONFIG') {
    super(code, message, details);
  }
}

/** A map is malformed (unknown character, ragged rows), or starts/goals are impossible on it. */
export class InvalidMapError extends InvalidConfigError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details, 'ERR_MW_INVALID_MAP');
  }
}

/** An action has the wrong length or dtype, is out of range, or is NaN. */
export class InvalidActionError extends ManyWorldsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_MW_INVALID_ACTION', message, details);
  }
}

/** A method argument (seed, env index, mask, ...) is invalid. */
export class InvalidArgumentError extends ManyWorldsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_MW_INVALID_ARGUMENT', message, details);
  }
}

/** No environment is registered under this id. */
export class UnknownEnvError extends ManyWorldsError {
  constructor(id: string, known: readonly string[]) {
    super('ERR_MW_UNKNOWN_ENV', `unknown env id '${id}'; registered: ${known.join(', ')}`, { id });
  }
}

/** The requested backend cannot run here; `reasons` says why. */
export class BackendUnavailableError extends ManyWorldsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_MW_BACKEND_UNAVAILABLE', message, details);
  }
}

/** The batch buffers would be too large to allocate; raised before allocating. */
export class AllocationError extends ManyWorldsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_MW_ALLOCATION', message, details);
  }
}

/**
 * A method was called, or `actions` read, after `close()`; or `close()` came while a
 * `stepAsync()` was in flight, whose promise then rejects with this error (`details.inFlight`).
 */
export class EnvClosedError extends ManyWorldsError {
  /**
   * `method` names the method called (or the property read, when `property` is set). `inFlight`
   * is set when `close()` came while that method (a `stepAsync()`) was already running: its
   * outputs were discarded, and `cause` is the step's own error if it failed.
   */
  constructor(id: string, method: string, inFlight = false, cause?: unknown, property = false) {
    const message = inFlight
      ? `${id}: close() was called while this ${method}() was in flight; the batch is freed and its outputs are discarded`
      : `${id}: ${property ? `'${method}' read` : `${method}() called`} after close()`;
    super('ERR_MW_ENV_CLOSED', message, { id, method, inFlight });
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  }
}

/** A call was made while a `stepAsync()` is in flight. */
export class EnvBusyError extends ManyWorldsError {
  /** `method` names the method called (`'step'`), or the property read when `property` is set. */
  constructor(id: string, method: string, property = false) {
    const what = property ? `'${method}' read` : `${method}() called`;
    super('ERR_MW_ENV_BUSY', `${id}: ${what} while stepAsync() is in flight; await it first`, { id, method });
  }
}

/** `step()` reached an env whose episode ended with autoreset disabled; reset it first. */
export class ResetNeededError extends ManyWorldsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_MW_RESET_NEEDED', message, details);
  }
}

/** The native layer reported a failure it could not map to a more specific error. */
export class NativeError extends ManyWorldsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_MW_NATIVE', message, details);
  }
}

/**
 * A value as error messages show it: JSON where it can be (strings quoted, arrays and objects
 * spelled out), else a readable form — bigints as `5n`, symbols, functions and cyclic objects by
 * `String()` — so that describing a bad input never throws itself.
 */
export function formatValue(value: unknown): string {
  let text: string;
  try {
    text = describeValue(value);
  } catch {
    text = '<a value that cannot be shown>'; // e.g. a revoked Proxy, or a getter that throws
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length} characters)` : text;
}

/** Longest value text a message shows. */
const MAX_SHOWN = 200;

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value); // NaN and ±Infinity as themselves, not JSON's null
  if (typeof value === 'symbol') return value.toString();
  try {
    const json = JSON.stringify(value, (_key, v: unknown) =>
      (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' || typeof v === 'function' || (typeof v === 'number' && !Number.isFinite(v)) ? String(v) : v));
    if (json !== undefined) return json;
  } catch {
    // cyclic or hostile: fall through
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
