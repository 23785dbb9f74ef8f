// Compile-only check that the env cores (MAPF-v0, volleyball, RideDispatch-v0) stay device code: nvcc must accept every env function
// inside kernels (no std containers, exceptions or host-only calls on the device path). Built by
// .ci/run when nvcc is present; the CUDA backend proper (executor, memory, addon) is separate.
#include "../envs/mapf/mapf.h"

__global__ void mapf_reset_check(mw::mapf::Params p, mw::mapf::View v, int32_t n) {
  const int32_t e = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (e < n) mw::mapf::reset_env(p, v, mw::mapf::scratch_of(p, v, e), e);
}

__global__ void mapf_step_check(mw::mapf::Params p, mw::mapf::View v, int32_t n) {
  const int32_t e = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (e < n) mw::mapf::step_env(p, v, mw::mapf::scratch_of(p, v, e), e);
}

// The volleyball core: physics, rules and observations of every task in one kernel each.
#include "../envs/volleyball/vb_step.h"

__global__ void volleyball_reset_check(mw::vb::Params p, mw::vb::View v, int32_t n) {
  const int32_t e = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (e < n) mw::vb::reset_env(p, v, e);
}

__global__ void volleyball_step_check(mw::vb::Params p, mw::vb::View v, int32_t n) {
  const int32_t e = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (e < n) mw::vb::step_env(p, v, e);
}

// The dispatch core: bids, plans, movement, demand, observations and masks.
#include "../envs/dispatch/dispatch.h"

__global__ void dispatch_reset_check(mw::dispatch::Params p, mw::dispatch::View v, int32_t n) {
  const int32_t e = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (e < n) mw::dispatch::reset_env(p, v, e);
}

__global__ void dispatch_step_check(mw::dispatch::Params p, mw::dispatch::View v, int32_t n) {
  const int32_t e = static_cast<int32_t>(blockIdx.x * blockDim.x + threadIdx.x);
  if (e < n) mw::dispatch::step_env(p, v, e);
}
