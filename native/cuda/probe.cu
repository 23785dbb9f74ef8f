// cuda.probe(): whether CUDA batches can run in this process. With the runtime linked statically
// the addon loads everywhere; here the runtime looks for a driver and a device, and a tiny kernel
// compiled for the same architectures as the env kernels tells whether this build has code the
// device can run.
#include <cstdio>
#include <string>

#include "cuda_common.h"
#include "exec_cuda.h"

namespace mw::cuda {

__global__ void probe_kernel(int32_t* out) {
  if (out) *out = 1;
}

namespace {

std::string runtime_reason(const char* call, cudaError_t err) {
  const char* what = err == cudaErrorInsufficientDriver ? "no CUDA driver"
                     : err == cudaErrorNoDevice         ? "no CUDA device"
                                                        : "CUDA runtime error";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s: %s returned %d (%s)", what, call, static_cast<int>(err), cudaGetErrorString(err));
  return buf;
}

}  // namespace

ProbeResult probe() {
  ProbeResult r;
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    cudaGetLastError();
    r.error = static_cast<int32_t>(err);
    r.reason = runtime_reason("cudaGetDeviceCount", err);
    return r;
  }
  if (count == 0) {
    r.reason = "no CUDA device: cudaGetDeviceCount found 0 devices";
    return r;
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) {
      cudaGetLastError();
      continue;
    }
    DeviceInfo info;
    info.name = prop.name;
    info.major = prop.major;
    info.minor = prop.minor;
    info.total_memory = prop.totalGlobalMem;
    info.sms = prop.multiProcessorCount;
    r.devices.push_back(info);
  }
  // Batches run on the current device (0 unless CUDA_VISIBLE_DEVICES says otherwise).
  cudaFuncAttributes attr{};
  err = cudaFuncGetAttributes(&attr, probe_kernel);
  if (err != cudaSuccess) {
    cudaGetLastError();
    r.error = static_cast<int32_t>(err);
    const std::string cc = r.devices.empty() ? std::string("?")
                                             : std::to_string(r.devices[0].major) + "." + std::to_string(r.devices[0].minor);
    r.reason = err == cudaErrorNoKernelImageForDevice || err == cudaErrorInvalidDeviceFunction
                   ? "device 0 has compute capability " + cc + "; this build has code for sm_80, sm_90 and PTX for compute_90"
                   : runtime_reason("cudaFuncGetAttributes", err);
    return r;
  }
  r.available = true;
  r.reason = std::to_string(count) + " CUDA device" + (count > 1 ? "s" : "") + "; device 0: " +
             (r.devices.empty() ? std::string("?") : r.devices[0].name);
  return r;
}

}  // namespace mw::cuda
