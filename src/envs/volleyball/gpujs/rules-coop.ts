/**
 * Volleyball rules of the drills (BackAndForth, HitBall, SoloBump) and the cooperative tasks
 * (BumpAndPass, SetAndSpike, SetAndSpikeHard with its board planner) on the gpujs backend, as in
 * native/envs/volleyball/vb_rules.h: hits, rewards, terminations and metrics of one env per call.
 * Each returns whether the episode terminated and writes `c.rew`; `touched` is the batch's `[E, A]`
 * contact bits of the step (bit 0 contact, bit 1 ball in the racket).
 * @module
 * @internal
 */

import { ballPosAt, ballVelAt } from './contact.js';
import {
  BOARD_FIELDS, F_BALL_DONE, F_BOARD_HIT, F_BOARD_PLANNED, F_CROSSED, F_HIT, F_SPIKED, PHYS, RF_APEX, RF_APEX_SUM, R_BOUNCES,
  R_COUNT, R_FLAGS, R_LAST_HIT_STEP, R_TARGET, R_TURN, T_HIT_BALL, T_SET_AND_SPIKE_HARD,
} from './state.js';
import { type RuleCtx, anchorOf, cosXY, dpos, outOfCourt } from './rules-context.js';
import { type V3, clamp, norm, normXY, normalized, scale, store3, sub, v3, add } from './vec.js';

const B = (b: boolean): number => (b ? 1 : 0);

/** BackAndForth: 5 steps within 0.6 m of the target reach it and swap the target. @internal */
export function rulesBackAndForth(c: RuleCtx): boolean {
  const ri = c.s.ruleI, dp = dpos(c, 0);
  const target = ri[c.ri + R_TARGET] ? v3(9, 4.5, 2) : v3(4.5, 0, 2);
  const d = norm(sub(target, dp));
  const count = d < 0.6 ? ri[c.ri + R_COUNT] + 1 : 0;
  ri[c.ri + R_COUNT] = count;
  const misbehave = dp.z < 0.4 || dp.z > 5 || d > 7.5;
  c.rew[0] = 2.5 * count + (0.5 / (1 + d * d)) * 0.02 * (50 - count) - (misbehave ? 10 : 0);
  if (count >= 5) {
    c.s.metrics[c.m] += 1;
    ri[c.ri + R_TARGET] ^= 1;
    ri[c.ri + R_COUNT] = 0;
  }
  return misbehave;
}

/** HitBall and SoloBump: true hits more than 25 steps apart; a quicker contact is a wrong hit. @internal */
export function rulesSingle(c: RuleCtx, touched: Uint8Array): boolean {
  const ri = c.s.ruleI, rf = c.s.ruleF, m = c.s.metrics;
  const dp = dpos(c, 0), bp = c.bp;
  const contact = touched[c.row] !== 0;
  const trueHit = contact && c.step - ri[c.ri + R_LAST_HIT_STEP] > 25;
  const wrongHit = contact && !trueHit;
  c.outHit[c.row] = B(trueHit);
  if (trueHit) m[c.m] += 1;
  rf[c.rf + RF_APEX] = Math.max(rf[c.rf + RF_APEX], bp.z);
  const anchor = anchorOf(c, 0);
  let r = 0, done: boolean;
  if (c.p.task === T_HIT_BALL) {
    const droneBad = dp.z < 0.4 || Math.abs(dp.x) < 0.01;
    const ballBad = bp.z < 0.15 || bp.z > 16;
    r += trueHit ? 1 : 0;
    r -= norm(sub(dp, anchor)) > 1 ? 0.05 : 0;
    r -= 10 * (B(wrongHit) + B(droneBad) + B(ballBad));
    if (trueHit) ri[c.ri + R_FLAGS] |= F_HIT;
    const ballDone = (ri[c.ri + R_FLAGS] & F_HIT) !== 0 && !trueHit && c.bv.z < 0 && bp.z <= 2;
    if (ballDone) {
      r += 2 * (anchor.x - bp.x);
      m[c.m + 1] = bp.x;
      m[c.m + 2] = bp.x - anchor.x;
      ri[c.ri + R_FLAGS] |= F_BALL_DONE;
    }
    done = wrongHit || droneBad || ballBad || ballDone;
  } else {
    const droneBad = dp.z < 0.4 || dp.z > 2.5 || Math.abs(dp.x) < 0.01;
    const ballBad = bp.z < 0.15 || bp.z > 4.5 || outOfCourt(bp, c.p);
    let heightHit = false;
    if (trueHit) {
      if (ri[c.ri + R_LAST_HIT_STEP] >= 0) {
        rf[c.rf + RF_APEX_SUM] += rf[c.rf + RF_APEX];
        ri[c.ri + R_BOUNCES] += 1;
      }
      heightHit = ri[c.ri + R_BOUNCES] > 0 && rf[c.rf + RF_APEX_SUM] > 3.5 * ri[c.ri + R_BOUNCES];
      rf[c.rf + RF_APEX] = bp.z;
    }
    if (heightHit) m[c.m + 2] += 1;
    m[c.m + 1] = Math.max(m[c.m + 1], bp.z);
    r += 8 * B(heightHit) + 2 * B(trueHit);
    r += 1 / (1 + normXY(sub(dp, bp)));
    r += 0.5 * clamp(bp.z - Math.max(dp.z, 1), 0, 2);
    r -= 10 * (B(wrongHit) + B(droneBad) + B(ballBad));
    done = wrongHit || droneBad || ballBad;
  }
  if (trueHit) ri[c.ri + R_LAST_HIT_STEP] = c.step;
  c.rew[0] = r;
  return done;
}

