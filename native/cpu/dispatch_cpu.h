// CPU executor for RideDispatch-v0: installs cities and the replay list into CpuBatch's state
// arena (with the orders and vehicles) and runs the env functions over env indices on its thread
// pool, streaming observation rows out of a per-thread scratch. The io arena is borrowed from the
// caller.
#pragma once
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "cpu_batch.h"
#include "../envs/dispatch/dispatch_layout.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MW_DISPATCH_STREAM 1
#endif

namespace mw::dispatch {

#if MW_DISPATCH_STREAM
// dst[j, end) = src[j, end) in whole 4-float groups from a 16-byte aligned dst + j; returns where
// it stopped.
inline int64_t stream_sse(float* MW_RESTRICT dst, const float* MW_RESTRICT src, int64_t j, int64_t end) {
  for (; j + 4 <= end; j += 4) _mm_stream_ps(dst + j, _mm_loadu_ps(src + j));
  return j;
}
// The same in 8-float groups from a 32-byte aligned dst + j (AVX, chosen at run time).
__attribute__((target("avx"))) inline int64_t stream_avx(float* MW_RESTRICT dst, const float* MW_RESTRICT src,
                                                          int64_t j, int64_t end) {
  for (; j + 8 <= end; j += 8) _mm256_stream_ps(dst + j, _mm256_loadu_ps(src + j));
  return j;
}
inline bool host_has_avx() {
  static const bool has = __builtin_cpu_supports("avx");
  return has;
}
#endif

// Host sink for write_observations: the env's block is built in a per-thread scratch (it stays
// in L2) and finished rows are streamed to v.obs with non-temporal stores (SSE2, or AVX where the
// CPU has it) while the next rows are built. Observation blocks are written once per step and not
// read back, so skipping the read-for-ownership of every line halves their memory traffic, the
// bound of this env at large batches. Other targets copy in finish().
struct StreamRows {
  float* dst;         // the env's block in v.obs
  float* scratch;     // the same block being built
  int64_t row_len;    // obs_per_agent
  int64_t total;      // V * obs_per_agent
  int64_t sent = 0;   // floats already written to dst
  int64_t ready = 0;  // floats of finished rows
  bool avx = false;   // 32-byte stores (they overlap with the work in between far better)

  float* block() const { return scratch; }
  // Streams up to `budget` floats of finished rows. Called between pieces of work so that the
  // stores drain while the next row is built (a whole row at once would stall on the few
  // write-combining buffers).
  void pump(int64_t budget = 128) {
#if MW_DISPATCH_STREAM
    int64_t j = sent;
    const uintptr_t align = avx ? 31u : 15u;  // scalar copies up to the first aligned float
    for (; j < ready && (reinterpret_cast<uintptr_t>(dst + j) & align); ++j) dst[j] = scratch[j];
    const int64_t end = ready < j + budget ? ready : j + budget;
    sent = avx ? stream_avx(dst, scratch, j, end) : stream_sse(dst, scratch, j, end);
#else
    (void)budget;
#endif
  }
  void row_done(int32_t a) {
    ready = (a + 1) * row_len;
    pump();
  }
  void finish() {
    pump(total);
    std::memcpy(dst + sent, scratch + sent, static_cast<size_t>(total - sent) * sizeof(float));
    sent = ready = 0;
  }
};

// Orders the non-temporal stores of a thread's range before the pool reports it done.
inline void stream_fence() {
#if MW_DISPATCH_STREAM
  _mm_sfence();
#endif
}

class DispatchCpu : public CpuBatch<Params, View, kMaxFields> {
 public:
  static constexpr int64_t kScratchFloats = int64_t{1} << 18;  // 1 MiB per thread at most

  // `io` (io_bytes long) holds the io fields at `io_offsets`. Throws std::bad_alloc if the state
  // cannot be allocated. Call SetCity for every city slot, SetReplay (replay mode) and SetSeeds
  // before the first Reset; Ready() says whether that was done. Observation blocks of at most
  // `scratch_floats` floats per env are built in a per-thread scratch and streamed out (0: always
  // written in place; tests compare both).
  DispatchCpu(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t threads,
              int64_t scratch_floats = kScratchFloats)
      : CpuBatch(p, io, io_bytes, io_offsets, threads),
        env_floats_(static_cast<int64_t>(p.num_vehicles) * obs_per_agent(p)),
        scratch_(static_cast<size_t>(env_floats_ <= scratch_floats ? env_floats_ * pool_.size() : 0)),
        city_ready_(static_cast<size_t>(p.num_cities), 0) {}

  // Bytes of state and scratch a batch with `threads` threads allocates.
  static uint64_t AllocationBytes(const Params& p, int32_t threads) {
    const uint64_t slots = static_cast<uint64_t>(ThreadsFor(p, threads));
    const uint64_t block = static_cast<uint64_t>(p.num_vehicles) * static_cast<uint64_t>(obs_per_agent(p));
    const uint64_t scratch = block <= static_cast<uint64_t>(kScratchFloats) ? 4 * block : 0;
    return StateBytes(p) + slots * scratch;
  }

