// CPU executor for MAPF-v0: owns the per-thread scratch and runs the env functions over env
// indices on CpuBatch's thread pool, with its state arena and episode bookkeeping. The io arena
// is borrowed from the caller.
#pragma once
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "cpu_batch.h"
#include "../envs/mapf/mapf_layout.h"

namespace mw::mapf {

class MapfCpu : public CpuBatch<Params, View, kMaxFields> {
 public:
  // `io` (io_bytes long) holds the io fields at `io_offsets`. Throws std::bad_alloc if the state
  // or scratch cannot be allocated. Call SetTask (explicit or pool placement), SetMap for every map slot
  // and SetSeeds before the first Reset; Ready() says whether that was done.
  MapfCpu(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads)
      : CpuBatch(p, io, io_bytes, io_offsets, threads),
        scratch_u8_(static_cast<size_t>(scratch_u8_per_slot(p) * pool_.size())),
        scratch_i32_(static_cast<size_t>(scratch_i32_per_slot(p) * pool_.size())),
        map_ready_(static_cast<size_t>(map_count(p)), 0) {
    v_.scratch_u8 = scratch_u8_.data();
    v_.scratch_i32 = scratch_i32_.data();
    for (int32_t slot = 0; slot < pool_.size(); ++slot) scratch_init(p_, v_, slot);
  }

  // Bytes of state and scratch a batch with `threads` threads allocates.
  static uint64_t AllocationBytes(const Params& p, int32_t threads) {
    const uint64_t slots = static_cast<uint64_t>(ThreadsFor(p, threads));
    return StateBytes(p) +
           slots * static_cast<uint64_t>(scratch_u8_per_slot(p) + 4 * scratch_i32_per_slot(p));
  }

  bool task_ready() const { return task_ready_; }

  // Installs the task (explicit starts and goals, pools) after checking it against every
  // installed map. nullptr on success.
  const char* SetTask(const TaskInput& task, char* msg, int len) {
    for (int64_t m = 0; m < map_count(p_); ++m)
      if (map_ready_[static_cast<size_t>(m)])
        if (const char* bad = check_map(p_, map_input(m), task, msg, len)) return bad;
    const size_t a = static_cast<size_t>(p_.num_agents);
    std::memcpy(const_cast<int32_t*>(v_.start_cells), task.start_cells, a * 4);
    std::memcpy(const_cast<int32_t*>(v_.goal_seq), task.goal_seq, a * static_cast<size_t>(p_.goal_seq_len) * 4);
    std::memcpy(const_cast<int32_t*>(v_.goal_lens), task.goal_lens, a * 4);
    if (p_.start_pool_len > 0)
      std::memcpy(const_cast<int32_t*>(v_.start_pool), task.start_pool, static_cast<size_t>(p_.start_pool_len) * 4);
    if (p_.goal_pool_len > 0)
      std::memcpy(const_cast<int32_t*>(v_.goal_pool), task.goal_pool, static_cast<size_t>(p_.goal_pool_len) * 4);
    task_ready_ = true;
    return nullptr;
  }

  // Checks a map (and the task against it) and copies it into slot `m`. nullptr on success; on
  // failure the slot keeps its previous map.
  const char* SetMap(int64_t m, const MapInput& in, char* msg, int len) {
    const TaskInput task{v_.start_cells, v_.goal_seq, v_.goal_lens, v_.start_pool, v_.goal_pool};
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
    // Agents of the envs on this map stood on the old one: those envs must be reset first (one
    // env per map slot with per-env maps, so installing every env's map stays linear).
    if (p_.map_per_env) Uninitialize(m);
    else
      for (int64_t e = 0; e < p_.num_envs; ++e) Uninitialize(e);
    return nullptr;
  }

  // True once every map slot holds a map and the task (explicit or pools, if any) is installed.
  bool Ready() const {
    for (uint8_t r : map_ready_)
      if (!r) return false;
    return task_ready_ || p_.placement == kPlaceRandom;
  }

  // Starts the next episode (episode 0 right after SetSeeds) of the masked envs (all if null).
  // Returns the index of an env whose placement failed, or -1.
  int64_t Reset(const uint8_t* mask) {
    ResetEnvs(mask, &MapfCpu::ResetRange, this);
    const int64_t failed = FirstStatus(kStatusPlacement);
    for (int64_t e = failed; e >= 0 && e < p_.num_envs; ++e)
      if (v_.status[e] & kStatusPlacement) Uninitialize(e);
    return failed;
  }

  // Steps every env once. Returns the index of an env with a status bit set, or -1.
  int64_t Step() { return StepEnvs(&MapfCpu::StepRange, this); }

 private:
  static TaskInput no_task() { return TaskInput{nullptr, nullptr, nullptr, nullptr, nullptr}; }

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
  std::vector<uint8_t> scratch_u8_;
  std::vector<int32_t> scratch_i32_;
  std::vector<uint8_t> map_ready_;
  bool task_ready_ = false;
};

}  // namespace mw::mapf
