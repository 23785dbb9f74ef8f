// MAPF-v0 on CUDA: thin kernels (a slot index and one call of env_slots.h, which calls the shared
// mapf::reset_env / step_env) and the MapfCuda executor around them. Compiled with --fmad=false:
// results are bit-identical to the CPU executor (the core is integer work plus float sums and
// divisions, which IEEE rounding makes identical once contraction is off).
#include <algorithm>
#include <cstring>
#include <vector>

#include "batch_cuda.h"
#include "exec_cuda.h"

namespace mw::cuda {

struct MapfTraits {
  using Params = mapf::Params;
  using View = mapf::View;
  using Action = int32_t;
  static constexpr int kMaxFields = mapf::kMaxFields;
  static int state_fields(const Params& p, FieldSpec* f) { return mapf::list_state_fields(p, f); }
  static int io_fields(const Params& p, FieldSpec* f) { return mapf::list_io_fields(p, f); }
  static const char* bind(const Params& p, uint8_t* state, const uint64_t* so, uint8_t* io, uint64_t io_bytes,
                          const uint64_t* io_offsets, View& v) {
    return mapf::bind_view(p, state, so, io, io_bytes, io_offsets, v);
  }
  static int64_t agents(const Params& p) { return p.num_agents; }
  static bool autoreset_disabled(const Params& p) { return p.autoreset == mapf::kDisabled; }
};

// Launch bounds: (kBlockSize, 1) lets ptxas use up to 255 registers where its default register
// target spilled (CUDA 13, sm_80/sm_90: .ci/run fails on any spill). The step kernel had no spill
// at ptxas's default (96 registers) until the branch-free priority move (2026-12-07) spilled on
// sm_90, so it takes the same bound. Tune occupancy on a GPU run.
__global__ void __launch_bounds__(kBlockSize) mapf_scratch_kernel(mapf::Params p, mapf::View v, int64_t num_slots) {
  const int64_t slot = slot_of(blockIdx.x, blockDim.x, threadIdx.x);
  if (slot < num_slots) mapf_scratch_slot(p, v, slot);
}

__global__ void __launch_bounds__(kBlockSize, 1) mapf_reset_kernel(mapf::Params p, mapf::View v, const uint8_t* mask,
                                                                uint32_t bits, int64_t num_slots, int32_t* first) {
  const int64_t slot = slot_of(blockIdx.x, blockDim.x, threadIdx.x);
  if (slot < num_slots) mapf_reset_slot(p, v, mask, bits, slot, num_slots, first);
}

__global__ void __launch_bounds__(kBlockSize, 1) mapf_step_kernel(mapf::Params p, mapf::View v, int64_t num_slots,
                                                                  int32_t* first) {
  const int64_t slot = slot_of(blockIdx.x, blockDim.x, threadIdx.x);
  if (slot < num_slots) mapf_step_slot(p, v, slot, num_slots, first);
}

// Scratch slots at most: bounded by what runs at once on the device and by half its free memory.
constexpr int64_t kMaxScratchSlots = int64_t{1} << 18;

}  // namespace mw::cuda

namespace mw::mapf {

using cuda::DeviceCore;
using cuda::MapfTraits;

struct MapfCuda::Impl {
  DeviceCore<MapfTraits> core;
  cuda::LaunchShape shape{};
  cuda::DeviceBuffer scratch_u8, scratch_i32;
  std::vector<uint8_t> map_ready;
  std::vector<int32_t> start_cells, goal_seq, goal_lens, start_pool, goal_pool;  // host copy of the task
  bool task_ready = false;

