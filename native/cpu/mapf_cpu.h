// CPU executor for MAPF-v0: runs the env functions over env indices on a persistent thread pool,
// with one scratch slot per thread. Owns no batch buffers: it borrows a View over the caller's
// arena (an ArrayBuffer in Node, plain memory in native tests).
#pragma once
#include <cstdint>
#include <vector>

#include "../common/thread_pool.h"
#include "../envs/mapf/mapf_layout.h"

namespace mw::mapf {

class MapfCpu {
 public:
  MapfCpu(const Params& p, const View& v, int32_t threads)
      : p_(p), v_(v), pool_(threads),
        scratch_u8_(static_cast<size_t>(scratch_u8_per_slot(p) * pool_.size())),
        scratch_i32_(static_cast<size_t>(scratch_i32_per_slot(p) * pool_.size())) {
    v_.scratch_u8 = scratch_u8_.data();
    v_.scratch_i32 = scratch_i32_.data();
    for (int32_t slot = 0; slot < pool_.size(); ++slot) scratch_init(p_, v_, slot);
  }

  const Params& params() const { return p_; }
  const View& view() const { return v_; }
  int32_t threads() const { return pool_.size(); }

  // Resets the envs with mask[e] != 0 (all if mask is null) to episode v.episode[e].
  // Returns the index of an env whose placement failed, or -1.
  int64_t Reset(const uint8_t* mask) {
    mask_ = mask;
    pool_.ParallelFor(p_.num_envs, &MapfCpu::ResetRange, this);
    return FirstStatus(kStatusPlacement);
  }

  // Steps every env once. Returns the index of an env with a status bit set, or -1.
  int64_t Step() {
    pool_.ParallelFor(p_.num_envs, &MapfCpu::StepRange, this);
    return FirstStatus(~0u);
  }

  void Stop() { pool_.Stop(); }

 private:
  static void ResetRange(void* ctx, int64_t begin, int64_t end, int32_t slot) {
    auto* self = static_cast<MapfCpu*>(ctx);
    const Scratch s = scratch_of(self->p_, self->v_, slot);
    for (int64_t e = begin; e < end; ++e) {
      if (self->mask_ && !self->mask_[e]) continue;
      self->v_.status[e] = 0;
      self->v_.episode_done[e] = 0;
      reset_env(self->p_, self->v_, s, static_cast<int32_t>(e));
    }
  }
  static void StepRange(void* ctx, int64_t begin, int64_t end, int32_t slot) {
    auto* self = static_cast<MapfCpu*>(ctx);
    const Scratch s = scratch_of(self->p_, self->v_, slot);
    for (int64_t e = begin; e < end; ++e) {
      self->v_.status[e] = 0;
      step_env(self->p_, self->v_, s, static_cast<int32_t>(e));
    }
  }
  int64_t FirstStatus(uint32_t bits) const {
    for (int64_t e = 0; e < p_.num_envs; ++e)
      if (v_.status[e] & bits) return e;
    return -1;
  }

  Params p_;
  View v_;
  ThreadPool pool_;
  std::vector<uint8_t> scratch_u8_;
  std::vector<int32_t> scratch_i32_;
  const uint8_t* mask_ = nullptr;
};

}  // namespace mw::mapf