  // Checks a city and copies it into slot `m` (0..M-1). nullptr on success; on failure the slot
  // keeps its previous city. The envs of that slot must be reset before they step again.
  const char* SetCity(int64_t m, const CityInput& in, char* msg, int len) {
    if (const char* bad = check_city(p_, in, msg, len)) return bad;
    const int64_t Z = p_.num_zones, zz = Z * Z, B = p_.demand_bins;
    copy(v_.zone_xy, in.zone_xy, m, Z * 2);
    copy(v_.travel_min, in.travel_min, m, p_.travel_bins * zz);
    copy(v_.dist_km, in.dist_km, m, zz);
    copy(v_.neighbours, in.neighbours, m, Z * p_.num_neighbours);
    copy(v_.arrival_cdf, in.arrival_cdf, m, B * p_.poisson_len);
    copy(v_.origin_cdf, in.origin_cdf, m, B * Z);
    copy(v_.dest_cdf, in.dest_cdf, m, B * zz);
    city_ready_[static_cast<size_t>(m)] = 1;
    for (int64_t e = m; e < p_.num_envs; e += p_.num_cities) Uninitialize(e);
    return nullptr;
  }

  // Checks and installs the replay list (rows [N, 4], start [T + 1]); every env must be reset
  // before it steps again.
  const char* SetReplay(const int32_t* rows, const int32_t* start, char* msg, int len) {
    if (const char* bad = check_replay(p_, rows, start, msg, len)) return bad;
    copy(v_.replay, rows, 0, static_cast<int64_t>(p_.replay_len) * 4);
    copy(v_.replay_start, start, 0, static_cast<int64_t>(p_.horizon) + 1);
    replay_ready_ = true;
    for (int64_t e = 0; e < p_.num_envs; ++e) Uninitialize(e);
    return nullptr;
  }

  // True once every city slot holds a city and, in replay mode, the replay list is installed.
  bool Ready() const {
    for (uint8_t r : city_ready_)
      if (!r) return false;
    return replay_ready_ || p_.demand_mode != kDemandReplay;
  }

  // Starts the next episode (episode 0 right after SetSeeds) of the masked envs (all if null).
  // Call only when Ready().
  void Reset(const uint8_t* mask) { ResetEnvs(mask, &DispatchCpu::ResetRange, this); }

  // Steps every env once. Returns the index of an env with a status bit set, or -1.
  int64_t Step() { return StepEnvs(&DispatchCpu::StepRange, this); }

 private:
  template <typename T>
  static void copy(const T* dst, const T* src, int64_t slot, int64_t count) {
    std::memcpy(const_cast<T*>(dst) + slot * count, src, static_cast<size_t>(count) * sizeof(T));
  }

  StreamRows Rows(int64_t e, int32_t slot) {
    StreamRows rows{v_.obs + e * env_floats_, scratch_.data() + slot * env_floats_, obs_per_agent(p_), env_floats_};
#if MW_DISPATCH_STREAM
    rows.avx = host_has_avx();
#endif
    return rows;
  }

  // Runs fn(env, rows) over [begin, end) with the scratch sink when there is one.
  template <class Fn>
  void Run(int64_t begin, int64_t end, int32_t slot, Fn fn) {
    if (scratch_.empty()) {
      for (int64_t e = begin; e < end; ++e) {
        DirectRows rows = direct_rows(p_, v_, static_cast<int32_t>(e));
        fn(e, rows);
      }
      return;
    }
    for (int64_t e = begin; e < end; ++e) {
      StreamRows rows = Rows(e, slot);
      fn(e, rows);
    }
    stream_fence();
  }

  static void ResetRange(void* ctx, int64_t begin, int64_t end, int32_t slot) {
    auto* self = static_cast<DispatchCpu*>(ctx);
    self->Run(begin, end, slot, [self](int64_t e, auto& rows) {
      if (self->mask_ && !self->mask_[e]) return;
      self->v_.status[e] = 0;
      self->v_.episode_done[e] = 0;
      reset_env(self->p_, self->v_, static_cast<int32_t>(e), false, rows);
    });
  }
  static void StepRange(void* ctx, int64_t begin, int64_t end, int32_t slot) {
    auto* self = static_cast<DispatchCpu*>(ctx);
    self->Run(begin, end, slot, [self](int64_t e, auto& rows) {
      self->v_.status[e] = 0;
      step_env(self->p_, self->v_, static_cast<int32_t>(e), rows);
    });
  }

  int64_t env_floats_;          // floats of one env's observation block (V x obs_per_agent)
  std::vector<float> scratch_;  // [threads, V x obs_per_agent] or empty
  std::vector<uint8_t> city_ready_;
  bool replay_ready_ = false;
};

}  // namespace mw::dispatch
