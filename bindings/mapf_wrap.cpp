// Node-API glue for MAPF-v0 on the CPU (see mapf_wrap.h).
#include "mapf_wrap.h"

#include "typed.h"

namespace mw::bind {

void MapfBatch::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "MapfBatch",
                                   {InstanceMethod<&MapfBatch::SetTask>("setTask"),
                                    InstanceMethod<&MapfBatch::SetMap>("setMap"),
                                    InstanceMethod<&MapfBatch::SetSeeds>("setSeeds"),
                                    InstanceMethod<&MapfBatch::Reset>("reset"),
                                    InstanceMethod<&MapfBatch::Step>("step"),
                                    InstanceMethod<&MapfBatch::StepAsync>("stepAsync"),
                                    InstanceMethod<&MapfBatch::Close>("close"),
                                    InstanceMethod<&MapfBatch::Noop>("noop"),
                                    InstanceMethod<&MapfBatch::Threads>("threads")});
  exports.Set("MapfBatch", cls);
}

// new MapfBatch(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads: number)
// The io arena must be a WebAssembly memory: its buffer cannot be detached by a transfer and its
// memory stays put while this object holds the Memory, so steps running off the JS thread never
// write into freed memory.
MapfBatch::MapfBatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MapfBatch>(info) {
  Napi::Env env = info.Env();
  const char* usage = "MapfBatch(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads)";
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
  Napi::Value max_bytes = o.Get("maxBytes");
  if (!max_bytes.IsNumber() || !(max_bytes.As<Napi::Number>().DoubleValue() > 0)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", "MAPF-v0 native params: 'maxBytes' must be a positive number");
    return;
  }
  p.padded_h = p.height + 2 * p.radius;
  p.padded_w = p.width + 2 * p.radius;
  if (const char* bad = mapf::check_params(p)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", std::string("MAPF-v0 native params: ") + bad);
    return;
  }
  mapf::FieldSpec fields[mapf::kMaxFields];
  const int n = mapf::list_io_fields(p, fields);
  const double* offs = TypedData<double>(info[2], napi_float64_array, n, "ioOffsets");
  if (offs == nullptr) return;
  uint64_t offsets[mapf::kMaxFields];
  for (int i = 0; i < n; ++i) {
    if (!(offs[i] >= 0 && offs[i] <= 9.0e15)) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", std::string("MapfBatch: bad offset for ") + fields[i].name);
      return;
    }
    offsets[i] = static_cast<uint64_t>(offs[i]);
  }
  const double threads = info[3].As<Napi::Number>().DoubleValue();
  if (!(threads >= 1 && threads <= 1024)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", "numThreads must be in 1..1024");
    return;
  }
  Napi::ArrayBuffer io = io_value.As<Napi::ArrayBuffer>();
  const double state_bytes = static_cast<double>(mapf::MapfCpu::AllocationBytes(p, static_cast<int32_t>(threads)));
  if (state_bytes > max_bytes.As<Napi::Number>().DoubleValue()) {
    ThrowCoded(env, "ERR_MW_ALLOCATION", "MAPF-v0: the batch state would take " + std::to_string(state_bytes / 1048576.0) +
               " MiB, more than maxBytes allows");
    return;
  }
  try {
    cpu_ = std::make_unique<mapf::MapfCpu>(p, static_cast<uint8_t*>(io.Data()), io.ByteLength(), offsets,
                                           static_cast<int32_t>(threads));
  } catch (const std::exception& e) {
    ThrowCoded(env, "ERR_MW_ALLOCATION", std::string("MAPF-v0: cannot allocate the batch state or threads: ") + e.what());
    return;
  }
  if (const char* field = cpu_->bind_error()) {
    cpu_.reset();
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", std::string("MapfBatch: io field '") + field + "' does not fit the io buffer");
    return;
  }
  arena_ = Napi::Persistent(io);
  memory_ = Napi::Persistent(info[1].As<Napi::Object>());
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
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MAPF-v0: the batch buffers were detached; close this env");
    return false;
  }
  return true;
}

// setTask(startCells: Int32Array[A], goalSeq: Int32Array[A*G], goalLens: Int32Array[A])
Napi::Value MapfBatch::SetTask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "setTask")) return env.Undefined();
  const mapf::Params& p = cpu_->params();
  const int32_t* starts = TypedData<int32_t>(info[0], napi_int32_array, p.num_agents, "startCells");
  if (!starts) return env.Undefined();
  const int32_t* seq = TypedData<int32_t>(info[1], napi_int32_array, static_cast<int64_t>(p.num_agents) * p.goal_seq_len, "goalSeq");
  if (!seq) return env.Undefined();
  const int32_t* lens = TypedData<int32_t>(info[2], napi_int32_array, p.num_agents, "goalLens");
  if (!lens) return env.Undefined();
  char msg[256];
  if (const char* bad = cpu_->SetTask(starts, seq, lens, msg, sizeof msg))
    ThrowCoded(env, "ERR_MW_INVALID_MAP", std::string("MAPF-v0: ") + bad);
  return env.Undefined();
}

