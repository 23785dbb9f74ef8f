/**
 * Finds and loads `manyworlds_cpu.node`, remembering why it could not be loaded.
 * @module
 * @internal
 */

import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import type { MapfParams, WasmMemory } from '../../envs/mapf/layout.js';
import type { VolleyballParams } from '../../envs/volleyball/layout.js';
import type { DispatchParams } from '../../envs/dispatch/layout.js';

/**
 * What every native batch has, as the addon exports it; `A` is the dtype of its actions.
 * @internal
 */
export interface NativeBatch<A extends Int32Array | Float32Array> {
  setSeeds(seeds: Uint32Array, mask: Uint8Array | null): void;
  reset(mask: Uint8Array | null): void;
  step(): void;
  stepAsync(): Promise<void>;
  close(): void;
  noop(): void;
  threads(): number;
  /** CUDA addon only: see NativeRollout. */
  rollout?: NativeRollout<A>;
}

/**
 * `rollout(steps, actions, rewards, terminations, truncations, episodeDone)`: runs `steps` steps
 * with actions `[steps, E, A(, k)]` given up front, fills the per-step outputs (`[steps, E, A]`,
 * episodeDone `[steps, E]`) and leaves the last step's outputs in the io arena. CUDA addon only.
 * @internal
 */
export type NativeRollout<A extends Int32Array | Float32Array> =
  (steps: number, actions: A, rewards: Float32Array, terminations: Uint8Array, truncations: Uint8Array, episodeDone: Uint8Array) => void;

/** A native MAPF batch, as the addon exports it. @internal */
export interface NativeMapfBatch extends NativeBatch<Int32Array> {
  setTask(startCells: Int32Array, goalSeq: Int32Array, goalLens: Int32Array, startPool: Int32Array | null, goalPool: Int32Array | null): void;
  setMap(slot: number, obstacles: Uint8Array, label: Int32Array, cells: Int32Array, start: Int32Array, numComps: number, numFree: number): void;
}

/** A native volleyball batch, as the addon exports it. @internal */
export type NativeVolleyballBatch = NativeBatch<Float32Array>;

/** A native RideDispatch batch, as the addon exports it. @internal */
export interface NativeDispatchBatch extends NativeBatch<Int32Array> {
  setCity(slot: number, zoneXY: Float32Array, travelMin: Int32Array, distKm: Float32Array, neighbours: Int32Array,
    arrivalCdf: Uint32Array, originCdf: Uint32Array, destCdf: Uint32Array): void;
  setReplay(rows: Int32Array, start: Int32Array): void;
}

/**
 * The batch classes both addons export, with the same constructor arguments and methods
 * (manyworlds_cuda.node adds `rollout`). @internal
 */
export interface BatchAddon {
  MapfBatch: new (params: MapfParams, io: WasmMemory, ioOffsets: Float64Array, threads: number) => NativeMapfBatch;
  VolleyballBatch: new (params: VolleyballParams, io: WasmMemory, ioOffsets: Float64Array, threads: number) => NativeVolleyballBatch;
  DispatchBatch: new (params: DispatchParams, io: WasmMemory, ioOffsets: Float64Array, threads: number) => NativeDispatchBatch;
  hardwareConcurrency: number;
  abiVersion: number;
}

/** The CPU addon's exports. @internal */
export type NativeAddon = BatchAddon;

/** Outcome of loading the addon. @internal */
export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

let cached: AddonLoad | undefined;

/** The package root (where package.json is), from src/ or dist/src/. @internal */
export function packageRoot(): string {
  // dist/src/backends/native/load.js or src/backends/native/load.ts: walk up to package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(resolve(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

/** Loads the CPU addon once; `MANYWORLDS_ADDON_DIR` overrides where it is looked for. @internal */
export function loadNativeAddon(): AddonLoad {
  if (cached) return cached;
  if (process.env.MANYWORLDS_DISABLE_NATIVE === '1') {
    cached = { ok: false, reason: 'disabled by MANYWORLDS_DISABLE_NATIVE=1' };
    return cached;
  }
  const root = packageRoot();
  const dirs = [process.env.MANYWORLDS_ADDON_DIR, 'build/Release', 'build'].filter((d): d is string => !!d);
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  const loadErrors: string[] = [];  // files that exist but would not load
  for (const d of dirs) {
    const file = resolve(root, d, 'manyworlds_cpu.node');
    if (!existsSync(file)) {
      tried.push(`${file}: not found`);
      continue;
    }
    try {
      const addon = require(file) as NativeAddon;
      cached = { ok: true, addon, path: file };
      return cached;
    } catch (err) {
      const message = (err as Error).message.replace(`${file}: `, '');  // dlopen repeats the path
      tried.push(`${file}: ${message}`);
      loadErrors.push(`${file} failed to load: ${message}`);
    }
  }
  const rebuild = 'In your project: `npm approve-scripts manyworlds` (npm 11.16+), then `npm rebuild manyworlds`; in a checkout: `npm run build:native`';
  let why =
    'it was not built: its install script did not run (npm --ignore-scripts, or an npm that runs only approved install scripts). ' +
    `${rebuild}. Needs cmake and a C++17 compiler`;
  if (loadErrors.length > 0) {
    why = `${loadErrors.join('; ')} (built for another Node or system? ${rebuild})`;
  } else {
    try {
      const status = JSON.parse(readFileSync(resolve(root, 'build', 'native-status.json'), 'utf8')) as { built: boolean; reason?: string };
      if (!status.built && status.reason) why = `npm install could not build it: ${status.reason}`;
    } catch {
      // no status file: install did not run the build
    }
  }
  cached = { ok: false, reason: `manyworlds_cpu.node is unavailable: ${why}. Tried: ${tried.join('; ')}` };
  return cached;
}
