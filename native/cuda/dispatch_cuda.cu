// RideDispatch-v0 on CUDA: thin kernels (a slot index and one call of env_slots.h, which calls the
// shared dispatch::reset_env / step_env) and the DispatchCuda executor around them. Bid conflicts
// are settled inside step_env by the lowest packed (primary, vehicle) key, which does not depend on
// the order bids are visited in. Compiled with --fmad=false: the core's float arithmetic (fares,
// rewards, observation features) then rounds exactly as on the host, so results are bit-identical
// to the CPU executor.
#include <algorithm>
#include <vector>

#include "batch_cuda.h"
#include "exec_cuda.h"

namespace mw::cuda {

struct DispatchTraits {
  using Params = dispatch::Params;
  using View = dispatch::View;
  using Action = int32_t;
  static constexpr int kMaxFields = dispatch::kMaxFields;
  static int state_fields(const Params& p, FieldSpec* f) { return dispatch::list_state_fields(p, f); }
  static int io_fields(const Params& p, FieldSpec* f) { return dispatch::list_io_fields(p, f); }
  static const char* bind(const Params& p, uint8_t* state, const uint64_t* so, uint8_t* io, uint64_t io_bytes,
                          const uint64_t* io_offsets, View& v) {
    return dispatch::bind_view(p, state, so, io, io_bytes, io_offsets, v);
  }
  static int64_t agents(const Params& p) { return p.num_vehicles; }
  static bool autoreset_disabled(const Params& p) { return p.autoreset == dispatch::kDisabled; }
};

// Launch bounds: (kBlockSize, 1) lets ptxas use up to 255 registers where its default register
// target spilled (CUDA 13, sm_80/sm_90: .ci/run fails on any spill); the step kernel of MAPF keeps
// ptxas's choice (96 registers, no spill, more resident blocks). Tune occupancy on a GPU run.
__global__ void __launch_bounds__(kBlockSize, 1) dispatch_reset_kernel(dispatch::Params p, dispatch::View v,
                                                                    const uint8_t* mask, int64_t num_slots) {
  const int64_t slot = slot_of(blockIdx.x, blockDim.x, threadIdx.x);
  if (slot < num_slots) dispatch_reset_slot(p, v, mask, slot, num_slots);
}

__global__ void __launch_bounds__(kBlockSize, 1) dispatch_step_kernel(dispatch::Params p, dispatch::View v,
                                                                   int64_t num_slots, int32_t* first) {
  const int64_t slot = slot_of(blockIdx.x, blockDim.x, threadIdx.x);
  if (slot < num_slots) dispatch_step_slot(p, v, slot, num_slots, first);
}

}  // namespace mw::cuda

namespace mw::dispatch {

using cuda::DeviceCore;
using cuda::DispatchTraits;

struct DispatchCuda::Impl {
  DeviceCore<DispatchTraits> core;
  cuda::LaunchShape shape;  // one slot per env: no scratch
  std::vector<uint8_t> city_ready;
  bool replay_ready = false;

