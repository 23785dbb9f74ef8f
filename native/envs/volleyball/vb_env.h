// Volleyball-<Task>-v0 reset and physics step of one env (host and device): serve or spawn,
// actions -> rotor commands (per-rotor thrust or the CTBR rate PID), rotor lag, rigid-body
// substeps with downwash, ball flight with swept drone/board contact. Rules: vb_rules.h.
#pragma once
#include "../../common/rng.h"
#include "vb_obs.h"

namespace mw::vb {

enum Stream : uint32_t { kStreamSpawn = 0, kStreamServe = 1 };

// Start of an episode: drones at their anchors (with the task's spawn noise), ball at rest above
// the server, rule state cleared. Observations are written by the caller.
MW_HD void spawn_env(const Params& p, const View& v, int32_t env) {
  const int32_t A = p.num_agents;
  const int64_t row = static_cast<int64_t>(env) * A;
  const uint32_t seed = v.seeds[env], ep = v.episode[env];
  const uint32_t ue = 0u;  // the env enters through its seed only (docs/rng.md)
  const float hover = hover_throttle();
  for (int32_t a = 0; a < A; ++a) {
    const int64_t i = row + a;
    const U32x4 r0 = rng_draw(seed, kStreamSpawn, ue, ep, 0, static_cast<uint32_t>(2 * a));
    const U32x4 r1 = rng_draw(seed, kStreamSpawn, ue, ep, 0, static_cast<uint32_t>(2 * a + 1));
    const float u[6] = {uniform01(r0.v[0]), uniform01(r0.v[1]), uniform01(r0.v[2]),
                        uniform01(r0.v[3]), uniform01(r1.v[0]), uniform01(r1.v[1])};
    V3 pos = anchor_of(p.task, a);
    Q4 q{1.0f, 0.0f, 0.0f, 0.0f};
    const float kPi = 3.14159265f;
    if (p.task <= kSetAndSpikeHard) {
      // init_rpy_dist: roll, pitch U(-0.1 pi, 0.1 pi), yaw U(0, 2 pi); position noise except
      // BackAndForth, which starts exactly at A.
      if (p.task != kBackAndForth)
        pos = pos + V3{u[0] - 0.5f, u[1] - 0.5f, 0.4f * u[2] - 0.2f};
      q = quat_from_rpy((u[3] * 2.0f - 1.0f) * 0.1f * kPi, (u[4] * 2.0f - 1.0f) * 0.1f * kPi, u[5] * 2.0f * kPi);
    } else {
      const float yaw = team_of(p.task, a) == 1 ? kPi : 0.0f;
      if (p.task == k1v1) {  // U(+-0.1 m), roll/pitch U(+-0.1 rad)
        pos = pos + V3{(u[0] - 0.5f) * 0.2f, (u[1] - 0.5f) * 0.2f, (u[2] - 0.5f) * 0.2f};
        q = quat_from_rpy((u[3] - 0.5f) * 0.2f, (u[4] - 0.5f) * 0.2f, yaw);
      } else {
        q = quat_from_rpy(0.0f, 0.0f, yaw);
      }
    }
    store3(v.pos + 3 * i, pos);
    store3(v.vel + 3 * i, V3{0.0f, 0.0f, 0.0f});
    store4(v.quat + 4 * i, q);
    store3(v.omega + 3 * i, V3{0.0f, 0.0f, 0.0f});
    for (int32_t k = 0; k < 4; ++k) v.throttle[4 * i + k] = hover;
    for (int32_t k = 0; k < 6; ++k) v.pid[6 * i + k] = 0.0f;
    v.last_hit[i] = -1000;
    v.flags[i] = 0;
    v.ep_return[i] = 0.0f;
  }
  int32_t* ri = v.rule_i + static_cast<int64_t>(env) * kRuleInts;
  float* rf = v.rule_f + static_cast<int64_t>(env) * kRuleFloats;
  for (int32_t k = 0; k < kRuleInts; ++k) ri[k] = 0;
  for (int32_t k = 0; k < kRuleFloats; ++k) rf[k] = 0.0f;
  for (int32_t k = 0; k < kNumMetrics; ++k) v.metrics[static_cast<int64_t>(env) * kNumMetrics + k] = 0.0f;
  ri[kLastHitter] = -1;
  ri[kLastHitStep] = -1000;
  ri[kCount] = p.task == kBackAndForth ? 0 : -1000;
  // Serve: the ball at rest above the server.
  const U32x4 serve = rng_draw(seed, kStreamServe, ue, ep, 0, 0);
  const int32_t side = p.random_serve ? static_cast<int32_t>(serve.v[0] & 1u) : 0;
  int32_t server = 0;
  float lift = 2.0f;
  if (p.task == kHitBall) lift = 3.0f;
  if (p.task == k1v1) { server = side; lift = 1.5f; ri[kTurn] = side; }
  if (p.task == k3v3) { server = 3 * side + 2; lift = 3.0f; }
  if (p.task == k6v6) { server = 6 * side + 4; lift = 3.0f; }
  if (p.task == k3v3 || p.task == k6v6)  // only the server may touch the serve (VolleyBots)
    for (int32_t a = 0; a < p.num_agents; ++a) v.flags[row + a] = a == server ? 0 : 1;
  ri[kSide] = is_competitive(p.task) ? side : 0;
  // BackAndForth: target B first; competitive: the serving team.
  ri[kTarget] = is_competitive(p.task) ? side : 1;
  float* ball = v.ball + static_cast<int64_t>(env) * kBallFields;
  const V3 bp = load3(v.pos + 3 * (row + server)) + V3{0.0f, 0.0f, lift};
  for (int32_t k = 0; k < kBallFields; ++k) ball[k] = 0.0f;
  if (task_spec(p.task).has_ball) {
    store3(ball, bp);
    store3(ball + 6, bp);
  }
  rf[kApex] = bp.z;
  float* board = v.board + static_cast<int64_t>(env) * kBoardFields;
  for (int32_t k = 0; k < kBoardFields; ++k) board[k] = 0.0f;
  if (p.task == kSetAndSpikeHard) {
    store3(board, V3{-4.0f, 0.0f, 0.5f});
    store3(board + 6, V3{0.0f, 0.0f, 1.0f});
  }
  v.steps[env] = 0;
  v.needs_reset[env] = 0;
}

// Per-rotor commands of drone i from its action; non-finite values count as 0 and flag the env.
MW_HD void rotor_commands(const Params& p, const View& v, int32_t env, int64_t i, float* cmd) {
  float a[4];
  for (int32_t k = 0; k < 4; ++k) {
    const float x = v.actions[4 * i + k];
    const bool finite = x == x && x < kActionLimit && x > -kActionLimit;
    if (!finite) v.status[env] |= kStatusBadAction;
    a[k] = finite ? x : 0.0f;
  }
  if (p.action_mode == kThrustBodyRates) {
    rate_pid(a, load3(v.omega + 3 * i), v.pid + 6 * i, cmd);
  } else {
    for (int32_t k = 0; k < 4; ++k) cmd[k] = clampf(a[k], -1.0f, 1.0f);
  }
}

// Hard task's defending board: steer towards the planned contact point so that it arrives with
// the planned velocity, at most 8 m/s, turning its axis at most 4 rad/s.
MW_HD void steer_board(const View& v, int32_t env) {
  float* b = v.board + static_cast<int64_t>(env) * kBoardFields;
  const int32_t* ri = v.rule_i + static_cast<int64_t>(env) * kRuleInts;
  if (!(ri[kFlags] & kFlagBoardPlanned)) return;
  const V3 pos = load3(b), axis = load3(b + 6), goal = load3(b + 9), vplan = load3(b + 12);
  const float t_left = b[15];
  V3 vel{0.0f, 0.0f, 0.0f};
  V3 want_axis = axis;
  if (t_left > -0.2f) {
    const V3 next = goal - vplan * maxf(t_left - kDt, 0.0f);
    vel = (next - pos) * (1.0f / kDt);
    const float speed = norm(vel);
    if (speed > 8.0f) vel = vel * (8.0f / speed);
    want_axis = load3(b + 16);
  }
  // Rotate the axis towards the wanted one by at most 4 rad/s.
  const float c = clampf(dot(axis, want_axis), -1.0f, 1.0f);
  const float angle = acosf(c), max_turn = 4.0f * kDt;
  V3 new_axis = want_axis;
  if (angle > max_turn) new_axis = normalized(axis * sinf(angle - max_turn) + want_axis * sinf(max_turn));
  store3(b + 3, vel);
  store3(b + 6, new_axis);
  b[15] = t_left - kDt;
}

// Physics of one control step. touched[a]: bit 0 if drone a's box gave the ball an impulse, bit 1
// if the ball was in its racket at that moment; returns 1 if the board did.
MW_HD int32_t physics_step(const Params& p, const View& v, int32_t env, uint8_t* touched) {
  const int32_t A = p.num_agents;
  const int64_t row = static_cast<int64_t>(env) * A;
  const TaskSpec ts = task_spec(p.task);
  float thrust[kMaxDrones];
  V3 torque[kMaxDrones], extra[kMaxDrones];
  Sweep sweep[kMaxDrones];
  for (int32_t a = 0; a < A; ++a) {
    const int64_t i = row + a;
    float cmd[4];
    rotor_commands(p, v, env, i, cmd);
    for (int32_t k = 0; k < 4; ++k) v.throttle[4 * i + k] = rotor_lag(v.throttle[4 * i + k], cmd[k]);
    rotor_wrench(v.throttle + 4 * i, thrust[a], torque[a]);
    touched[a] = 0;
  }
  float* ball = v.ball + static_cast<int64_t>(env) * kBallFields;
  for (int32_t k = 0; k < 6; ++k) ball[6 + k] = ball[k];  // previous step's pos and vel
  float* board = v.board + static_cast<int64_t>(env) * kBoardFields;
  if (p.task == kSetAndSpikeHard) steer_board(v, env);
  int32_t board_touched = 0;
  const float h = kDt / static_cast<float>(p.substeps);
  for (int32_t sub = 0; sub < p.substeps; ++sub) {
    // Downwash from every other drone, from the poses at the substep start.
    V3 pos0[kMaxDrones], up0[kMaxDrones];
    for (int32_t a = 0; a < A; ++a) {
      pos0[a] = load3(v.pos + 3 * (row + a));
      up0[a] = qrot(load4(v.quat + 4 * (row + a)), V3{0.0f, 0.0f, 1.0f});
    }
    for (int32_t a = 0; a < A; ++a) {
      V3 f{0.0f, 0.0f, 0.0f};
      for (int32_t j = 0; j < A; ++j)
        if (j != a) f = f + downwash_force(pos0[a], pos0[j], up0[j], thrust[j]);
      extra[a] = f;
    }
    for (int32_t a = 0; a < A; ++a) {
      const int64_t i = row + a;
      V3 dp = load3(v.pos + 3 * i), dv = load3(v.vel + 3 * i), w = load3(v.omega + 3 * i);
      Q4 q = load4(v.quat + 4 * i);
      sweep[a].p0 = dp;
      sweep[a].q0 = q;
      drone_substep(dp, dv, q, w, thrust[a], torque[a], extra[a], h);
      sweep[a].p1 = dp;
      sweep[a].q1 = q;
      store3(v.pos + 3 * i, dp);
      store3(v.vel + 3 * i, dv);
      store4(v.quat + 4 * i, q);
      store3(v.omega + 3 * i, w);
    }
    V3 board_p0{0.0f, 0.0f, 0.0f};
    if (p.task == kSetAndSpikeHard) {
      board_p0 = load3(board);
      store3(board, board_p0 + load3(board + 3) * h);
    }
    if (!ts.has_ball) continue;
    V3 bp = load3(ball), bv = load3(ball + 3);
    // Earliest contact over the substep (drones in index order break ties), then free flight for
    // the rest of the substep with the new velocity.
    float best = 2.0f;
    int32_t who = -1;
    for (int32_t a = 0; a < A; ++a) {
      const float s = sweep_contact(sweep[a], bp, bv, h);
      if (s >= 0.0f && s < best) { best = s; who = a; }
    }
    float board_s = -1.0f;
    if (p.task == kSetAndSpikeHard) {
      // The board moves linearly; sample the relative path like the drone sweep.
      const V3 bvel = load3(board + 3), axis = load3(board + 6);
      const int32_t n = 16;
      for (int32_t k = 0; k <= n; ++k) {
        const float s = static_cast<float>(k) / n;
        const V3 c = board_p0 + bvel * (s * h);
        if (cylinder_gap(ball_pos_at(bp, bv, s * h), c, axis, nullptr) <= 0.0f) { board_s = s; break; }
      }
      if (board_s >= 0.0f && board_s < best) {
        best = board_s;
        who = A;
      }
    }
    if (who >= 0 && who < A) {
      const int64_t i = row + who;
      const Sweep& sw = sweep[who];
      V3 cp = ball_pos_at(bp, bv, best * h), cv = ball_vel_at(bv, best * h);
      V3 dv = load3(v.vel + 3 * i), dw = load3(v.omega + 3 * i);
      const V3 dpos = sw.p0 + (sw.p1 - sw.p0) * best;
      const Q4 dq = qnlerp(sw.q0, sw.q1, best);
      if (resolve_drone_contact(cp, cv, dpos, dq, dv, dw)) {
        // Bit 0: a contact; bit 1: the ball centre was inside the racket at the moment of impact.
        touched[who] = static_cast<uint8_t>(1u | (ball_in_racket(dpos, dq, cp) ? 2u : 0u));
        store3(v.vel + 3 * i, dv);
        store3(v.omega + 3 * i, dw);
      }
      const float rest = (1.0f - best) * h;
      bp = ball_pos_at(cp, cv, rest);
      bv = ball_vel_at(cv, rest);
    } else if (who == A) {
      const V3 bvel = load3(board + 3), axis = load3(board + 6);
      const V3 c = board_p0 + bvel * (best * h);
      V3 cp = ball_pos_at(bp, bv, best * h), cv = ball_vel_at(bv, best * h);
      V3 n;
      cylinder_gap(cp, c, axis, &n);
      const float vn = dot(cv - bvel, n);
      if (vn < 0.0f) {  // the board is kinematic: the ball takes the whole impulse
        const float e = -vn >= kBounceThreshold ? kRestitution : 0.0f;
        cv = cv - n * ((1.0f + e) * vn);
        board_touched = 1;
      }
      const float rest = (1.0f - best) * h;
      bp = ball_pos_at(cp, cv, rest);
      bv = ball_vel_at(cv, rest);
    } else {
      bp = ball_pos_at(bp, bv, h);
      bv = ball_vel_at(bv, h);
    }
    store3(ball, bp);
    store3(ball + 3, bv);
  }
  return board_touched;
}

}  // namespace mw::vb