// setMap(slot, obstacles: Uint8Array[PH*PW], label, cells: Int32Array[H*W], start: Int32Array[H*W+1],
//        numComps, numFree)
Napi::Value MapfBatch::SetMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "setMap")) return env.Undefined();
  const mapf::Params& p = cpu_->params();
  const int64_t hw = static_cast<int64_t>(p.height) * p.width;
  const double slot = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(slot >= 0 && slot < static_cast<double>(mapf::map_count(p))) || slot != static_cast<double>(static_cast<int64_t>(slot))) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MAPF-v0: setMap: slot out of range");
    return env.Undefined();
  }
  mapf::MapInput in{};
  in.obstacles = TypedData<uint8_t>(info[1], napi_uint8_array, static_cast<int64_t>(p.padded_h) * p.padded_w, "obstacles");
  if (!in.obstacles) return env.Undefined();
  in.label = TypedData<int32_t>(info[2], napi_int32_array, hw, "compLabel");
  if (!in.label) return env.Undefined();
  in.cells = TypedData<int32_t>(info[3], napi_int32_array, hw, "compCells");
  if (!in.cells) return env.Undefined();
  in.start = TypedData<int32_t>(info[4], napi_int32_array, hw + 1, "compStart");
  if (!in.start) return env.Undefined();
  if (!info[5].IsNumber() || !info[6].IsNumber()) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MAPF-v0: setMap: numComps and numFree must be numbers");
    return env.Undefined();
  }
  const double comps = info[5].As<Napi::Number>().DoubleValue(), free_cells = info[6].As<Napi::Number>().DoubleValue();
  if (!(comps >= 0 && comps <= static_cast<double>(hw)) || !(free_cells >= 0 && free_cells <= static_cast<double>(hw))) {
    ThrowCoded(env, "ERR_MW_INVALID_MAP", "MAPF-v0: setMap: component counts out of range");
    return env.Undefined();
  }
  in.num_comps = static_cast<int32_t>(comps);
  in.num_free = static_cast<int32_t>(free_cells);
  char msg[256];
  if (const char* bad = cpu_->SetMap(static_cast<int64_t>(slot), in, msg, sizeof msg))
    ThrowCoded(env, "ERR_MW_INVALID_MAP", "MAPF-v0: map " + std::to_string(static_cast<int64_t>(slot)) + ": " + bad);
  return env.Undefined();
}

// setSeeds(seeds: Uint32Array[E], mask?: Uint8Array[E] | null)
Napi::Value MapfBatch::SetSeeds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "setSeeds")) return env.Undefined();
  const int64_t e = cpu_->params().num_envs;
  const uint32_t* seeds = TypedData<uint32_t>(info[0], napi_uint32_array, e, "seeds");
  if (!seeds) return env.Undefined();
  const uint8_t* mask = TypedData<uint8_t>(info[1], napi_uint8_array, e, "mask", true);
  if (!mask && !(info[1].IsNull() || info[1].IsUndefined())) return env.Undefined();
  cpu_->SetSeeds(seeds, mask);
  return env.Undefined();
}

bool MapfBatch::CheckBeforeStep(Napi::Env env) {
  const mapf::Params& p = cpu_->params();
  const mapf::View& v = cpu_->view();
  const int64_t never = cpu_->FirstUninitialized();
  if (never >= 0) {
    ThrowCoded(env, "ERR_MW_RESET_NEEDED", "MAPF-v0: env " + std::to_string(never) + " has not been reset since it was created or its map was replaced; call reset() before step()");
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
  if (!cpu_->Ready()) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", "MAPF-v0: reset() before every map and the task were installed");
    return env.Undefined();
  }
  const uint8_t* mask = nullptr;
  if (info.Length() > 0) {
    mask = TypedData<uint8_t>(info[0], napi_uint8_array, cpu_->params().num_envs, "reset mask", true);
    if (!mask && !(info[0].IsNull() || info[0].IsUndefined())) return env.Undefined();
  }
  const int64_t bad = cpu_->Reset(mask);
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
  memory_.Reset();
  return env.Undefined();
}

Napi::Value MapfBatch::Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value MapfBatch::Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cpu_ ? cpu_->threads() : 0);
}

}  // namespace mw::bind
