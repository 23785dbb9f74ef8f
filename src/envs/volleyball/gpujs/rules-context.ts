/**
 * What the volleyball rules of one env see on one step on the gpujs backend (`EnvCtx` of
 * native/envs/volleyball/vb_rules.h), and the small queries every task's rules share.
 * @module
 * @internal
 */

import { D_POS, D_QUAT, METRIC_SLOTS, RULE_FLOATS, RULE_INTS, type VolleyballState, soa3, soa4 } from './state.js';
import { type Q4, type V3, load3 } from './vec.js';

/** Batch facts the rules read. @internal */
export interface RuleParams {
  task: number;
  numAgents: number;
  /** Drones per team (competitive), 0 otherwise. */
  teamSize: number;
  /** Court length (x) and width (y), m. */
  length: number;
  width: number;
  /** `[A, 3]` anchors (float32). */
  anchors: Float32Array;
}

/** One env's rule inputs and outputs on one step. Reused across envs. @internal */
export interface RuleCtx {
  p: RuleParams;
  s: VolleyballState;
  /** `[E, A]` legal-hit output (io `outHit`). */
  outHit: Uint8Array;
  env: number;
  /** First drone index of the env (env · A). */
  row: number;
  /** Steps taken including this one. */
  step: number;
  bp: V3;
  bv: V3;
  bpPrev: V3;
  bvPrev: V3;
  /** Offsets of the env's rule ints, rule floats and metrics. */
  ri: number;
  rf: number;
  m: number;
  /** `[A]` rewards of this step (accumulated). */
  rew: Float64Array;
}

/** Points `c` at env `env` on step `step`, with the ball read from the state. @internal */
export function bindRuleCtx(c: RuleCtx, env: number, step: number): void {
  const b = env * 12, ball = c.s.ball;
  c.env = env;
  c.row = env * c.p.numAgents;
  c.step = step;
  c.bp = load3(ball, b);
  c.bv = load3(ball, b + 3);
  c.bpPrev = load3(ball, b + 6);
  c.bvPrev = load3(ball, b + 9);
  c.ri = env * RULE_INTS;
  c.rf = env * RULE_FLOATS;
  c.m = env * METRIC_SLOTS;
  c.rew.fill(0);
}

/** Position of drone a of the env. @internal */
export const dpos = (c: RuleCtx, a: number): V3 => soa3(c.s.drones, c.s.numDrones, c.row + a, D_POS);
/** Attitude of drone a of the env. @internal */
export const dquat = (c: RuleCtx, a: number): Q4 => soa4(c.s.drones, c.s.numDrones, c.row + a, D_QUAT);
/** Anchor of drone a. @internal */
export const anchorOf = (c: RuleCtx, a: number): V3 => load3(c.p.anchors, 3 * a);

/** Whether the ball is outside the court. @internal */
export const outOfCourt = (b: V3, p: RuleParams): boolean => Math.abs(b.x) > 0.5 * p.length || Math.abs(b.y) > 0.5 * p.width;

/** Cosine of the horizontal angle between a and b (0 for a near-zero vector). @internal */
export function cosXY(a: V3, b: V3): number {
  const na = Math.sqrt(a.x * a.x + a.y * a.y), nb = Math.sqrt(b.x * b.x + b.y * b.y);
  return na > 1e-6 && nb > 1e-6 ? (a.x * b.x + a.y * b.y) / (na * nb) : 0;
}

/** Metric slots a task fills (`metric_count`). @internal */
export function metricCount(task: number): number {
  return task === 0 ? 1 : task <= 3 ? 3 : 6;
}
