/**
 * RideDispatch-v0 reward coefficients (reference/dispatch.md §3.8) and their presets. Per order
 * n assigned to vehicle v:
 *
 * ```
 * r_assign = wAssign + wFare·fare + wDist·tripKm − wPickup·pickupMin/60 − wTimeout·nTimeout
 *          − wAdd·addMin/60 − wAddExcess·max(0, addMin − thetaAdd)/60 − wTrip·tripMin
 *          − wDetourExisting·Σ_j (totalNew_j − totalOld_j)
 * r_v,t    = Σ r_assign − wIdle·[idle] − wEmptyMove·[moved empty] − wRepositionKm·km − wLostBid·[lost bid]
 * ```
 * @module
 */

import { isFloat32Finite } from '../../core/float32.js';
import { InvalidConfigError, formatValue } from '../../errors.js';

/** The reward coefficients, named as in reference/dispatch.md §3.8. */
export interface RewardCoefficients {
  /** Constant per assigned order. */
  wAssign: number;
  /** Per unit of fare of an assigned order. */
  wFare: number;
  /** Per trip kilometre of an assigned order. */
  wDist: number;
  /** Per hour of pickup ETA (subtracted). */
  wPickup: number;
  /** Per committed order whose planned total exceeds `thetaTimeout` minutes (subtracted). */
  wTimeout: number;
  /** Per hour of added route time (subtracted). */
  wAdd: number;
  /** Per hour of added route time above `thetaAdd` minutes (subtracted). */
  wAddExcess: number;
  /** Per solo-trip minute of an assigned order (subtracted). */
  wTrip: number;
  /** Per minute of delay imposed on already-committed orders (subtracted). */
  wDetourExisting: number;
  /** Per idle step (subtracted). */
  wIdle: number;
  /** Per step moving without passengers (subtracted). */
  wEmptyMove: number;
  /** Per repositioned kilometre (subtracted). */
  wRepositionKm: number;
  /** Per lost bid (subtracted). */
  wLostBid: number;
  /** Minutes of added time before `wAddExcess` applies. */
  thetaAdd: number;
  /** Planned minutes above which an order counts for `wTimeout`. */
  thetaTimeout: number;
}

/** Reward presets: Triple-BERT's `Platform.py` defaults, RideGym's rewards, or fare (GMV). */
export type RewardPreset = 'tripleBert' | 'rideGym' | 'fare';

/** A preset with some coefficients overridden. */
export interface RewardSpec extends Partial<RewardCoefficients> {
  /** The preset the other fields override. Default `'tripleBert'`. */
  preset?: RewardPreset;
}

/** Coefficient names in the native order (`RewardCoef` in dispatch_types.h). */
export const REWARD_COEFFICIENT_NAMES = [
  'wAssign', 'wFare', 'wDist', 'wPickup', 'wTimeout', 'wAdd', 'wAddExcess', 'wTrip',
  'wDetourExisting', 'wIdle', 'wEmptyMove', 'wRepositionKm', 'wLostBid', 'thetaAdd', 'thetaTimeout',
] as const satisfies ReadonlyArray<keyof RewardCoefficients>;

const ZERO: RewardCoefficients = {
  wAssign: 0, wFare: 0, wDist: 0, wPickup: 0, wTimeout: 0, wAdd: 0, wAddExcess: 0, wTrip: 0,
  wDetourExisting: 0, wIdle: 0, wEmptyMove: 0, wRepositionKm: 0, wLostBid: 0, thetaAdd: 0, thetaTimeout: 0,
};

/** The coefficients of each preset (unlisted coefficients are 0). */
export const REWARD_PRESETS: Readonly<Record<RewardPreset, Readonly<RewardCoefficients>>> = {
  tripleBert: { ...ZERO, wAssign: 3, wDist: 1, wPickup: 3, wTimeout: 1, wAdd: 3, wAddExcess: 5, thetaAdd: 40, thetaTimeout: 40 },
  rideGym: { ...ZERO, wAssign: 1, wTrip: 0.01, wDetourExisting: 0.05, wEmptyMove: 0.02, wIdle: 0.01 },
  fare: { ...ZERO, wFare: 1 },
};

/** Resolved reward coefficients. */
export interface ResolvedReward {
  /** By name. */
  coefficients: RewardCoefficients;
  /** `Float32Array(15)` in native `RewardCoef` order. */
  vector: Float32Array;
}

/**
 * Resolves a preset name or a {@link RewardSpec} into the coefficients and their `Float32Array(15)`
 * in native order. Coefficients must be finite; thresholds ≥ 0. Throws {@link InvalidConfigError}.
 */
export function resolveReward(spec: RewardPreset | RewardSpec | undefined): ResolvedReward {
  const fail = (field: string, value: unknown, rule: string): never => {
    throw new InvalidConfigError(`RideDispatch-v0: ${field} ${rule}, got ${formatValue(value)}`, { field, value });
  };
  const presetOf = (p: unknown): RewardPreset => {
    if (typeof p !== 'string' || !Object.hasOwn(REWARD_PRESETS, p)) fail('reward', p, "must be 'tripleBert', 'rideGym', 'fare' or { preset?, ...coefficients }");
    return p as RewardPreset;
  };
  let coefficients: RewardCoefficients;
  if (spec === undefined || typeof spec === 'string') {
    coefficients = { ...REWARD_PRESETS[presetOf(spec ?? 'tripleBert')] };
  } else {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail('reward', spec, 'must be a preset name or an object');
    coefficients = { ...REWARD_PRESETS[presetOf(spec.preset ?? 'tripleBert')] };
    for (const [k, v] of Object.entries(spec)) {
      if (k === 'preset') continue;
      if (!(REWARD_COEFFICIENT_NAMES as readonly string[]).includes(k)) fail(`reward.${k}`, v, `is not a reward coefficient (${REWARD_COEFFICIENT_NAMES.join(', ')})`);
      if (!isFloat32Finite(v)) fail(`reward.${k}`, v, 'must be a finite number within float32 range (|x| < 3.4e38)');
      if (k.startsWith('theta') && (v as number) < 0) fail(`reward.${k}`, v, 'must be ≥ 0 (minutes)');
      coefficients[k as keyof RewardCoefficients] = v as number;
    }
  }
  const vector = Float32Array.from(REWARD_COEFFICIENT_NAMES, (k) => coefficients[k]);
  return { coefficients, vector };
}
