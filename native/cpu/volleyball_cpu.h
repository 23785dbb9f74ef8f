// CPU executor for the volleyball envs: the env functions run over env indices on CpuBatch's
// thread pool, with its state arena and episode bookkeeping. The io arena is borrowed from the
// caller.
#pragma once
#include <cstdint>

#include "cpu_batch.h"
#include "../envs/volleyball/vb_layout.h"

namespace mw::vb {

class VolleyballCpu : public CpuBatch<Params, View, kMaxFields> {
 public:
  // `io` (io_bytes long) holds the io fields at `io_offsets`. Throws std::bad_alloc if the state
  // cannot be allocated. Call SetSeeds, then Reset, before the first Step.
  VolleyballCpu(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads)
      : CpuBatch(p, io, io_bytes, io_offsets, threads) {}

  // Bytes of state a batch allocates (the same for any thread count).
  static uint64_t AllocationBytes(const Params& p, int32_t threads = 1) {
    (void)threads;
    return StateBytes(p);
  }

  // Starts the next episode (episode 0 right after SetSeeds) of the masked envs (all if null).
  void Reset(const uint8_t* mask) { ResetEnvs(mask, &VolleyballCpu::ResetRange, this); }

  // Steps every env once. Returns the index of an env with a status bit set, or -1.
  int64_t Step() { return StepEnvs(&VolleyballCpu::StepRange, this); }

 private:
  static void ResetRange(void* ctx, int64_t begin, int64_t end, int32_t) {
    auto* self = static_cast<VolleyballCpu*>(ctx);
    for (int64_t e = begin; e < end; ++e) {
      if (self->mask_ && !self->mask_[e]) continue;
      self->v_.status[e] = 0;
      self->v_.episode_done[e] = 0;
      reset_env(self->p_, self->v_, static_cast<int32_t>(e));
    }
  }
  static void StepRange(void* ctx, int64_t begin, int64_t end, int32_t) {
    auto* self = static_cast<VolleyballCpu*>(ctx);
    for (int64_t e = begin; e < end; ++e) {
      self->v_.status[e] = 0;
      step_env(self->p_, self->v_, static_cast<int32_t>(e));
    }
  }
};

}  // namespace mw::vb
