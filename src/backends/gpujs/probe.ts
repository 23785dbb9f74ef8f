/**
 * Which gpu.js mode runs the kernels here, chosen by this package's own probe rather than gpu.js's
 * default (which silently takes headless GL in Node or a software WebGL2 in a browser). Order:
 * webgpu and webgl2 when the adapter is real hardware, then webasm (threaded under `stepAsync`
 * where SharedArrayBuffer exists), then cpu. Every skipped mode comes with its reason.
 * @module
 */

import { BackendUnavailableError, InvalidConfigError, formatValue } from '../../errors.js';
import type { GpujsMode } from './gpujs-types.js';
import { IN_BROWSER, loadGpujs } from './load.js';

export type { GpujsMode } from './gpujs-types.js';

/** The modes in the order the automatic probe tries them. */
export const GPUJS_MODES: readonly GpujsMode[] = ['webgpu', 'webgl2', 'webasm', 'cpu'];

/** Options of the gpu.js backend (`make(id, { gpujs })`). */
export interface GpujsOptions {
  /**
   * `'auto'` (default, or the `MANYWORLDS_GPUJS_MODE` environment variable in Node) runs the probe;
   * a named mode is used if it can run here at all (a software adapter included), else
   * `make()` throws `BackendUnavailableError` with the reason.
   */
  mode?: GpujsMode | 'auto';
  /**
   * Let the automatic probe take a software GPU (SwiftShader, llvmpipe, lavapipe). Default false:
   * on a software adapter webasm is faster, so the probe skips it.
   */
  allowSoftwareGpu?: boolean;
  /**
   * Worker threads of threaded webasm (`stepAsync`). Default: one less than the cores
   * (`navigator.hardwareConcurrency` or Node's `availableParallelism()`), at least 1, so the
   * main thread's sequential phases overlap the kernels instead of competing with them.
   */
  workers?: number;
}

/** A gpu.js mode the probe did not choose. */
export interface GpujsSkip {
  /** The mode. */
  mode: GpujsMode;
  /** Why it was not chosen. */
  reason: string;
}

/** The probe's decision, published in `env.metadata.gpujs` and `availableBackends()`. */
export interface GpujsChoice {
  /** The mode the kernels run in. */
  mode: GpujsMode;
  /** The mode synchronous calls (`reset()`, `step()`) use: the same, or webasm/cpu beside webgpu. */
  syncMode: GpujsMode;
  /** Whether `stepAsync()` runs webasm kernels on worker threads. */
  threaded: boolean;
  /** How many worker threads when `threaded`. */
  workers: number;
  /** The GPU adapter or renderer, where the mode has one. */
  adapter?: string;
  /** Whether that adapter is a software rasterizer. */
  software?: boolean;
  /** Modes not chosen, and why. */
  skipped: GpujsSkip[];
  /** The gpu.js version. */
  gpujsVersion: string;
  /**
   * gpu.js's kernel class that really ran each kernel, filled in on its first run (sync and async
   * runs as `name` and `name (async)`): `CPUKernel`, `WebAssemblyKernel`, `WebGL2Kernel` or
   * `WebGPUKernel`. A class that does not match the mode is a gpu.js fallback, never hidden.
   */
  kernels: Record<string, string>;
}

interface AdapterInfo { available: boolean; description: string; software: boolean }

let webgpuAdapter: AdapterInfo | null = null;
let webgpuProbed = false;

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

/**
 * Asks `navigator.gpu` for an adapter and remembers what it is, so that a later synchronous
 * `make()` can choose webgpu. Call (and await) it once before `make()` where WebGPU may exist
 * (a browser); in Node without `navigator.gpu` it resolves at once.
 */
