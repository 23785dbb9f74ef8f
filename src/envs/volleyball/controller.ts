/**
 * A scripted flight controller for the volleyball envs' Iris drones: cascaded position →
 * attitude → body-rate control whose torques go through the exact mixer of the rotor geometry
 * (`native/envs/volleyball/vb_physics.h`) and whose per-rotor thrusts are turned into commands
 * that cancel the first-order rotor lag. Allocation-free per call.
 * @module
 */

/** Constants of the simulated 3DR Iris (VolleyBots' iris.yaml, rotor layout of PX4's iris.sdf). */
export const IRIS = Object.freeze({
  /** Mass, kg. */
  mass: 1.52,
  /** Gravity, m/s². */
  gravity: 9.81,
  /** Inertia diagonal (xx, yy, zz), kg m². */
  inertia: Object.freeze([0.0347563, 0.0458929, 0.0977] as const),
  /** Maximum thrust of one rotor, N (838² × 8.54858e-6). */
  maxThrust: 6.00318692,
  /** Maximum reaction torque of one rotor, N m (838² × 1.3677728816219314e-7). */
  maxMoment: 0.0960504,
  /** Fraction of the way the throttle moves to its target per 20 ms step. */
  rotorTau: 0.43,
  /** Rotor positions (x, y) in the body frame, m. */
  rotorPositions: Object.freeze([[0.13, -0.22], [-0.13, 0.2], [0.13, 0.22], [-0.13, -0.2]] as const),
  /** Rotor spin directions; rotor i adds −dir·t·maxMoment of torque about body z. */
  rotorDirections: Object.freeze([1, 1, -1, -1] as const),
  /** Control step, s. */
  dt: 0.02,
});

const M = IRIS.mass, G = IRIS.gravity, KF = IRIS.maxThrust, TAU = IRIS.rotorTau;
const [JX, JY, JZ] = IRIS.inertia;

/** Per-rotor command that holds the drone's weight at steady state: 2 m g / (4 maxThrust) − 1 ≈ 0.2419. */
export const HOVER_COMMAND = (2 * M * G) / (4 * KF) - 1;
/** Rotor throttle (normalized rotor speed) at hover: √(m g / (4 maxThrust)) ≈ 0.788. */
export const HOVER_THROTTLE = Math.sqrt((M * G) / (4 * KF));

// Wrench of rotor thrusts f (N): [Σf, Σ y_i f_i, −Σ x_i f_i, −Σ dir_i (KM/KF) f_i]; its inverse, row-major.
const MIX = ((): Float64Array => {
  const a: number[][] = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((i) => {
    const [x, y] = IRIS.rotorPositions[i];
    return [1, y, -x, (-IRIS.rotorDirections[i] * IRIS.maxMoment) / KF][r];
  }));
  const inv = [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => (r === c ? 1 : 0)));
  for (let c = 0; c < 4; c++) { // Gauss-Jordan with partial pivoting
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    [inv[c], inv[p]] = [inv[p], inv[c]];
    const d = a[c][c];
    for (let k = 0; k < 4; k++) { a[c][k] /= d; inv[c][k] /= d; }
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let k = 0; k < 4; k++) { a[r][k] -= f * a[c][k]; inv[r][k] -= f * inv[c][k]; }
    }
  }
  return Float64Array.from(inv.flat());
})();

/**
 * Per-rotor thrusts (N) that produce collective thrust `thrust` (N, along body z) and body torques
 * `tx`, `ty`, `tz` (N m), by inverting the rotor geometry exactly. With `saturate`, thrusts are
 * kept in [0, maxThrust]: roll/pitch torque is scaled down first if it alone does not fit, then the
 * collective is shifted, then yaw torque is scaled down.
 * @param out - receives the 4 thrusts at `offset`.
 * @returns `out`.
 */
export function mixRotorThrusts<T extends Float32Array | Float64Array | number[]>(
  thrust: number, tx: number, ty: number, tz: number, out: T, saturate = true, offset = 0): T {
  if (!saturate) {
    for (let i = 0; i < 4; i++) out[offset + i] = MIX[4 * i] * thrust + MIX[4 * i + 1] * tx + MIX[4 * i + 2] * ty + MIX[4 * i + 3] * tz;
    return out;
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < 4; i++) {
    const rp = MIX[4 * i + 1] * tx + MIX[4 * i + 2] * ty;
    lo = Math.min(lo, rp);
    hi = Math.max(hi, rp);
  }
  const s = hi - lo > KF ? KF / (hi - lo) : 1;
  const base = Math.min(Math.max(thrust / 4, -lo * s), KF - hi * s);
  let k = 1; // largest yaw scale keeping every rotor in range
  for (let i = 0; i < 4; i++) {
    const f = base + s * (MIX[4 * i + 1] * tx + MIX[4 * i + 2] * ty), y = MIX[4 * i + 3] * tz;
    if (f + y > KF) k = Math.min(k, (KF - f) / y);
    else if (f + y < 0) k = Math.min(k, -f / y);
  }
  k = Math.max(k, 0);
  for (let i = 0; i < 4; i++) {
    out[offset + i] = base + s * (MIX[4 * i + 1] * tx + MIX[4 * i + 2] * ty) + k * MIX[4 * i + 3] * tz;
  }
  return out;
}

