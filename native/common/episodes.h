// Episode bookkeeping every executor shares (CPU and CUDA): which envs were seeded and not yet
// stepped (their next reset starts episode 0 rather than the next episode), which envs were ever
// reset (stepping any other would read unset state), and a private copy of the reset mask (the
// caller's may alias buffers the reset writes). Host-only.
#pragma once
#include <cstdint>
#include <algorithm>
#include <vector>

namespace mw {

class EpisodeBook {
 public:
  explicit EpisodeBook(int64_t num_envs)
      : n_(num_envs), fresh_(static_cast<size_t>(num_envs), 1), initialized_(static_cast<size_t>(num_envs), 0) {}

  // Seeds the masked envs (all if mask is null): seed and episode 0, and marks them fresh.
  void SetSeeds(const uint32_t* in, const uint8_t* mask, uint32_t* seeds, uint32_t* episode) {
    for (int64_t e = 0; e < n_; ++e) {
      if (mask && !mask[e]) continue;
      seeds[e] = in[e];
      episode[e] = 0;
      fresh_[static_cast<size_t>(e)] = 1;
      any_fresh_ = true;
    }
  }

  // A copy of the caller's reset mask (nullptr stays nullptr), valid until the next call.
  const uint8_t* CopyMask(const uint8_t* mask) {
    if (!mask) return nullptr;
    mask_copy_.assign(mask, mask + n_);
    return mask_copy_.data();
  }

  // Before resetting the masked envs: a fresh env starts episode 0, any other its next episode.
  void StartEpisodes(const uint8_t* mask, uint32_t* episode) {
    for (int64_t e = 0; e < n_; ++e) {
      if (mask && !mask[e]) continue;
      const size_t i = static_cast<size_t>(e);
      if (fresh_[i]) fresh_[i] = 0;
      else episode[e] += 1;
      if (!initialized_[i]) {
        initialized_[i] = 1;
        ++num_initialized_;
      }
    }
  }

  // A step consumes the seeded state: later resets start new episodes.
  void StepTaken() {
    if (!any_fresh_) return;
    std::fill(fresh_.begin(), fresh_.end(), 0);
    any_fresh_ = false;
  }

  // Env `e` must be reset before its next step (its map, city or replay changed).
  void Uninitialize(int64_t e) {
    const size_t i = static_cast<size_t>(e);
    if (!initialized_[i]) return;
    initialized_[i] = 0;
    --num_initialized_;
  }

  // First env never reset since it was created or uninitialized, or -1.
  int64_t FirstUninitialized() const {
    if (num_initialized_ == n_) return -1;
    for (int64_t e = 0; e < n_; ++e)
      if (!initialized_[static_cast<size_t>(e)]) return e;
    return -1;
  }

 private:
  int64_t n_;
  std::vector<uint8_t> fresh_;
  std::vector<uint8_t> initialized_;
  std::vector<uint8_t> mask_copy_;
  int64_t num_initialized_ = 0;
  bool any_fresh_ = true;
};

}  // namespace mw
