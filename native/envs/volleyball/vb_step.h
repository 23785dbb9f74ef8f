// Volleyball-<Task>-v0 reset and step of one env (host and device): physics, rules, episode
// bookkeeping, observations and autoreset, in VolleyBots' order (action -> physics -> progress
// -> observations -> reward and done).
#pragma once
#include <string.h>

#include "vb_rules.h"

namespace mw::vb {

// Starts an episode; `keep_flags` keeps the rewards and flags of the step that ended the last one
// (same-step autoreset).
MW_HD void reset_env(const Params& p, const View& v, int32_t env, bool keep_flags = false) {
  spawn_env(p, v, env);
  const int64_t row = static_cast<int64_t>(env) * p.num_agents;
  for (int32_t a = 0; a < p.num_agents; ++a) {
    if (!keep_flags) {
      v.rewards[row + a] = 0.0f;
      v.terminations[row + a] = 0;
      v.truncations[row + a] = 0;
      v.out_hit[row + a] = 0;
    }
  }
  write_observations(p, v, env);
}

MW_HD void finish_metrics(const Params& p, const View& v, int32_t env) {
  const float* m = v.metrics + static_cast<int64_t>(env) * kNumMetrics;
  float* out = v.final_metrics + static_cast<int64_t>(env) * kNumMetrics;
  const int32_t used = metric_count(p.task);
  const int32_t* ri = v.rule_i + static_cast<int64_t>(env) * kRuleInts;
  for (int32_t k = 0; k < kNumMetrics; ++k) out[k] = k < used ? m[k] : NAN;
  if (p.task == kHitBall && !(ri[kFlags] & kFlagBallDone)) out[1] = out[2] = NAN;
  if ((p.task == kSetAndSpike || p.task == kSetAndSpikeHard) && !(ri[kFlags] & kFlagSpiked)) out[2] = NAN;
  if (p.task == kSetAndSpike) out[4] = out[5] = NAN;
}

// One step of one env, instantiated per task.
template <int32_t kTask>
MW_HD void step_env_t(const Params& p, const View& v, int32_t env) {
  constexpr int32_t A = task_spec(kTask).drones;
  const int64_t row = static_cast<int64_t>(env) * A;
  v.episode_done[env] = 0;
  if (v.needs_reset[env]) {
    if (p.autoreset == kNextStep) {  // this step only resets; actions are ignored
      v.episode[env] += 1;
      reset_env(p, v, env);
      return;
    }
    v.status[env] |= kStatusSteppedDone;
    return;
  }
  uint8_t touched[kMaxDrones];
  const int32_t board_touched = physics_step(p, v, env, touched);
  v.steps[env] += 1;
  float rew[kMaxDrones];
  for (int32_t a = 0; a < A; ++a) {
    rew[a] = 0.0f;
    v.out_hit[row + a] = 0;
  }
  const float* ball = v.ball + static_cast<int64_t>(env) * kBallFields;
  EnvCtx c{&p, &v, env, row, v.steps[env], load3(ball), load3(ball + 3), load3(ball + 6), load3(ball + 9),
           v.rule_i + static_cast<int64_t>(env) * kRuleInts, v.rule_f + static_cast<int64_t>(env) * kRuleFloats,
           v.metrics + static_cast<int64_t>(env) * kNumMetrics, rew};
  bool terminated;
  if constexpr (kTask == kBackAndForth) terminated = rules_back_and_forth(c);
  else if constexpr (kTask == kHitBall || kTask == kSoloBump) terminated = rules_single(c, touched);
  else if constexpr (kTask == kBumpAndPass) terminated = rules_bump_and_pass(c, touched);
  else if constexpr (kTask == kSetAndSpike || kTask == kSetAndSpikeHard) terminated = rules_set_and_spike(c, touched, board_touched);
  else terminated = rules_competitive<kTask>(c);
  const bool truncated = !terminated && v.steps[env] >= p.max_steps;
  for (int32_t a = 0; a < A; ++a) {
    v.rewards[row + a] = rew[a];
    v.terminations[row + a] = terminated ? 1 : 0;
    v.truncations[row + a] = truncated ? 1 : 0;
    v.ep_return[row + a] += rew[a];
  }
  write_observations_t<kTask>(p, v, env);
  if (!(terminated || truncated)) return;
  v.episode_done[env] = 1;
  v.final_length[env] = v.steps[env];
  for (int32_t a = 0; a < A; ++a) v.final_return[row + a] = v.ep_return[row + a];
  finish_metrics(p, v, env);
  if (p.autoreset == kSameStep) {
    if (p.keep_final_obs) {
      const int64_t n = static_cast<int64_t>(A) * p.obs_dim;
      memcpy(v.final_obs + env * n, v.obs + env * n, static_cast<size_t>(n) * sizeof(float));
    }
    v.episode[env] += 1;
    reset_env(p, v, env, true);
  } else {
    v.needs_reset[env] = 1;
  }
}

MW_HD void step_env(const Params& p, const View& v, int32_t env) {
  switch (p.task) {
    case kBackAndForth: step_env_t<kBackAndForth>(p, v, env); break;
    case kHitBall: step_env_t<kHitBall>(p, v, env); break;
    case kSoloBump: step_env_t<kSoloBump>(p, v, env); break;
    case kBumpAndPass: step_env_t<kBumpAndPass>(p, v, env); break;
    case kSetAndSpike: step_env_t<kSetAndSpike>(p, v, env); break;
    case kSetAndSpikeHard: step_env_t<kSetAndSpikeHard>(p, v, env); break;
    case k1v1: step_env_t<k1v1>(p, v, env); break;
    case k3v3: step_env_t<k3v3>(p, v, env); break;
    default: step_env_t<k6v6>(p, v, env); break;
  }
}

}  // namespace mw::vb
