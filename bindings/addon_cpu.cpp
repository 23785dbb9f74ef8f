// manyworlds_cpu.node: the native CPU backend. Registers one class per env family.
#include <napi.h>

#include <thread>

namespace mw::bind {
void InitMapfCpu(Napi::Env env, Napi::Object exports);
void InitVolleyballCpu(Napi::Env env, Napi::Object exports);
void InitDispatchCpu(Napi::Env env, Napi::Object exports);
}  // namespace mw::bind

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mw::bind::InitMapfCpu(env, exports);
  mw::bind::InitVolleyballCpu(env, exports);
  mw::bind::InitDispatchCpu(env, exports);
  exports.Set("hardwareConcurrency", Napi::Number::New(env, std::thread::hardware_concurrency()));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace

NODE_API_MODULE(manyworlds_cpu, Init)
