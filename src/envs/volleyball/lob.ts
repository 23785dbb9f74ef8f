/**
 * Ballistics for the scripted volleyball policy: when a falling ball reaches a height, and which
 * ball velocity after a hit sends it on a lob to a target over the net.
 * @module
 * @internal
 */

import { IRIS } from './controller.js';

const G = IRIS.gravity;
const NET = 2.43; // m, net height
/** Ball-drone restitution the scripted strikes plan with. @internal */
export const RESTITUTION = 0.8;

/** Time until a ball at height z rising at vz falls through height h, or NaN if it never reaches it. @internal */
export function descend(z: number, vz: number, h: number): number {
  const disc = vz * vz + 2 * G * (z - h);
  return disc < 0 ? NaN : (vz + Math.sqrt(disc)) / G;
}

/** √(a² + b² + c²) (Math.hypot is slow in V8's hot loops). @internal */
export function hypot(a: number, b: number, c = 0): number {
  return Math.sqrt(a * a + b * b + c * c);
}

/**
 * Sets `out` (3 numbers) to the velocity of the lob from (px, py, pz) to (tx, ty, tz), for a ball
 * arriving at (vx, vy, vz), whose flight time in 0.5..2.5 s clears the net by 0.4 m if it crosses
 * it and needs a drone normal speed of at most `dMax` at contact (else the least), choosing the
 * least tilt of the striking normal plus 0.3 rad per metre off `apex` (if given). @internal
 */
export function planLob(out: Float64Array, px: number, py: number, pz: number, vx: number, vy: number, vz: number,
  tx: number, ty: number, tz: number, dMax: number, apex = NaN): void {
  const cost = (T: number): number => lobCost(out, px, py, pz, vx, vy, vz, tx, ty, tz, dMax, apex, T);
  let bestT = 1.5, best = Infinity;
  for (let T = 0.5; T <= 2.51; T += 0.2) { // coarse, then the neighbours of the best
    const c = cost(T);
    if (c < best) { best = c; bestT = T; }
  }
  const mid = bestT;
  for (let T = mid - 0.1; T <= mid + 0.11; T += 0.2) {
    const c = T >= 0.5 ? cost(T) : Infinity;
    if (c < best) { best = c; bestT = T; }
  }
  lobTo(out, px, py, pz, tx, ty, tz, bestT);
}

/** The velocity that takes a ball from (px, py, pz) to (tx, ty, tz) in T seconds, into `out`. */
function lobTo(out: Float64Array, px: number, py: number, pz: number, tx: number, ty: number, tz: number, T: number): void {
  out[0] = (tx - px) / T;
  out[1] = (ty - py) / T;
  out[2] = (tz - pz) / T + 0.5 * G * T;
}

/** Cost of the lob of flight time T (see {@link planLob}); Infinity if it hits the net. Leaves the lob in `out`. */
function lobCost(out: Float64Array, px: number, py: number, pz: number, vx: number, vy: number, vz: number,
  tx: number, ty: number, tz: number, dMax: number, apex: number, T: number): number {
  lobTo(out, px, py, pz, tx, ty, tz, T);
  const ux = out[0], uy = out[1], uz = out[2];
  const tn = px * tx < 0 ? -px / ux : -1; // time at the net plane
  if (tn > 0 && pz + uz * tn - 0.5 * G * tn * tn < NET + 0.4) return Infinity;
  const nx = ux - vx, ny = uy - vy, nz = uz - vz, len = hypot(nx, ny, nz);
  const speed = (ux * nx + uy * ny + uz * nz + RESTITUTION * (vx * nx + vy * ny + vz * nz)) / ((1 + RESTITUTION) * len);
  if (speed > dMax + 0.05) return 10 + speed;
  const angle = Math.atan2(hypot(nx, ny), nz);
  return Number.isNaN(apex) ? angle : angle + 0.3 * Math.abs(pz + (uz * uz) / (2 * G) - apex);
}
