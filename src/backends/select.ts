/**
 * Which backends can run here, and which one `backend: 'auto'` picks.
 * @module
 */

import { BackendUnavailableError, InvalidConfigError, formatValue } from '../errors.js';
import type { BackendName, BackendReport } from '../core/types.js';
import { listEnvs } from '../registry.js';
import { loadNativeAddon } from './native/load.js';
import { loadCudaAddon } from './cuda/load.js';
import { describeGpujs } from './gpujs/probe.js';

const ORDER: readonly BackendName[] = ['cuda', 'native', 'gpujs'];

function probe(name: BackendName): { available: boolean; reason: string } {
  switch (name) {
    case 'native': {
      const load = loadNativeAddon();
      return load.ok ? { available: true, reason: `loaded ${load.path}` } : { available: false, reason: load.reason };
    }
    case 'cuda': {
      const load = loadCudaAddon();
      return load.ok ? { available: true, reason: `loaded ${load.path}: ${load.probe.reason}` } : { available: false, reason: load.reason };
    }
    case 'gpujs':
      return describeGpujs();
  }
}

/** Reports every backend: whether it loads here, why not, and which envs it implements. */
export function availableBackends(): BackendReport[] {
  const envs = listEnvs();
  return ORDER.map((name) => {
    const { available, reason } = probe(name);
    return { name, available, reason, envs: envs.filter((e) => e.backends.includes(name)).map((e) => e.id) };
  });
}

/**
 * Resolves a requested backend for env `id`: `'auto'` (or `MANYWORLDS_BACKEND`) picks the first
 * available backend that implements the env; an explicit unavailable backend throws
 * {@link BackendUnavailableError} with the reason. Returns the choice and notes on skipped ones.
 * @internal
 */
export function chooseBackend(id: string, requested: BackendName | 'auto' | undefined, implemented: readonly BackendName[]):
  { backend: BackendName; notes: string[] } {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const wanted = requested ?? (proc?.env?.MANYWORLDS_BACKEND as BackendName | 'auto' | undefined) ?? 'auto';
  if (wanted !== 'auto' && !ORDER.includes(wanted)) {
    const from = requested === undefined ? 'MANYWORLDS_BACKEND' : 'backend';
    throw new InvalidConfigError(`${from} must be 'auto', 'native', 'cuda' or 'gpujs', got ${formatValue(wanted)}`, { field: 'backend', value: wanted });
  }
  const notes: string[] = [];
  for (const name of wanted === 'auto' ? ORDER : [wanted]) {
    if (!implemented.includes(name)) {
      notes.push(`${name}: does not implement ${id}`);
      continue;
    }
    const { available, reason } = probe(name);
    if (available) return { backend: name, notes };
    notes.push(`${name}: ${reason}`);
  }
  throw new BackendUnavailableError(`${id}: no usable backend (${wanted}): ${notes.join('; ')}`, { id, requested: wanted, notes });
}
