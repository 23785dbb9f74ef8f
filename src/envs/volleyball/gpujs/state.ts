/**
 * State of a volleyball batch on the gpujs backend: the drone, ball, board and rule arrays that
 * `native/envs/volleyball/vb_types.h` keeps in the addon's state arena, the physical constants of
 * `vb_physics.h`, and the episode bookkeeping of `native/common/episodes.h`. Per-drone state is
 * component-major (`[component, drone]`), the layout of the gpu.js kernels' outputs: adjacent
 * kernel threads then work on the same component of adjacent drones and take the same branches,
 * which keeps webasm's 4-lane SIMD quads from evaluating every branch.
 * @module
 * @internal
 */

import type { Q4, V3 } from './vec.js';

/** Components per drone in {@link VolleyballState.drones}: pos 3, quat 4 (wxyz), vel 3, body angular vel 3. @internal */
export const DRONE_STRIDE = 13;
/** Offsets within a drone's packed state. @internal */
export const D_POS = 0, D_QUAT = 3, D_VEL = 7, D_OMEGA = 10;
/** Components per drone in {@link VolleyballState.ctl}: throttle 4, CTBR rate PID 6. @internal */
export const CTL_STRIDE = 10;
/** Numbers per env of the ball (pos, vel, pos and vel one step ago), board and rule state. @internal */
export const BALL_FIELDS = 12, BOARD_FIELDS = 20, RULE_INTS = 8, RULE_FLOATS = 8, METRIC_SLOTS = 8;

/** Rule-state slots (`RuleInt`, `RuleFlag`, `RuleFloat` of vb_types.h). @internal */
export const R_TURN = 0, R_LAST_HITTER = 1, R_SIDE = 2, R_LAST_HIT_STEP = 3, R_COUNT = 4, R_TARGET = 5, R_FLAGS = 6, R_BOUNCES = 7;
/** Rule flag bits. @internal */
export const F_HIT = 1, F_SPIKED = 2, F_CROSSED = 4, F_BOARD_PLANNED = 8, F_BOARD_HIT = 16, F_BALL_DONE = 32;
/** Rule float slots. @internal */
export const RF_APEX = 0, RF_APEX_SUM = 1;

/** Task indices (`Task` of vb_types.h). @internal */
export const T_BACK_AND_FORTH = 0, T_HIT_BALL = 1, T_SOLO_BUMP = 2, T_BUMP_AND_PASS = 3, T_SET_AND_SPIKE = 4,
  T_SET_AND_SPIKE_HARD = 5, T_1V1 = 6, T_3V3 = 7, T_6V6 = 8;

const f = Math.fround;
/** Physical constants of vb_physics.h, as the float32 values the native core uses. @internal */
export const PHYS = {
  dt: f(0.02), gravity: f(9.81), mass: f(1.52), ixx: f(0.0347563), iyy: f(0.0458929), izz: f(0.0977),
  boxHalfX: f(0.235), boxHalfY: f(0.235), boxHalfZ: f(0.055), ballRadius: f(0.1), ballMass: f(0.005),
  restitution: f(0.8), bounceThreshold: f(0.2), racketRadius: f(0.2), racketHeight: f(0.2),
  boardRadius: f(0.5), boardHalfHeight: f(0.15),
} as const;
/** Throttle at which the four rotors hold the weight (`hover_throttle`, float32). @internal */
export const HOVER_THROTTLE_F32 = f(Math.sqrt(f(f(PHYS.mass * PHYS.gravity) / f(4 * f(6.00318692)))));

/** Vector of components k0..k0+2 of drone d from a component-major array over n drones. @internal */
export const soa3 = (a: Float32Array, n: number, d: number, k0: number): V3 => ({ x: a[k0 * n + d], y: a[(k0 + 1) * n + d], z: a[(k0 + 2) * n + d] });
/** Quaternion of drone d (components k0..k0+3). @internal */
export const soa4 = (a: Float32Array, n: number, d: number, k0: number): Q4 =>
  ({ w: a[k0 * n + d], x: a[(k0 + 1) * n + d], y: a[(k0 + 2) * n + d], z: a[(k0 + 3) * n + d] });
/** Writes components k0..k0+2 of drone d. @internal */
export function setSoa3(a: Float32Array, n: number, d: number, k0: number, v: V3): void {
  a[k0 * n + d] = v.x; a[(k0 + 1) * n + d] = v.y; a[(k0 + 2) * n + d] = v.z;
}

/** The arrays of one batch. @internal */
export class VolleyballState {
  /** Drones (E · A of them). */
  readonly numDrones: number;
  /** `[13, E·A]` drones at the current substep (components: {@link DRONE_STRIDE}). */
  drones: Float32Array;
  /** `[13, E·A]` drones at the start of the current substep (swapped with `drones` per substep). */
  dronesStart: Float32Array;
  /** `[10, E·A]` rotor throttles in [0, 1] and the rate PID's integral (deg) and last rate (deg/s). */
  readonly ctl: Float32Array;
  readonly seeds: Uint32Array;
  readonly episode: Uint32Array;
  readonly steps: Int32Array;
  readonly needsReset: Uint8Array;
  /** `[E, A]` step of each drone's last racket hit (competitive), -1000 none. */
  readonly lastHit: Int32Array;
  /**
   * `[E, A]` bit 0 may not touch now (3v3/6v6: already hit this possession, every drone but the
   * server at the serve, the whole other team after a side change), bit 1 near the ball last step,
   * bit 2 ball in racket last step.
   */
  readonly flags: Uint8Array;
  readonly epReturn: Float32Array;
  /** `[E, 12]` ball pos, vel, and both one step ago. */
  readonly ball: Float32Array;
  /** `[E, 20]` SetAndSpikeHard board (layout of `View::board`). */
  readonly board: Float32Array;
  readonly ruleI: Int32Array;
  readonly ruleF: Float32Array;
  readonly metrics: Float32Array;

  constructor(readonly numEnvs: number, readonly numAgents: number) {
    const e = numEnvs, ea = e * numAgents;
    this.numDrones = ea;
    this.drones = new Float32Array(ea * DRONE_STRIDE);
    this.dronesStart = new Float32Array(ea * DRONE_STRIDE);
    this.ctl = new Float32Array(ea * CTL_STRIDE);
    this.seeds = new Uint32Array(e);
    this.episode = new Uint32Array(e);
    this.steps = new Int32Array(e);
    this.needsReset = new Uint8Array(e);
    this.lastHit = new Int32Array(ea);
    this.flags = new Uint8Array(ea);
    this.epReturn = new Float32Array(ea);
    this.ball = new Float32Array(e * BALL_FIELDS);
    this.board = new Float32Array(e * BOARD_FIELDS);
    this.ruleI = new Int32Array(e * RULE_INTS);
    this.ruleF = new Float32Array(e * RULE_FLOATS);
    this.metrics = new Float32Array(e * METRIC_SLOTS);
  }

  /** Makes `dronesStart` hold the current drones and returns the other array for the next ones. */
  swapDrones(): Float32Array {
    const start = this.drones;
    this.drones = this.dronesStart;
    this.dronesStart = start;
    return this.drones;
  }
}
