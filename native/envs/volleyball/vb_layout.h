// Volleyball batch layout: the state arena (drones, ball, board, rule state; owned by the
// executor, never shown to the caller) and the io arena (actions in; observations, rewards, flags
// and infos out; allocated by the caller). Lists both with element sizes and counts, binds a
// View, and checks parameters and actions. src/envs/volleyball/layout.ts lists the same io fields
// in the same order.
#pragma once
#include <cstdint>

#include "../../common/fields.h"
#include "vb_step.h"

namespace mw::vb {

constexpr int kMaxFields = 32;

inline int list_state_fields(const Params& p, FieldSpec* out) {
  const int64_t e = p.num_envs, ea = e * p.num_agents;
  int n = 0;
  auto add = [&](const char* name, int32_t size, int64_t count) { out[n++] = FieldSpec{name, size, count}; };
  add("seeds", 4, e);
  add("episode", 4, e);
  add("steps", 4, e);
  add("needsReset", 1, e);
  add("status", 4, e);
  add("pos", 4, ea * 3);
  add("vel", 4, ea * 3);
  add("quat", 4, ea * 4);
  add("omega", 4, ea * 3);
  add("throttle", 4, ea * 4);
  add("pid", 4, ea * 6);
  add("lastHit", 4, ea);
  add("flags", 1, ea);
  add("epReturn", 4, ea);
  add("ball", 4, e * kBallFields);
  add("board", 4, e * kBoardFields);
  add("ruleI", 4, e * kRuleInts);
  add("ruleF", 4, e * kRuleFloats);
  add("metrics", 4, e * kNumMetrics);
  return n;
}

inline int list_io_fields(const Params& p, FieldSpec* out) {
  const int64_t e = p.num_envs, ea = e * p.num_agents;
  const int64_t obs = ea * p.obs_dim;
  int n = 0;
  auto add = [&](const char* name, int32_t size, int64_t count) { out[n++] = FieldSpec{name, size, count}; };
  add("actions", 4, ea * kActionDim);
  add("obs", 4, obs);
  add("rewards", 4, ea);
  add("terminations", 1, ea);
  add("truncations", 1, ea);
  add("outDrone", 4, ea * kDroneOut);
  add("outBall", 4, e * 6);
  add("outBoard", 4, e * 6);
  add("outHit", 1, ea);
  add("episodeDone", 1, e);
  add("finalReturn", 4, ea);
  add("finalLength", 4, e);
  add("finalMetrics", 4, e * kNumMetrics);
  add("finalObs", 4, p.keep_final_obs ? obs : 0);
  return n;
}

// Returns nullptr if the parameters are usable, else what is wrong.
inline const char* check_params(const Params& p) {
  if (p.num_envs < 1) return "numEnvs must be >= 1";
  if (p.task < 0 || p.task >= kNumTasks) return "unknown task";
  const TaskSpec ts = task_spec(p.task);
  if (p.num_agents != ts.drones) return "numAgents does not match the task";
  if (p.obs_dim != ts.obs_dim) return "obsDim does not match the task";
  if (p.action_mode < kPerRotorThrust || p.action_mode > kThrustBodyRates) return "unknown action mode";
  if (p.substeps < 1 || p.substeps > 16) return "substeps must be in 1..16";
  if (p.max_steps < 1) return "maxEpisodeSteps must be >= 1";
  if (p.autoreset < kSameStep || p.autoreset > kDisabled) return "unknown autoreset mode";
  if (p.keep_final_obs && p.autoreset != kSameStep) return "keepFinalObs needs same-step autoreset";
  if (p.random_serve < 0 || p.random_serve > 1) return "randomServe must be 0 or 1";
  return nullptr;
}

// Binds the state fields of `v` to `state` and the io fields to `io` (`io_bytes` long) at the
// given byte offsets. Returns nullptr on success, else the name of an io field that does not fit.
inline const char* bind_view(const Params& p, uint8_t* state, const uint64_t* state_offsets, uint8_t* io,
                             uint64_t io_bytes, const uint64_t* io_offsets, View& v) {
  FieldSpec f[kMaxFields];
  const int n = list_io_fields(p, f);
  void* iop[kMaxFields];
  if (const char* bad = place_io_fields(f, n, io, io_bytes, io_offsets, iop)) return bad;
  auto st = [&](int i) { return static_cast<void*>(state + state_offsets[i]); };
  int i = 0;
  v.seeds = static_cast<uint32_t*>(st(i++));
  v.episode = static_cast<uint32_t*>(st(i++));
  v.steps = static_cast<int32_t*>(st(i++));
  v.needs_reset = static_cast<uint8_t*>(st(i++));
  v.status = static_cast<uint32_t*>(st(i++));
  v.pos = static_cast<float*>(st(i++));
  v.vel = static_cast<float*>(st(i++));
  v.quat = static_cast<float*>(st(i++));
  v.omega = static_cast<float*>(st(i++));
  v.throttle = static_cast<float*>(st(i++));
  v.pid = static_cast<float*>(st(i++));
  v.last_hit = static_cast<int32_t*>(st(i++));
  v.flags = static_cast<uint8_t*>(st(i++));
  v.ep_return = static_cast<float*>(st(i++));
  v.ball = static_cast<float*>(st(i++));
  v.board = static_cast<float*>(st(i++));
  v.rule_i = static_cast<int32_t*>(st(i++));
  v.rule_f = static_cast<float*>(st(i++));
  v.metrics = static_cast<float*>(st(i++));
  i = 0;
  v.actions = static_cast<const float*>(iop[i++]);
  v.obs = static_cast<float*>(iop[i++]);
  v.rewards = static_cast<float*>(iop[i++]);
  v.terminations = static_cast<uint8_t*>(iop[i++]);
  v.truncations = static_cast<uint8_t*>(iop[i++]);
  v.out_drone = static_cast<float*>(iop[i++]);
  v.out_ball = static_cast<float*>(iop[i++]);
  v.out_board = static_cast<float*>(iop[i++]);
  v.out_hit = static_cast<uint8_t*>(iop[i++]);
  v.episode_done = static_cast<uint8_t*>(iop[i++]);
  v.final_return = static_cast<float*>(iop[i++]);
  v.final_length = static_cast<int32_t*>(iop[i++]);
  v.final_metrics = static_cast<float*>(iop[i++]);
  v.final_obs = static_cast<float*>(iop[i++]);
  return nullptr;
}

// Index into `actions` of the first NaN or infinite value, or -1 if all are finite.
inline int64_t first_bad_action(const Params& p, const View& v) {
  const int64_t n = static_cast<int64_t>(p.num_envs) * p.num_agents * kActionDim;
  for (int64_t i = 0; i < n; ++i) {
    const float x = v.actions[i];
    if (!(x == x && x < kActionLimit && x > -kActionLimit)) return i;
  }
  return -1;
}

}  // namespace mw::vb
