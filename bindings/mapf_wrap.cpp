// Node-API glue for MAPF-v0 on the CPU (see mapf_wrap.h).
#include "mapf_wrap.h"

namespace mw::bind {

void MapfBatch::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "MapfBatch",
                                   {InstanceMethod<&MapfBatch::Reset>("reset"),
                                    InstanceMethod<&MapfBatch::Step>("step"),
                                    InstanceMethod<&MapfBatch::StepAsync>("stepAsync"),
                                    InstanceMethod<&MapfBatch::Close>("close"),
                                    InstanceMethod<&MapfBatch::Noop>("noop"),
                                    InstanceMethod<&MapfBatch::Threads>("threads")});
  exports.Set("MapfBatch", cls);
}

// new MapfBatch(params, arena: ArrayBuffer, offsets: Float64Array, threads: number)
MapfBatch::MapfBatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MapfBatch>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[0].IsObject() || !info[1].IsArrayBuffer() || !info[2].IsTypedArray() ||
      !info[3].IsNumber()) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MapfBatch(params, arena: ArrayBuffer, offsets: Float64Array, threads)");
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  mapf::Params p{};
  if (!ReadInt(o, "numEnvs", p.num_envs) || !ReadInt(o, "numAgents", p.num_agents) ||
      !ReadInt(o, "height", p.height) || !ReadInt(o, "width", p.width) || !ReadInt(o, "radius", p.radius) ||
      !ReadInt(o, "collision", p.collision) || !ReadInt(o, "onTarget", p.on_target) ||
      !ReadInt(o, "maxSteps", p.max_steps) || !ReadInt(o, "autoreset", p.autoreset) ||
      !ReadInt(o, "obsU8", p.obs_u8) || !ReadInt(o, "keepFinalObs", p.keep_final_obs) ||
      !ReadInt(o, "extras", p.extras) || !ReadInt(o, "placement", p.placement) ||
      !ReadInt(o, "goalMode", p.goal_mode) || !ReadInt(o, "goalSeqLen", p.goal_seq_len) ||
      !ReadInt(o, "mapPerEnv", p.map_per_env))
    return;
  p.padded_h = p.height + 2 * p.radius;
  p.padded_w = p.width + 2 * p.radius;
  if (const char* bad = mapf::check_params(p)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", std::string("MAPF-v0 native params: ") + bad);
    return;
  }
  Napi::ArrayBuffer arena = info[1].As<Napi::ArrayBuffer>();
  Napi::TypedArray offsets_arr = info[2].As<Napi::TypedArray>();
  mapf::FieldSpec fields[mapf::kNumFields];
  const int n = mapf::list_fields(p, fields);
  if (offsets_arr.TypedArrayType() != napi_float64_array || static_cast<int>(offsets_arr.ElementLength()) != n) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MapfBatch: offsets must be a Float64Array of " + std::to_string(n) + " byte offsets");
    return;
  }
  Napi::Float64Array offs = offsets_arr.As<Napi::Float64Array>();
  uint64_t offsets[mapf::kNumFields];
  for (int i = 0; i < n; ++i) {
    const double d = offs[i];
    if (!(d >= 0 && d <= 9.0e15)) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", std::string("MapfBatch: bad offset for ") + fields[i].name);
      return;
    }
    offsets[i] = static_cast<uint64_t>(d);
  }
  mapf::View v{};
  if (const char* field = mapf::bind_view(p, static_cast<uint8_t*>(arena.Data()), arena.ByteLength(), offsets, v)) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", std::string("MapfBatch: field '") + field + "' does not fit the arena");
    return;
  }
  char msg[256];
  if (const char* bad = mapf::check_maps(p, v, msg, sizeof msg)) {
    ThrowCoded(env, "ERR_MW_INVALID_MAP", std::string("MAPF-v0: ") + bad);
    return;
  }
  const double threads = info[3].As<Napi::Number>().DoubleValue();
  if (!(threads >= 1 && threads <= 1024)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", "numThreads must be in 1..1024");
    return;
  }
  try {
    cpu_ = std::make_unique<mapf::MapfCpu>(p, v, static_cast<int32_t>(threads));
  } catch (const std::exception& e) {
    ThrowCoded(env, "ERR_MW_ALLOCATION", std::string("MAPF-v0: cannot allocate scratch or threads: ") + e.what());
    return;
  }
  arena_ = Napi::Persistent(arena);
  initialized_.assign(static_cast<size_t>(p.num_envs), 0);
}

