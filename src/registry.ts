/**
 * The env registry: ids, descriptions and factories. Env modules register themselves.
 * @module
 */

import { UnknownEnvError } from './errors.js';
import type { VectorEnvSpec } from './core/vector-env.js';
import type { EnvEngine } from './core/engine.js';
import type { AutoresetMode, BackendName } from './core/types.js';
import type { GpujsOptions } from './backends/gpujs/probe.js';

/** Options a factory receives after `make()` validated them. @internal */
export interface ResolvedMakeOptions {
  numEnvs: number;
  seed: number;
  numThreads: number;
  /** Whether the caller gave `numThreads` (rather than the default, the cores). */
  numThreadsGiven?: boolean;
  autoresetMode: AutoresetMode;
  keepFinalObs: boolean;
  maxBufferBytes: number;
  /** gpu.js options, checked. */
  gpujs: Required<GpujsOptions>;
}

/** A registered env: how to validate its config and build it on a backend. @internal */
export interface EnvRegistration<C = unknown> {
  /** Versioned id, e.g. `'MAPF-v0'`. */
  id: string;
  /** One-line description for `listEnvs()`. */
  description: string;
  /** Backends that implement it. */
  backends: readonly BackendName[];
  /** Validates the config (throws typed errors) and returns the static spec and an engine factory. */
  prepare(config: C | undefined, options: ResolvedMakeOptions): {
    spec: VectorEnvSpec;
    createEngine(backend: BackendName): EnvEngine;
  };
}

const registry = new Map<string, EnvRegistration<never>>();

/** Registers an env id. @internal */
export function register<C>(reg: EnvRegistration<C>): void {
  registry.set(reg.id, reg as EnvRegistration<never>);
}

/** Looks up an env id; throws {@link UnknownEnvError}. @internal */
export function lookup(id: string): EnvRegistration<unknown> {
  const reg = registry.get(id);
  if (!reg) throw new UnknownEnvError(String(id), [...registry.keys()]);
  return reg as EnvRegistration<unknown>;
}

/** A registered environment, as {@link listEnvs} describes it. */
export interface EnvListing {
  /** Versioned env id. */
  id: string;
  /** One-line description. */
  description: string;
  /** Backends that implement it (whether they load here: see `availableBackends()`). */
  backends: readonly BackendName[];
}

/** All registered environments. */
export function listEnvs(): EnvListing[] {
  return [...registry.values()].map((r) => ({ id: r.id, description: r.description, backends: r.backends }));
}
