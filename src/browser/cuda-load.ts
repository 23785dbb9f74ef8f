/**
 * Browser build of `backends/cuda/load.ts`: no CUDA addon in a browser.
 * @module
 * @internal
 */

import type { CudaLoad } from '../backends/cuda/load.js';

/** Always unavailable, with the reason. @internal */
export function loadCudaAddon(): CudaLoad {
  return { ok: false, reason: 'a browser cannot load Node-API addons' };
}
