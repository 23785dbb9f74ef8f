/**
 * `make()`: validates options, picks a backend and builds a {@link VectorEnv}.
 * @module
 */

import { availableParallelism, totalmem } from 'node:os';
import { webcrypto } from 'node:crypto';
import { InvalidConfigError, formatValue } from './errors.js';
import { VectorEnv } from './core/vector-env.js';
import type { AutoresetMode, MakeOptions } from './core/types.js';
import { lookup, type ResolvedMakeOptions } from './registry.js';
import { chooseBackend } from './backends/select.js';
import { resolveGpujsOptions } from './backends/gpujs/probe.js';
import './envs/index.js';
import type { MapfConfig } from './envs/mapf/config.js';
import type { EnvBatchTypes, EnvConfigs, MapfBatchTypes } from './env-types.js';


const AUTORESET: readonly AutoresetMode[] = ['same-step', 'next-step', 'disabled'];
const OPTION_KEYS = new Set(['numEnvs', 'seed', 'backend', 'numThreads', 'autoresetMode', 'keepFinalObs', 'maxBufferBytes', 'gpujs', 'config']);

function intOption(name: string, value: unknown, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new InvalidConfigError(`make(): ${name} must be an integer in [${lo}, ${hi}], got ${formatValue(value)}`, { field: name, value });
  }
  return value;
}

/** One rule for options and config fields alike: null is not "the default" (leaving the field out is). */
function refuseNull(where: string, key: string, v: unknown): void {
  if (v === null) throw new InvalidConfigError(`${where}: ${key} must not be null (leave it out for its default)`, { field: key, value: null });
}

/** Validates the env-independent options of `make()`. @internal */
export function resolveMakeOptions(o: MakeOptions<unknown>): ResolvedMakeOptions {
  if (typeof o !== 'object' || o === null) throw new InvalidConfigError('make(): options must be an object');
  for (const [key, v] of Object.entries(o)) {
    if (!OPTION_KEYS.has(key)) throw new InvalidConfigError(`make(): unknown option '${key}' (options: ${[...OPTION_KEYS].join(', ')})`, { field: key });
    refuseNull('make()', key, v);
  }
  if (o.keepFinalObs !== undefined && typeof o.keepFinalObs !== 'boolean') {
    throw new InvalidConfigError(`make(): keepFinalObs must be true or false, got ${formatValue(o.keepFinalObs)}`, { field: 'keepFinalObs' });
  }
  const numEnvs = intOption('numEnvs', o.numEnvs ?? 1, 1, 2 ** 24);
  const seed = o.seed === undefined ? webcrypto.getRandomValues(new Uint32Array(1))[0] : intOption('seed', o.seed, 0, 0xffffffff);
  const numThreads = intOption('numThreads', o.numThreads ?? Math.min(availableParallelism(), numEnvs), 1, 1024);
  const autoresetMode = o.autoresetMode ?? 'same-step';
  if (!AUTORESET.includes(autoresetMode)) {
    throw new InvalidConfigError(`make(): autoresetMode must be one of ${AUTORESET.join(', ')}, got ${formatValue(autoresetMode)}`, { field: 'autoresetMode' });
  }
  const maxBufferBytes = o.maxBufferBytes ?? Math.floor(totalmem() * 0.75);
  if (typeof maxBufferBytes !== 'number' || !(maxBufferBytes > 0) || !Number.isFinite(maxBufferBytes)) {
    throw new InvalidConfigError(`make(): maxBufferBytes must be a positive finite number, got ${formatValue(maxBufferBytes)}`, { field: 'maxBufferBytes' });
  }
  if (o.keepFinalObs && autoresetMode !== 'same-step') {
    throw new InvalidConfigError(`make(): keepFinalObs applies to autoresetMode 'same-step' only (got '${autoresetMode}'): ` +
      'in the other modes the step that ends an episode already returns its last observation', { field: 'keepFinalObs' });
  }
  const gpujs = resolveGpujsOptions(o.gpujs, availableParallelism());
  return {
    numEnvs, seed, numThreads: Math.min(numThreads, numEnvs), numThreadsGiven: o.numThreads !== undefined, autoresetMode,
    keepFinalObs: Boolean(o.keepFinalObs), maxBufferBytes, gpujs,
  };
}

/**
 * Creates a batch of `numEnvs` environments of `id` on a backend.
 *
 * In TypeScript a literal `id` picks the types: `config` is checked against {@link EnvConfigs}
 * for that id, and the batch is a `VectorEnv<EnvBatchTypes[id]>` whose observations, actions,
 * infos and spaces have the env's own types (for MAPF-v0, `obsDtype: 'uint8'` gives
 * `Uint8Array` observations). An id typed as a union of known ids gets their union's config and
 * types. An id typed only as `string` gets the general {@link VectorEnv}, and is the way to pass
 * options whose config is not typed (`make(id as string, options)`).
 *
 * @example
 * ```ts
 * import { make } from 'manyworlds';
 * const env = make('MAPF-v0', { numEnvs: 4096, seed: 1, config: { numAgents: 64, size: 64, obsRadius: 5 } });
 * const { obs, infos } = env.reset();
 * env.actions.fill(1);
 * const { rewards, terminations, truncations } = env.step();
 * env.close();
 * ```
 * @throws {@link UnknownEnvError} for an unknown id, {@link InvalidConfigError} / {@link InvalidMapError}
 * for bad options, {@link AllocationError} when the buffers would not fit, {@link BackendUnavailableError}.
 */
export function make<D extends 'float32' | 'uint8' = 'float32'>(id: 'MAPF-v0', options?: MakeOptions<MapfConfig & { obsDtype?: D }>):
  VectorEnv<MapfBatchTypes<D>>;
export function make<Id extends keyof EnvConfigs>(id: Id, options?: MakeOptions<EnvConfigs[Id]>): VectorEnv<EnvBatchTypes[Id]>;
export function make<Id extends string>(id: Id & (Id extends keyof EnvConfigs ? never : unknown), options?: MakeOptions<unknown>): VectorEnv;
export function make(id: string, options: MakeOptions<unknown> = {}): VectorEnv {
  const reg = lookup(id);
  const resolved = resolveMakeOptions(options);
  const config: unknown = options.config;
  if (config !== null && typeof config === 'object') for (const [key, v] of Object.entries(config)) refuseNull(id, key, v);
  const { spec, createEngine } = reg.prepare(options.config, resolved);
  const { backend, notes } = chooseBackend(id, options.backend, reg.backends);
  const engine = createEngine(backend);
  return new VectorEnv(spec, engine, resolved.seed, notes);
}
