/**
 * Start of a volleyball episode on the gpujs backend, as `spawn_env` in
 * native/envs/volleyball/vb_env.h: drones at their anchors with the task's spawn noise, the ball
 * at rest above the server, rule state cleared. Draws the same counter-RNG words as the native
 * core (docs/rng.md, "Uses in Volleyball") and rounds like its float32 arithmetic, so spawns are
 * bit-identical.
 * @module
 * @internal
 */

import { rngDraw } from '../../../rng.js';
import { servingDrone } from '../config.js';
import {
  BALL_FIELDS, BOARD_FIELDS, CTL_STRIDE, DRONE_STRIDE, D_POS, D_QUAT, HOVER_THROTTLE_F32, METRIC_SLOTS, RULE_FLOATS, RULE_INTS,
  RF_APEX, R_COUNT, R_LAST_HITTER, R_LAST_HIT_STEP, R_SIDE, R_TARGET, R_TURN, T_1V1, T_3V3, T_6V6, T_BACK_AND_FORTH, T_HIT_BALL,
  T_SET_AND_SPIKE_HARD, type VolleyballState,
} from './state.js';

const f = Math.fround;
const PI_F32 = f(3.14159265);

/** What a spawn needs to know about the batch. @internal */
export interface SpawnParams {
  task: number;
  numAgents: number;
  randomServe: boolean;
  hasBall: boolean;
  /** `[A, 3]` anchors of the task's drones (float32). */
  anchors: Float32Array;
}

/** Team of drone `a` in a competitive task (`team_of`). @internal */
export function teamOf(task: number, a: number): number {
  return task === T_1V1 ? a : task === T_3V3 ? Math.floor(a / 3) : Math.floor(a / 6);
}

/** Whether a task is 1v1, 3v3 or 6v6. @internal */
export const isCompetitive = (task: number): boolean => task >= T_1V1;

/** `quat_from_rpy` in float32 arithmetic. */
function quatFromRpyF32(roll: number, pitch: number, yaw: number, out: Float32Array, o: number): void {
  const cr = f(Math.cos(f(roll * 0.5))), sr = f(Math.sin(f(roll * 0.5)));
  const cp = f(Math.cos(f(pitch * 0.5))), sp = f(Math.sin(f(pitch * 0.5)));
  const cy = f(Math.cos(f(yaw * 0.5))), sy = f(Math.sin(f(yaw * 0.5)));
  const m3 = (a: number, b: number, c: number): number => f(f(a * b) * c);
  out[o] = f(m3(cr, cp, cy) + m3(sr, sp, sy));
  out[o + 1] = f(m3(sr, cp, cy) - m3(cr, sp, sy));
  out[o + 2] = f(m3(cr, sp, cy) + m3(sr, cp, sy));
  out[o + 3] = f(m3(cr, cp, sy) - m3(sr, sp, cy));
}

const words = new Uint32Array(4), words2 = new Uint32Array(4);
const quat = new Float32Array(4);
const uniform01 = (u: number): number => (u >>> 8) * (1 / 16777216);

