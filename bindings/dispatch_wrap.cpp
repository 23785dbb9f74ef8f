// Node-API glue for RideDispatch-v0 on the CPU (see dispatch_wrap.h).
#include "dispatch_wrap.h"

#include "typed.h"

namespace mw::bind {

void DispatchBatch::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "DispatchBatch",
                                   {InstanceMethod<&DispatchBatch::SetCity>("setCity"),
                                    InstanceMethod<&DispatchBatch::SetReplay>("setReplay"),
                                    InstanceMethod<&DispatchBatch::SetSeeds>("setSeeds"),
                                    InstanceMethod<&DispatchBatch::Reset>("reset"),
                                    InstanceMethod<&DispatchBatch::Step>("step"),
                                    InstanceMethod<&DispatchBatch::StepAsync>("stepAsync"),
                                    InstanceMethod<&DispatchBatch::Close>("close"),
                                    InstanceMethod<&DispatchBatch::Noop>("noop"),
                                    InstanceMethod<&DispatchBatch::Threads>("threads")});
  exports.Set("DispatchBatch", cls);
}

namespace {

// Reads the integer and float params; false after throwing ERR_MW_INVALID_CONFIG.
bool ReadParams(Napi::Object o, const std::string& id, dispatch::Params& p) {
  struct IntKey {
    const char* key;
    int32_t* out;
  };
  const IntKey ints[] = {
      {"numEnvs", &p.num_envs}, {"numVehicles", &p.num_vehicles}, {"numSlots", &p.num_slots},
      {"capacity", &p.capacity}, {"numNeighbours", &p.num_neighbours}, {"numZones", &p.num_zones},
      {"numCities", &p.num_cities}, {"demandBins", &p.demand_bins}, {"travelBins", &p.travel_bins},
      {"poissonLen", &p.poisson_len}, {"horizon", &p.horizon}, {"maxWait", &p.max_wait},
      {"startHour", &p.start_hour}, {"demandMode", &p.demand_mode}, {"replayLen", &p.replay_len},
      {"maxPickupMin", &p.max_pickup_min}, {"partyMax", &p.party_max}, {"reposition", &p.reposition},
      {"conflictRule", &p.conflict_rule}, {"routeObjective", &p.route_objective}, {"teamReward", &p.team_reward},
      {"pairBlock", &p.pair_block}, {"globalMaps", &p.global_maps}, {"autoreset", &p.autoreset},
      {"keepFinalObs", &p.keep_final_obs}};
  for (const IntKey& k : ints)
    if (!ReadInt(o, k.key, *k.out)) return false;
  if (!ReadFloat(o, "fareBase", p.fare_base) || !ReadFloat(o, "farePerKm", p.fare_per_km) ||
      !ReadFloat(o, "farePerMin", p.fare_per_min))
    return false;
  Napi::Value reward = o.Get("reward");
  if (!reward.IsTypedArray() || reward.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      reward.As<Napi::TypedArray>().ElementLength() != static_cast<size_t>(dispatch::kNumRewardCoefs)) {
    ThrowCoded(o.Env(), "ERR_MW_INVALID_CONFIG", id + " native params: 'reward' must be a Float32Array of 15 coefficients");
    return false;
  }
  const float* w = reward.As<Napi::Float32Array>().Data();
  for (int32_t k = 0; k < dispatch::kNumRewardCoefs; ++k) p.reward[k] = w[k];
  return true;
}

}  // namespace