  Impl(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets)
      : core(p, io, io_bytes, io_offsets), map_ready(static_cast<size_t>(map_count(p)), 0) {
    if (core.bind_error()) return;
    const int64_t u8 = scratch_u8_per_slot(p), i32 = scratch_i32_per_slot(p);
    const int64_t per_slot = u8 + 4 * i32;
    int blocks_per_sm = 0;
    Need(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks_per_sm, cuda::mapf_step_kernel, cuda::kBlockSize, 0),
         "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
    size_t free_bytes = 0, total_bytes = 0;
    Need(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
    const int64_t resident = std::max<int64_t>(1, blocks_per_sm) * core.facts().sms * cuda::kBlockSize;
    const int64_t by_memory = std::max<int64_t>(1, static_cast<int64_t>(free_bytes / 2) / std::max<int64_t>(1, per_slot));
    shape = cuda::launch_shape(p.num_envs, std::min({resident, by_memory, cuda::kMaxScratchSlots}), cuda::kBlockSize);
    Need(scratch_u8.Allocate(static_cast<size_t>(shape.num_slots * u8)), "cudaMalloc(scratch)");
    Need(scratch_i32.Allocate(static_cast<size_t>(shape.num_slots * i32 * 4)), "cudaMalloc(scratch)");
    View& v = core.device_view();
    v.scratch_u8 = scratch_u8.get();
    v.scratch_i32 = reinterpret_cast<int32_t*>(scratch_i32.get());
    Need(cudaMemsetAsync(scratch_u8.get(), 0, scratch_u8.bytes(), core.stream()), "cudaMemset(scratch)");
    Need(cudaMemsetAsync(scratch_i32.get(), 0, scratch_i32.bytes(), core.stream()), "cudaMemset(scratch)");
    cuda::mapf_scratch_kernel<<<Blocks(), cuda::kBlockSize, 0, core.stream()>>>(p, v, shape.num_slots);
    Need(cudaGetLastError(), "scratch kernel");
    Need(cudaStreamSynchronize(core.stream()), "scratch kernel");
  }

  static void Need(cudaError_t err, const char* what) {
    if (err != cudaSuccess) {
      cudaGetLastError();
      throw std::runtime_error(cuda::describe(err, what));
    }
  }
  unsigned Blocks() const { return static_cast<unsigned>(shape.blocks); }
  const Params& p() const { return core.params(); }

  void LaunchStep(const View& v) {
    cuda::mapf_step_kernel<<<Blocks(), cuda::kBlockSize, 0, core.stream()>>>(p(), v, shape.num_slots, core.first_cell());
  }

  // Map slot m as it is on the device, for checking a new task against it.
  bool PullMap(int64_t m, std::vector<uint8_t>& obst, std::vector<int32_t>& label, std::vector<int32_t>& cells,
               std::vector<int32_t>& start, int32_t& comps, int32_t& free_cells) {
    const View& v = core.device_view();
    const int64_t hw = static_cast<int64_t>(p().height) * p().width, padded = static_cast<int64_t>(p().padded_h) * p().padded_w;
    obst.resize(static_cast<size_t>(padded));
    label.resize(static_cast<size_t>(hw));
    cells.resize(static_cast<size_t>(hw));
    start.resize(static_cast<size_t>(hw + 1));
    return core.Download(obst.data(), v.obstacles + m * padded, static_cast<uint64_t>(padded), "map") &&
           core.Download(label.data(), v.comp_label + m * hw, static_cast<uint64_t>(hw) * 4, "map") &&
           core.Download(cells.data(), v.comp_cells + m * hw, static_cast<uint64_t>(hw) * 4, "map") &&
           core.Download(start.data(), v.comp_start + m * (hw + 1), static_cast<uint64_t>(hw + 1) * 4, "map") &&
           core.Download(&comps, v.num_comps + m, 4, "map") && core.Download(&free_cells, v.num_free + m, 4, "map");
  }
};

MapfCuda::MapfCuda(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t)
    : impl_(new Impl(p, io, io_bytes, io_offsets)) {}
MapfCuda::~MapfCuda() = default;

uint64_t MapfCuda::AllocationBytes(const Params& p, int32_t) {
  const uint64_t slots = static_cast<uint64_t>(std::min<int64_t>(p.num_envs, cuda::kMaxScratchSlots));
  return DeviceCore<MapfTraits>::DeviceBytes(p) +
         slots * static_cast<uint64_t>(scratch_u8_per_slot(p) + 4 * scratch_i32_per_slot(p));
}

const char* MapfCuda::bind_error() const { return impl_->core.bind_error(); }
const Params& MapfCuda::params() const { return impl_->core.params(); }
const View& MapfCuda::view() const { return impl_->core.host_view(); }
const char* MapfCuda::error() const { return impl_->core.error(); }
std::string MapfCuda::rollout_error() const { return impl_->core.rollout_error(); }

const char* MapfCuda::SetTask(const TaskInput& task, char* msg, int len) {
  Impl& s = *impl_;
  if (!s.core.Enter()) return "CUDA error";
  std::vector<uint8_t> obst;
  std::vector<int32_t> label, cells, start;
  for (int64_t m = 0; m < map_count(s.p()); ++m) {
    if (!s.map_ready[static_cast<size_t>(m)]) continue;
    int32_t comps = 0, free_cells = 0;
    if (!s.PullMap(m, obst, label, cells, start, comps, free_cells)) return "CUDA error";
    const MapInput in{obst.data(), label.data(), cells.data(), start.data(), comps, free_cells};
    if (const char* bad = check_map(s.p(), in, task, msg, len)) return bad;
  }
  const size_t a = static_cast<size_t>(s.p().num_agents), g = static_cast<size_t>(s.p().goal_seq_len);
  const size_t ps = static_cast<size_t>(s.p().start_pool_len), pg = static_cast<size_t>(s.p().goal_pool_len);
  s.start_cells.assign(task.start_cells, task.start_cells + a);
  s.goal_seq.assign(task.goal_seq, task.goal_seq + a * g);
  s.goal_lens.assign(task.goal_lens, task.goal_lens + a);
  s.start_pool.assign(task.start_pool, task.start_pool + ps);
  s.goal_pool.assign(task.goal_pool, task.goal_pool + pg);
  const View& v = s.core.device_view();
  if (!s.core.Upload(const_cast<int32_t*>(v.start_cells), task.start_cells, a * 4, "task") ||
      !s.core.Upload(const_cast<int32_t*>(v.goal_seq), task.goal_seq, a * g * 4, "task") ||
      !s.core.Upload(const_cast<int32_t*>(v.goal_lens), task.goal_lens, a * 4, "task") ||
      (ps > 0 && !s.core.Upload(const_cast<int32_t*>(v.start_pool), task.start_pool, ps * 4, "task")) ||
      (pg > 0 && !s.core.Upload(const_cast<int32_t*>(v.goal_pool), task.goal_pool, pg * 4, "task")))
    return "CUDA error";
  s.task_ready = true;
  return nullptr;
}

const char* MapfCuda::SetMap(int64_t m, const MapInput& in, char* msg, int len) {
  Impl& s = *impl_;
  if (!s.core.Enter()) return "CUDA error";
  const TaskInput task = s.task_ready ? TaskInput{s.start_cells.data(), s.goal_seq.data(), s.goal_lens.data(),
                                                s.start_pool.data(), s.goal_pool.data()}
                                      : TaskInput{nullptr, nullptr, nullptr, nullptr, nullptr};
  if (const char* bad = check_map(s.p(), in, task, msg, len)) return bad;
  const Params& p = s.p();
  const int64_t hw = static_cast<int64_t>(p.height) * p.width, padded = static_cast<int64_t>(p.padded_h) * p.padded_w;
  const View& v = s.core.device_view();
  int32_t* cells = const_cast<int32_t*>(v.comp_cells) + m * hw;
  int32_t* start = const_cast<int32_t*>(v.comp_start) + m * (hw + 1);
  // Only the checked parts are copied; the rest of each table is zeroed (as MapfCpu::SetMap).
  if (!s.core.Zero(cells, static_cast<uint64_t>(hw) * 4, "map") || !s.core.Zero(start, static_cast<uint64_t>(hw + 1) * 4, "map") ||
      !s.core.Upload(const_cast<uint8_t*>(v.obstacles) + m * padded, in.obstacles, static_cast<uint64_t>(padded), "map") ||
      !s.core.Upload(const_cast<int32_t*>(v.comp_label) + m * hw, in.label, static_cast<uint64_t>(hw) * 4, "map") ||
      !s.core.Upload(cells, in.cells, static_cast<uint64_t>(in.num_free) * 4, "map") ||
      !s.core.Upload(start, in.start, static_cast<uint64_t>(in.num_comps + 1) * 4, "map") ||
      !s.core.Upload(const_cast<int32_t*>(v.num_comps) + m, &in.num_comps, 4, "map") ||
      !s.core.Upload(const_cast<int32_t*>(v.num_free) + m, &in.num_free, 4, "map"))
    return "CUDA error";
  s.map_ready[static_cast<size_t>(m)] = 1;
  if (p.map_per_env) s.core.Uninitialize(m);
  else
    for (int64_t e = 0; e < p.num_envs; ++e) s.core.Uninitialize(e);
  return nullptr;
}

bool MapfCuda::Ready() const {
  for (uint8_t r : impl_->map_ready)
    if (!r) return false;
  return impl_->task_ready || impl_->p().placement == kPlaceRandom;
}

void MapfCuda::SetSeeds(const uint32_t* seeds, const uint8_t* mask) { impl_->core.SetSeeds(seeds, mask); }

int64_t MapfCuda::Reset(const uint8_t* mask) {
  Impl& s = *impl_;
  const uint8_t* d_mask = nullptr;
  if (!s.core.BeginReset(mask, &d_mask)) return -1;
  cuda::mapf_reset_kernel<<<s.Blocks(), cuda::kBlockSize, 0, s.core.stream()>>>(
      s.p(), s.core.device_view(), d_mask, kStatusPlacement, s.shape.num_slots, s.core.first_cell());
  if (!s.core.Launched("reset kernel")) return -1;
  const int64_t failed = s.core.Finish();
  if (failed < 0) return failed;
  // Envs whose placement failed must be reset again before they step (as MapfCpu::Reset).
  std::vector<uint32_t> status(static_cast<size_t>(s.p().num_envs));
  if (!s.core.Download(status.data(), s.core.device_view().status, status.size() * 4, "status")) return -1;
  for (int64_t e = failed; e < s.p().num_envs; ++e)
    if (status[static_cast<size_t>(e)] & kStatusPlacement) s.core.Uninitialize(e);
  return failed;
}

int64_t MapfCuda::FirstUninitialized() const { return impl_->core.FirstUninitialized(); }

int64_t MapfCuda::Step() {
  Impl& s = *impl_;
  if (!s.core.BeginStep()) return -1;
  s.LaunchStep(s.core.device_view());
  if (!s.core.Launched("step kernel")) return -1;
  return s.core.Finish();
}

int64_t MapfCuda::Rollout(int32_t steps, const int32_t* actions, float* rewards, uint8_t* terminations,
                          uint8_t* truncations, uint8_t* episode_done) {
  Impl& s = *impl_;
  return s.core.Rollout(steps, actions, rewards, terminations, truncations, episode_done,
                        [&s](const View& v) { s.LaunchStep(v); });
}

}  // namespace mw::mapf
