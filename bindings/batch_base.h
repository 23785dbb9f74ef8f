// Node-API glue shared by every batch class (MapfBatch, VolleyballBatch, DispatchBatch) of both
// addons: construction over a WebAssembly.Memory io arena, seeds, reset, step, stepAsync, close,
// and, for device executors, rollout. `Derived` adds its env's parameters, tables and action
// messages; `Exec` is the executor (native/cpu/*_cpu.h or native/cuda/exec_cuda.h), which has the
// same methods on both backends. No env logic here.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../native/common/fields.h"
#include "../native/common/zeroed_block.h"
#include "errors.h"
#include "typed.h"

namespace mw::bind {

// Device executors report CUDA failures through error() and run multi-step rollouts.
template <class E, class = void>
struct IsDeviceExec : std::false_type {};
template <class E>
struct IsDeviceExec<E, std::void_t<decltype(std::declval<const E&>().error())>> : std::true_type {};

template <class Batch>
class StepWorker;

// Autoreset code 'disabled', the same in every env's Params.
constexpr int32_t kAutoresetDisabled = 2;
// Result of a device Rollout() whose buffers could not be allocated (mw::cuda::kRolloutNoMemory).
constexpr int64_t kRolloutNoMemory = -3;

// Derived provides: static std::string DefaultId(); static bool ReadParams(Napi::Object, const
// std::string& id, Params&) (false after throwing); static void AddMethods(std::vector<Desc>&);
// const char* NotReady() const (reset() before setup: why, or nullptr); bool RunReset(Napi::Env,
// const uint8_t* mask) (false after throwing); const char* kNeverReset (why an env may be unreset);
// void ThrowBadAction(Napi::Env, const View&, int64_t index, const std::string& where);
// static int32_t Agents(const Params&); using Action, with kActionArray (its typed-array type) and
// kActionSize (numbers per agent); static constexpr const char* kClass (the JS class name).
template <class Derived, class Exec>
class BatchBase : public Napi::ObjectWrap<Derived> {
 public:
  using Params = std::decay_t<decltype(std::declval<const Exec&>().params())>;
  using View = std::decay_t<decltype(std::declval<const Exec&>().view())>;
  using Desc = typename Napi::ObjectWrap<Derived>::PropertyDescriptor;
  using Method = Napi::Value (Derived::*)(const Napi::CallbackInfo&);

  static void Init(Napi::Env env, Napi::Object exports, const char* name) {
    std::vector<Desc> methods = {Bind("setSeeds", &BatchBase::SetSeeds), Bind("reset", &BatchBase::Reset),
                                 Bind("step", &BatchBase::Step),         Bind("stepAsync", &BatchBase::StepAsync),
                                 Bind("close", &BatchBase::Close),       Bind("noop", &BatchBase::Noop),
                                 Bind("threads", &BatchBase::Threads)};
    if constexpr (IsDeviceExec<Exec>::value) methods.push_back(Bind("rollout", &BatchBase::Rollout));
    Derived::AddMethods(methods);
    exports.Set(name, Napi::ObjectWrap<Derived>::DefineClass(env, name, methods));
  }

