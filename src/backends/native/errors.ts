/**
 * Maps errors thrown by the addon (plain Errors with an ERR_MW_* `code`) to the typed classes.
 * @module
 * @internal
 */

import {
  AllocationError, EnvBusyError, EnvClosedError, InvalidActionError, InvalidArgumentError, InvalidConfigError,
  InvalidMapError, ManyWorldsError, NativeError, ResetNeededError,
} from '../../errors.js';

/** Converts an addon error into the matching {@link ManyWorldsError} subclass. @internal */
export function translateNativeError(err: unknown): Error {
  if (err instanceof ManyWorldsError || !(err instanceof Error)) return err as Error;
  const code = (err as Error & { code?: string }).code;
  const msg = err.message;
  const where = /env (\d+)(?:, (?:agent|vehicle) (\d+))?(?:: action (-?\d+))?/.exec(msg);
  const details: Record<string, unknown> = where
    ? { env: Number(where[1]), ...(where[2] ? { agent: Number(where[2]) } : {}), ...(where[3] ? { value: Number(where[3]) } : {}) }
    : {};
  switch (code) {
    case 'ERR_MW_INVALID_ACTION': return new InvalidActionError(msg, details);
    case 'ERR_MW_INVALID_CONFIG': return new InvalidConfigError(msg, details);
    case 'ERR_MW_INVALID_MAP': return new InvalidMapError(msg, details);
    case 'ERR_MW_INVALID_ARGUMENT': return new InvalidArgumentError(msg, details);
    case 'ERR_MW_ALLOCATION': return new AllocationError(msg, details);
    case 'ERR_MW_RESET_NEEDED': return new ResetNeededError(msg, details);
    case 'ERR_MW_ENV_CLOSED':
    case 'ERR_MW_ENV_BUSY': {
      // Messages read "<env id>: <method>() called after close()" / "... while stepAsync() ...".
      const m = /^(\S+): (\w+)\(\)/.exec(msg);
      const id = m?.[1] ?? 'env', method = m?.[2] ?? 'native';
      return code === 'ERR_MW_ENV_CLOSED' ? new EnvClosedError(id, method) : new EnvBusyError(id, method);
    }
    default: return new NativeError(msg, details);
  }
}
