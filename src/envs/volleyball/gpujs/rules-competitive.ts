/**
 * Competitive volleyball rules (1v1, 3v3, 6v6) on the gpujs backend, as `rules_competitive` in
 * native/envs/volleyball/vb_rules.h: VolleyBots' velocity-change hit heuristic, touch rules, the
 * six cases that lose a rally, and the rewards. One rally per episode.
 * @module
 * @internal
 */

import { ballInRacket } from './contact.js';
import { PHYS, R_LAST_HITTER, R_SIDE, R_TARGET, R_TURN, T_1V1 } from './state.js';
import { type RuleCtx, anchorOf, dpos, dquat, outOfCourt } from './rules-context.js';
import { type V3, dot, norm, normXY, sub } from './vec.js';

/** Scratch arrays for up to 12 drones. */
const pos: V3[] = [];
const loseBonus = new Float64Array(12);
const proximity = new Float64Array(12);

/** How far `dist` lies inside a band of width `band` (0 outside it). */
const bandDepth = (dist: number, band: number): number => (dist < band ? band - dist : 0);

/** Competitive rules of one env; returns whether the rally ended. @internal */
export function rulesCompetitive(c: RuleCtx): boolean {
  const { s, p } = c;
  const ri = s.ruleI, m = s.metrics, flags = s.flags, lastHit = s.lastHit;
  const A = p.numAgents, n = p.teamSize, one = p.task === T_1V1;
  const teamOf = (a: number): number => (a < n ? 0 : 1);
  const changed = c.bv.z - c.bvPrev.z > 9.8 * PHYS.dt || normXY(sub(c.bv, c.bvPrev)) > 0.5;
  for (let a = 0; a < A; a++) pos[a] = dpos(c, a);
  const cases = [0, 0];
  const teamBonus = [0, 0];
  // 1v1 (VolleyBots): a racket hit is legal when the drone in turn is the one nearest the ball;
  // the drone in turn is credited, and the turn passes once per step.
  const turnBefore = ri[c.ri + R_TURN];
  const nearest = one && dot(sub(c.bp, pos[1]), sub(c.bp, pos[1])) < dot(sub(c.bp, pos[0]), sub(c.bp, pos[0])) ? 1 : 0;
  let passed = false;
  for (let a = 0; a < A; a++) {
    const i = c.row + a, team = teamOf(a), dp = pos[a];
    const rel = sub(c.bp, dp);
    const near = dot(rel, rel) < 0.25;
    const racket = near && ballInRacket(dp, dquat(c, a), c.bp);
    const f = flags[i];
    const ready = c.step - lastHit[i] > 3;
    const droneHit = (near || (f & 2) !== 0) && changed && ready;
    const racketHit = (racket || (f & 4) !== 0) && changed && ready;
    flags[i] = (f & 1) | (near ? 2 : 0) | (racket ? 4 : 0);
    if (droneHit && !racketHit) cases[team] |= 1 << 1;
    if (!racketHit) continue;
    lastHit[i] = c.step;
    // 3v3/6v6: bit 0 is VolleyBots' "already hit in this turn" (see spawn and the side change below).
    const legal = one ? turnBefore === nearest : !(flags[i] & 1);
    if (!legal) {
      cases[team] |= 1;
      continue;
    }
    if (one) {
      passed = true;
    } else {
      c.outHit[i] = 1;
      m[c.m + 3] += 1;
      ri[c.ri + R_LAST_HITTER] = a;
      flags[i] |= 1;
      teamBonus[team] = 10; // once per team and step
    }
  }
  if (passed) { // 1v1: the hit is the drone in turn's: +5, then the turn passes
    c.outHit[c.row + turnBefore] = 1;
    c.rew[turnBefore] += 5;
    m[c.m + 3] += 1;
    ri[c.ri + R_LAST_HITTER] = turnBefore;
    ri[c.ri + R_TURN] = 1 - turnBefore;
  }
  for (let a = 0; a < A; a++) proximity[a] = !one && !(flags[c.row + a] & 1) ? 0.5 / (1 + norm(sub(pos[a], c.bp))) : 0;
  const side = c.bp.x > 0 ? 0 : 1;
  if (side !== ri[c.ri + R_SIDE]) {
    ri[c.ri + R_SIDE] = side;
    m[c.m + 4] += 1;
    if (!one) for (let a = 0; a < A; a++) flags[c.row + a] = (flags[c.row + a] & ~1) | (teamOf(a) === side ? 0 : 1);
  }
  const last = ri[c.ri + R_LAST_HITTER];
  const blame = last >= 0 ? (last < n ? 0 : 1) : ri[c.ri + R_TARGET];
  const out = outOfCourt(c.bp, p);
  const ground = c.bp.z < 0.2;
  for (let a = 0; a < A; a++) {
    const x = pos[a].x;
    if (teamOf(a) === 0 ? x < 0 : x > 0) cases[teamOf(a)] |= 1 << 2;
  }
  if (ground && !out) cases[c.bp.x > 0 ? 0 : 1] |= 1 << 3;
  if (one ? out : out && ground) cases[blame] |= 1 << 4;
  if (Math.abs(c.bp.x) < 3 * PHYS.ballRadius && Math.abs(c.bp.y) < 0.5 * p.width && c.bp.z < 2.43) cases[blame] |= 1 << 5;
  let tooLow = false, tooClose = false;
  for (let a = 0; a < A; a++) {
    loseBonus[a] = 0;
    const dp = pos[a];
    if (dp.z < 0.3) { loseBonus[a] -= 100; tooLow = true; }
    if (!one) {
      for (let b = 0; b < A; b++) {
        if (b === a || teamOf(b) !== teamOf(a)) continue;
        const d = sub(pos[b], dp);
        if (dot(d, d) < 0.64) { loseBonus[a] -= 100; tooClose = true; break; }
      }
    }
  }
  const lost0 = cases[0] !== 0, lost1 = cases[1] !== 0;
  const result = [0, 0];
  if (lost0 !== lost1) {
    const winner = lost0 ? 1 : 0;
    result[winner] = 100;
    result[1 - winner] = -100;
    m[c.m + winner] = 1;
  } else if (lost0 && lost1) {
    m[c.m + 2] = 1;
  }
  if (lost0 || lost1) {
    const both = cases[0] | cases[1];
    let k = 0;
    while (!((both >> k) & 1)) k++;
    m[c.m + 5] = k + 1;
  } else if (tooLow) {
    m[c.m + 5] = 7;
  } else if (tooClose) {
    m[c.m + 5] = 8;
  }
  for (let a = 0; a < A; a++) {
    const team = teamOf(a), dp = pos[a], anchor = anchorOf(c, a);
    let r = result[team] + loseBonus[a] + teamBonus[team];
    if (one) {
      if (turnBefore === a) r += 0.5 / (1 + normXY(sub(dp, c.bp))); // the turn before it passed
      const ax = Math.abs(dp.x), ay = Math.abs(dp.y), dz = Math.abs(dp.z - anchor.z);
      const px = bandDepth(ax, 0.5) + bandDepth(0.5 * p.length - ax, 0.5);
      const py = bandDepth(ay, 0.5) + bandDepth(0.5 * p.width - ay, 0.5);
      const pz = dz > 1 ? dz - 1 : 0;
      r -= 0.2 * (px + py + pz);
    } else {
      r += proximity[a] + 0.05 / (1 + norm(sub(dp, anchor)));
    }
    c.rew[a] += r;
  }
  return lost0 || lost1 || tooLow || tooClose;
}
