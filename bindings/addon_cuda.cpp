// manyworlds_cuda.node: the CUDA backend. Exports probe() and the same batch classes as
// manyworlds_cpu.node (same constructor arguments and methods, plus rollout()) over the CUDA
// executors. Linked with the static CUDA runtime, so it loads on machines without a driver; probe()
// then says why batches cannot run, and TypeScript never constructs one.
#include <napi.h>

#include "../native/cuda/exec_cuda.h"
#include "dispatch_wrap.h"
#include "mapf_wrap.h"
#include "volleyball_wrap.h"

namespace {

// probe() -> { available: boolean, reason: string, error: number, devices: [{ name,
//   computeCapability, totalMemory, multiprocessors }] }
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const mw::cuda::ProbeResult r = mw::cuda::probe();
  Napi::Object out = Napi::Object::New(env);
  out.Set("available", Napi::Boolean::New(env, r.available));
  out.Set("reason", Napi::String::New(env, r.reason));
  out.Set("error", Napi::Number::New(env, r.error));
  Napi::Array devices = Napi::Array::New(env, r.devices.size());
  for (size_t i = 0; i < r.devices.size(); ++i) {
    const mw::cuda::DeviceInfo& d = r.devices[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", Napi::String::New(env, d.name));
    o.Set("computeCapability", Napi::String::New(env, std::to_string(d.major) + "." + std::to_string(d.minor)));
    o.Set("totalMemory", Napi::Number::New(env, static_cast<double>(d.total_memory)));
    o.Set("multiprocessors", Napi::Number::New(env, d.sms));
    devices.Set(static_cast<uint32_t>(i), o);
  }
  out.Set("devices", devices);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mw::bind::MapfBatchOf<mw::mapf::MapfCuda>::Init(env, exports);
  mw::bind::VolleyballBatchOf<mw::vb::VolleyballCuda>::Init(env, exports);
  mw::bind::DispatchBatchOf<mw::dispatch::DispatchCuda>::Init(env, exports);
  exports.Set("probe", Napi::Function::New(env, Probe, "probe"));
  exports.Set("hardwareConcurrency", Napi::Number::New(env, 1));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(manyworlds_cuda, Init)