  // new <Class>(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads: number)
  // The io arena must be a WebAssembly memory: its buffer cannot be detached by a transfer and its
  // memory stays put while this object holds the Memory, so steps running off the JS thread never
  // write into freed memory.
  explicit BatchBase(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Derived>(info) {
    Napi::Env env = info.Env();
    const std::string usage = std::string(Derived::kClass) + "(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads)";
    if (info.Length() != 4 || !info[0].IsObject() || !info[1].IsObject() || !info[3].IsNumber()) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", usage);
      return;
    }
    Napi::Value wasm = env.Global().Get("WebAssembly");
    Napi::Value memory_ctor = wasm.IsObject() ? wasm.As<Napi::Object>().Get("Memory") : env.Undefined();
    if (!memory_ctor.IsFunction() || !info[1].As<Napi::Object>().InstanceOf(memory_ctor.As<Napi::Function>())) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", usage);
      return;
    }
    Napi::Value io_value = info[1].As<Napi::Object>().Get("buffer");
    if (!io_value.IsArrayBuffer()) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", usage);
      return;
    }
    Napi::Object o = info[0].As<Napi::Object>();
    Napi::Value id = o.Get("id");
    id_ = id.IsString() ? id.As<Napi::String>().Utf8Value() : Derived::DefaultId();
    Params p{};
    if (!Derived::ReadParams(o, id_, p)) return;
    Napi::Value max_bytes = o.Get("maxBytes");
    if (!max_bytes.IsNumber() || !(max_bytes.As<Napi::Number>().DoubleValue() > 0)) {
      ThrowCoded(env, "ERR_MW_INVALID_CONFIG", id_ + " native params: 'maxBytes' must be a positive number");
      return;
    }
    if (const char* bad = check_params(p)) {
      ThrowCoded(env, "ERR_MW_INVALID_CONFIG", id_ + " native params: " + bad);
      return;
    }
    FieldSpec fields[64];
    const int n = list_io_fields(p, fields);
    const double* offs = TypedData<double>(info[2], napi_float64_array, n, "ioOffsets", false, id_.c_str());
    if (offs == nullptr) return;
    uint64_t offsets[64];
    for (int i = 0; i < n; ++i) {
      if (!(offs[i] >= 0 && offs[i] <= 9.0e15)) {
        ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": bad io offset for " + fields[i].name);
        return;
      }
      offsets[i] = static_cast<uint64_t>(offs[i]);
    }
    const double threads = info[3].As<Napi::Number>().DoubleValue();
    if (!(threads >= 1 && threads <= 1024)) {
      ThrowCoded(env, "ERR_MW_INVALID_CONFIG", "numThreads must be in 1..1024");
      return;
    }
    const double state_bytes = static_cast<double>(Exec::AllocationBytes(p, static_cast<int32_t>(threads)));
    if (state_bytes > max_bytes.As<Napi::Number>().DoubleValue()) {
      ThrowCoded(env, "ERR_MW_ALLOCATION", id_ + ": the batch state would take " + std::to_string(state_bytes / 1048576.0) +
                 " MiB, more than maxBytes allows");
      return;
    }
    Napi::ArrayBuffer io = io_value.As<Napi::ArrayBuffer>();
    // Fresh pages of a large io arena are first touched by the first reset: in huge pages that
    // costs a fraction of what 4 KiB pages do on a VM (a MAPF-v0 batch of 4096 envs writes 387 MB).
    if (io.ByteLength() >= mw::ZeroedBlock::kMappedBytes) mw::advise_huge_pages(io.Data(), io.ByteLength());
    try {
      exec_ = std::make_unique<Exec>(p, static_cast<uint8_t*>(io.Data()), io.ByteLength(), offsets,
                                     static_cast<int32_t>(threads));
    } catch (const std::exception& e) {
      ThrowCoded(env, "ERR_MW_ALLOCATION", id_ + ": cannot allocate the batch state or threads: " + e.what());
      return;
    }
    if (const char* field = exec_->bind_error()) {
      exec_.reset();
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": io field '" + field + "' does not fit the io buffer");
      return;
    }
    arena_ = Napi::Persistent(io);
    memory_ = Napi::Persistent(info[1].As<Napi::Object>());
  }

 protected:
  friend class StepWorker<BatchBase>;

  // A method of BatchBase or Derived as an instance method of the JS class.
  template <class C>
  static Desc Bind(const char* name, Napi::Value (C::*m)(const Napi::CallbackInfo&)) {
    return Napi::ObjectWrap<Derived>::InstanceMethod(name, static_cast<Method>(m));
  }

  // A device executor's failure (the batch cannot be used after one) as ERR_MW_NATIVE; true if thrown.
  bool ThrowIfFailed(Napi::Env env) {
    if constexpr (IsDeviceExec<Exec>::value) {
      if (const char* err = exec_->error()) {
        ThrowCoded(env, "ERR_MW_NATIVE", id_ + ": CUDA: " + err);
        return true;
      }
    }
    (void)env;
    return false;
  }

  bool Usable(Napi::Env env, const char* method) {
    if (closed_) {
      ThrowCoded(env, "ERR_MW_ENV_CLOSED", id_ + ": " + method + "() called after close()");
      return false;
    }
    if (busy_) {
      ThrowCoded(env, "ERR_MW_ENV_BUSY", id_ + ": " + method + "() called while stepAsync() is in flight");
      return false;
    }
    if (arena_.Value().IsDetached()) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": the batch buffers were detached; close this env");
      return false;
    }
    return !ThrowIfFailed(env);
  }

  // Every env was reset and none waits for a reset with autoreset disabled.
  bool CheckEnvs(Napi::Env env, const char* method) {
    const Params& p = exec_->params();
    const int64_t never = exec_->FirstUninitialized();
    if (never >= 0) {
      ThrowCoded(env, "ERR_MW_RESET_NEEDED", id_ + ": env " + std::to_string(never) + " has not been reset " +
                 Derived::kNeverReset + "; call reset() before " + method + "()");
      return false;
    }
    if (p.autoreset == kAutoresetDisabled) {
      const View& v = exec_->view();
      for (int64_t e = 0; e < p.num_envs; ++e)
        if (v.needs_reset[e]) {
          ThrowCoded(env, "ERR_MW_RESET_NEEDED", id_ + ": env " + std::to_string(e) +
                     " finished its episode and autoreset is disabled; call reset() first");
          return false;
        }
    }
    return true;
  }

  bool CheckBeforeStep(Napi::Env env) {
    if (!CheckEnvs(env, "step")) return false;
    const View& v = exec_->view();
    const int64_t bad = first_bad_action(exec_->params(), v);
    if (bad >= 0) {
      static_cast<Derived*>(this)->ThrowBadAction(env, v, bad, "");
      return false;
    }
    return true;
  }

  // setSeeds(seeds: Uint32Array[E], mask?: Uint8Array[E] | null)
  Napi::Value SetSeeds(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env, "setSeeds")) return env.Undefined();
    const int64_t e = exec_->params().num_envs;
    const uint32_t* seeds = TypedData<uint32_t>(info[0], napi_uint32_array, e, "seeds", false, id_.c_str());
    if (!seeds) return env.Undefined();
    const uint8_t* mask = TypedData<uint8_t>(info[1], napi_uint8_array, e, "mask", true, id_.c_str());
    if (!mask && !(info[1].IsNull() || info[1].IsUndefined())) return env.Undefined();
    exec_->SetSeeds(seeds, mask);
    ThrowIfFailed(env);
    return env.Undefined();
  }

  // reset(mask?: Uint8Array | null)
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env, "reset")) return env.Undefined();
    if (const char* why = static_cast<const Derived*>(this)->NotReady()) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": " + why);
      return env.Undefined();
    }
    const uint8_t* mask = nullptr;
    if (info.Length() > 0) {
      mask = TypedData<uint8_t>(info[0], napi_uint8_array, exec_->params().num_envs, "reset mask", true, id_.c_str());
      if (!mask && !(info[0].IsNull() || info[0].IsUndefined())) return env.Undefined();
    }
    if (static_cast<Derived*>(this)->RunReset(env, mask)) ThrowIfFailed(env);
    return env.Undefined();
  }

  Napi::Value Step(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env, "step") || !CheckBeforeStep(env)) return env.Undefined();
    const int64_t bad = exec_->Step();
    if (!ThrowIfFailed(env) && bad >= 0)
      ThrowCoded(env, "ERR_MW_NATIVE", id_ + ": env " + std::to_string(bad) + " reported an invalid state");
    return env.Undefined();
  }

  Napi::Value StepAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env, "stepAsync") || !CheckBeforeStep(env)) return env.Undefined();
    auto* worker = new StepWorker<BatchBase>(env, this);
    busy_ = true;
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  }

  // rollout(steps, actions[steps * E * A * k], rewards: Float32Array[steps * E * A],
  //         terminations: Uint8Array[steps * E * A], truncations: Uint8Array[steps * E * A],
  //         episodeDone: Uint8Array[steps * E]): runs `steps` steps with the given actions (checked
  // first, all of them) and fills the per-step outputs; the io arena then holds the last step's
  // outputs. Device executors only.
  Napi::Value Rollout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if constexpr (IsDeviceExec<Exec>::value) {
      if (!Usable(env, "rollout") || !CheckEnvs(env, "rollout")) return env.Undefined();
      const Params& p = exec_->params();
      if (p.autoreset == kAutoresetDisabled) {
        ThrowCoded(env, "ERR_MW_INVALID_CONFIG", id_ + ": rollout() needs autoresetMode 'same-step' or 'next-step'");
        return env.Undefined();
      }
      const double steps_d = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
      if (!(steps_d >= 1 && steps_d <= 1e6) || steps_d != static_cast<double>(static_cast<int32_t>(steps_d))) {
        ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": rollout(): steps must be an integer in 1..1000000");
        return env.Undefined();
      }
      const int32_t steps = static_cast<int32_t>(steps_d);
      const View& v = exec_->view();
      const int64_t e = p.num_envs, ea = e * static_cast<int64_t>(Derived::Agents(p));
      const int64_t n = ea * Derived::kActionSize;
      using Action = typename Derived::Action;
      const Action* actions = TypedData<Action>(info[1], Derived::kActionArray, n * steps, "rollout actions", false, id_.c_str());
      if (!actions) return env.Undefined();
      float* rewards = const_cast<float*>(TypedData<float>(info[2], napi_float32_array, ea * steps, "rollout rewards", false, id_.c_str()));
      if (!rewards) return env.Undefined();
      uint8_t* terms = const_cast<uint8_t*>(TypedData<uint8_t>(info[3], napi_uint8_array, ea * steps, "rollout terminations", false, id_.c_str()));
      if (!terms) return env.Undefined();
      uint8_t* truncs = const_cast<uint8_t*>(TypedData<uint8_t>(info[4], napi_uint8_array, ea * steps, "rollout truncations", false, id_.c_str()));
      if (!truncs) return env.Undefined();
      uint8_t* done = const_cast<uint8_t*>(TypedData<uint8_t>(info[5], napi_uint8_array, e * steps, "rollout episodeDone", false, id_.c_str()));
      if (!done) return env.Undefined();
      View check = v;
      for (int32_t t = 0; t < steps; ++t) {
        check.actions = actions + t * n;
        const int64_t bad = first_bad_action(p, check);
        if (bad >= 0) {
          static_cast<Derived*>(this)->ThrowBadAction(env, check, bad, " at rollout step " + std::to_string(t));
          return env.Undefined();
        }
      }
      const int64_t r = exec_->Rollout(steps, actions, rewards, terms, truncs, done);
      if (ThrowIfFailed(env)) return env.Undefined();
      if (r == kRolloutNoMemory) ThrowCoded(env, "ERR_MW_ALLOCATION", id_ + ": rollout(): " + exec_->rollout_error());
      else if (r >= 0) ThrowCoded(env, "ERR_MW_NATIVE", id_ + ": env " + std::to_string(r) + " reported an invalid state during rollout()");
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closed_) return env.Undefined();
    if (busy_) {
      ThrowCoded(env, "ERR_MW_ENV_BUSY", id_ + ": close() called while stepAsync() is in flight");
      return env.Undefined();
    }
    closed_ = true;
    exec_.reset();
    arena_.Reset();
    memory_.Reset();
    return env.Undefined();
  }

  Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

  Napi::Value Threads(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), exec_ ? exec_->threads() : 0);
  }

  std::unique_ptr<Exec> exec_;
  std::string id_;                            // env id for messages
  Napi::Reference<Napi::ArrayBuffer> arena_;  // the io buffer
  Napi::ObjectReference memory_;              // the WebAssembly.Memory that owns it
  bool busy_ = false;
  bool closed_ = false;
};

// stepAsync(): the step runs on a libuv worker thread; the batch stays referenced until it settles.
template <class Batch>
class StepWorker : public Napi::AsyncWorker {
 public:
  StepWorker(Napi::Env env, Batch* batch)
      : Napi::AsyncWorker(env), batch_(batch), deferred_(Napi::Promise::Deferred::New(env)) {
    batch_->Ref();
  }
  ~StepWorker() override { batch_->Unref(); }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { bad_env_ = batch_->exec_->Step(); }
  void OnOK() override {
    batch_->busy_ = false;
    std::string failure;
    if constexpr (IsDeviceExec<std::decay_t<decltype(*batch_->exec_)>>::value) {
      if (const char* err = batch_->exec_->error()) failure = "CUDA: " + std::string(err);
    }
    if (failure.empty() && bad_env_ >= 0)
      failure = "env " + std::to_string(bad_env_) + " reported an invalid state after stepAsync()";
    if (!failure.empty()) {
      Napi::Error err = Napi::Error::New(Env(), batch_->id_ + ": " + failure);
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
  Batch* batch_;
  Napi::Promise::Deferred deferred_;
  int64_t bad_env_ = -1;
};

}  // namespace mw::bind