export async function prepareGpujs(): Promise<void> {
  webgpuProbed = true;
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator;
  if (!nav?.gpu) { webgpuAdapter = null; return; }
  try {
    const adapter = await nav.gpu.requestAdapter() as null | {
      isFallbackAdapter?: boolean; info?: { vendor?: string; architecture?: string; device?: string; description?: string };
    };
    if (!adapter) { webgpuAdapter = { available: false, description: 'requestAdapter() returned null', software: false }; return; }
    const info = adapter.info ?? {};
    const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';
    webgpuAdapter = { available: true, description, software: Boolean(adapter.isFallbackAdapter) || SOFTWARE.test(description) };
  } catch (err) {
    webgpuAdapter = { available: false, description: `requestAdapter() failed: ${(err as Error).message}`, software: false };
  }
}

function webgpuStatus(): { ok: boolean; reason: string; adapter?: AdapterInfo } {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (!nav?.gpu) {
    return { ok: false, reason: IN_BROWSER ? 'navigator.gpu is missing (WebGPU disabled in this browser)' : 'no navigator.gpu in Node.js (needs a Dawn binding installed by the user)' };
  }
  if (!webgpuProbed) return { ok: false, reason: 'adapter not probed: await prepareGpujs() before make()' };
  if (!webgpuAdapter?.available) return { ok: false, reason: `no adapter (${webgpuAdapter?.description ?? 'unknown'})` };
  return { ok: true, reason: '', adapter: webgpuAdapter };
}

function webgl2Status(gpuClassSupports: boolean): { ok: boolean; reason: string; adapter?: AdapterInfo } {
  if (!IN_BROWSER) return { ok: false, reason: 'no WebGL2 in Node.js (gpu.js would need headless-gl and an X display; not used by this package)' };
  if (!gpuClassSupports) return { ok: false, reason: 'no WebGL2 context in this browser' };
  const doc = (globalThis as { document?: { createElement(t: string): { getContext(k: string): unknown } } }).document;
  let description = 'unknown renderer';
  try {
    const gl = doc?.createElement('canvas').getContext('webgl2') as null | {
      getExtension(n: string): { UNMASKED_RENDERER_WEBGL: number } | null; getParameter(p: number): unknown; RENDERER: number;
    };
    if (!gl) return { ok: false, reason: 'canvas.getContext("webgl2") returned null' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    description = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch (err) {
    return { ok: false, reason: `WebGL2 probe failed: ${(err as Error).message}` };
  }
  return { ok: true, reason: '', adapter: { available: true, description, software: SOFTWARE.test(description) } };
}

function envMode(): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.MANYWORLDS_GPUJS_MODE;
}

function browserCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/**
 * Validates gpu.js options (typed errors for bad values); `cores` sizes the default worker count
 * (make() passes Node's `availableParallelism()`). @internal
 */
export function resolveGpujsOptions(o: GpujsOptions | undefined, cores = browserCores()): Required<GpujsOptions> {
  if (o !== undefined && (typeof o !== 'object' || o === null || Array.isArray(o) || ![Object.prototype, null].includes(Object.getPrototypeOf(o)))) {
    throw new InvalidConfigError(`make(): gpujs must be a plain object ({ mode?, allowSoftwareGpu?, workers? }), got ${formatValue(o)}`, { field: 'gpujs' });
  }
  for (const key of Object.keys(o ?? {})) {
    if (!['mode', 'allowSoftwareGpu', 'workers'].includes(key)) throw new InvalidConfigError(`make(): unknown gpujs option '${key}'`, { field: `gpujs.${key}` });
  }
  if (o?.allowSoftwareGpu !== undefined && typeof o.allowSoftwareGpu !== 'boolean') {
    throw new InvalidConfigError(`make(): gpujs.allowSoftwareGpu must be true or false, got ${formatValue(o.allowSoftwareGpu)}`, { field: 'gpujs.allowSoftwareGpu' });
  }
  const mode = o?.mode ?? (envMode() as GpujsMode | 'auto' | undefined) ?? 'auto';
  if (mode !== 'auto' && !GPUJS_MODES.includes(mode)) {
    const from = o?.mode === undefined ? 'MANYWORLDS_GPUJS_MODE' : 'make(): gpujs.mode';
    throw new InvalidConfigError(`${from} must be 'auto', ${GPUJS_MODES.map((m) => `'${m}'`).join(', ')}, got ${formatValue(mode)}`, { field: 'gpujs.mode', value: mode });
  }
  const workers = o?.workers ?? Math.max(1, cores - 1);
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new InvalidConfigError(`make(): gpujs.workers must be an integer in [1, 256], got ${formatValue(workers)}`, { field: 'gpujs.workers', value: workers });
  }
  return { mode, allowSoftwareGpu: Boolean(o?.allowSoftwareGpu), workers };
}