// new DispatchBatch(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads: number)
// The io arena must be a WebAssembly memory: its buffer cannot be detached by a transfer and its
// memory stays put while this object holds the Memory, so steps running off the JS thread never
// write into freed memory.
DispatchBatch::DispatchBatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DispatchBatch>(info) {
  Napi::Env env = info.Env();
  const char* usage = "DispatchBatch(params, io: WebAssembly.Memory, ioOffsets: Float64Array, threads)";
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
  id_ = id.IsString() ? id.As<Napi::String>().Utf8Value() : std::string("RideDispatch-v0");
  dispatch::Params p{};
  if (!ReadParams(o, id_, p)) return;
  Napi::Value max_bytes = o.Get("maxBytes");
  if (!max_bytes.IsNumber() || !(max_bytes.As<Napi::Number>().DoubleValue() > 0)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", id_ + " native params: 'maxBytes' must be a positive number");
    return;
  }
  if (const char* bad = dispatch::check_params(p)) {
    ThrowCoded(env, "ERR_MW_INVALID_CONFIG", id_ + " native params: " + bad);
    return;
  }
  FieldSpec fields[dispatch::kMaxFields];
  const int n = dispatch::list_io_fields(p, fields);
  const double* offs = TypedData<double>(info[2], napi_float64_array, n, "ioOffsets", false, id_.c_str());
  if (offs == nullptr) return;
  uint64_t offsets[dispatch::kMaxFields];
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
  const double state_bytes =
      static_cast<double>(dispatch::DispatchCpu::AllocationBytes(p, static_cast<int32_t>(threads)));
  if (state_bytes > max_bytes.As<Napi::Number>().DoubleValue()) {
    ThrowCoded(env, "ERR_MW_ALLOCATION", id_ + ": the batch state would take " + std::to_string(state_bytes / 1048576.0) +
               " MiB, more than maxBytes allows");
    return;
  }
  Napi::ArrayBuffer io = io_value.As<Napi::ArrayBuffer>();
  try {
    cpu_ = std::make_unique<dispatch::DispatchCpu>(p, static_cast<uint8_t*>(io.Data()), io.ByteLength(), offsets,
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

bool DispatchBatch::Usable(Napi::Env env, const char* method) {
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

namespace {

// Data of a typed-array argument of exactly `length` elements (a static dummy for length 0);
// nullptr after throwing.
template <typename T>
const T* Table(Napi::Value v, napi_typedarray_type type, int64_t length, const char* what, const std::string& id) {
  static const T kEmpty[1] = {};
  const T* data = TypedData<T>(v, type, length, what, false, id.c_str());
  if (v.Env().IsExceptionPending()) return nullptr;
  return data ? data : kEmpty;
}

}  // namespace

// setCity(slot, zoneXY: Float32Array[Z*2], travelMin: Int32Array[Bt*Z*Z], distKm: Float32Array[Z*Z],
//         neighbours: Int32Array[Z*R], arrivalCdf: Uint32Array[B*P], originCdf: Uint32Array[B*Z],
//         destCdf: Uint32Array[B*Z*Z])
Napi::Value DispatchBatch::SetCity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "setCity")) return env.Undefined();
  const dispatch::Params& p = cpu_->params();
  const double slot = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(slot >= 0 && slot < p.num_cities) || slot != static_cast<double>(static_cast<int64_t>(slot))) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": setCity: slot must be an integer in 0.." +
               std::to_string(p.num_cities - 1));
    return env.Undefined();
  }
  const int64_t Z = p.num_zones, zz = Z * Z, B = p.demand_bins;
  dispatch::CityInput in{};
  if (!(in.zone_xy = Table<float>(info[1], napi_float32_array, Z * 2, "zoneXY", id_)) ||
      !(in.travel_min = Table<int32_t>(info[2], napi_int32_array, p.travel_bins * zz, "travelMin", id_)) ||
      !(in.dist_km = Table<float>(info[3], napi_float32_array, zz, "distKm", id_)) ||
      !(in.neighbours = Table<int32_t>(info[4], napi_int32_array, Z * p.num_neighbours, "neighbours", id_)) ||
      !(in.arrival_cdf = Table<uint32_t>(info[5], napi_uint32_array, B * p.poisson_len, "arrivalCdf", id_)) ||
      !(in.origin_cdf = Table<uint32_t>(info[6], napi_uint32_array, B * Z, "originCdf", id_)) ||
      !(in.dest_cdf = Table<uint32_t>(info[7], napi_uint32_array, B * zz, "destCdf", id_)))
    return env.Undefined();
  char msg[256];
  if (const char* bad = cpu_->SetCity(static_cast<int64_t>(slot), in, msg, sizeof msg))
    ThrowCoded(env, "ERR_MW_INVALID_MAP", id_ + ": city " + std::to_string(static_cast<int64_t>(slot)) + ": " + bad);
  return env.Undefined();
}

