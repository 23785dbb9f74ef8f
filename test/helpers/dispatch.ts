/**
 * Shared helpers for the RideDispatch-v0 tests: env construction, readers for the flat
 * observation rows and infos (written from docs/envs/dispatch.md, independently of the env's own
 * constants), policies built from the action mask (random valid actions, nearest-ETA bids), the
 * vehicle start zones recomputed from the counter RNG, and hand-made matrix cities.
 */
import {
  make, rngBelow, rngDraw, type BackendName, type CityFile, type CounterRng, type DispatchConfig, type DispatchInfos, type MakeOptions,
  type VectorEnv,
} from '../../src/index.js';
import { envBackends } from './conformance.js';

export const DISPATCH_ID = 'RideDispatch-v0';

/** The 18 episode metrics, in slot order (docs/envs/dispatch.md, "Metrics"). */
export const METRICS = [
  'ordersGenerated', 'ordersServed', 'ordersCompleted', 'ordersExpired', 'ordersOverflow', 'pendingAtEnd',
  'serviceRate', 'meanPickupMin', 'meanConfirmationMin', 'meanDeliveryMin', 'meanDetourMin', 'revenue',
  'vehicleUtilisation', 'emptyKm', 'repositionKm', 'bidConflicts', 'invalidActions', 'episodeReturn',
] as const;
export type MetricName = (typeof METRICS)[number];

/** Vehicle status codes (`infos.vehicleStatus`, self features 3–6). */
export const STATUS = { idle: 0, toPickup: 1, toDropoff: 2, repositioning: 3 } as const;

/** Backends that run RideDispatch-v0 here. */
export function dispatchBackends(): BackendName[] {
  return envBackends(DISPATCH_ID);
}

/** Options of {@link makeDispatch}: `make()` options with the config merged in. */
export type DispatchOptions = Omit<MakeOptions<DispatchConfig>, 'config'> & { config?: DispatchConfig };

/** A RideDispatch-v0 batch: 1 env, seed 0, one thread, autoreset disabled unless overridden. */
export function makeDispatch(opts: DispatchOptions = {}): VectorEnv {
  return make(DISPATCH_ID as string, { numEnvs: 1, seed: 0, numThreads: 1, autoresetMode: 'disabled', ...opts, config: opts.config ?? {} } as MakeOptions<unknown>);
}

/** Shapes of a batch, from the config the test chose (not from the env). */
export interface Dims {
  V: number; K: number; C: number; R: number; Z: number; A: number;
  /** Block starts in an observation row: self (12 + 7C), orders (9K), pair (2K, optional), global (4), maps (2Z, optional); D its length. */
  self: number; orders: number; pair: number; global: number; maps: number; D: number;
}

/**
 * Block offsets of a vehicle's observation row for the given sizes (docs/envs/dispatch.md,
 * "Observations"): the pair block is there only with `pairInsertionCost`, the maps only with
 * `globalMaps`.
 */
export function dims(V: number, K: number, C: number, R: number, Z: number, blocks: { pair?: boolean; maps?: boolean } = {}): Dims {
  const self = 0, orders = 12 + 7 * C, pair = orders + 9 * K, global = pair + (blocks.pair ? 2 * K : 0), maps = global + 4;
  return { V, K, C, R, Z, A: 1 + K + R, self, orders, pair, global, maps, D: maps + (blocks.maps ? 2 * Z : 0) };
}

/** Episode metrics of env `e` keyed by name. */
export function metricsOf(infos: DispatchInfos, e: number): Record<MetricName, number> {
  const m = infos.episode.metrics, n = METRICS.length;
  return Object.fromEntries(METRICS.map((k, i) => [k, m[e * n + i]])) as Record<MetricName, number>;
}

/** generated − (served + expired + overflow + pendingAtEnd): 0 on every finished episode. */
export function conservationGap(m: Record<MetricName, number>): number {
  return m.ordersGenerated - (m.ordersServed + m.ordersExpired + m.ordersOverflow + m.pendingAtEnd);
}

/** Indices of the valid actions of vehicle row `i` (`e · V + v`) from `infos.actionMask`. */
export function validActions(infos: DispatchInfos, i: number, A: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < A; a++) if (infos.actionMask[i * A + a]) out.push(a);
  return out;
}

/**
 * Random actions that respect the mask: each vehicle keeps the no-op with probability `pNoop`,
 * else takes a uniformly drawn valid action (which may still lose a conflict).
 */
export function randomValidActions(env: VectorEnv, infos: DispatchInfos, rng: CounterRng, pNoop = 0.3, out?: Int32Array): Int32Array {
  const n = env.numEnvs * env.numAgents, A = numActions(env);
  const acts = out ?? new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const valid = validActions(infos, i, A);
    acts[i] = rng.uniform() < pNoop || valid.length <= 1 ? 0 : valid[1 + rng.below(valid.length - 1)];
  }
  return acts;
}

/** Number of actions of one vehicle. */
export function numActions(env: VectorEnv): number {
  return (env.singleActionSpace as unknown as { n: number }).n;
}

/**
 * The pickup ETA (minutes) of vehicle row `i` to slot `k`, read from the pair block of its
 * observation row (needs `pairInsertionCost: true`).
 */
export function etaOf(obs: Float32Array, d: Dims, i: number, k: number): number {
  return Math.round(obs[i * d.D + d.pair + 2 * k] * 60);
}

/**
 * Greedy nearest bids: every vehicle bids on the valid slot with the smallest pickup ETA (ties to
 * the lowest slot), or no-ops. Several vehicles may bid on one slot: the env's conflict rule picks
 * the winner. Needs `pairInsertionCost: true` (ETAs come from the pair block).
 */
export function nearestBids(obs: Float32Array, infos: DispatchInfos, d: Dims, numEnvs: number, out?: Int32Array): Int32Array {
  const n = numEnvs * d.V;
  const acts = out ?? new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bestEta = Infinity;
    for (let k = 0; k < d.K; k++) {
      if (!infos.actionMask[i * d.A + 1 + k]) continue;
      const eta = etaOf(obs, d, i, k);
      if (eta < bestEta) { bestEta = eta; best = 1 + k; }
    }
    acts[i] = best;
  }
  return acts;
}

/** Zone vehicle `a` starts an episode in (docs/rng.md, RideDispatch-v0 stream 0). */
export function startZone(seed: number, episode: number, a: number, numZones: number): number {
  return rngBelow(rngDraw(seed >>> 0, 0, 0, episode, 0, a)[0], numZones);
}

/** A seed whose vehicles 0..n−1 start in the given zones (episode 0), searched from 0 upwards. */
export function seedWithStarts(zones: readonly number[], numZones: number, limit = 1 << 20): number {
  for (let s = 0; s < limit; s++) if (zones.every((z, a) => startZone(s, 0, a, numZones) === z)) return s;
  throw new Error(`no seed below ${limit} puts the vehicles at ${zones.join(', ')}`);
}

/** A city file object from `[Z][Z]` minutes and km; zones on a horizontal line unless `xy` is given. */
export function matrixCity(minutes: number[][], km: number[][], xy?: Array<[number, number]>, name = 'hand-made'): CityFile {
  const z = minutes.length;
  return {
    format: 'manyworlds-dispatch-city', version: 1, name,
    zones: Array.from({ length: z }, (_, i) => ({ name: `z${i}`, x: xy ? xy[i][0] : (i + 0.5) / z, y: xy ? xy[i][1] : 0.5 })),
    minutes, km,
  };
}

/** Sum of an array-like. */
export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
