/**
 * The sequential part of a volleyball physics substep on the gpujs backend (plain TypeScript, one
 * env at a time): the SetAndSpikeHard board's steering and motion, the swept drone–ball contact
 * test, the contact impulse (which changes the one shared ball and one drone), the kinematic board
 * bounce and the ball's free flight, as `steer_board`, `sweep_contact`, `resolve_drone_contact` and
 * the ball part of `physics_step` in native/envs/volleyball/vb_env.h and vb_physics.h.
 * @module
 * @internal
 */

import {
  BALL_FIELDS, BOARD_FIELDS, D_OMEGA, D_POS, D_QUAT, D_VEL, F_BOARD_PLANNED, PHYS, RULE_INTS, R_FLAGS, type VolleyballState,
  setSoa3, soa3, soa4,
} from './state.js';
import {
  type Q4, type V3, add, clamp, cross, dot, load3, norm, normalized, qnlerp, qrot, qrotInv, scale, store3, sub, v3,
} from './vec.js';

const { gravity: G, dt: DT, ballRadius: R } = PHYS;

/** Ball position after time t of free flight. @internal */
export const ballPosAt = (p: V3, v: V3, t: number): V3 => v3(p.x + v.x * t, p.y + v.y * t, p.z + v.z * t + -0.5 * G * t * t);
/** Ball velocity after time t of free flight. @internal */
export const ballVelAt = (v: V3, t: number): V3 => v3(v.x, v.y, v.z + -G * t);

/** Whether the ball centre lies in the drone's virtual racket (`ball_in_racket`). @internal */
export function ballInRacket(dp: V3, dq: Q4, bp: V3): boolean {
  const rel = qrotInv(dq, sub(bp, dp));
  return rel.z >= 0 && rel.z <= PHYS.racketHeight && rel.x * rel.x + rel.y * rel.y <= PHYS.racketRadius * PHYS.racketRadius;
}

/** Closest point of the drone box to body-frame point p. */
const boxClosest = (p: V3): V3 => v3(clamp(p.x, -PHYS.boxHalfX, PHYS.boxHalfX), clamp(p.y, -PHYS.boxHalfY, PHYS.boxHalfY), clamp(p.z, -PHYS.boxHalfZ, PHYS.boxHalfZ));

/** Outward unit normal (body frame) of the box at body-frame ball centre p. */
function boxNormal(p: V3): V3 {
  const c = boxClosest(p);
  const d = norm(sub(p, c));
  if (d > 1e-6) return scale(sub(p, c), 1 / d);
  const fx = PHYS.boxHalfX - Math.abs(p.x), fy = PHYS.boxHalfY - Math.abs(p.y), fz = PHYS.boxHalfZ - Math.abs(p.z);
  if (fz <= fx && fz <= fy) return v3(0, 0, p.z >= 0 ? 1 : -1);
  if (fx <= fy) return v3(p.x >= 0 ? 1 : -1, 0, 0);
  return v3(0, p.y >= 0 ? 1 : -1, 0);
}

/** A drone's pose over a substep: start and end. */
interface Sweep { p0: V3; p1: V3; q0: Q4; q1: Q4 }

/** Signed gap between ball and box at fraction s of the substep; `rel` receives the body-frame ball centre. */
function sweepGap(sw: Sweep, bp: V3, bv: V3, h: number, s: number, rel?: { v: V3 }): number {
  const dp = add(sw.p0, scale(sub(sw.p1, sw.p0), s));
  const r = qrotInv(qnlerp(sw.q0, sw.q1, s), sub(ballPosAt(bp, bv, s * h), dp));
  if (rel) rel.v = r;
  return norm(sub(r, boxClosest(r))) - R;
}

