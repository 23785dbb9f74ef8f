// What one CUDA thread does: the envs of its slot (env_index.h), each with the same per-env
// bookkeeping as the CPU executors' ranges (clear the status, reset or step with the shared env
// function) and the lowest env with a status bit recorded. The kernels in *_cuda.cu are an index
// computation and one call of these; native/test/cuda_host_test.cpp runs them on the CPU over
// every slot and compares with the CPU executors bit for bit.
#pragma once
#include <cstdint>

#include "../envs/dispatch/dispatch.h"
#include "../envs/mapf/mapf.h"
#include "../envs/volleyball/vb_step.h"
#include "env_index.h"

namespace mw::cuda {

// ---- MAPF-v0 (scratch slot = thread slot) ----------------------------------------------------

MW_HD void mapf_scratch_slot(const mapf::Params& p, const mapf::View& v, int64_t slot) {
  mapf::scratch_init(p, v, static_cast<int32_t>(slot));
}

// Resets the masked envs (all if mask is null) of a slot; records envs whose status has a bit of
// `bits` (placement failures), masked or not, like MapfCpu::Reset.
MW_HD void mapf_reset_slot(const mapf::Params& p, const mapf::View& v, const uint8_t* mask, uint32_t bits,
                           int64_t slot, int64_t num_slots, int32_t* first) {
  const mapf::Scratch s = mapf::scratch_of(p, v, static_cast<int32_t>(slot));
  for (int64_t e = first_env(slot); e < p.num_envs; e += env_stride(num_slots)) {
    const int32_t env = static_cast<int32_t>(e);
    if (!mask || mask[e]) {
      v.status[e] = 0;
      v.episode_done[e] = 0;
      mapf::reset_env(p, v, s, env);
    }
    if (v.status[e] & bits) record_first(first, env);
  }
}

MW_HD void mapf_step_slot(const mapf::Params& p, const mapf::View& v, int64_t slot, int64_t num_slots, int32_t* first) {
  const mapf::Scratch s = mapf::scratch_of(p, v, static_cast<int32_t>(slot));
  for (int64_t e = first_env(slot); e < p.num_envs; e += env_stride(num_slots)) {
    const int32_t env = static_cast<int32_t>(e);
    v.status[e] = 0;
    mapf::step_env(p, v, s, env);
    if (v.status[e]) record_first(first, env);
  }
}

// ---- Volleyball-<Task>-v0 -------------------------------------------------------------------

MW_HD void vb_reset_slot(const vb::Params& p, const vb::View& v, const uint8_t* mask, int64_t slot, int64_t num_slots) {
  for (int64_t e = first_env(slot); e < p.num_envs; e += env_stride(num_slots)) {
    if (mask && !mask[e]) continue;
    v.status[e] = 0;
    v.episode_done[e] = 0;
    vb::reset_env(p, v, static_cast<int32_t>(e));
  }
}

MW_HD void vb_step_slot(const vb::Params& p, const vb::View& v, int64_t slot, int64_t num_slots, int32_t* first) {
  for (int64_t e = first_env(slot); e < p.num_envs; e += env_stride(num_slots)) {
    v.status[e] = 0;
    vb::step_env(p, v, static_cast<int32_t>(e));
    if (v.status[e]) record_first(first, static_cast<int32_t>(e));
  }
}

// ---- RideDispatch-v0 ------------------------------------------------------------------------

MW_HD void dispatch_reset_slot(const dispatch::Params& p, const dispatch::View& v, const uint8_t* mask, int64_t slot,
                               int64_t num_slots) {
  for (int64_t e = first_env(slot); e < p.num_envs; e += env_stride(num_slots)) {
    if (mask && !mask[e]) continue;
    v.status[e] = 0;
    v.episode_done[e] = 0;
    dispatch::reset_env(p, v, static_cast<int32_t>(e));
  }
}

MW_HD void dispatch_step_slot(const dispatch::Params& p, const dispatch::View& v, int64_t slot, int64_t num_slots,
                              int32_t* first) {
  for (int64_t e = first_env(slot); e < p.num_envs; e += env_stride(num_slots)) {
    v.status[e] = 0;
    dispatch::step_env(p, v, static_cast<int32_t>(e));
    if (v.status[e]) record_first(first, static_cast<int32_t>(e));
  }
}

// ---- rollouts ---------------------------------------------------------------------------------

// Per-step outputs of a rollout: step t of a T-step rollout writes its rewards and flags straight
// into slice t of these device arrays (a View whose output pointers point there), so no copy runs
// between steps. Valid because every step writes those outputs before it reads them
// (cuda_host_test.cpp checks this for every env, starting from garbage).
struct RolloutSlices {
  float* rewards;         // [T, E, A]
  uint8_t* terminations;  // [T, E, A]
  uint8_t* truncations;   // [T, E, A]
  uint8_t* episode_done;  // [T, E]
};

// The view step t of a rollout runs with: actions from `actions` ([T, E * A * k] of type T) and
// outputs into slice t.
template <class View, class Action>
MW_HD View rollout_view(View v, const Action* actions, int64_t per_step, const RolloutSlices& out, int32_t t,
                        int64_t ea, int64_t e) {
  v.actions = actions + t * per_step;
  v.rewards = out.rewards + t * ea;
  v.terminations = out.terminations + t * ea;
  v.truncations = out.truncations + t * ea;
  v.episode_done = out.episode_done + t * e;
  return v;
}

}  // namespace mw::cuda