bool MapfBatch::Usable(Napi::Env env, const char* method) {
  if (closed_) {
    ThrowCoded(env, "ERR_MW_ENV_CLOSED", std::string("MAPF-v0: ") + method + "() called after close()");
    return false;
  }
  if (busy_) {
    ThrowCoded(env, "ERR_MW_ENV_BUSY", std::string("MAPF-v0: ") + method + "() called while stepAsync() is in flight");
    return false;
  }
  if (arena_.Value().IsDetached()) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MAPF-v0: the batch buffers were detached (transferred); close this env");
    return false;
  }
  return true;
}

bool MapfBatch::CheckBeforeStep(Napi::Env env) {
  const mapf::Params& p = cpu_->params();
  const mapf::View& v = cpu_->view();
  if (num_initialized_ < p.num_envs) {
    int64_t e = 0;
    while (initialized_[static_cast<size_t>(e)]) ++e;
    ThrowCoded(env, "ERR_MW_RESET_NEEDED", "MAPF-v0: env " + std::to_string(e) + " was never reset; call reset() before step()");
    return false;
  }
  if (p.autoreset == mapf::kDisabled) {
    for (int64_t e = 0; e < p.num_envs; ++e)
      if (v.needs_reset[e]) {
        ThrowCoded(env, "ERR_MW_RESET_NEEDED", "MAPF-v0: env " + std::to_string(e) +
                   " finished its episode and autoreset is disabled; call reset() first");
        return false;
      }
  }
  const int64_t bad = mapf::first_bad_action(p, v);
  if (bad >= 0) {
    ThrowCoded(env, "ERR_MW_INVALID_ACTION", "MAPF-v0: env " + std::to_string(bad / p.num_agents) + ", agent " +
               std::to_string(bad % p.num_agents) + ": action " + std::to_string(v.actions[bad]) + " is not in [0, 5)");
    return false;
  }
  return true;
}

// reset(mask?: Uint8Array | null)
Napi::Value MapfBatch::Reset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "reset")) return env.Undefined();
  const uint8_t* mask = nullptr;
  if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) {
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
        static_cast<int64_t>(info[0].As<Napi::Uint8Array>().ElementLength()) != cpu_->params().num_envs) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MAPF-v0: reset mask must be a Uint8Array of numEnvs entries");
      return env.Undefined();
    }
    mask = info[0].As<Napi::Uint8Array>().Data();
  }
  const int64_t bad = cpu_->Reset(mask);
  for (size_t e = 0; e < initialized_.size(); ++e)
    if ((mask == nullptr || mask[e]) && !initialized_[e]) {
      initialized_[e] = 1;
      ++num_initialized_;
    }
  if (bad >= 0) ThrowCoded(env, "ERR_MW_INVALID_CONFIG", "MAPF-v0: env " + std::to_string(bad) + ": could not place every agent with a reachable goal");
  return env.Undefined();
}

Napi::Value MapfBatch::Step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "step") || !CheckBeforeStep(env)) return env.Undefined();
  const int64_t bad = cpu_->Step();
  if (bad >= 0) ThrowCoded(env, "ERR_MW_NATIVE", "MAPF-v0: env " + std::to_string(bad) + " reported an invalid state");
  return env.Undefined();
}

Napi::Value MapfBatch::StepAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "stepAsync") || !CheckBeforeStep(env)) return env.Undefined();
  auto* worker = new MapfStepWorker(env, this);
  busy_ = true;
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value MapfBatch::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) return env.Undefined();
  if (busy_) {
    ThrowCoded(env, "ERR_MW_ENV_BUSY", "MAPF-v0: close() called while stepAsync() is in flight");
    return env.Undefined();
  }
  closed_ = true;
  cpu_.reset();
  arena_.Reset();
  return env.Undefined();
}

Napi::Value MapfBatch::Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value MapfBatch::Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cpu_ ? cpu_->threads() : 0);
}

}  // namespace mw::bind
