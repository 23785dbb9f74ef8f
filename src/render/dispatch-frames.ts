/**
 * RideDispatch-v0 episodes as plain frames: the {@link DispatchFrame} that `renderDispatchSvg`
 * draws, {@link collectDispatchFrames} to record them from a `VectorEnv`, the checks the renderer
 * runs on them, and {@link describeDispatchEpisode} for a one-line summary.
 * @module
 */

import { InvalidArgumentError } from '../errors.js';
import type { VectorEnv } from '../core/vector-env.js';
import { type DispatchInfos, dispatchEpisodeMetrics } from '../envs/dispatch/infos.js';
import { ORDER_FEATURES } from '../envs/dispatch/layout.js';
import { checkCollectArgs, checkField, checkFrameList } from './args.js';
import { formatNumber } from './svg.js';

/** One state of one env of a RideDispatch-v0 batch (the reset state or the state after a step), as plain arrays. */
export interface DispatchFrame {
  /** `[V, 2]` vehicle positions normalised to [0, 1], as `DispatchInfos.vehiclePositions` (y grows southwards). */
  positions: Float32Array | number[];
  /** `[V]` vehicle status: 0 idle, 1 to pickup, 2 to drop-off, 3 repositioning. */
  status: Int32Array | number[];
  /** `[V]` seats taken. */
  load: Int32Array | number[];
  /** `[K, 9]` the orders block of the frame's observation (valid, originX, originY, destX, destY, waited, ...). */
  orders: Float32Array | number[];
  /** `[V]` slot each vehicle won on the step that led to this frame, −1 none; slots index the previous frame's `orders` (ignored on the first frame). */
  wonSlot: Int32Array | number[];
  /** Orders assigned since the episode started, up to this frame. */
  served: number;
  /** Orders expired since the episode started, up to this frame. */
  expired: number;
  /** Metrics of the episode (as `dispatchEpisodeMetrics`) when it ended on this frame. */
  episode?: Readonly<Record<string, number>>;
}

/** Names of the vehicle statuses, in `DispatchInfos.vehicleStatus` order. */
export const DISPATCH_STATUS_NAMES: readonly string[] = ['idle', 'to pickup', 'to drop-off', 'repositioning'];


/**
 * One line summing up an episode's metrics: served and generated orders with the service rate,
 * expired orders, mean pickup and detour minutes, and revenue (`n/a` for undefined means).
 */
export function describeDispatchEpisode(m: Readonly<Record<string, number>>): string {
  const f = (v: number | undefined, d = 2): string => (v !== undefined && Number.isFinite(v) ? formatNumber(v, d) : 'n/a');
  return `served ${f(m.ordersServed, 0)} of ${f(m.ordersGenerated, 0)} orders (service rate ${f(m.serviceRate, 3)}), ` +
    `${f(m.ordersExpired, 0)} expired; mean pickup ${f(m.meanPickupMin)} min, detour ${f(m.meanDetourMin)} min; revenue ${f(m.revenue)}`;
}

/** Checks the frames of {@link renderDispatchSvg}; returns [V, K]. @internal */
export function dispatchFrameShape(frames: readonly DispatchFrame[]): [number, number] {
  checkFrameList('renderDispatchSvg', frames);
  for (const [i, f] of frames.entries()) {
    for (const name of ['positions', 'status', 'load', 'orders', 'wonSlot'] as const) checkField(`frame ${i}`, name, f[name]);
  }
  const v = frames[0].status.length, k = frames[0].orders.length / ORDER_FEATURES;
  frames.forEach((f, i) => {
    const lengths = { positions: 2 * v, status: v, load: v, orders: ORDER_FEATURES * k, wonSlot: v } as const;
    for (const [name, expected] of Object.entries(lengths)) {
      const a = f[name as keyof typeof lengths];
      if (a.length !== expected || !Number.isInteger(expected)) {
        throw new InvalidArgumentError(`frame ${i}: ${name} has length ${a.length}, expected ${expected}`, { frame: i, field: name });
      }
      for (let j = 0; j < a.length; j++) {
        if (!Number.isFinite(a[j])) throw new InvalidArgumentError(`frame ${i}: ${name}[${j}] is not finite`, { frame: i, field: name });
      }
    }
    for (let j = 0; j < v; j++) {
      if (!(Number.isInteger(f.status[j]) && f.status[j] >= 0 && f.status[j] < DISPATCH_STATUS_NAMES.length)) {
        throw new InvalidArgumentError(`frame ${i}: vehicle ${j} has status ${f.status[j]}, expected 0..${DISPATCH_STATUS_NAMES.length - 1}`, { frame: i, vehicle: j });
      }
      if (f.wonSlot[j] >= k || (i > 0 && f.wonSlot[j] >= 0 && !frames[i - 1].orders[ORDER_FEATURES * f.wonSlot[j]])) {
        throw new InvalidArgumentError(`frame ${i}: vehicle ${j} won slot ${f.wonSlot[j]}, which holds no order in the previous frame`, { frame: i, vehicle: j });
      }
    }
  });
  return [v, k];
}

