/**
 * Loads gpu.js in Node, synchronously and only on first use (it is a CommonJS package).
 * The browser bundle replaces this module with `load-browser.ts`.
 * @module
 * @internal
 */

import { createRequire } from 'node:module';
import type { GpujsModule } from './gpujs-types.js';

/** The outcome of loading gpu.js. @internal */
export type GpujsLoad = { ok: true; module: GpujsModule; version: string } | { ok: false; reason: string };

let cached: GpujsLoad | null = null;

/** Loads gpu.js once; later calls return the same result. @internal */
export function loadGpujs(): GpujsLoad {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    const module = require('gpu.js') as GpujsModule;
    const version = (require('gpu.js/package.json') as { version: string }).version;
    cached = { ok: true, module, version };
  } catch (err) {
    cached = { ok: false, reason: `gpu.js does not load: ${(err as Error).message.split('\n')[0]}` };
  }
  return cached;
}

/** Whether this is a browser (the Node build: never). @internal */
export const IN_BROWSER = false;
