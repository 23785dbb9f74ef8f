/**
 * Finds and loads `manyworlds_cuda.node` on first use and asks it whether batches can run here
 * (`probe()`: a driver, a device, code for that device). Remembers the answer, and why not.
 * @module
 * @internal
 */

import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { type BatchAddon, packageRoot } from '../native/load.js';

/** One CUDA device, as the probe saw it. @internal */
export interface CudaDevice {
  name: string;
  /** e.g. `'9.0'`. */
  computeCapability: string;
  /** Bytes of device memory. */
  totalMemory: number;
  multiprocessors: number;
}

/** What `probe()` of the CUDA addon reports. @internal */
export interface CudaProbe {
  available: boolean;
  /** Why batches cannot run (or what was found). */
  reason: string;
  /** The CUDA runtime error behind `reason` (35: no driver, 100: no device), 0 when none. */
  error: number;
  devices: CudaDevice[];
}

/** The CUDA addon's exports: the batch classes of the CPU addon (plus `rollout`) and `probe`. @internal */
export interface CudaAddon extends BatchAddon {
  probe(): CudaProbe;
}

/** Outcome of loading and probing the CUDA addon. @internal */
export type CudaLoad =
  | { ok: true; addon: CudaAddon; path: string; probe: CudaProbe }
  | { ok: false; reason: string; path?: string; probe?: CudaProbe };

let cached: CudaLoad | undefined;

/** Why the addon file is missing: the status install.mjs wrote, if any. */
function notBuiltReason(root: string, tried: string[]): string {
  for (const dir of ['build-cuda', 'build']) {
    try {
      const status = JSON.parse(readFileSync(resolve(root, dir, 'cuda-status.json'), 'utf8')) as { built: boolean; reason?: string };
      if (!status.built && status.reason) return `not built: ${status.reason}`;
    } catch {
      // no status file there
    }
  }
  return `not built: manyworlds_cuda.node was not found (the install script builds it where it finds nvcc: \`CUDACXX\`, \`PATH\` or /usr/local/cuda/bin; then \`npm rebuild manyworlds\` in your project, \`npm run build:cuda\` in a checkout). Tried: ${tried.join('; ')}`;
}

/**
 * Loads the CUDA addon once and probes it. `MANYWORLDS_CUDA_ADDON_DIR` (or `MANYWORLDS_ADDON_DIR`)
 * overrides where it is looked for; `MANYWORLDS_DISABLE_CUDA=1` turns the backend off. @internal
 */
export function loadCudaAddon(): CudaLoad {
  if (cached) return cached;
  if (process.env.MANYWORLDS_DISABLE_CUDA === '1') {
    cached = { ok: false, reason: 'disabled by MANYWORLDS_DISABLE_CUDA=1' };
    return cached;
  }
  const root = packageRoot();
  const dirs = [process.env.MANYWORLDS_CUDA_ADDON_DIR, process.env.MANYWORLDS_ADDON_DIR, 'build-cuda/Release', 'build/Release']
    .filter((d): d is string => !!d);
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const d of dirs) {
    const file = resolve(root, d, 'manyworlds_cuda.node');
    if (!existsSync(file)) {
      tried.push(`${file}: not found`);
      continue;
    }
    let addon: CudaAddon;
    try {
      addon = require(file) as CudaAddon;
    } catch (err) {
      tried.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    let probe: CudaProbe;
    try {
      probe = addon.probe();
    } catch (err) {
      cached = { ok: false, reason: `probe failed: ${(err as Error).message}`, path: file };
      return cached;
    }
    cached = probe.available ? { ok: true, addon, path: file, probe } : { ok: false, reason: probe.reason, path: file, probe };
    return cached;
  }
  cached = { ok: false, reason: notBuiltReason(root, tried) };
  return cached;
}
