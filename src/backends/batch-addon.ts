/**
 * The addon whose batch classes run an env on a backend: `manyworlds_cpu.node` for `native`,
 * `manyworlds_cuda.node` for `cuda`. Both export the same classes, so each env has one engine
 * class for both.
 * @module
 * @internal
 */

import { BackendUnavailableError } from '../errors.js';
import type { BackendName } from '../core/types.js';
import { type BatchAddon, loadNativeAddon } from './native/load.js';
import { loadCudaAddon } from './cuda/load.js';

/** Backends that run on an addon's batch classes. @internal */
export type AddonBackend = 'native' | 'cuda';

/**
 * The addon for `backend`, loaded (and for cuda probed); throws {@link BackendUnavailableError}
 * with the reason when it cannot run here. @internal
 */
export function batchAddon(id: string, backend: BackendName): { addon: BatchAddon; backend: AddonBackend } {
  if (backend === 'native' || backend === 'cuda') {
    const load = backend === 'native' ? loadNativeAddon() : loadCudaAddon();
    if (load.ok) return { addon: load.addon, backend };
    throw new BackendUnavailableError(`${id}: backend '${backend}' is not available: ${load.reason}`, { id, backend, reason: load.reason });
  }
  throw new BackendUnavailableError(`${id}: backend '${backend}' is not implemented for this env`, { id, backend });
}
