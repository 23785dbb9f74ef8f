// Node-API glue for the volleyball envs on the CPU: a VolleyballBatch borrows the io arena (one
// non-detachable ArrayBuffer allocated by TypeScript), checks every argument and the actions, and
// runs mw::vb::VolleyballCpu. No env logic here.
#pragma once
#include <napi.h>

#include <memory>
#include <string>

#include "../native/cpu/volleyball_cpu.h"
#include "errors.h"

namespace mw::bind {

class VolleyballBatch : public Napi::ObjectWrap<VolleyballBatch> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit VolleyballBatch(const Napi::CallbackInfo& info);

 private:
  bool Usable(Napi::Env env, const char* method);
  bool CheckBeforeStep(Napi::Env env);
  Napi::Value SetSeeds(const Napi::CallbackInfo& info);
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Step(const Napi::CallbackInfo& info);
  Napi::Value StepAsync(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Noop(const Napi::CallbackInfo& info);
  Napi::Value Threads(const Napi::CallbackInfo& info);

  friend class VolleyballStepWorker;
  std::unique_ptr<vb::VolleyballCpu> cpu_;
  std::string id_;                            // env id for messages, e.g. Volleyball-3v3-v0
  Napi::Reference<Napi::ArrayBuffer> arena_;  // the io buffer
  Napi::ObjectReference memory_;              // the WebAssembly.Memory that owns it
  bool busy_ = false;
  bool closed_ = false;
};

class VolleyballStepWorker : public Napi::AsyncWorker {
 public:
  VolleyballStepWorker(Napi::Env env, VolleyballBatch* batch)
      : Napi::AsyncWorker(env), batch_(batch), deferred_(Napi::Promise::Deferred::New(env)) {
    batch_->Ref();
  }
  ~VolleyballStepWorker() override { batch_->Unref(); }
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
  VolleyballBatch* batch_;
  Napi::Promise::Deferred deferred_;
  int64_t bad_env_ = -1;
};

}  // namespace mw::bind
