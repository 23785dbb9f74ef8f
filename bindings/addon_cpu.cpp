// manyworlds_cpu.node: the native CPU backend. Registers one class per env family.
#include <napi.h>

#include <thread>

#include "dispatch_wrap.h"
#include "mapf_wrap.h"
#include "volleyball_wrap.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mw::bind::MapfBatch::Init(env, exports);
  mw::bind::VolleyballBatch::Init(env, exports);
  mw::bind::DispatchBatch::Init(env, exports);
  exports.Set("hardwareConcurrency", Napi::Number::New(env, std::thread::hardware_concurrency()));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(manyworlds_cpu, Init)