// setReplay(rows: Int32Array[N*4] of (step, origin, dest, party), start: Int32Array[T+1])
Napi::Value DispatchBatch::SetReplay(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "setReplay")) return env.Undefined();
  const dispatch::Params& p = cpu_->params();
  if (p.demand_mode != dispatch::kDemandReplay) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": setReplay() needs the replay demand mode");
    return env.Undefined();
  }
  const int32_t* rows = Table<int32_t>(info[0], napi_int32_array, static_cast<int64_t>(p.replay_len) * 4, "replay rows", id_);
  if (!rows) return env.Undefined();
  const int32_t* start = Table<int32_t>(info[1], napi_int32_array, static_cast<int64_t>(p.horizon) + 1, "replay start", id_);
  if (!start) return env.Undefined();
  char msg[256];
  if (const char* bad = cpu_->SetReplay(rows, start, msg, sizeof msg))
    ThrowCoded(env, "ERR_MW_INVALID_MAP", id_ + ": replay: " + bad);
  return env.Undefined();
}

// setSeeds(seeds: Uint32Array[E], mask?: Uint8Array[E] | null)
Napi::Value DispatchBatch::SetSeeds(const Napi::CallbackInfo& info) {
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

bool DispatchBatch::CheckBeforeStep(Napi::Env env) {
  const dispatch::Params& p = cpu_->params();
  const dispatch::View& v = cpu_->view();
  const int64_t never = cpu_->FirstUninitialized();
  if (never >= 0) {
    ThrowCoded(env, "ERR_MW_RESET_NEEDED", id_ + ": env " + std::to_string(never) +
               " has not been reset since it was created or its city changed; call reset() before step()");
    return false;
  }
  if (p.autoreset == dispatch::kDisabled) {
    for (int64_t e = 0; e < p.num_envs; ++e)
      if (v.needs_reset[e]) {
        ThrowCoded(env, "ERR_MW_RESET_NEEDED", id_ + ": env " + std::to_string(e) +
                   " finished its episode and autoreset is disabled; call reset() first");
        return false;
      }
  }
  const int64_t bad = dispatch::first_bad_action(p, v);
  if (bad >= 0) {
    ThrowCoded(env, "ERR_MW_INVALID_ACTION", id_ + ": env " + std::to_string(bad / p.num_vehicles) + ", vehicle " +
               std::to_string(bad % p.num_vehicles) + ": action " + std::to_string(v.actions[bad]) + " is not in [0, " +
               std::to_string(dispatch::num_actions(p)) + ")");
    return false;
  }
  return true;
}

// reset(mask?: Uint8Array | null)
Napi::Value DispatchBatch::Reset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "reset")) return env.Undefined();
  if (!cpu_->Ready()) {
    ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id_ + ": reset() before every city (and, in replay mode, the replay list) was installed");
    return env.Undefined();
  }
  const uint8_t* mask = nullptr;
  if (info.Length() > 0) {
    mask = TypedData<uint8_t>(info[0], napi_uint8_array, cpu_->params().num_envs, "reset mask", true, id_.c_str());
    if (!mask && !(info[0].IsNull() || info[0].IsUndefined())) return env.Undefined();
  }
  cpu_->Reset(mask);
  return env.Undefined();
}

Napi::Value DispatchBatch::Step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "step") || !CheckBeforeStep(env)) return env.Undefined();
  const int64_t bad = cpu_->Step();
  if (bad >= 0) ThrowCoded(env, "ERR_MW_NATIVE", id_ + ": env " + std::to_string(bad) + " reported an invalid state");
  return env.Undefined();
}

Napi::Value DispatchBatch::StepAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env, "stepAsync") || !CheckBeforeStep(env)) return env.Undefined();
  auto* worker = new DispatchStepWorker(env, this);
  busy_ = true;
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value DispatchBatch::Close(const Napi::CallbackInfo& info) {
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

Napi::Value DispatchBatch::Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value DispatchBatch::Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cpu_ ? cpu_->threads() : 0);
}

}  // namespace mw::bind