/**
 * Chooses the gpu.js mode for options `o`. Throws {@link BackendUnavailableError} when gpu.js does
 * not load or an explicitly requested mode cannot run here.
 */
export function chooseGpujsMode(o?: GpujsOptions): GpujsChoice {
  const { mode: wanted, allowSoftwareGpu, workers } = resolveGpujsOptions(o);
  const load = loadGpujs();
  if (!load.ok) throw new BackendUnavailableError(`gpujs: ${load.reason}`, { requested: 'gpujs', notes: [load.reason] });
  const { GPU, WebAssemblyKernel } = load.module;
  const threads = Boolean(WebAssemblyKernel?.isThreadsSupported);
  const skipped: GpujsChoice['skipped'] = [];
  const status = (m: GpujsMode): { ok: boolean; reason: string; adapter?: AdapterInfo } => {
    switch (m) {
      case 'webgpu': return webgpuStatus();
      case 'webgl2': return webgl2Status(GPU.isWebGL2Supported);
      case 'webasm': return GPU.isWebAssemblySupported ? { ok: true, reason: '' } : { ok: false, reason: 'WebAssembly is not supported here' };
      case 'cpu': return { ok: true, reason: '' };
    }
  };
  const pick = (mode: GpujsMode, adapter?: AdapterInfo): GpujsChoice => {
    const syncMode: GpujsMode = mode === 'webgpu' ? (GPU.isWebAssemblySupported ? 'webasm' : 'cpu') : mode;
    const threaded = mode === 'webasm' && threads;
    const choice: GpujsChoice = { mode, syncMode, threaded, workers: threaded ? workers : 0, skipped, gpujsVersion: load.version, kernels: {} };
    if (adapter) { choice.adapter = adapter.description; choice.software = adapter.software; }
    return choice;
  };
  if (wanted !== 'auto') {
    const s = status(wanted);
    if (!s.ok) throw new BackendUnavailableError(`gpujs: mode '${wanted}' cannot run here: ${s.reason}`, { requested: 'gpujs', notes: [s.reason] });
    for (const m of GPUJS_MODES) if (m !== wanted) skipped.push({ mode: m, reason: `mode '${wanted}' requested` });
    return pick(wanted, s.adapter);
  }
  for (const m of GPUJS_MODES) {
    const s = status(m);
    if (!s.ok) { skipped.push({ mode: m, reason: s.reason }); continue; }
    if (s.adapter?.software && !allowSoftwareGpu) {
      skipped.push({ mode: m, reason: `software adapter (${s.adapter.description}): webasm is faster; allowSoftwareGpu takes it` });
      continue;
    }
    return pick(m, s.adapter);
  }
  throw new BackendUnavailableError('gpujs: no mode can run here', { requested: 'gpujs', notes: skipped.map((s) => `${s.mode}: ${s.reason}`) });
}

/** One line for `availableBackends()`: what `'auto'` picks here and why the others were skipped. @internal */
export function describeGpujs(): { available: boolean; reason: string } {
  try {
    const c = chooseGpujsMode({ mode: 'auto' });
    const skipped = c.skipped.map((s) => `${s.mode}: ${s.reason}`).join('; ');
    return { available: true, reason: `gpu.js ${c.gpujsVersion}, mode ${c.mode}${c.threaded ? ' (threaded under stepAsync)' : ''}; skipped ${skipped}` };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}