/** The drone nearest the ball among those that touched it, if more than 3 steps after the last hit; else -1. */
function coopHitter(c: RuleCtx, touched: Uint8Array): number {
  let hitter = -1, best = 1e30;
  for (let a = 0; a < c.p.numAgents; a++) {
    if (!touched[c.row + a]) continue;
    const d = norm(sub(dpos(c, a), c.bp));
    if (d < best) { best = d; hitter = a; }
  }
  if (hitter < 0 || c.step - c.s.ruleI[c.ri + R_LAST_HIT_STEP] <= 3) return -1;
  c.s.ruleI[c.ri + R_LAST_HIT_STEP] = c.step;
  return hitter;
}

/** Ball too low or high, in the net or out: `[bad, inNet, out]`. */
function coopBallBad(c: RuleCtx): [boolean, boolean, boolean] {
  const bp = c.bp;
  const inNet = Math.abs(bp.x) < PHYS.ballRadius && Math.abs(bp.y) < 0.5 * c.p.width && bp.z < 2.43;
  const out = outOfCourt(bp, c.p);
  return [bp.z < 0.2 || bp.z > 16 || inNet || out, inNet, out];
}

/** Mean distance of the drones beyond 0.5 m from their anchors. */
function anchorTerm(c: RuleCtx): number {
  let s = 0;
  for (let a = 0; a < c.p.numAgents; a++) s += Math.max(norm(sub(dpos(c, a), anchorOf(c, a))) - 0.5, 0);
  return s / c.p.numAgents;
}

/**
 * Turn shaping of the two cooperative drones: the mean of w_a / (1 + |drone a - ball|_xy), with
 * VolleyBots' `turn_to_reward` weights for the turn (see the callers).
 */
function turnShaping(c: RuleCtx, w0: number, w1: number): number {
  return (w0 / (1 + normXY(sub(dpos(c, 0), c.bp))) + w1 / (1 + normXY(sub(dpos(c, 1), c.bp)))) / 2;
}

/** SetAndSpike's turn-shaping weights (setter, attacker) by turn: the set, the spike, after the spike. */
const SET_SPIKE_WEIGHTS: ReadonlyArray<readonly [number, number]> = [[1, 0], [-1, 1], [0, -1]];

/** BumpAndPass. @internal */
export function rulesBumpAndPass(c: RuleCtx, touched: Uint8Array): boolean {
  const ri = c.s.ruleI, m = c.s.metrics;
  const hitter = coopHitter(c, touched);
  let success = false, wrong = false;
  if (hitter >= 0) {
    success = hitter === ri[c.ri + R_TURN] && (touched[c.row + hitter] & 2) !== 0;
    wrong = !success;
  }
  let shared = 0;
  if (success) {
    shared += 1 + cosXY(c.bv, sub(dpos(c, 1 - hitter), dpos(c, hitter)));
    c.outHit[c.row + hitter] = 1;
    m[c.m] += 1;
    ri[c.ri + R_TURN] = 1 - ri[c.ri + R_TURN];
  }
  const cross = Math.abs(c.bp.y) <= PHYS.ballRadius && c.bp.z > 4 && c.step - ri[c.ri + R_COUNT] > 3;
  if (cross) {
    ri[c.ri + R_COUNT] = c.step;
    shared += 1;
    m[c.m + 1] += 1;
    m[c.m + 2] = Math.max(m[c.m + 2], c.bp.z);
  }
  const [ballBad] = coopBallBad(c);
  const turn = ri[c.ri + R_TURN]; // BumpAndPass: +1 for the drone in turn, -1 for the other
  shared += -0.05 * anchorTerm(c) + 0.05 * turnShaping(c, turn === 0 ? 1 : -1, turn === 1 ? 1 : -1) - (ballBad ? 10 : 0);
  let done = ballBad;
  for (let a = 0; a < 2; a++) {
    const dp = dpos(c, a);
    const droneBad = dp.z < 0.4 || Math.abs(dp.x) < 0.2;
    const ownWrong = wrong && a === hitter;
    c.rew[a] = shared - 10 * (B(droneBad) + B(ownWrong));
    done = done || droneBad || ownWrong;
  }
  return done;
}

