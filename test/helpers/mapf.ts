/**
 * Small shared helpers for MAPF-v0 tests: backend discovery, building envs from hand-written
 * scenarios, and reading per-agent views out of the flat batch buffers.
 */
import { availableBackends, make, type BackendName, type MakeOptions, type MapfConfig, type VectorEnv } from '../../src/index.js';

/** Backends that can run MAPF-v0 here (every later backend is picked up automatically). */
export function mapfBackends(): BackendName[] {
  return availableBackends().filter((b) => b.available && b.envs.includes('MAPF-v0')).map((b) => b.name);
}

export type RC = [number, number];

/** Builds a one-env batch for a scenario, autoreset disabled unless overridden. */
export function makeMapf(config: MapfConfig, opts: Omit<MakeOptions<MapfConfig>, 'config'> = {}): VectorEnv {
  return make('MAPF-v0', { numEnvs: 1, seed: 0, numThreads: 1, autoresetMode: 'disabled', ...opts, config });
}

/** `[row, col]` of every agent of env `e` from an `[E, A, 2]` buffer. */
export function pairs(buf: Int32Array, e: number, numAgents: number): RC[] {
  const out: RC[] = [];
  for (let a = 0; a < numAgents; a++) out.push([buf[(e * numAgents + a) * 2], buf[(e * numAgents + a) * 2 + 1]]);
  return out;
}

/** Observation of agent `a` of env `e` as `[3][D][D]` nested arrays of numbers. */
export function obsOf(obs: ArrayLike<number>, e: number, a: number, numAgents: number, radius: number): number[][][] {
  const d = 2 * radius + 1;
  const base = (e * numAgents + a) * 3 * d * d;
  const out: number[][][] = [];
  for (let ch = 0; ch < 3; ch++) {
    const rows: number[][] = [];
    for (let y = 0; y < d; y++) {
      const row: number[] = [];
      for (let x = 0; x < d; x++) row.push(obs[base + ch * d * d + y * d + x]);
      rows.push(row);
    }
    out.push(rows);
  }
  return out;
}

/** Copies every output of a step/reset of a batch, for comparisons between twins. */
export interface Snapshot {
  obs: number[];
  rewards?: number[];
  terminations?: number[];
  truncations?: number[];
  agentMask: number[];
  positions: number[];
  goals: number[];
  done: number[];
}

export function snapshot(r: { obs: ArrayLike<number>; rewards?: ArrayLike<number>; terminations?: ArrayLike<number>; truncations?: ArrayLike<number>; infos: Record<string, unknown> }): Snapshot {
  const infos = r.infos as { agentMask: Uint8Array; positions: Int32Array; goals: Int32Array; episode: { done: Uint8Array } };
  return {
    obs: Array.from(r.obs),
    ...(r.rewards ? { rewards: Array.from(r.rewards) } : {}),
    ...(r.terminations ? { terminations: Array.from(r.terminations) } : {}),
    ...(r.truncations ? { truncations: Array.from(r.truncations) } : {}),
    agentMask: Array.from(infos.agentMask),
    positions: Array.from(infos.positions),
    goals: Array.from(infos.goals),
    done: Array.from(infos.episode.done),
  };
}