  Impl(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets)
      : core(p, io, io_bytes, io_offsets), shape(cuda::launch_shape(p.num_envs, p.num_envs, cuda::kBlockSize)),
        city_ready(static_cast<size_t>(p.num_cities), 0) {}
  unsigned Blocks() const { return static_cast<unsigned>(shape.blocks); }
  void LaunchStep(const View& v) {
    cuda::dispatch_step_kernel<<<Blocks(), cuda::kBlockSize, 0, core.stream()>>>(core.params(), v, shape.num_slots,
                                                                                  core.first_cell());
  }
  template <typename T>
  bool Copy(const T* dst, const T* src, int64_t slot, int64_t count) {
    return core.Upload(const_cast<T*>(dst) + slot * count, src, static_cast<uint64_t>(count) * sizeof(T), "city tables");
  }
};

DispatchCuda::DispatchCuda(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t)
    : impl_(new Impl(p, io, io_bytes, io_offsets)) {}
DispatchCuda::~DispatchCuda() = default;

uint64_t DispatchCuda::AllocationBytes(const Params& p, int32_t) { return DeviceCore<DispatchTraits>::DeviceBytes(p); }
const char* DispatchCuda::bind_error() const { return impl_->core.bind_error(); }
const Params& DispatchCuda::params() const { return impl_->core.params(); }
const View& DispatchCuda::view() const { return impl_->core.host_view(); }
const char* DispatchCuda::error() const { return impl_->core.error(); }
std::string DispatchCuda::rollout_error() const { return impl_->core.rollout_error(); }
void DispatchCuda::SetSeeds(const uint32_t* seeds, const uint8_t* mask) { impl_->core.SetSeeds(seeds, mask); }
int64_t DispatchCuda::FirstUninitialized() const { return impl_->core.FirstUninitialized(); }

const char* DispatchCuda::SetCity(int64_t m, const CityInput& in, char* msg, int len) {
  Impl& s = *impl_;
  if (!s.core.Enter()) return "CUDA error";
  const Params& p = s.core.params();
  if (const char* bad = check_city(p, in, msg, len)) return bad;
  const int64_t Z = p.num_zones, zz = Z * Z, B = p.demand_bins;
  const View& v = s.core.device_view();
  if (!s.Copy(v.zone_xy, in.zone_xy, m, Z * 2) || !s.Copy(v.travel_min, in.travel_min, m, p.travel_bins * zz) ||
      !s.Copy(v.dist_km, in.dist_km, m, zz) || !s.Copy(v.neighbours, in.neighbours, m, Z * p.num_neighbours) ||
      !s.Copy(v.arrival_cdf, in.arrival_cdf, m, B * p.poisson_len) || !s.Copy(v.origin_cdf, in.origin_cdf, m, B * Z) ||
      !s.Copy(v.dest_cdf, in.dest_cdf, m, B * zz))
    return "CUDA error";
  s.city_ready[static_cast<size_t>(m)] = 1;
  for (int64_t e = m; e < p.num_envs; e += p.num_cities) s.core.Uninitialize(e);
  return nullptr;
}

const char* DispatchCuda::SetReplay(const int32_t* rows, const int32_t* start, char* msg, int len) {
  Impl& s = *impl_;
  if (!s.core.Enter()) return "CUDA error";
  const Params& p = s.core.params();
  if (const char* bad = check_replay(p, rows, start, msg, len)) return bad;
  const View& v = s.core.device_view();
  if (!s.Copy(v.replay, rows, 0, static_cast<int64_t>(p.replay_len) * 4) ||
      !s.Copy(v.replay_start, start, 0, static_cast<int64_t>(p.horizon) + 1))
    return "CUDA error";
  s.replay_ready = true;
  for (int64_t e = 0; e < p.num_envs; ++e) s.core.Uninitialize(e);
  return nullptr;
}

bool DispatchCuda::Ready() const {
  for (uint8_t r : impl_->city_ready)
    if (!r) return false;
  return impl_->replay_ready || impl_->core.params().demand_mode != kDemandReplay;
}

void DispatchCuda::Reset(const uint8_t* mask) {
  Impl& s = *impl_;
  const uint8_t* d_mask = nullptr;
  if (!s.core.BeginReset(mask, &d_mask)) return;
  cuda::dispatch_reset_kernel<<<s.Blocks(), cuda::kBlockSize, 0, s.core.stream()>>>(
      s.core.params(), s.core.device_view(), d_mask, s.shape.num_slots);
  if (s.core.Launched("reset kernel")) s.core.Finish();
}

int64_t DispatchCuda::Step() {
  Impl& s = *impl_;
  if (!s.core.BeginStep()) return -1;
  s.LaunchStep(s.core.device_view());
  if (!s.core.Launched("step kernel")) return -1;
  return s.core.Finish();
}

int64_t DispatchCuda::Rollout(int32_t steps, const int32_t* actions, float* rewards, uint8_t* terminations,
                              uint8_t* truncations, uint8_t* episode_done) {
  Impl& s = *impl_;
  return s.core.Rollout(steps, actions, rewards, terminations, truncations, episode_done,
                        [&s](const View& v) { s.LaunchStep(v); });
}

}  // namespace mw::dispatch
