// Volleyball rules of every task (host and device): hits, fouls, rewards, terminations and episode
// metrics, after VolleyBots' task files (reference/volleyball.md §5). One call per env per step,
// after the physics; writes rewards [A] and returns whether the episode terminated.
#pragma once
#include "vb_env.h"

namespace mw::vb {

// Metric slots per task (names in src/envs/volleyball/spec.ts); unused slots end as NaN.
MW_HD int32_t metric_count(int32_t task) {
  switch (task) {
    case kBackAndForth: return 1;  // targetReached
    case kHitBall: return 3;       // numTrueHits, ballDoneX, ballDoneXDistToAnchor
    case kSoloBump: return 3;      // numTrueHits, ballZMax, numHeightHits
    case kBumpAndPass: return 3;   // numSuccessHits, numSuccessCross, crossHeight
    case kSetAndSpike:
    case kSetAndSpikeHard: return 6;  // inTarget, downwardSpike, spikeVz, successHits, boardAttempted, boardReturned
    default: return 6;             // team0Win, team1Win, draw, numHits, numTurns, endCase
  }
}

struct EnvCtx {
  const Params* p;
  const View* v;
  int32_t env;
  int64_t row;
  int32_t step;   // steps taken including this one (1-based)
  V3 bp, bv;      // ball now
  V3 bp_prev, bv_prev;
  int32_t* ri;
  float* rf;
  float* m;
  float* rew;     // rewards [A]
};

MW_HD V3 dpos(const EnvCtx& c, int32_t a) { return load3(c.v->pos + 3 * (c.row + a)); }
MW_HD Q4 dquat(const EnvCtx& c, int32_t a) { return load4(c.v->quat + 4 * (c.row + a)); }
MW_HD bool out_of_court(V3 b, const TaskSpec& ts) { return fabsf(b.x) > 0.5f * ts.length || fabsf(b.y) > 0.5f * ts.width; }
MW_HD float cos_xy(V3 a, V3 b) {
  const float na = norm_xy(a), nb = norm_xy(b);
  return na > 1e-6f && nb > 1e-6f ? (a.x * b.x + a.y * b.y) / (na * nb) : 0.0f;
}

// BackAndForth: fly A <-> B; 5 steps within 0.6 m of the target reach it and swap the target.
MW_HD bool rules_back_and_forth(const EnvCtx& c) {
  const V3 dp = dpos(c, 0);
  const V3 target = c.ri[kTarget] ? V3{9.0f, 4.5f, 2.0f} : V3{4.5f, 0.0f, 2.0f};
  const float d = norm(target - dp);
  int32_t& count = c.ri[kCount];
  count = d < 0.6f ? count + 1 : 0;
  const bool misbehave = dp.z < 0.4f || dp.z > 5.0f || d > 7.5f;
  const float cnt = static_cast<float>(count);
  c.rew[0] = 2.5f * cnt + 0.5f / (1.0f + d * d) * 0.02f * (50.0f - cnt) - (misbehave ? 10.0f : 0.0f);
  if (count >= 5) {
    c.m[0] += 1.0f;
    c.ri[kTarget] ^= 1;
    count = 0;
  }
  return misbehave;
}

// HitBall and SoloBump: one drone; a contact more than 25 steps after the last true hit is a
// true hit, one within 25 steps a wrong hit (ends the episode).
MW_HD bool rules_single(const EnvCtx& c, const uint8_t* touched) {
  const V3 dp = dpos(c, 0), bp = c.bp;
  const bool contact = touched[0] != 0;
  const bool true_hit = contact && c.step - c.ri[kLastHitStep] > 25;
  const bool wrong_hit = contact && !true_hit;
  c.v->out_hit[c.row] = true_hit ? 1 : 0;
  if (true_hit) c.m[0] += 1.0f;
  c.rf[kApex] = maxf(c.rf[kApex], bp.z);
  const TaskSpec ts = task_spec(c.p->task);
  const V3 anchor = anchor_of(c.p->task, 0);
  float r = 0.0f;
  bool done = false;
  if (c.p->task == kHitBall) {
    const bool drone_bad = dp.z < 0.4f || fabsf(dp.x) < 0.01f;
    const bool ball_bad = bp.z < 0.15f || bp.z > 16.0f;
    r += true_hit ? 1.0f : 0.0f;
    r -= norm(dp - anchor) > 1.0f ? 0.05f : 0.0f;
    r -= 10.0f * (static_cast<float>(wrong_hit) + static_cast<float>(drone_bad) + static_cast<float>(ball_bad));
    if (true_hit) c.ri[kFlags] |= kFlagHit;
    const bool ball_done = (c.ri[kFlags] & kFlagHit) && !true_hit && c.bv.z < 0.0f && bp.z <= 2.0f;
    if (ball_done) {
      r += 2.0f * (anchor.x - bp.x);
      c.m[1] = bp.x;
      c.m[2] = bp.x - anchor.x;
      c.ri[kFlags] |= kFlagBallDone;
    }
    done = wrong_hit || drone_bad || ball_bad || ball_done;
  } else {
    const bool drone_bad = dp.z < 0.4f || dp.z > 2.5f || fabsf(dp.x) < 0.01f;
    const bool ball_bad = bp.z < 0.15f || bp.z > 4.5f || out_of_court(bp, ts);
    bool height_hit = false;
    if (true_hit) {
      // The mean apex of the bounces so far (each ended by a true hit) is above min_height 3.5 m.
      if (c.ri[kLastHitStep] >= 0) {
        c.rf[kApexSum] += c.rf[kApex];
        c.ri[kBounces] += 1;
      }
      height_hit = c.ri[kBounces] > 0 && c.rf[kApexSum] > 3.5f * static_cast<float>(c.ri[kBounces]);
      c.rf[kApex] = bp.z;
    }
    if (height_hit) c.m[2] += 1.0f;
    c.m[1] = maxf(c.m[1], bp.z);
    r += 8.0f * static_cast<float>(height_hit) + 2.0f * static_cast<float>(true_hit);
    r += 1.0f / (1.0f + norm_xy(dp - bp));
    r += 0.5f * clampf(bp.z - maxf(dp.z, 1.0f), 0.0f, 2.0f);
    r -= 10.0f * (static_cast<float>(wrong_hit) + static_cast<float>(drone_bad) + static_cast<float>(ball_bad));
    done = wrong_hit || drone_bad || ball_bad;
  }
  if (true_hit) c.ri[kLastHitStep] = c.step;
  c.rew[0] = r;
  return done;
}

// Cooperative tasks: a contact more than 3 steps after the last one is a hit by the drone nearest
// the ball; it is a success if that drone is in turn and the ball was in its racket at the impact
// (VolleyBots tests the ball position after the physics step, which a 5 m/s rebound can carry
// 10 cm past the racket top; see docs/envs/volleyball.md).
MW_HD int32_t coop_hitter(const EnvCtx& c, const uint8_t* touched) {
  int32_t hitter = -1;
  float best = 1e30f;
  for (int32_t a = 0; a < c.p->num_agents; ++a) {
    if (!touched[a]) continue;
    const float d = norm(dpos(c, a) - c.bp);
    if (d < best) { best = d; hitter = a; }
  }
  if (hitter < 0 || c.step - c.ri[kLastHitStep] <= 3) return -1;
  c.ri[kLastHitStep] = c.step;
  return hitter;
}

MW_HD bool coop_ball_bad(const EnvCtx& c, bool& in_net, bool& out) {
  const TaskSpec ts = task_spec(c.p->task);
  in_net = fabsf(c.bp.x) < kBallRadius && fabsf(c.bp.y) < 0.5f * ts.width && c.bp.z < 2.43f;
  out = out_of_court(c.bp, ts);
  return c.bp.z < 0.2f || c.bp.z > 16.0f || in_net || out;
}

MW_HD float anchor_term(const EnvCtx& c) {
  float s = 0.0f;
  for (int32_t a = 0; a < c.p->num_agents; ++a) s += maxf(norm(dpos(c, a) - anchor_of(c.p->task, a)) - 0.5f, 0.0f);
  return s / static_cast<float>(c.p->num_agents);
}

// Turn shaping of the two cooperative drones: the mean of w_a / (1 + |drone a - ball|_xy), with
// VolleyBots' turn_to_reward weights for the turn (see the callers).
MW_HD float turn_shaping(const EnvCtx& c, float w0, float w1) {
  const float w[2] = {w0, w1};
  float s = 0.0f;
  for (int32_t a = 0; a < 2; ++a) s += w[a] / (1.0f + norm_xy(dpos(c, a) - c.bp));
  return s / 2.0f;
}

MW_HD bool rules_bump_and_pass(const EnvCtx& c, const uint8_t* touched) {
  const int32_t hitter = coop_hitter(c, touched);
  int32_t& turn = c.ri[kTurn];
  bool success = false, wrong = false;
  if (hitter >= 0) {
    success = hitter == turn && (touched[hitter] & 2);
    wrong = !success;
  }
  float shared = 0.0f;
  if (success) {
    const V3 to_mate = dpos(c, 1 - hitter) - dpos(c, hitter);
    shared += 1.0f + cos_xy(c.bv, to_mate);
    c.v->out_hit[c.row + hitter] = 1;
    c.m[0] += 1.0f;
    turn = 1 - turn;
  }
  // A cross: the ball passes the y = 0 midline above 4 m, counted once per 3 steps.
  const bool cross = fabsf(c.bp.y) <= kBallRadius && c.bp.z > 4.0f && c.step - c.ri[kCount] > 3;
  if (cross) {
    c.ri[kCount] = c.step;
    shared += 1.0f;
    c.m[1] += 1.0f;
    c.m[2] = maxf(c.m[2], c.bp.z);
  }
  bool in_net, out;
  const bool ball_bad = coop_ball_bad(c, in_net, out);
  // BumpAndPass: +1 for the drone in turn, -1 for the other.
  shared += -0.05f * anchor_term(c) + 0.05f * turn_shaping(c, turn == 0 ? 1.0f : -1.0f, turn == 1 ? 1.0f : -1.0f) -
            (ball_bad ? 10.0f : 0.0f);
  bool done = ball_bad;
  for (int32_t a = 0; a < 2; ++a) {
    const V3 dp = dpos(c, a);
    const bool drone_bad = dp.z < 0.4f || fabsf(dp.x) < 0.2f;
    const bool own_wrong = wrong && a == hitter;
    c.rew[a] = shared - 10.0f * (static_cast<float>(drone_bad) + static_cast<float>(own_wrong));
    done = done || drone_bad || own_wrong;
  }
  return done;
}

// The Hard task's board plans once the spiked ball flies at it: where the ball reaches z = 1.1,
// the velocity that sends it to (3, 1, 1.3) in 1.5 s, and the board velocity for restitution
// weight 0.77 between the incoming and outgoing velocities.
MW_HD void plan_board(const EnvCtx& c) {
  if (c.ri[kTurn] != 2 || (c.ri[kFlags] & kFlagBoardPlanned)) return;
  if (!(c.bv.x < -2.0f && c.bv.z < 0.0f && c.bp.z >= 1.2f)) return;
  const float disc = c.bv.z * c.bv.z + 2.0f * kGravity * (c.bp.z - 1.1f);
  const float t = (c.bv.z + sqrtf(maxf(disc, 0.0f))) / kGravity;
  const V3 hit = ball_pos_at(c.bp, c.bv, t), v_in = ball_vel_at(c.bv, t);
  const float T = 1.5f;
  const V3 v_out = (V3{3.0f, 1.0f, 1.3f} - hit) * (1.0f / T) + V3{0.0f, 0.0f, 0.5f * kGravity * T};
  const float beta = 0.77f;
  const V3 v_board = (v_in * beta + v_out) * (1.0f / (1.0f + beta));
  const V3 axis = normalized(v_out - v_in);
  float* b = c.v->board + static_cast<int64_t>(c.env) * kBoardFields;
  store3(b + 9, hit - axis * (kBallRadius + kBoardHalfHeight));
  store3(b + 12, v_board);
  b[15] = t;
  store3(b + 16, axis);
  c.ri[kFlags] |= kFlagBoardPlanned;
  c.m[4] = 1.0f;
}

MW_HD bool rules_set_and_spike(const EnvCtx& c, const uint8_t* touched, int32_t board_touched) {
  const bool hard = c.p->task == kSetAndSpikeHard;
  const int32_t hitter = coop_hitter(c, touched);
  int32_t& turn = c.ri[kTurn];
  int32_t& flags = c.ri[kFlags];
  bool success = false, wrong = false;
  float shared = 0.0f;
  if (hitter >= 0) {
    success = turn < 2 && hitter == turn && (touched[hitter] & 2);
    wrong = !success;
  }
  const V3 target{-4.5f, 0.0f, 0.0f};
  if (success) {
    c.v->out_hit[c.row + hitter] = 1;
    c.m[3] += 1.0f;
    shared += 5.0f;
    if (hitter == 0) {
      shared += cos_xy(c.bv, dpos(c, 1) - c.bp);
    } else {
      flags |= kFlagSpiked;
      const bool downward = c.bv.z < 0.0f;
      c.m[1] = downward ? 1.0f : 0.0f;
      c.m[2] = c.bv.z;
      shared += 5.0f * static_cast<float>(downward) + cos_xy(c.bv, target - c.bp) + 0.2f * maxf(5.0f - c.bv.z, 0.0f);
    }
    turn += 1;
  }
  if ((flags & kFlagSpiked) && !(flags & kFlagCrossed) && c.bp_prev.x > -kBallRadius && c.bp.x <= -kBallRadius) {
    flags |= kFlagCrossed;
    shared += 5.0f;
  }
  if (hard) {
    plan_board(c);
    if (board_touched) {
      flags |= kFlagBoardHit;
      c.m[5] = 1.0f;
    }
  }
  bool in_net, out;
  const bool ball_bad = coop_ball_bad(c, in_net, out);
  const bool landed = c.bp.z < 0.2f;
  if (ball_bad && (flags & kFlagSpiked)) {
    bool in_target;
    if (hard) {
      const bool returned = (flags & kFlagBoardHit) != 0;
      in_target = (flags & kFlagCrossed) &&
                  ((returned && (in_net || out)) || (!returned && (flags & kFlagBoardPlanned) && landed));
    } else {
      in_target = (flags & kFlagCrossed) && landed && norm_xy(c.bp - target) <= 1.0f;
      if (landed) shared += 0.2f * maxf(10.0f - norm_xy(c.bp - target), 0.0f);
    }
    if (in_target) {
      shared += 5.0f;
      c.m[0] = 1.0f;
    }
  }
  shared += -0.05f * anchor_term(c) - (ball_bad ? 10.0f : 0.0f);
  // SetAndSpike (setter, attacker) weights by turn: the set, the spike, after the spike.
  constexpr float kWeights[3][2] = {{1.0f, 0.0f}, {-1.0f, 1.0f}, {0.0f, -1.0f}};
  const int32_t row_w = turn == 0 || turn == 1 ? turn : 2;
  shared += 0.05f * turn_shaping(c, kWeights[row_w][0], kWeights[row_w][1]);
  bool done = ball_bad;
  const float too_low = hard ? 0.4f : 0.2f;
  for (int32_t a = 0; a < 2; ++a) {
    const V3 dp = dpos(c, a);
    const bool drone_bad = dp.z < too_low || dp.x < 0.0f;
    const bool own_wrong = wrong && a == hitter;
    c.rew[a] = shared - 10.0f * (static_cast<float>(drone_bad) + static_cast<float>(own_wrong));
    done = done || drone_bad || own_wrong;
  }
  return done;
}

// How far `dist` lies inside a band of width `band` (0 outside it).
MW_HD float band_depth(float dist, float band) { return dist < band ? band - dist : 0.0f; }

// Competitive rules (1v1, 3v3, 6v6): VolleyBots' velocity-change hit heuristic, touch rules,
// the six cases that lose a rally, and the rewards. One rally per episode.
template <int32_t kTask>
MW_HD bool rules_competitive(const EnvCtx& c) {
  const View& v = *c.v;
  constexpr TaskSpec ts = task_spec(kTask);
  constexpr int32_t A = ts.drones, n = ts.team_size;
  constexpr bool one = kTask == k1v1;
  const bool changed = c.bv.z - c.bv_prev.z > 9.8f * kDt ||
                       norm_xy(c.bv - c.bv_prev) > 0.5f;
  V3 pos[kMaxDrones];
  int32_t teams[kMaxDrones];
  for (int32_t a = 0; a < A; ++a) {
    pos[a] = dpos(c, a);
    teams[a] = a < n ? 0 : 1;
  }
  uint32_t cases[2] = {0u, 0u};  // bit k-1: case k
  float team_bonus[2] = {0.0f, 0.0f};
  // 1v1 (VolleyBots): a racket hit is legal when the drone in turn is the one nearest the ball;
  // the drone in turn is credited, and the turn passes once per step.
  const int32_t turn_before = c.ri[kTurn];
  int32_t nearest = 0;
  if (one && dot(c.bp - pos[1], c.bp - pos[1]) < dot(c.bp - pos[0], c.bp - pos[0])) nearest = 1;
  bool passed = false;
  for (int32_t a = 0; a < A; ++a) {
    const int64_t i = c.row + a;
    const int32_t team = teams[a];
    const V3 dp = pos[a];
    const V3 rel = c.bp - dp;
    const bool near = dot(rel, rel) < 0.25f;
    // The racket cylinder lies within 0.29 m of the centre of mass: only a near ball can be in it.
    const bool racket = near && ball_in_racket(dp, dquat(c, a), c.bp);
    const uint8_t f = v.flags[i];
    const bool ready = c.step - v.last_hit[i] > 3;
    const bool drone_hit = (near || (f & 2)) && changed && ready;
    const bool racket_hit = (racket || (f & 4)) && changed && ready;
    v.flags[i] = static_cast<uint8_t>((f & 1) | (near ? 2 : 0) | (racket ? 4 : 0));
    if (drone_hit && !racket_hit) cases[team] |= 1u << 1;  // case 2: not with the racket
    if (!racket_hit) continue;
    v.last_hit[i] = c.step;
    // 3v3/6v6: bit 0 is VolleyBots' "already hit in this turn", set for every drone but the
    // server at the serve and for the whole other team when possession changes.
    const bool legal = one ? turn_before == nearest : !(v.flags[i] & 1);
    if (!legal) {
      cases[team] |= 1u;  // case 1: out of turn or a second touch
      continue;
    }
    if (one) {
      passed = true;
    } else {
      v.out_hit[i] = 1;
      c.m[3] += 1.0f;
      c.ri[kLastHitter] = a;
      v.flags[i] |= 1;
      team_bonus[team] = 10.0f;  // once per team and step, however many of its drones hit
    }
  }
  if (passed) {  // 1v1: the hit is the drone in turn's: +5, then the turn passes
    v.out_hit[c.row + turn_before] = 1;
    c.rew[turn_before] += 5.0f;
    c.m[3] += 1.0f;
    c.ri[kLastHitter] = turn_before;
    c.ri[kTurn] = 1 - turn_before;
  }
  // Ball proximity (3v3/6v6) for the drones that may still touch, before possession changes.
  float proximity[kMaxDrones];
  for (int32_t a = 0; a < A; ++a)
    proximity[a] = !one && !(v.flags[c.row + a] & 1) ? 0.5f / (1.0f + norm(pos[a] - c.bp)) : 0.0f;
  // Possession follows the ball's half: the receiving team may touch again, the other may not.
  const int32_t side = c.bp.x > 0.0f ? 0 : 1;
  if (side != c.ri[kSide]) {
    c.ri[kSide] = side;
    c.m[4] += 1.0f;
    if (!one)
      for (int32_t a = 0; a < A; ++a)
        v.flags[c.row + a] = static_cast<uint8_t>((v.flags[c.row + a] & ~1u) | (teams[a] == side ? 0u : 1u));
  }
  const int32_t last = c.ri[kLastHitter];
  // Out or into the net: the last hitter's team, or the serving team before any hit.
  const int32_t blame = last >= 0 ? (last < n ? 0 : 1) : c.ri[kTarget];
  const bool out = out_of_court(c.bp, ts);
  const bool ground = c.bp.z < 0.2f;
  for (int32_t a = 0; a < A; ++a) {  // case 3: a drone crossed the net line
    const int32_t team = teams[a];
    const float x = pos[a].x;
    if (team == 0 ? x < 0.0f : x > 0.0f) cases[team] |= 1u << 2;
  }
  if (ground && !out) cases[c.bp.x > 0.0f ? 0 : 1] |= 1u << 3;                 // case 4
  if (one ? out : (out && ground)) cases[blame] |= 1u << 4;                  // case 5
  if (fabsf(c.bp.x) < 3.0f * kBallRadius && fabsf(c.bp.y) < 0.5f * ts.width && c.bp.z < 2.43f)
    cases[blame] |= 1u << 5;                                                    // case 6
  bool too_low = false, too_close = false;
  float lose_bonus[kMaxDrones];
  for (int32_t a = 0; a < A; ++a) {
    lose_bonus[a] = 0.0f;
    const V3 dp = pos[a];
    if (dp.z < 0.3f) { lose_bonus[a] -= 100.0f; too_low = true; }
    if (!one)
      for (int32_t b = 0; b < A; ++b)
        if (b != a && teams[b] == teams[a] && dot(pos[b] - dp, pos[b] - dp) < 0.64f) {
          lose_bonus[a] -= 100.0f;
          too_close = true;
          break;
        }
  }
  const bool lost0 = cases[0] != 0u, lost1 = cases[1] != 0u;
  float result[2] = {0.0f, 0.0f};
  if (lost0 != lost1) {
    const int32_t winner = lost0 ? 1 : 0;
    result[winner] = 100.0f;
    result[1 - winner] = -100.0f;
    c.m[winner] = 1.0f;
  } else if (lost0 && lost1) {
    c.m[2] = 1.0f;
  }
  if (lost0 || lost1) {
    const uint32_t both = cases[0] | cases[1];
    int32_t k = 0;
    while (!((both >> k) & 1u)) ++k;
    c.m[5] = static_cast<float>(k + 1);
  } else if (too_low) {
    c.m[5] = 7.0f;
  } else if (too_close) {
    c.m[5] = 8.0f;
  }
  for (int32_t a = 0; a < A; ++a) {
    const int32_t team = teams[a];
    const V3 dp = pos[a], anchor = anchor_of(kTask, a);
    float r = result[team] + lose_bonus[a] + team_bonus[team];
    if (one) {
      if (turn_before == a) r += 0.5f / (1.0f + norm_xy(dp - c.bp));  // the turn before it passed
      // Position penalty: metres inside the 0.5 m bands along the net, the centre line and the
      // court's edges, and beyond 1 m from the anchor's height (VolleyBots' hinge).
      const float ax = fabsf(dp.x), ay = fabsf(dp.y), dz = fabsf(dp.z - anchor.z);
      const float px = band_depth(ax, 0.5f) + band_depth(0.5f * ts.length - ax, 0.5f);
      const float py = band_depth(ay, 0.5f) + band_depth(0.5f * ts.width - ay, 0.5f);
      const float pz = dz > 1.0f ? dz - 1.0f : 0.0f;
      r -= 0.2f * (px + py + pz);
    } else {
      r += proximity[a] + 0.05f / (1.0f + norm(dp - anchor));
    }
    c.rew[a] += r;
  }
  return lost0 || lost1 || too_low || too_close;
}

}  // namespace mw::vb
