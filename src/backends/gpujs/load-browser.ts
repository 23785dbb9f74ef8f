/**
 * Loads gpu.js in the browser bundle: the bundler inlines gpu.js's own browser build.
 * Replaces `load.ts` there (scripts/build-browser.mjs).
 * @module
 * @internal
 */

import * as gpujs from 'gpu.js';
import type { GpujsModule } from './gpujs-types.js';
import type { GpujsLoad } from './load.js';

const loaded: GpujsLoad = { ok: true, module: gpujs as unknown as GpujsModule, version: '2.24.1' };

/** gpu.js as bundled. @internal */
export function loadGpujs(): GpujsLoad {
  return loaded;
}

/** Whether this is a browser (the browser build: always). @internal */
export const IN_BROWSER = true;
