/**
 * Env-independent helpers for the API conformance suites (Gymnasium vector-env checks, PettingZoo
 * parallel_api_test): which backends run an env, random actions from the env's own action space,
 * and digests / snapshots of every output buffer so that two runs can be compared bit for bit.
 */
import { availableBackends, type BackendName, type CounterRng, type VectorEnv } from '../../src/index.js';

/** Backends that load here and implement `id` (later backends are picked up automatically). */
export function envBackends(id: string): BackendName[] {
  return availableBackends().filter((b) => b.available && b.envs.includes(id)).map((b) => b.name);
}

/** A random batch of actions drawn from `env.actionSpace` (Int32Array or Float32Array, `[E, A(, k)]`). */
export function sampleActions(env: VectorEnv, rng: CounterRng): Int32Array | Float32Array {
  return env.actionSpace.sample(rng) as Int32Array | Float32Array;
}

/** What reset/step return, loosely typed. */
export interface Outputs {
  obs: ArrayBufferView;
  rewards?: ArrayBufferView;
  terminations?: ArrayBufferView;
  truncations?: ArrayBufferView;
  infos: Record<string, unknown>;
}

interface EpisodeViews {
  done: Uint8Array;
  return: Float32Array;
  length: Int32Array;
  metrics: Float32Array;
  metricNames: readonly string[];
}

/**
 * Every typed array of a step's outputs that is meaningful on that step, by name: obs, rewards,
 * flags, every typed-array field of `infos`, and — for the envs whose episode ended on this step
 * only (other entries are stale) — the episode statistics and `finalObs`.
 */
export function outputArrays(env: VectorEnv, r: Outputs): Array<[string, ArrayBufferView]> {
  const out: Array<[string, ArrayBufferView]> = [['obs', r.obs]];
  if (r.rewards) out.push(['rewards', r.rewards]);
  if (r.terminations) out.push(['terminations', r.terminations]);
  if (r.truncations) out.push(['truncations', r.truncations]);
  for (const [key, value] of Object.entries(r.infos)) {
    if (key === 'finalObs' || key === 'episode') continue;
    if (ArrayBuffer.isView(value)) out.push([`infos.${key}`, value]);
  }
  const ep = r.infos.episode as EpisodeViews;
  out.push(['episode.done', ep.done]);
  const A = env.numAgents, M = ep.metricNames.length, stride = ep.metrics.length / env.numEnvs;
  const fin = r.infos.finalObs as Float32Array | Uint8Array | undefined;
  for (let e = 0; e < env.numEnvs; e++) {
    if (!ep.done[e]) continue;
    out.push([`episode.length[${e}]`, ep.length.subarray(e, e + 1)]);
    out.push([`episode.return[${e}]`, ep.return.subarray(e * A, (e + 1) * A)]);
    out.push([`episode.metrics[${e}]`, ep.metrics.subarray(e * stride, e * stride + M)]);
    if (fin) out.push([`finalObs[${e}]`, fin.subarray(e * A * env.obsSize, (e + 1) * A * env.obsSize)]);
  }
  return out;
}

/** FNV-1a over the bytes of {@link outputArrays}: one number per step for cross-run comparisons. */
export function digest(env: VectorEnv, r: Outputs): number {
  let h = 0x811c9dc5;
  for (const [, v] of outputArrays(env, r)) {
    const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  }
  return h >>> 0;
}

/** Copies of {@link outputArrays} as plain number arrays (NaN-safe with `toEqual`), for readable diffs. */
export function snapshotAll(env: VectorEnv, r: Outputs): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, v] of outputArrays(env, r)) out[name] = Array.from(v as unknown as ArrayLike<number>);
  return out;
}

/** Digests of a reset and `steps` steps with actions sampled from `rng`. */
export function trajectory(env: VectorEnv, steps: number, rng: CounterRng, resetOpts: Parameters<VectorEnv['reset']>[0] = {}): number[] {
  const out = [digest(env, env.reset(resetOpts))];
  for (let t = 0; t < steps; t++) out.push(digest(env, env.step(sampleActions(env, rng))));
  return out;
}

/** Rows `[e * A, (e + 1) * A)` of a flat `[E, A, size]` buffer as numbers. */
export function rowsOf(buf: ArrayLike<number>, e: number, rowsPerEnv: number, size: number): number[] {
  const out: number[] = [];
  for (let i = e * rowsPerEnv * size; i < (e + 1) * rowsPerEnv * size; i++) out.push(buf[i]);
  return out;
}
