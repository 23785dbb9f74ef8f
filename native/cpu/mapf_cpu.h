// CPU executor for MAPF-v0: owns the batch's state arena and per-thread scratch, runs the env
// functions over env indices on a persistent thread pool, and keeps the episode bookkeeping
// (seeds, episode counters, which envs were reset). The io arena is borrowed from the caller.
#pragma once
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "../common/episodes.h"
#include "../common/thread_pool.h"
#include "../envs/mapf/mapf_layout.h"

namespace mw::mapf {

class MapfCpu {
 public:
  // `io` (io_bytes long) holds the io fields at `io_offsets`. Throws std::bad_alloc if the state
  // or scratch cannot be allocated. Call SetTask (explicit placement), SetMap for every map slot
  // and SetSeeds before the first Reset; Ready() says whether that was done.
  MapfCpu(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads)
      : p_(p), pool_(threads < p.num_envs ? threads : p.num_envs),
        scratch_u8_(static_cast<size_t>(scratch_u8_per_slot(p) * pool_.size())),
        scratch_i32_(static_cast<size_t>(scratch_i32_per_slot(p) * pool_.size())),
        map_ready_(static_cast<size_t>(map_count(p)), 0),
        book_(p.num_envs) {
    FieldSpec f[kMaxFields];
    const int n = list_state_fields(p, f);
    uint64_t offsets[kMaxFields];
    const uint64_t bytes = pack_fields(f, n, offsets);
    state_.reset(new uint64_t[(bytes + 64) / 8 + 8]());  // zeroed, 8-byte aligned
    uint8_t* base = reinterpret_cast<uint8_t*>(state_.get());
    bind_error_ = bind_view(p, base, offsets, io, io_bytes, io_offsets, v_);
    v_.scratch_u8 = scratch_u8_.data();
    v_.scratch_i32 = scratch_i32_.data();
    for (int32_t slot = 0; slot < pool_.size(); ++slot) scratch_init(p_, v_, slot);
  }

  // Bytes of state and scratch a batch with `threads` threads allocates.
  static uint64_t AllocationBytes(const Params& p, int32_t threads) {
    FieldSpec f[kMaxFields];
    const int n = list_state_fields(p, f);
    uint64_t offsets[kMaxFields];
    const uint64_t slots = static_cast<uint64_t>(threads < p.num_envs ? threads : p.num_envs);
    return pack_fields(f, n, offsets) +
           slots * static_cast<uint64_t>(scratch_u8_per_slot(p) + 4 * scratch_i32_per_slot(p));
  }

  // Name of an io field that did not fit the caller's arena, or nullptr.
  const char* bind_error() const { return bind_error_; }
  const Params& params() const { return p_; }
  const View& view() const { return v_; }
  int32_t threads() const { return pool_.size(); }
  bool task_ready() const { return task_ready_; }

  // Installs the explicit task after checking it against every installed map. nullptr on success.
  const char* SetTask(const int32_t* start_cells, const int32_t* goal_seq, const int32_t* goal_lens, char* msg, int len) {
    const TaskInput task{start_cells, goal_seq, goal_lens};
    for (int64_t m = 0; m < map_count(p_); ++m)
      if (map_ready_[static_cast<size_t>(m)])
        if (const char* bad = check_map(p_, map_input(m), task, msg, len)) return bad;
    const size_t a = static_cast<size_t>(p_.num_agents);
    std::memcpy(const_cast<int32_t*>(v_.start_cells), start_cells, a * 4);
    std::memcpy(const_cast<int32_t*>(v_.goal_seq), goal_seq, a * static_cast<size_t>(p_.goal_seq_len) * 4);
    std::memcpy(const_cast<int32_t*>(v_.goal_lens), goal_lens, a * 4);
    task_ready_ = true;
    return nullptr;
  }

  // Checks a map (and the task against it) and copies it into slot `m`. nullptr on success; on
  // failure the slot keeps its previous map.
  const char* SetMap(int64_t m, const MapInput& in, char* msg, int len) {
    const TaskInput task{v_.start_cells, v_.goal_seq, v_.goal_lens};
    if (const char* bad = check_map(p_, in, task_ready_ ? task : no_task(), msg, len))
      return bad;
    const int64_t hw = static_cast<int64_t>(p_.height) * p_.width;
    const int64_t padded = static_cast<int64_t>(p_.padded_h) * p_.padded_w;
    // Only the checked parts are copied; the rest of each table is zeroed.
    int32_t* cells = const_cast<int32_t*>(v_.comp_cells) + m * hw;
    int32_t* start = const_cast<int32_t*>(v_.comp_start) + m * (hw + 1);
    std::memcpy(const_cast<uint8_t*>(v_.obstacles) + m * padded, in.obstacles, static_cast<size_t>(padded));
    std::memcpy(const_cast<int32_t*>(v_.comp_label) + m * hw, in.label, static_cast<size_t>(hw) * 4);
    std::memset(cells, 0, static_cast<size_t>(hw) * 4);
    std::memcpy(cells, in.cells, static_cast<size_t>(in.num_free) * 4);
    std::memset(start, 0, static_cast<size_t>(hw + 1) * 4);
    std::memcpy(start, in.start, static_cast<size_t>(in.num_comps + 1) * 4);
    const_cast<int32_t*>(v_.num_comps)[m] = in.num_comps;
    const_cast<int32_t*>(v_.num_free)[m] = in.num_free;
    map_ready_[static_cast<size_t>(m)] = 1;
    // Agents of the envs on this map stood on the old one: those envs must be reset first.
    for (int64_t e = 0; e < p_.num_envs; ++e)
      if (!p_.map_per_env || e == m) Uninitialize(e);
    return nullptr;
  }