/** Earliest fraction in [0, 1] of the substep at which ball and drone touch, or -1 (`sweep_contact`). */
function sweepContact(sw: Sweep, bp: V3, bv: V3, h: number): number {
  const r0 = { v: v3(0, 0, 0) }, r1 = { v: v3(0, 0, 0) };
  const g0 = sweepGap(sw, bp, bv, h, 0, r0);
  if (g0 <= 0) return 0;
  sweepGap(sw, bp, bv, h, 1, r1);
  const dq = Math.abs(sw.q0.w * sw.q1.w + sw.q0.x * sw.q1.x + sw.q0.y * sw.q1.y + sw.q0.z * sw.q1.z);
  const angle = 2 * Math.acos(Math.min(dq, 1));
  const span = norm(sub(r1.v, r0.v)) + angle * (norm(r0.v) + 0.5) + 0.5 * G * h * h;
  let n = Math.ceil(Math.fround(span / Math.fround(0.05)));
  n = n < 1 ? 1 : n > 64 ? 64 : n;
  let lo = 0;
  for (let k = 1; k <= n; k++) {
    const s = k / n;
    if (sweepGap(sw, bp, bv, h, s) <= 0) {
      let hi = s;
      for (let it = 0; it < 16; it++) {
        const mid = 0.5 * (lo + hi);
        if (sweepGap(sw, bp, bv, h, mid) <= 0) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    lo = s;
  }
  return -1;
}

/** Whether the ball (pos bp, vel bv over time h) can reach the drone's box over the substep: the cheap test that starts `sweep_contact`. */
function mayTouch(start: Float32Array, now: Float32Array, n: number, d: number, bp: V3, bv: V3, h: number): boolean {
  const reach = 0.34 + R + 0.05;
  const b1 = ballPosAt(bp, bv, h);
  const d0x = bp.x - start[d], d0y = bp.y - start[n + d], d0z = bp.z - start[2 * n + d];
  const ddx = b1.x - now[d] - d0x, ddy = b1.y - now[n + d] - d0y, ddz = b1.z - now[2 * n + d] - d0z;
  const far = reach + Math.abs(ddx) + Math.abs(ddy) + Math.abs(ddz);
  return !(d0x * d0x + d0y * d0y + d0z * d0z > far * far);
}

/** Impulse between ball and drone at contact; updates the ball (cp, cv) and the drone's dv, dw. True if applied. */
function resolveDroneContact(ball: { p: V3; v: V3 }, dp: V3, dq: Q4, drone: { v: V3; w: V3 }): boolean {
  const rel = qrotInv(dq, sub(ball.p, dp));
  const c = boxClosest(rel);
  const nb = boxNormal(rel);
  const n = qrot(dq, nb);
  const r = qrot(dq, c);
  ball.p = add(dp, qrot(dq, add(c, scale(nb, R + 1e-4))));
  const wWorld = qrot(dq, drone.w);
  const vpoint = add(drone.v, cross(wWorld, r));
  const vn = dot(sub(ball.v, vpoint), n);
  if (vn >= 0) return false;
  const e = -vn >= PHYS.bounceThreshold ? PHYS.restitution : 0;
  const rn = qrotInv(dq, cross(r, n));
  const iinv = v3(rn.x / PHYS.ixx, rn.y / PHYS.iyy, rn.z / PHYS.izz);
  const k = 1 / PHYS.ballMass + 1 / PHYS.mass + dot(rn, iinv);
  const j = (-(1 + e) * vn) / k;
  ball.v = add(ball.v, scale(n, j / PHYS.ballMass));
  drone.v = sub(drone.v, scale(n, j / PHYS.mass));
  drone.w = sub(drone.w, scale(iinv, j));
  return true;
}

/** Gap between a point and the board cylinder (axis ax at c); `normal` receives the outward normal. */
function cylinderGap(p: V3, c: V3, ax: V3, normal?: { v: V3 }): number {
  const d = sub(p, c);
  const along = dot(d, ax);
  const radial = sub(d, scale(ax, along));
  const rlen = norm(radial);
  const dx = Math.max(rlen - PHYS.boardRadius, 0), dz = Math.max(Math.abs(along) - PHYS.boardHalfHeight, 0);
  if (normal) {
    const rdir = rlen > 1e-6 ? scale(radial, 1 / rlen) : v3(0, 0, 0);
    const sz = along >= 0 ? 1 : -1;
    if (dx > 0 || dz > 0) normal.v = normalized(add(scale(rdir, dx), scale(ax, sz * dz)));
    else normal.v = PHYS.boardRadius - rlen < PHYS.boardHalfHeight - Math.abs(along) ? rdir : scale(ax, sz);
  }
  return Math.sqrt(dx * dx + dz * dz) - R;
}

/** Before the substeps of a step: remembers the ball of the previous step and steers the Hard task's board. @internal */
export function beginPhysicsStep(s: VolleyballState, env: number, hard: boolean): void {
  const b = env * BALL_FIELDS;
  for (let k = 0; k < 6; k++) s.ball[b + 6 + k] = s.ball[b + k];
  if (!hard || !(s.ruleI[env * RULE_INTS + R_FLAGS] & F_BOARD_PLANNED)) return;
  const bo = env * BOARD_FIELDS, B = s.board;
  const pos = load3(B, bo), axis = load3(B, bo + 6), goal = load3(B, bo + 9), vplan = load3(B, bo + 12);
  const tLeft = B[bo + 15];
  let vel = v3(0, 0, 0), wantAxis = axis;
  if (tLeft > -0.2) {
    const next = sub(goal, scale(vplan, Math.max(tLeft - DT, 0)));
    vel = scale(sub(next, pos), 1 / DT);
    const speed = norm(vel);
    if (speed > 8) vel = scale(vel, 8 / speed);
    wantAxis = load3(B, bo + 16);
  }
  const angle = Math.acos(clamp(dot(axis, wantAxis), -1, 1)), maxTurn = 4 * DT;
  const newAxis = angle > maxTurn ? normalized(add(scale(axis, Math.sin(angle - maxTurn)), scale(wantAxis, Math.sin(maxTurn)))) : wantAxis;
  store3(B, bo + 3, vel);
  store3(B, bo + 6, newAxis);
  B[bo + 15] = tLeft - DT;
}

/**
 * After the drones of env `env` moved through one substep of length h (from `s.dronesStart` to
 * `s.drones`): moves the board, finds the earliest contact, applies the impulse and flies the ball.
 * Sets bit 0 of `touched[env · A + a]` for a drone that gave the ball an impulse and bit 1 if the ball was in
 * its racket then; returns 1 if the board touched the ball. @internal
 */
export function contactSubstep(s: VolleyballState, env: number, A: number, h: number, hasBall: boolean, hard: boolean, touched: Uint8Array): number {
  const bo = env * BOARD_FIELDS, B = s.board;
  let boardP0 = v3(0, 0, 0);
  if (hard) {
    boardP0 = load3(B, bo);
    store3(B, bo, add(boardP0, scale(load3(B, bo + 3), h)));
  }
  if (!hasBall) return 0;
  const start = s.dronesStart, now = s.drones, ball = s.ball, b = env * BALL_FIELDS, N = s.numDrones;
  let bp = load3(ball, b), bv = load3(ball, b + 3);
  let best = 2, who = -1, whoSweep: Sweep | null = null;
  for (let a = 0; a < A; a++) {
    const d = env * A + a;
    if (!mayTouch(start, now, N, d, bp, bv, h)) continue;
    const sw: Sweep = { p0: soa3(start, N, d, D_POS), p1: soa3(now, N, d, D_POS), q0: soa4(start, N, d, D_QUAT), q1: soa4(now, N, d, D_QUAT) };
    const t = sweepContact(sw, bp, bv, h);
    if (t >= 0 && t < best) { best = t; who = a; whoSweep = sw; }
  }
  if (hard) {
    const bvel = load3(B, bo + 3), axis = load3(B, bo + 6);
    let boardS = -1;
    for (let k = 0; k <= 16; k++) {
      const t = k / 16;
      if (cylinderGap(ballPosAt(bp, bv, t * h), add(boardP0, scale(bvel, t * h)), axis) <= 0) { boardS = t; break; }
    }
    if (boardS >= 0 && boardS < best) { best = boardS; who = A; }
  }
  let boardTouched = 0;
  if (who >= 0 && who < A && whoSweep) {
    const d = env * A + who, sw = whoSweep;
    const hit = { p: ballPosAt(bp, bv, best * h), v: ballVelAt(bv, best * h) };
    const drone = { v: soa3(now, N, d, D_VEL), w: soa3(now, N, d, D_OMEGA) };
    const dpos = add(sw.p0, scale(sub(sw.p1, sw.p0), best));
    const dq = qnlerp(sw.q0, sw.q1, best);
    if (resolveDroneContact(hit, dpos, dq, drone)) {
      touched[env * A + who] = 1 | (ballInRacket(dpos, dq, hit.p) ? 2 : 0);
      setSoa3(now, N, d, D_VEL, drone.v);
      setSoa3(now, N, d, D_OMEGA, drone.w);
    }
    const rest = (1 - best) * h;
    bp = ballPosAt(hit.p, hit.v, rest);
    bv = ballVelAt(hit.v, rest);
  } else if (who === A) {
    const bvel = load3(B, bo + 3), axis = load3(B, bo + 6);
    const c = add(boardP0, scale(bvel, best * h));
    const cp = ballPosAt(bp, bv, best * h);
    let cv = ballVelAt(bv, best * h);
    const n = { v: v3(0, 0, 0) };
    cylinderGap(cp, c, axis, n);
    const vn = dot(sub(cv, bvel), n.v);
    if (vn < 0) {
      const e = -vn >= PHYS.bounceThreshold ? PHYS.restitution : 0;
      cv = sub(cv, scale(n.v, (1 + e) * vn));
      boardTouched = 1;
    }
    const rest = (1 - best) * h;
    bp = ballPosAt(cp, cv, rest);
    bv = ballVelAt(cv, rest);
  } else {
    bp = ballPosAt(bp, bv, h);
    bv = ballVelAt(bv, h);
  }
  store3(ball, b, bp);
  store3(ball, b + 3, bv);
  return boardTouched;
}
