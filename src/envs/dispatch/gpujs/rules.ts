/**
 * RideDispatch-v0 on the gpu.js backend: the validity rules of bids and repositions (the action
 * mask's rules, re-checked when a step runs) and a vehicle's interpolated position, ported from
 * `native/envs/dispatch/dispatch_obs.h`.
 * @module
 * @internal
 */

import { IDLE } from './constants.js';
import type { CityView, DispatchState } from './state.js';

/** `bid_ok`: vehicle row i may bid on order slot row `ok` (env · K + k). @internal */
export function bidOk(s: DispatchState, c: CityView, i: number, ok: number, freeSeats: number, accept: boolean): boolean {
  if (!accept || !s.ordValid[ok] || s.ordParty[ok] > freeSeats) return false;
  const eta = s.vehRemain[i] + c.slot.tt[c.ttAt + s.vehTo[i] * s.p.Z + s.ordOrigin[ok]];
  return eta <= s.p.maxPickupMin;
}

/** `reposition_ok`: vehicle row i may reposition to neighbour r. @internal */
export function repositionOk(s: DispatchState, c: CityView, i: number, r: number): boolean {
  return s.p.reposition === 1 && s.vehStatus[i] === IDLE && c.slot.nb[s.vehTo[i] * s.p.R + r] >= 0;
}

/**
 * `vehicle_xy`: the position of vehicle row i, linear along its leg, in float32 (the C++ chain
 * of float operations). Writes x, y into `out[at]`, `out[at + 1]`. @internal
 */
export function vehicleXy(s: DispatchState, c: CityView, i: number, out: Float32Array, at: number): void {
  const f = Math.fround, xy = c.slot.xy, to = 2 * s.vehTo[i];
  let x = xy[to], y = xy[to + 1];
  if (s.vehRemain[i] > 0 && s.vehTotal[i] > 0) {
    const from = 2 * s.vehFrom[i];
    const left = f(s.vehRemain[i] / s.vehTotal[i]);
    x = f(x + f(f(xy[from] - xy[to]) * left));
    y = f(y + f(f(xy[from + 1] - xy[to + 1]) * left));
  }
  out[at] = x;
  out[at + 1] = y;
}