  // True once every map slot holds a map and the explicit task (if any) is installed.
  bool Ready() const {
    for (uint8_t r : map_ready_)
      if (!r) return false;
    return task_ready_ || p_.placement == kPlaceRandom;
  }

  // Sets the seeds of the masked envs (all if mask is null); their next reset starts episode 0.
  void SetSeeds(const uint32_t* seeds, const uint8_t* mask) {
    book_.SetSeeds(seeds, mask, v_.seeds, v_.episode);
  }

  // Starts the next episode (episode 0 right after SetSeeds) of the masked envs (all if null).
  // Returns the index of an env whose placement failed, or -1.
  int64_t Reset(const uint8_t* mask_in) {
    // One copy of the mask: the caller's may alias buffers this reset writes.
    const uint8_t* mask = book_.CopyMask(mask_in);
    book_.StartEpisodes(mask, v_.episode);
    mask_ = mask;
    pool_.ParallelFor(p_.num_envs, &MapfCpu::ResetRange, this);
    const int64_t failed = FirstStatus(kStatusPlacement);
    for (int64_t e = failed; e >= 0 && e < p_.num_envs; ++e)
      if (v_.status[e] & kStatusPlacement) Uninitialize(e);
    return failed;
  }

  // First env never reset (stepping it would read unset state), or -1.
  int64_t FirstUninitialized() const {
    return book_.FirstUninitialized();
  }

  // Steps every env once. Returns the index of an env with a status bit set, or -1.
  int64_t Step() {
    book_.StepTaken();
    pool_.ParallelFor(p_.num_envs, &MapfCpu::StepRange, this);
    return FirstStatus(~0u);
  }

 private:
  static TaskInput no_task() { return TaskInput{nullptr, nullptr, nullptr}; }

  void Uninitialize(int64_t e) {
    book_.Uninitialize(e);
  }

  MapInput map_input(int64_t m) const {
    const int64_t hw = static_cast<int64_t>(p_.height) * p_.width;
    return MapInput{v_.obstacles + m * static_cast<int64_t>(p_.padded_h) * p_.padded_w, v_.comp_label + m * hw,
                    v_.comp_cells + m * hw, v_.comp_start + m * (hw + 1), v_.num_comps[m], v_.num_free[m]};
  }

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
#if defined(MW_HOST_AVX2)
    if (host_has_avx2()) return step_envs_avx2(self->p_, self->v_, s, begin, end);
#endif
    step_envs(self->p_, self->v_, s, begin, end);
  }
  static void step_envs(const Params& p, const View& v, const Scratch& s, int64_t begin, int64_t end) {
    for (int64_t e = begin; e < end; ++e) {
      v.status[e] = 0;
      step_env(p, v, s, static_cast<int32_t>(e));
    }
  }
#if defined(MW_HOST_AVX2)
  // The same loop with the whole step inlined and compiled for AVX2, so that the SIMD observation
  // helpers inline into the writer instead of being three calls per agent (the addon itself is
  // built for baseline x86-64).
  __attribute__((target("avx2"), flatten)) static void step_envs_avx2(const Params& p, const View& v,
                                                                     const Scratch& s, int64_t begin,
                                                                     int64_t end) {
    step_envs(p, v, s, begin, end);
  }
#endif
  int64_t FirstStatus(uint32_t bits) const {
    for (int64_t e = 0; e < p_.num_envs; ++e)
      if (v_.status[e] & bits) return e;
    return -1;
  }

  Params p_;
  View v_{};
  ThreadPool pool_;
  std::unique_ptr<uint64_t[]> state_;
  std::vector<uint8_t> scratch_u8_;
  std::vector<int32_t> scratch_i32_;
  std::vector<uint8_t> map_ready_;
  EpisodeBook book_;  // seeds, episode counters and reset state of every env
  bool task_ready_ = false;
  const char* bind_error_ = nullptr;
  const uint8_t* mask_ = nullptr;
};

}  // namespace mw::mapf