/**
 * Plays env `envIndex`'s first episode of a RideDispatch-v0 `VectorEnv` for at most `steps` steps
 * (`env.reset()`, then per step `policy(obs, infos)`, which writes `env.actions` for the whole
 * batch, e.g. `makeDispatchPolicy`'s, and `env.step()`) and returns the reset frame and one frame
 * per step. Served counts the won bids; expired counts the orders pending before a step, not won
 * on it, and at their last matchable step (waited = (maxWait − 1) / maxWait), which is exactly
 * when the env expires them. The episode's metrics are on the frame where it ended (the last).
 * The env must not use `'same-step'` autoreset, which would replace the final state.
 * @throws InvalidArgumentError, before touching the env, for a non-dispatch or same-step env, an env
 *   index out of range, a negative step count or a policy that is not a function.
 */
export function collectDispatchFrames(env: VectorEnv, envIndex: number, steps: number,
  policy: (obs: Float32Array, infos: DispatchInfos) => void): DispatchFrame[] {
  const cfg = env.metadata.config as { maxWait?: number; numSlots?: number } | undefined;
  const layout = env.metadata.observationLayout as { orders: [number, number] } | undefined;
  if (env.id !== 'RideDispatch-v0' || cfg?.maxWait === undefined || cfg.numSlots === undefined || layout === undefined) {
    throw new InvalidArgumentError(`collectDispatchFrames: ${env.id} is not a RideDispatch-v0 env`, { id: env.id });
  }
  checkCollectArgs('collectDispatchFrames', env, envIndex, steps, policy);
  const V = env.numAgents, K = cfg.numSlots, W = cfg.maxWait, i = envIndex;
  const r = env.reset();
  const infos = r.infos as DispatchInfos;
  let obs = r.obs as Float32Array;
  const at = i * V * env.obsSize + layout.orders[0];
  let served = 0, expired = 0;
  const frame = (ended: boolean): DispatchFrame => ({
    positions: infos.vehiclePositions.slice(2 * V * i, 2 * V * (i + 1)),
    status: infos.vehicleStatus.slice(V * i, V * (i + 1)),
    load: infos.vehicleLoad.slice(V * i, V * (i + 1)),
    orders: obs.slice(at, at + ORDER_FEATURES * K),
    wonSlot: infos.wonSlot.slice(V * i, V * (i + 1)),
    served, expired,
    ...(ended ? { episode: dispatchEpisodeMetrics(infos, i) } : {}),
  });
  const frames = [frame(false)];
  const won = new Uint8Array(K);
  for (let t = 0; t < steps; t++) {
    const before = frames[frames.length - 1].orders;
    policy(obs, infos);
    obs = env.step().obs as Float32Array;
    won.fill(0);
    for (let v = 0; v < V; v++) {
      const s = infos.wonSlot[V * i + v];
      if (s >= 0) { won[s] = 1; served++; }
    }
    for (let s = 0; s < K; s++) {
      const o = ORDER_FEATURES * s;
      if (before[o] && !won[s] && Math.round(before[o + 5] * W) >= W - 1) expired++;
    }
    const ended = infos.episode.done[i] === 1;
    frames.push(frame(ended));
    if (ended) break;
  }
  return frames;
}