/** Spawns env `env`: drones, ball, board, rule state, step counter. @internal */
export function spawnEnv(p: SpawnParams, s: VolleyballState, env: number): void {
  const A = p.numAgents, row = env * A;
  const seed = s.seeds[env], ep = s.episode[env];
  for (let a = 0; a < A; a++) {
    const i = row + a, N = s.numDrones;
    rngDraw(seed, 0, 0, ep, 0, 2 * a, words);
    rngDraw(seed, 0, 0, ep, 0, 2 * a + 1, words2);
    const u0 = uniform01(words[0]), u1 = uniform01(words[1]), u2 = uniform01(words[2]);
    const u3 = uniform01(words[3]), u4 = uniform01(words2[0]), u5 = uniform01(words2[1]);
    let x = p.anchors[3 * a], y = p.anchors[3 * a + 1], z = p.anchors[3 * a + 2];
    const d = s.drones;
    for (let k = 0; k < DRONE_STRIDE; k++) d[k * N + i] = 0;
    if (p.task <= T_SET_AND_SPIKE_HARD) {
      if (p.task !== T_BACK_AND_FORTH) {
        x = f(x + f(u0 - 0.5));
        y = f(y + f(u1 - 0.5));
        z = f(z + f(f(0.4 * u2) - 0.2));
      }
      const tenthPi = f(0.1 * PI_F32);
      quatFromRpyF32(f(f(f(u3 * 2) - 1) * tenthPi), f(f(f(u4 * 2) - 1) * tenthPi), f(f(u5 * 2) * PI_F32), quat, 0);
    } else {
      const yaw = teamOf(p.task, a) === 1 ? PI_F32 : 0;
      if (p.task === T_1V1) {
        x = f(x + f(f(u0 - 0.5) * f(0.2)));
        y = f(y + f(f(u1 - 0.5) * f(0.2)));
        z = f(z + f(f(u2 - 0.5) * f(0.2)));
        quatFromRpyF32(f(f(u3 - 0.5) * f(0.2)), f(f(u4 - 0.5) * f(0.2)), yaw, quat, 0);
      } else {
        quatFromRpyF32(0, 0, yaw, quat, 0);
      }
    }
    d[D_POS * N + i] = x; d[(D_POS + 1) * N + i] = y; d[(D_POS + 2) * N + i] = z;
    for (let k = 0; k < 4; k++) d[(D_QUAT + k) * N + i] = quat[k];
    for (let k = 0; k < CTL_STRIDE; k++) s.ctl[k * N + i] = k < 4 ? HOVER_THROTTLE_F32 : 0;
    s.lastHit[i] = -1000;
    s.flags[i] = 0;
    s.epReturn[i] = 0;
  }
  const ri = env * RULE_INTS;
  s.ruleI.fill(0, ri, ri + RULE_INTS);
  s.ruleF.fill(0, env * RULE_FLOATS, (env + 1) * RULE_FLOATS);
  s.metrics.fill(0, env * METRIC_SLOTS, (env + 1) * METRIC_SLOTS);
  s.ruleI[ri + R_LAST_HITTER] = -1;
  s.ruleI[ri + R_LAST_HIT_STEP] = -1000;
  s.ruleI[ri + R_COUNT] = p.task === T_BACK_AND_FORTH ? 0 : -1000;
  rngDraw(seed, 1, 0, ep, 0, 0, words);
  const side = p.randomServe ? words[0] & 1 : 0;
  let server = 0, lift = 2;
  if (p.task === T_HIT_BALL) lift = 3;
  if (p.task === T_1V1) { lift = 1.5; s.ruleI[ri + R_TURN] = side; }
  if (p.task === T_3V3 || p.task === T_6V6) lift = 3;
  if (isCompetitive(p.task)) server = servingDrone(p.numAgents / 2, side);
  if (p.task === T_3V3 || p.task === T_6V6) { // only the server may touch the serve (VolleyBots)
    for (let k = 0; k < p.numAgents; k++) s.flags[row + k] = k === server ? 0 : 1;
  }
  const competitive = isCompetitive(p.task);
  s.ruleI[ri + R_SIDE] = competitive ? side : 0;
  s.ruleI[ri + R_TARGET] = competitive ? side : 1;
  const sv = row + server, N = s.numDrones;
  const bx = s.drones[D_POS * N + sv], by = s.drones[(D_POS + 1) * N + sv], bz = f(s.drones[(D_POS + 2) * N + sv] + lift);
  const b = env * BALL_FIELDS;
  s.ball.fill(0, b, b + BALL_FIELDS);
  if (p.hasBall) {
    s.ball[b] = bx; s.ball[b + 1] = by; s.ball[b + 2] = bz;
    s.ball[b + 6] = bx; s.ball[b + 7] = by; s.ball[b + 8] = bz;
  }
  s.ruleF[env * RULE_FLOATS + RF_APEX] = bz;
  const bo = env * BOARD_FIELDS;
  s.board.fill(0, bo, bo + BOARD_FIELDS);
  if (p.task === T_SET_AND_SPIKE_HARD) {
    s.board[bo] = -4; s.board[bo + 1] = 0; s.board[bo + 2] = 0.5;
    s.board[bo + 6] = 0; s.board[bo + 7] = 0; s.board[bo + 8] = 1;
  }
  s.steps[env] = 0;
  s.needsReset[env] = 0;
}
