// Volleyball observations: VolleyBots' 23-D drone block and each task's per-agent layout
// (reference/volleyball.md §4), with the far team's view mirrored by a half turn about z.
#pragma once
#include "vb_physics.h"
#include "vb_types.h"

namespace mw::vb {

MW_HD float uniform01(uint32_t u) { return static_cast<float>(u >> 8) * (1.0f / 16777216.0f); }

// Anchor (home position) of drone a in a task (VolleyBots cfg/task/*.yaml). Competitive far-team
// anchors are the near team's rotated half a turn about z.
MW_HD V3 anchor_of(int32_t task, int32_t a) {
  switch (task) {
    case kBumpAndPass: return V3{4.5f, a == 0 ? -2.5f : 2.5f, 2.0f};
    case kSetAndSpike:
    case kSetAndSpikeHard: return a == 0 ? V3{2.0f, -2.5f, 2.5f} : V3{2.0f, 2.5f, 3.5f};
    case k1v1: return V3{a == 0 ? 1.5f : -1.5f, 0.0f, 2.0f};
    case k3v3:
    case k6v6: {
      const int32_t n = task == k3v3 ? 3 : 6;
      const int32_t k = a < n ? a : a - n;
      float x, y;
      if (n == 3) {  // (3, -1.5), (3, 1.5), (6, 0)
        x = k == 2 ? 6.0f : 3.0f;
        y = k == 0 ? -1.5f : (k == 1 ? 1.5f : 0.0f);
      } else {       // (3, -3), (3, 0), (3, 3), (6, -3), (9, 0), (6, 3)
        x = k < 3 ? 3.0f : (k == 4 ? 9.0f : 6.0f);
        y = k == 4 ? 0.0f : 3.0f * static_cast<float>(k % 3 - 1);
      }
      return a < n ? V3{x, y, 2.0f} : V3{-x, -y, 2.0f};
    }
    default: return V3{4.5f, 0.0f, 2.0f};
  }
}

// Team of drone a (competitive tasks): 0 near side (x > 0), 1 far side.
MW_HD int32_t team_of(int32_t task, int32_t a) { return task == k1v1 ? a : (task == k3v3 ? a / 3 : a / 6); }
MW_HD constexpr bool is_competitive(int32_t task) { return task >= k1v1; }
MW_HD constexpr bool is_coop(int32_t task) { return task >= kBumpAndPass && task <= kSetAndSpikeHard; }

// Far-side view: positions, velocities and relative vectors rotated half a turn about z.
MW_HD V3 mirror(V3 v, bool far) { return far ? V3{-v.x, -v.y, v.z} : v; }
MW_HD Q4 mirror_quat(Q4 q, bool far) { return far ? qmul(Q4{0.0f, 0.0f, 0.0f, 1.0f}, q) : q; }

// Whether the ball centre lies in drone a's virtual racket: a cylinder of radius 0.2 m from the
// centre of mass up 0.2 m along body z.
MW_HD bool ball_in_racket(V3 dp, Q4 dq, V3 bp) {
  const V3 rel = qrot_inv(dq, bp - dp);
  return rel.z >= 0.0f && rel.z <= kRacketHeight && rel.x * rel.x + rel.y * rel.y <= kRacketRadius * kRacketRadius;
}

// Body x and z axes in the world frame (first and third columns of the rotation matrix).
MW_HD V3 body_x(Q4 q) {
  return V3{1.0f - 2.0f * (q.y * q.y + q.z * q.z), 2.0f * (q.x * q.y + q.w * q.z), 2.0f * (q.x * q.z - q.w * q.y)};
}
MW_HD V3 body_z(Q4 q) {
  return V3{2.0f * (q.x * q.z + q.w * q.y), 2.0f * (q.y * q.z - q.w * q.x), 1.0f - 2.0f * (q.x * q.x + q.y * q.y)};
}

// Writes the 23-D block pos | quat (wxyz) | vel | world angular vel | heading | up | throttle*2-1.
MW_HD float* write_root_state(float* o, V3 p, Q4 q, V3 v, V3 w_body, const float* throttle, bool far,
                              bool positive_w) {
  Q4 qm = mirror_quat(q, far);
  if (positive_w && qm.w < 0.0f) qm = Q4{-qm.w, -qm.x, -qm.y, -qm.z};
  const V3 pm = mirror(p, far), vm = mirror(v, far), wm = mirror(qrot(q, w_body), far);
  const V3 heading = body_x(qm), up = body_z(qm);
  o[0] = pm.x; o[1] = pm.y; o[2] = pm.z;
  o[3] = qm.w; o[4] = qm.x; o[5] = qm.y; o[6] = qm.z;
  o[7] = vm.x; o[8] = vm.y; o[9] = vm.z;
  o[10] = wm.x; o[11] = wm.y; o[12] = wm.z;
  o[13] = heading.x; o[14] = heading.y; o[15] = heading.z;
  o[16] = up.x; o[17] = up.y; o[18] = up.z;
  for (int32_t i = 0; i < 4; ++i) o[19 + i] = throttle[i] * 2.0f - 1.0f;
  return o + 23;
}
MW_HD float* put3(float* o, V3 v) {
  o[0] = v.x;
  o[1] = v.y;
  o[2] = v.z;
  return o + 3;
}
MW_HD float* one_hot(float* o, int32_t n, int32_t k) {
  for (int32_t i = 0; i < n; ++i) o[i] = i == k ? 1.0f : 0.0f;
  return o + n;
}

// Observations and world-state outputs of every drone of one env. Each observation is built in
// a local buffer (no aliasing with the state arrays) and copied out once. Instantiated per task
// so that drone counts, sizes and branches are compile-time constants.
template <int32_t kTask>
MW_HD void write_observations_t(const Params& p, const View& v, int32_t env) {
  constexpr TaskSpec ts = task_spec(kTask);
  constexpr int32_t A = ts.drones, D = ts.obs_dim;
  const int64_t row = static_cast<int64_t>(env) * A;
  const float* ball = v.ball + static_cast<int64_t>(env) * kBallFields;
  const V3 bp = load3(ball), bv = load3(ball + 3);
  const int32_t* ri = v.rule_i + static_cast<int64_t>(env) * kRuleInts;
  const V3 target = ri[kTarget] ? V3{9.0f, 4.5f, 2.0f} : V3{4.5f, 0.0f, 2.0f};
  V3 pos[kMaxDrones];
  for (int32_t a = 0; a < A; ++a) pos[a] = load3(v.pos + 3 * (row + a));
  for (int32_t a = 0; a < A; ++a) {
    const int64_t i = row + a;
    const V3 dp = pos[a], dv = load3(v.vel + 3 * i), w = load3(v.omega + 3 * i);
    const Q4 dq = load4(v.quat + 4 * i);
    float buf[96];
    float* o = buf;
    const bool far = is_competitive(kTask) && team_of(kTask, a) == 1;
    const bool positive_w = kTask >= kBumpAndPass;
    o = write_root_state(o, dp, dq, dv, w, v.throttle + 4 * i, far, positive_w);
    const V3 anchor = anchor_of(kTask, a);
    if constexpr (kTask == kBackAndForth) {
      o = put3(o, target - dp);
    } else if constexpr (kTask == kHitBall || kTask == kSoloBump) {
      o = put3(put3(put3(o, dp - anchor), dp - bp), bv);
    } else if constexpr (is_coop(kTask) || kTask == k1v1) {
      o = put3(o, mirror(dp - anchor, far));
      o = put3(o, mirror(pos[1 - a] - dp, far));
      o = put3(o, mirror(dp - bp, far));
      o = put3(o, mirror(bv, far));
      if constexpr (kTask == kBumpAndPass) {
        o = one_hot(o, 2, ri[kTurn]);
        o = one_hot(o, 2, a);
        const float t = static_cast<float>(v.steps[env]) / static_cast<float>(p.max_steps);
        for (int32_t k = 0; k < 4; ++k) *o++ = t;
      } else if constexpr (kTask == k1v1) {
        o = one_hot(o, 2, ri[kTurn] == a ? 0 : 1);
      } else {
        o = one_hot(o, 3, ri[kTurn]);
        o = one_hot(o, 2, a);
      }
    } else {  // 3v3, 6v6
      const int32_t n = ts.team_size, team = team_of(kTask, a);
      o = put3(o, mirror(dp - anchor, far));
      o = put3(o, mirror(bp - dp, far));
      o = put3(o, mirror(bv, far));
      o = one_hot(o, 2, ri[kSide] == team ? 0 : 1);
      o = one_hot(o, n, a % n);
      o = one_hot(o, 2, (v.flags[i] & 1) ? 1 : 0);
      for (int32_t k = 0; k < A; ++k) {  // own team first
        const int32_t j = k + team * n < A ? k + team * n : k + team * n - A;
        o = put3(o, mirror(pos[j], far));
      }
    }
    float* MW_RESTRICT out = v.obs + static_cast<int64_t>(D) * i;
    for (int32_t k = 0; k < D; ++k) out[k] = buf[k];
    float od[kDroneOut];
    store3(od, dp);
    store4(od + 3, dq);
    put3(put3(od + 7, dv), qrot(dq, w));
    float* MW_RESTRICT outd = v.out_drone + kDroneOut * i;
    for (int32_t k = 0; k < kDroneOut; ++k) outd[k] = od[k];
  }
  float* ob = v.out_ball + 6 * static_cast<int64_t>(env);
  put3(put3(ob, bp), bv);
  const float* board = v.board + static_cast<int64_t>(env) * kBoardFields;
  float* obd = v.out_board + 6 * static_cast<int64_t>(env);
  put3(put3(obd, load3(board)), load3(board + 6));
}

MW_HD void write_observations(const Params& p, const View& v, int32_t env) {
  switch (p.task) {
    case kBackAndForth: write_observations_t<kBackAndForth>(p, v, env); break;
    case kHitBall: write_observations_t<kHitBall>(p, v, env); break;
    case kSoloBump: write_observations_t<kSoloBump>(p, v, env); break;
    case kBumpAndPass: write_observations_t<kBumpAndPass>(p, v, env); break;
    case kSetAndSpike: write_observations_t<kSetAndSpike>(p, v, env); break;
    case kSetAndSpikeHard: write_observations_t<kSetAndSpikeHard>(p, v, env); break;
    case k1v1: write_observations_t<k1v1>(p, v, env); break;
    case k3v3: write_observations_t<k3v3>(p, v, env); break;
    default: write_observations_t<k6v6>(p, v, env); break;
  }
}

}  // namespace mw::vb
