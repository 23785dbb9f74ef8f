// What the CPU executors share: the batch's state arena (a ZeroedBlock bound to a View at
// construction; the io arena is the caller's), the persistent thread pool, the episode
// bookkeeping, and the reset and step passes over every env. Each executor derives from it and
// hands its per-range reset and step functions to ResetEnvs and StepEnvs.
#pragma once
#include <cstdint>

#include "../common/episodes.h"
#include "../common/fields.h"
#include "../common/thread_pool.h"
#include "../common/zeroed_block.h"

namespace mw {

// P and V are an env's Params and View; kMaxFields bounds its field lists. The env's
// list_state_fields and bind_view are found next to P.
template <class P, class V, int kMaxFields>
class CpuBatch {
 public:
  // Name of an io field that did not fit the caller's arena, or nullptr.
  const char* bind_error() const { return bind_error_; }
  const P& params() const { return p_; }
  const V& view() const { return v_; }
  int32_t threads() const { return pool_.size(); }

  // Sets the seeds of the masked envs (all if mask is null); their next reset starts episode 0.
  void SetSeeds(const uint32_t* seeds, const uint8_t* mask) { book_.SetSeeds(seeds, mask, v_.seeds, v_.episode); }

  // First env never reset since it was created or its inputs changed (stepping it would read
  // unset state), or -1.
  int64_t FirstUninitialized() const { return book_.FirstUninitialized(); }

  // Bytes of the state arena of a batch with parameters `p` (the same for any thread count).
  static uint64_t StateBytes(const P& p) {
    uint64_t offsets[kMaxFields];
    return PackState(p, offsets);
  }

  // Threads (and scratch slots) a batch asking for `threads` uses: never more than its envs.
  static int32_t ThreadsFor(const P& p, int32_t threads) { return threads < p.num_envs ? threads : p.num_envs; }

 protected:
  // `io` (io_bytes long) holds the io fields at `io_offsets`. Throws std::bad_alloc if the state
  // cannot be allocated; a field that does not fit the io arena is left in bind_error().
  CpuBatch(const P& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads)
      : p_(p), pool_(ThreadsFor(p, threads)), book_(p.num_envs) {
    uint64_t offsets[kMaxFields];
    const uint64_t bytes = PackState(p, offsets);
    state_ = ZeroedBlock(bytes);  // zeroed, 64-byte aligned; large arenas in huge pages
    bind_error_ = bind_view(p, state_.data(), offsets, io, io_bytes, io_offsets, v_);
  }

  // Starts the next episode (episode 0 right after SetSeeds) of the masked envs (all if null):
  // runs `range` over every env on the pool with mask_ set; it skips the envs mask_ leaves out.
  void ResetEnvs(const uint8_t* mask_in, RangeFn range, void* ctx) {
    // One copy of the mask: the caller's may alias buffers this reset writes.
    const uint8_t* mask = book_.CopyMask(mask_in);
    book_.StartEpisodes(mask, v_.episode);
    mask_ = mask;
    pool_.ParallelFor(p_.num_envs, range, ctx);
  }

  // Steps every env once with `range`; returns the index of an env with a status bit set, or -1.
  int64_t StepEnvs(RangeFn range, void* ctx) {
    book_.StepTaken();
    pool_.ParallelFor(p_.num_envs, range, ctx);
    return FirstStatus(~0u);
  }

  // Lays out the state fields of `p` at 64-byte aligned `offsets`; returns the arena's bytes.
  static uint64_t PackState(const P& p, uint64_t* offsets) {
    FieldSpec f[kMaxFields];
    return pack_fields(f, list_state_fields(p, f), offsets);
  }

  // Env e must be reset before it steps again (its inputs changed or its reset failed).
  void Uninitialize(int64_t e) { book_.Uninitialize(e); }

  // First env whose status has any of `bits`, or -1.
  int64_t FirstStatus(uint32_t bits) const {
    for (int64_t e = 0; e < p_.num_envs; ++e)
      if (v_.status[e] & bits) return e;
    return -1;
  }

  P p_;
  V v_{};
  ThreadPool pool_;
  ZeroedBlock state_;
  EpisodeBook book_;  // seeds, episode counters and reset state of every env
  const char* bind_error_ = nullptr;
  const uint8_t* mask_ = nullptr;  // the reset in progress (null: every env)
};

}  // namespace mw
