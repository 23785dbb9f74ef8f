// Volleyball-<Task>-v0 on CUDA: thin kernels (a slot index and one call of env_slots.h, which
// calls the shared vb::reset_env / step_env) and the VolleyballCuda executor around them.
// Compiled without fast math and with nvcc's default contraction (--fmad=true): the device fuses
// a*b+c into one rounding where the host rounds twice, and its sinf/cosf/expf/tanhf differ from
// glibc's by a few ulps, so trajectories agree with the CPU executor within the tolerance of
// docs/cuda.md over its horizon, not bit for bit.
#include <algorithm>
#include <vector>

#include "batch_cuda.h"
#include "exec_cuda.h"

namespace mw::cuda {

struct VolleyballTraits {
  using Params = vb::Params;
  using View = vb::View;
  using Action = float;
  static constexpr int kMaxFields = vb::kMaxFields;
  static int state_fields(const Params& p, FieldSpec* f) { return vb::list_state_fields(p, f); }
  static int io_fields(const Params& p, FieldSpec* f) { return vb::list_io_fields(p, f); }
  static const char* bind(const Params& p, uint8_t* state, const uint64_t* so, uint8_t* io, uint64_t io_bytes,
                          const uint64_t* io_offsets, View& v) {
    return vb::bind_view(p, state, so, io, io_bytes, io_offsets, v);
  }
  static int64_t agents(const Params& p) { return p.num_agents; }
  static bool autoreset_disabled(const Params& p) { return p.autoreset == vb::kDisabled; }
};

// Launch bounds: (kBlockSize, 1) lets ptxas use up to 255 registers where its default register
// target spilled (CUDA 13, sm_80/sm_90: .ci/run fails on any spill); the step kernel of MAPF keeps
// ptxas's choice (96 registers, no spill, more resident blocks). Tune occupancy on a GPU run.
__global__ void __launch_bounds__(kBlockSize, 1) vb_reset_kernel(vb::Params p, vb::View v, const uint8_t* mask,
                                                              int64_t num_slots) {
  const int64_t slot = slot_of(blockIdx.x, blockDim.x, threadIdx.x);
  if (slot < num_slots) vb_reset_slot(p, v, mask, slot, num_slots);
}

__global__ void __launch_bounds__(kBlockSize, 1) vb_step_kernel(vb::Params p, vb::View v, int64_t num_slots,
                                                             int32_t* first) {
  const int64_t slot = slot_of(blockIdx.x, blockDim.x, threadIdx.x);
  if (slot < num_slots) vb_step_slot(p, v, slot, num_slots, first);
}

}  // namespace mw::cuda

namespace mw::vb {

using cuda::DeviceCore;
using cuda::VolleyballTraits;

struct VolleyballCuda::Impl {
  DeviceCore<VolleyballTraits> core;
  cuda::LaunchShape shape;  // one slot per env: no scratch

  Impl(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets)
      : core(p, io, io_bytes, io_offsets), shape(cuda::launch_shape(p.num_envs, p.num_envs, cuda::kBlockSize)) {}
  unsigned Blocks() const { return static_cast<unsigned>(shape.blocks); }
  void LaunchStep(const View& v) {
    cuda::vb_step_kernel<<<Blocks(), cuda::kBlockSize, 0, core.stream()>>>(core.params(), v, shape.num_slots,
                                                                            core.first_cell());
  }
};

VolleyballCuda::VolleyballCuda(const Params& p, uint8_t* io, uint64_t io_bytes, const uint64_t* io_offsets, int32_t)
    : impl_(new Impl(p, io, io_bytes, io_offsets)) {}
VolleyballCuda::~VolleyballCuda() = default;

uint64_t VolleyballCuda::AllocationBytes(const Params& p, int32_t) { return DeviceCore<VolleyballTraits>::DeviceBytes(p); }
const char* VolleyballCuda::bind_error() const { return impl_->core.bind_error(); }
const Params& VolleyballCuda::params() const { return impl_->core.params(); }
const View& VolleyballCuda::view() const { return impl_->core.host_view(); }
const char* VolleyballCuda::error() const { return impl_->core.error(); }
std::string VolleyballCuda::rollout_error() const { return impl_->core.rollout_error(); }
void VolleyballCuda::SetSeeds(const uint32_t* seeds, const uint8_t* mask) { impl_->core.SetSeeds(seeds, mask); }
int64_t VolleyballCuda::FirstUninitialized() const { return impl_->core.FirstUninitialized(); }

void VolleyballCuda::Reset(const uint8_t* mask) {
  Impl& s = *impl_;
  const uint8_t* d_mask = nullptr;
  if (!s.core.BeginReset(mask, &d_mask)) return;
  cuda::vb_reset_kernel<<<s.Blocks(), cuda::kBlockSize, 0, s.core.stream()>>>(s.core.params(), s.core.device_view(),
                                                                               d_mask, s.shape.num_slots);
  if (s.core.Launched("reset kernel")) s.core.Finish();
}

int64_t VolleyballCuda::Step() {
  Impl& s = *impl_;
  if (!s.core.BeginStep()) return -1;
  s.LaunchStep(s.core.device_view());
  if (!s.core.Launched("step kernel")) return -1;
  return s.core.Finish();
}

int64_t VolleyballCuda::Rollout(int32_t steps, const float* actions, float* rewards, uint8_t* terminations,
                                uint8_t* truncations, uint8_t* episode_done) {
  Impl& s = *impl_;
  return s.core.Rollout(steps, actions, rewards, terminations, truncations, episode_done,
                        [&s](const View& v) { s.LaunchStep(v); });
}

}  // namespace mw::vb