/** Gains and limits of {@link DroneController}. */
export interface ControllerGains {
  /** Horizontal position error → acceleration, 1/s². */
  position: number;
  /** Horizontal velocity error → acceleration, 1/s. */
  velocity: number;
  /** Vertical position error → acceleration, 1/s² (thrust alone acts on it: stiffer). */
  positionZ: number;
  /** Vertical velocity error → acceleration, 1/s. */
  velocityZ: number;
  /** Attitude error → body-rate target, 1/s, for roll/pitch and yaw. */
  attitude: readonly [number, number];
  /** Body-rate error → angular acceleration, 1/s, for roll/pitch and yaw. */
  rate: readonly [number, number];
  /** Largest horizontal acceleration the position loop asks for, m/s². */
  maxAccelXY: number;
  /** Largest vertical acceleration (either sign) the position loop asks for, m/s². */
  maxAccelZ: number;
  /** Largest tilt of the wanted thrust axis from vertical, rad. */
  maxTilt: number;
}

/** Default gains, tuned on `Volleyball-BackAndForth-v0` (see the controller tests). */
export const DEFAULT_GAINS: Readonly<ControllerGains> = Object.freeze({
  position: 5, velocity: 4.2, positionZ: 12, velocityZ: 7, attitude: [9, 2] as const, rate: [22, 8] as const, maxAccelXY: 7, maxAccelZ: 6, maxTilt: 0.6,
});

/** A setpoint for {@link DroneController.control}: world frame, reused between calls. */
export class DroneTarget {
  /** Wanted position, m. */
  readonly position = new Float64Array(3);
  /** Wanted velocity (feed-forward), m/s; zero by default. */
  readonly velocity = new Float64Array(3);
  /** Feed-forward acceleration, m/s²; zero by default. */
  readonly acceleration = new Float64Array(3);
  /** Wanted yaw, rad; `NaN` (default) holds the current heading and only damps the yaw rate. */
  yaw = NaN;

  /** Sets the position and clears velocity, acceleration and yaw. @returns this. */
  set(x: number, y: number, z: number): this {
    this.position[0] = x; this.position[1] = y; this.position[2] = z;
    this.velocity.fill(0);
    this.acceleration.fill(0);
    this.yaw = NaN;
    return this;
  }
}

/**
 * Cascaded controller of one Iris drone, fed with the 13-number world state of `infos.drones`
 * (position, quaternion wxyz, velocity, world angular velocity). Position and velocity errors give
 * a wanted acceleration and so a thrust vector; its direction is the wanted body z axis, tracked by
 * a geometric attitude loop (SO(3) error) that sets body-rate targets; a rate loop turns those into
 * torques, which {@link mixRotorThrusts} maps to rotor thrusts. With the rotors' current throttles
 * given, the commands invert the rotor lag, so the thrusts are reached on the next step.
 */
export class DroneController {
  /** Gains in use. */
  readonly gains: Readonly<ControllerGains>;
  private readonly thrusts = new Float64Array(4);

  /** @param gains - overrides of {@link DEFAULT_GAINS}. */
  constructor(gains: Partial<ControllerGains> = {}) {
    this.gains = Object.freeze({ ...DEFAULT_GAINS, ...gains });
  }

  /**
   * Writes 4 rotor commands in [-1, 1] to `out[outOffset..]` that fly the drone whose state starts
   * at `state[offset]` to `target`.
   * @param throttle - the drone's 4 rotor throttles at `throttleOffset` (as in observation entries
   *   19–22, mapped back from [-1, 1] to [0, 1]); advanced by the lag model as the commands are
   *   applied, so a caller can keep them as its model of the rotors. Without it the commands ask
   *   for the thrusts at steady state (lagging by about 35 ms).
   */
  control(state: ArrayLike<number>, offset: number, target: DroneTarget, out: Float32Array, outOffset: number,
    throttle?: Float32Array, throttleOffset = 0): void {
    const g = this.gains, p = target.position, v = target.velocity, a = target.acceleration;
    let ax = g.position * (p[0] - state[offset]) + g.velocity * (v[0] - state[offset + 7]) + a[0];
    let ay = g.position * (p[1] - state[offset + 1]) + g.velocity * (v[1] - state[offset + 8]) + a[1];
    const az = Math.min(Math.max(g.positionZ * (p[2] - state[offset + 2]) + g.velocityZ * (v[2] - state[offset + 9]) + a[2], -g.maxAccelZ), g.maxAccelZ);
    const fz = az + G, axy = hypot(ax, ay), lim = Math.min(g.maxAccelXY, fz * Math.tan(g.maxTilt));
    if (axy > lim) { ax *= lim / axy; ay *= lim / axy; }
    const n = hypot(ax, ay, fz);
    // Collective thrust: the wanted force projected on the current body z axis.
    const qw = state[offset + 3], qx = state[offset + 4], qy = state[offset + 5], qz = state[offset + 6];
    const bx = 2 * (qx * qz + qw * qy), by = 2 * (qy * qz - qw * qx), bz = 1 - 2 * (qx * qx + qy * qy);
    const thrust = M * Math.max(ax * bx + ay * by + fz * bz, 0.2 * G);
    this.attitude(state, offset, ax / n, ay / n, fz / n, thrust, target.yaw, out, outOffset, throttle, throttleOffset);
  }

