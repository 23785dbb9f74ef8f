// Node-API glue for MAPF-v0 on the CPU: a MapfBatch object borrows the io arena (one
// non-detachable ArrayBuffer allocated by TypeScript), copies maps and tasks into the executor's
// own state after checking them, checks every argument, and runs mw::mapf::MapfCpu.
// No env logic here.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "../native/cpu/mapf_cpu.h"
#include "errors.h"

namespace mw::bind {

class MapfBatch : public Napi::ObjectWrap<MapfBatch> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit MapfBatch(const Napi::CallbackInfo& info);

 private:
  bool Usable(Napi::Env env, const char* method);
  bool CheckBeforeStep(Napi::Env env);
  Napi::Value SetTask(const Napi::CallbackInfo& info);
  Napi::Value SetMap(const Napi::CallbackInfo& info);
  Napi::Value SetSeeds(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Step(const Napi::CallbackInfo& info);
  Napi::Value StepAsync(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Noop(const Napi::CallbackInfo& info);
  Napi::Value Threads(const Napi::CallbackInfo& info);

  friend class MapfStepWorker;
  std::unique_ptr<mapf::MapfCpu> cpu_;
  Napi::Reference<Napi::ArrayBuffer> arena_;  // the io buffer; detached only if the memory grew
  Napi::ObjectReference memory_;              // the WebAssembly.Memory, kept alive with its memory
  bool busy_ = false;
  bool closed_ = false;
};

class MapfStepWorker : public Napi::AsyncWorker {
 public:
  MapfStepWorker(Napi::Env env, MapfBatch* batch)
      : Napi::AsyncWorker(env), batch_(batch), deferred_(Napi::Promise::Deferred::New(env)) {
    batch_->Ref();
  }
  ~MapfStepWorker() override { batch_->Unref(); }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { bad_env_ = batch_->cpu_->Step(); }
  void OnOK() override {
    batch_->busy_ = false;
    if (bad_env_ >= 0) {
      Napi::Error err = Napi::Error::New(Env(), "env " + std::to_string(bad_env_) + " reported an invalid state after stepAsync()");
      err.Value().Set("code", Napi::String::New(Env(), "ERR_MW_NATIVE"));
      deferred_.Reject(err.Value());
      return;
    }
    deferred_.Resolve(Env().Undefined());
  }
  void OnError(const Napi::Error& e) override {
    batch_->busy_ = false;
    deferred_.Reject(e.Value());
  }

 private:
  MapfBatch* batch_;
  Napi::Promise::Deferred deferred_;
  int64_t bad_env_ = -1;
};

}  // namespace mw::bind
