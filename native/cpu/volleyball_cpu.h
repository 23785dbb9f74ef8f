// CPU executor for the volleyball envs: owns the batch's state arena, runs the env functions over
// env indices on a persistent thread pool, and keeps the episode bookkeeping (seeds, episode
// counters, which envs were reset). The io arena is borrowed from the caller.
#pragma once
#include <cstdint>
#include <algorithm>
#include <memory>
#include <vector>

#include "../common/episodes.h"
#include "../common/thread_pool.h"
#include "../envs/volleyball/vb_layout.h"

namespace mw::vb {

class VolleyballCpu {
 public:
  // `io` (io_bytes long) holds the io fields at `io_offsets`. Throws std::bad_alloc if the state
  // cannot be allocated. Call SetSeeds, then Reset, before the first Step.
  VolleyballCpu(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads)
      : p_(p), pool_(threads < p.num_envs ? threads : p.num_envs),
        book_(p.num_envs) {
    FieldSpec f[kMaxFields];
    const int n = list_state_fields(p, f);
    uint64_t offsets[kMaxFields];
    const uint64_t bytes = pack_fields(f, n, offsets);
    state_.reset(new uint64_t[(bytes + 64) / 8 + 8]());  // zeroed, 8-byte aligned
    bind_error_ = bind_view(p, reinterpret_cast<uint8_t*>(state_.get()), offsets, io, io_bytes, io_offsets, v_);
  }

  // Bytes of state a batch allocates (the same for any thread count).
  static uint64_t AllocationBytes(const Params& p, int32_t threads = 1) {
    (void)threads;
    FieldSpec f[kMaxFields];
    const int n = list_state_fields(p, f);
    uint64_t offsets[kMaxFields];
    return pack_fields(f, n, offsets);
  }

  const char* bind_error() const { return bind_error_; }
  const Params& params() const { return p_; }
  const View& view() const { return v_; }
  int32_t threads() const { return pool_.size(); }

  // Sets the seeds of the masked envs (all if mask is null); their next reset starts episode 0.
  void SetSeeds(const uint32_t* seeds, const uint8_t* mask) {
    book_.SetSeeds(seeds, mask, v_.seeds, v_.episode);
  }

  // Starts the next episode (episode 0 right after SetSeeds) of the masked envs (all if null).
  void Reset(const uint8_t* mask_in) {
    // One copy of the mask: the caller's may alias buffers this reset writes.
    const uint8_t* mask = book_.CopyMask(mask_in);
    book_.StartEpisodes(mask, v_.episode);
    mask_ = mask;
    pool_.ParallelFor(p_.num_envs, &VolleyballCpu::ResetRange, this);
  }

  // First env never reset (stepping it would read unset state), or -1.
  int64_t FirstUninitialized() const {
    return book_.FirstUninitialized();
  }

  // Steps every env once. Returns the index of an env with a status bit set, or -1.
  int64_t Step() {
    book_.StepTaken();
    pool_.ParallelFor(p_.num_envs, &VolleyballCpu::StepRange, this);
    for (int64_t e = 0; e < p_.num_envs; ++e)
      if (v_.status[e]) return e;
    return -1;
  }

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

  Params p_;
  View v_{};
  ThreadPool pool_;
  std::unique_ptr<uint64_t[]> state_;
  EpisodeBook book_;  // seeds, episode counters and reset state of every env
  const char* bind_error_ = nullptr;
  const uint8_t* mask_ = nullptr;
};

}  // namespace mw::vb