  /**
   * Lower level: writes rotor commands for collective thrust `thrust` (N) with the body z axis
   * turned to the unit vector (`zx`, `zy`, `zz`) and heading `yaw` (rad; `NaN` holds it).
   * Parameters as {@link DroneController.control}.
   */
  attitude(state: ArrayLike<number>, offset: number, zx: number, zy: number, zz: number, thrust: number, yaw: number,
    out: Float32Array, outOffset: number, throttle?: Float32Array, throttleOffset = 0): void {
    const g = this.gains;
    const qw = state[offset + 3], qx = state[offset + 4], qy = state[offset + 5], qz = state[offset + 6];
    // Current rotation R (body -> world), row-major.
    const r00 = 1 - 2 * (qy * qy + qz * qz), r01 = 2 * (qx * qy - qw * qz), r02 = 2 * (qx * qz + qw * qy);
    const r10 = 2 * (qx * qy + qw * qz), r11 = 1 - 2 * (qx * qx + qz * qz), r12 = 2 * (qy * qz - qw * qx);
    const r20 = 2 * (qx * qz - qw * qy), r21 = 2 * (qy * qz + qw * qx), r22 = 1 - 2 * (qx * qx + qy * qy);
    // Wanted rotation: columns d1, d2, d3 = z; heading from yaw or the current body x axis.
    const hold = Number.isNaN(yaw);
    const hx = hold ? r00 : Math.cos(yaw), hy = hold ? r10 : Math.sin(yaw), hz = hold ? r20 : 0;
    let d2x = zy * hz - zz * hy, d2y = zz * hx - zx * hz, d2z = zx * hy - zy * hx;
    const l2 = hypot(d2x, d2y, d2z) || 1;
    d2x /= l2; d2y /= l2; d2z /= l2;
    const d1x = d2y * zz - d2z * zy, d1y = d2z * zx - d2x * zz, d1z = d2x * zy - d2y * zx;
    // E = Rdᵀ R; attitude error eR = ½ vee(E − Eᵀ) (body frame).
    const e01 = d1x * r01 + d1y * r11 + d1z * r21, e02 = d1x * r02 + d1y * r12 + d1z * r22;
    const e10 = d2x * r00 + d2y * r10 + d2z * r20, e12 = d2x * r02 + d2y * r12 + d2z * r22;
    const e20 = zx * r00 + zy * r10 + zz * r20, e21 = zx * r01 + zy * r11 + zz * r21;
    const ex = 0.5 * (e21 - e12), ey = 0.5 * (e02 - e20), ez = 0.5 * (e10 - e01);
    // Body rates: Rᵀ ω_world.
    const wxw = state[offset + 10], wyw = state[offset + 11], wzw = state[offset + 12];
    const wx = r00 * wxw + r10 * wyw + r20 * wzw, wy = r01 * wxw + r11 * wyw + r21 * wzw, wz = r02 * wxw + r12 * wyw + r22 * wzw;
    const kAtt = g.attitude[0], kYaw = g.attitude[1], kRate = g.rate[0], kYawRate = g.rate[1];
    const tx = JX * kRate * (-kAtt * ex - wx) + (JZ - JY) * wy * wz;
    const ty = JY * kRate * (-kAtt * ey - wy) + (JX - JZ) * wz * wx;
    const tz = JZ * kYawRate * ((hold ? 0 : -kYaw * ez) - wz) + (JY - JX) * wx * wy;
    mixRotorThrusts(thrust, tx, ty, tz, this.thrusts);
    thrustsToCommands(this.thrusts, out, outOffset, throttle, throttleOffset);
  }
}

/**
 * Rotor commands in [-1, 1] for per-rotor thrusts (N). With the rotors' throttles, the command
 * moves each throttle to the one giving its thrust in one step (as far as the [-1, 1] range
 * allows) and advances `throttle` by the rotor model; without, the steady-state command
 * 2·f/maxThrust − 1.
 */
export function thrustsToCommands(thrusts: ArrayLike<number>, out: Float32Array, outOffset: number,
  throttle?: Float32Array, throttleOffset = 0): void {
  for (let i = 0; i < 4; i++) {
    const t = Math.min(Math.max(thrusts[i] / KF, 0), 1);
    if (!throttle) {
      out[outOffset + i] = 2 * t - 1;
      continue;
    }
    const th = throttle[throttleOffset + i];
    const goal = Math.min(Math.max(th + (Math.sqrt(t) - th) / TAU, 0), 1);
    out[outOffset + i] = 2 * goal * goal - 1;
    throttle[throttleOffset + i] = th + TAU * (goal - th);
  }
}

/** √(a² + b² + c²) (Math.hypot is slow in V8's hot loops). */
function hypot(a: number, b: number, c = 0): number {
  return Math.sqrt(a * a + b * b + c * c);
}