/** The Hard task's board plans its interception once the spiked ball flies at it (`plan_board`). */
function planBoard(c: RuleCtx): void {
  const ri = c.s.ruleI;
  if (ri[c.ri + R_TURN] !== 2 || (ri[c.ri + R_FLAGS] & F_BOARD_PLANNED)) return;
  const { bp, bv } = c;
  if (!(bv.x < -2 && bv.z < 0 && bp.z >= 1.2)) return;
  const G = PHYS.gravity;
  const disc = bv.z * bv.z + 2 * G * (bp.z - 1.1);
  const t = (bv.z + Math.sqrt(Math.max(disc, 0))) / G;
  const hit = ballPosAt(bp, bv, t), vIn = ballVelAt(bv, t);
  const T = 1.5, beta = 0.77;
  const vOut: V3 = add(scale(sub(v3(3, 1, 1.3), hit), 1 / T), v3(0, 0, 0.5 * G * T));
  const vBoard = scale(add(scale(vIn, beta), vOut), 1 / (1 + beta));
  const axis = normalized(sub(vOut, vIn));
  const b = c.env * BOARD_FIELDS, board = c.s.board;
  store3(board, b + 9, sub(hit, scale(axis, PHYS.ballRadius + PHYS.boardHalfHeight)));
  store3(board, b + 12, vBoard);
  board[b + 15] = t;
  store3(board, b + 16, axis);
  ri[c.ri + R_FLAGS] |= F_BOARD_PLANNED;
  c.s.metrics[c.m + 4] = 1;
}

/** SetAndSpike and SetAndSpikeHard. @internal */
export function rulesSetAndSpike(c: RuleCtx, touched: Uint8Array, boardTouched: number): boolean {
  const ri = c.s.ruleI, m = c.s.metrics;
  const hard = c.p.task === T_SET_AND_SPIKE_HARD;
  const hitter = coopHitter(c, touched);
  let success = false, wrong = false, shared = 0;
  if (hitter >= 0) {
    const turn = ri[c.ri + R_TURN];
    success = turn < 2 && hitter === turn && (touched[c.row + hitter] & 2) !== 0;
    wrong = !success;
  }
  const target = v3(-4.5, 0, 0);
  if (success) {
    c.outHit[c.row + hitter] = 1;
    m[c.m + 3] += 1;
    shared += 5;
    if (hitter === 0) {
      shared += cosXY(c.bv, sub(dpos(c, 1), c.bp));
    } else {
      ri[c.ri + R_FLAGS] |= F_SPIKED;
      const downward = c.bv.z < 0;
      m[c.m + 1] = downward ? 1 : 0;
      m[c.m + 2] = c.bv.z;
      shared += 5 * B(downward) + cosXY(c.bv, sub(target, c.bp)) + 0.2 * Math.max(5 - c.bv.z, 0);
    }
    ri[c.ri + R_TURN] += 1;
  }
  let flags = ri[c.ri + R_FLAGS];
  if ((flags & F_SPIKED) && !(flags & F_CROSSED) && c.bpPrev.x > -PHYS.ballRadius && c.bp.x <= -PHYS.ballRadius) {
    ri[c.ri + R_FLAGS] = flags |= F_CROSSED;
    shared += 5;
  }
  if (hard) {
    planBoard(c);
    if (boardTouched) {
      ri[c.ri + R_FLAGS] |= F_BOARD_HIT;
      m[c.m + 5] = 1;
    }
    flags = ri[c.ri + R_FLAGS];
  }
  const [ballBad, inNet, out] = coopBallBad(c);
  const landed = c.bp.z < 0.2;
  if (ballBad && (flags & F_SPIKED)) {
    let inTarget: boolean;
    if (hard) {
      const returned = (flags & F_BOARD_HIT) !== 0;
      inTarget = (flags & F_CROSSED) !== 0 && ((returned && (inNet || out)) || (!returned && (flags & F_BOARD_PLANNED) !== 0 && landed));
    } else {
      inTarget = (flags & F_CROSSED) !== 0 && landed && normXY(sub(c.bp, target)) <= 1;
      if (landed) shared += 0.2 * Math.max(10 - normXY(sub(c.bp, target)), 0);
    }
    if (inTarget) {
      shared += 5;
      m[c.m] = 1;
    }
  }
  shared += -0.05 * anchorTerm(c) - (ballBad ? 10 : 0);
  const turn = ri[c.ri + R_TURN];
  const [w0, w1] = SET_SPIKE_WEIGHTS[turn === 0 || turn === 1 ? turn : 2];
  shared += 0.05 * turnShaping(c, w0, w1);
  let done = ballBad;
  const tooLow = hard ? 0.4 : 0.2;
  for (let a = 0; a < 2; a++) {
    const dp = dpos(c, a);
    const droneBad = dp.z < tooLow || dp.x < 0;
    const ownWrong = wrong && a === hitter;
    c.rew[a] = shared - 10 * (B(droneBad) + B(ownWrong));
    done = done || droneBad || ownWrong;
  }
  return done;
}
