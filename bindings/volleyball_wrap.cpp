// Node-API glue for the volleyball envs on the CPU (see volleyball_wrap.h).
#include "volleyball_wrap.h"

#include "typed.h"

namespace mw::bind {

void VolleyballBatch::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "VolleyballBatch",
                                   {InstanceMethod<&VolleyballBatch::SetSeeds>("setSeeds"),
                                    InstanceMethod<&VolleyballBatch::Reset>("reset"),
                                    InstanceMethod<&VolleyballBatch::Step>("step"),
                                    InstanceMethod<&VolleyballBatch::StepAsync>("stepAsync"),
                                    InstanceMethod<&VolleyballBatch::Close>("close"),
                                    InstanceMethod<&VolleyballBatch::Noop>("noop"),
                                    InstanceMethod<&VolleyballBatch::Threads>("threads")});
  exports.Set("VolleyballBatch", cls);
}

// new VolleyballBatch(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads: number)
VolleyballBatch::VolleyballBatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<VolleyballBatch>(info) {
  Napi::Env env = info.Env();
  const char* usage = "VolleyballBatch(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads)";
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
  id_ = id.IsString() ? id.As<Napi::String>().Utf8Value() : std::string("Volleyball");
  vb::Params p{};
  if (!ReadInt(o, "numEnvs", p.num_envs) || !ReadInt(o, "task", p.task) || !ReadInt(o, "numAgents", p.num_agents) ||
      !ReadInt(o, "obsDim", p.obs_dim) || !ReadInt(o, "actionMode", p.action_mode) ||
      !ReadInt(o, "substeps", p.substeps) || !ReadInt(o, "maxSteps", p.max_steps) ||
      !ReadInt(o, "autoreset", p.autoreset) || !ReadInt(o, "keepFinalObs", p.keep_final_obs) ||
      !ReadInt(o, "randomServe", p.random_serve))
    return;
  Napi::Value max_bytes = o.Get("maxBytes");
  if (!max_bytes.IsNumber() || !(max_bytes.As<Napi::Number>().DoubleValue() > 0)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", id_ + " native params: 'maxBytes' must be a positive number");
    return;
  }
  if (const char* bad = vb::check_params(p)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", id_ + " native params: " + bad);
    return;
  }
  FieldSpec fields[vb::kMaxFields];
  const int n = vb::list_io_fields(p, fields);
  const double* offs = TypedData<double>(info[2], napi_float64_array, n, "ioOffsets", false, id_.c_str());
  if (offs == nullptr) return;
  uint64_t offsets[vb::kMaxFields];
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
  const double state_bytes = static_cast<double>(vb::VolleyballCpu::AllocationBytes(p));
  if (state_bytes > max_bytes.As<Napi::Number>().DoubleValue()) {
    ThrowCoded(env, "ERR_MW_ALLOCATION", id_ + ": the batch state would take " + std::to_string(state_bytes / 1048576.0) +
               " MiB, more than maxBytes allows");
    return;
  }
  Napi::ArrayBuffer io = io_value.As<Napi::ArrayBuffer>();
  try {
    cpu_ = std::make_unique<vb::VolleyballCpu>(p, static_cast<uint8_t*>(io.Data()), io.ByteLength(), offsets,
                                               static_cast<int32_t>(threads));
  } catch (const std::exception& e) {
    ThrowCoded(env, "ERR_MW_ALLOCATION", id_ + ": cannot allocate the batch state or threads: " + e.what());
    return;
  }
  if (const char* field = cpu_->bind_error()) {
    cpu_.reset();
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": io field '" + field + "' does not fit the io buffer");
    return;
  }
  arena_ = Napi::Persistent(io);
  memory_ = Napi::Persistent(info[1].As<Napi::Object>());
}

bool VolleyballBatch::Usable(Napi::Env env, const char* method) {
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
  return true;
}

// setSeeds(seeds: Uint32Array[E], mask?: Uint8Array[E] | null)
Napi::Value VolleyballBatch::SetSeeds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "setSeeds")) return env.Undefined();
  const int64_t e = cpu_->params().num_envs;
  const uint32_t* seeds = TypedData<uint32_t>(info[0], napi_uint32_array, e, "seeds", false, id_.c_str());
  if (!seeds) return env.Undefined();
  const uint8_t* mask = TypedData<uint8_t>(info[1], napi_uint8_array, e, "mask", true, id_.c_str());
  if (!mask && !(info[1].IsNull() || info[1].IsUndefined())) return env.Undefined();
  cpu_->SetSeeds(seeds, mask);
  return env.Undefined();
}

bool VolleyballBatch::CheckBeforeStep(Napi::Env env) {
  const vb::Params& p = cpu_->params();
  const vb::View& v = cpu_->view();
  const int64_t never = cpu_->FirstUninitialized();
  if (never >= 0) {
    ThrowCoded(env, "ERR_MW_RESET_NEEDED", id_ + ": env " + std::to_string(never) +
               " has not been reset since it was created; call reset() before step()");
    return false;
  }
  if (p.autoreset == vb::kDisabled) {
    for (int64_t e = 0; e < p.num_envs; ++e)
      if (v.needs_reset[e]) {
        ThrowCoded(env, "ERR_MW_RESET_NEEDED", id_ + ": env " + std::to_string(e) +
                   " finished its episode and autoreset is disabled; call reset() first");
        return false;
      }
  }
  const int64_t bad = vb::first_bad_action(p, v);
  if (bad >= 0) {
    const int64_t agent = bad / vb::kActionDim;
    ThrowCoded(env, "ERR_MW_INVALID_ACTION", id_ + ": env " + std::to_string(agent / p.num_agents) + ", agent " +
               std::to_string(agent % p.num_agents) + ": action component " + std::to_string(bad % vb::kActionDim) +
               " is " + std::to_string(v.actions[bad]) + ", not a finite number");
    return false;
  }
  return true;
}

// reset(mask?: Uint8Array | null)
Napi::Value VolleyballBatch::Reset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "reset")) return env.Undefined();
  const uint8_t* mask = nullptr;
  if (info.Length() > 0) {
    mask = TypedData<uint8_t>(info[0], napi_uint8_array, cpu_->params().num_envs, "reset mask", true, id_.c_str());
    if (!mask && !(info[0].IsNull() || info[0].IsUndefined())) return env.Undefined();
  }
  cpu_->Reset(mask);
  return env.Undefined();
}

Napi::Value VolleyballBatch::Step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "step") || !CheckBeforeStep(env)) return env.Undefined();
  const int64_t bad = cpu_->Step();
  if (bad >= 0) ThrowCoded(env, "ERR_MW_NATIVE", id_ + ": env " + std::to_string(bad) + " reported an invalid state");
  return env.Undefined();
}

Napi::Value VolleyballBatch::StepAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "stepAsync") || !CheckBeforeStep(env)) return env.Undefined();
  auto* worker = new VolleyballStepWorker(env, this);
  busy_ = true;
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value VolleyballBatch::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) return env.Undefined();
  if (busy_) {
    ThrowCoded(env, "ERR_MW_ENV_BUSY", id_ + ": close() called while stepAsync() is in flight");
    return env.Undefined();
  }
  closed_ = true;
  cpu_.reset();
  arena_.Reset();
  memory_.Reset();
  return env.Undefined();
}

Napi::Value VolleyballBatch::Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value VolleyballBatch::Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cpu_ ? cpu_->threads() : 0);
}

}  // namespace mw::bind
