// Node-API glue for RideDispatch-v0 on the CPU: a DispatchBatch borrows the io arena (one
// non-detachable ArrayBuffer allocated by TypeScript), checks every argument, the city tables and
// the actions, and runs mw::dispatch::DispatchCpu. No env logic here.
#pragma once
#include <napi.h>

#include <memory>
#include <string>

#include "../native/cpu/dispatch_cpu.h"
#include "errors.h"

namespace mw::bind {

class DispatchBatch : public Napi::ObjectWrap<DispatchBatch> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit DispatchBatch(const Napi::CallbackInfo& info);

 private:
  bool Usable(Napi::Env env, const char* method);
  bool CheckBeforeStep(Napi::Env env);
  Napi::Value SetCity(const Napi::CallbackInfo& info);
  Napi::Value SetReplay(const Napi::CallbackInfo& info);
  Napi::Value SetSeeds(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Step(const Napi::CallbackInfo& info);
  Napi::Value StepAsync(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Noop(const Napi::CallbackInfo& info);
  Napi::Value Threads(const Napi::CallbackInfo& info);

  friend class DispatchStepWorker;
  std::unique_ptr<dispatch::DispatchCpu> cpu_;
  std::string id_;                            // env id for messages, RideDispatch-v0
  Napi::Reference<Napi::ArrayBuffer> arena_;  // the io buffer
  Napi::ObjectReference memory_;              // the WebAssembly.Memory that owns it
  bool busy_ = false;
  bool closed_ = false;
};

class DispatchStepWorker : public Napi::AsyncWorker {
 public:
  DispatchStepWorker(Napi::Env env, DispatchBatch* batch)
      : Napi::AsyncWorker(env), batch_(batch), deferred_(Napi::Promise::Deferred::New(env)) {
    batch_->Ref();
  }
  ~DispatchStepWorker() override { batch_->Unref(); }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { bad_env_ = batch_->cpu_->Step(); }
  void OnOK() override {
    batch_->busy_ = false;
    if (bad_env_ >= 0) {
      Napi::Error err = Napi::Error::New(Env(), batch_->id_ + ": env " + std::to_string(bad_env_) +
                                                    " reported an invalid state after stepAsync()");
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
  DispatchBatch* batch_;
  Napi::Promise::Deferred deferred_;
  int64_t bad_env_ = -1;
};

}  // namespace mw::bind
