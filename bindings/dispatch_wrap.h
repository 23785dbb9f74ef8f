// Node-API glue for RideDispatch-v0: a DispatchBatch borrows the io arena (see batch_base.h),
// checks the city tables and the replay list before the executor copies them, and checks every
// argument and action. `Exec` is dispatch::DispatchCpu (manyworlds_cpu.node) or
// dispatch::DispatchCuda (manyworlds_cuda.node). No env logic here.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "../native/envs/dispatch/dispatch_layout.h"
#include "batch_base.h"

namespace mw::bind {

// Data of a typed-array argument of exactly `length` elements (a static dummy for length 0);
// nullptr after throwing.
template <typename T>
const T* Table(Napi::Value v, napi_typedarray_type type, int64_t length, const char* what, const std::string& id) {
  static const T kEmpty[1] = {};
  const T* data = TypedData<T>(v, type, length, what, false, id.c_str());
  if (v.Env().IsExceptionPending()) return nullptr;
  return data ? data : kEmpty;
}

template <class Exec>
class DispatchBatchOf : public BatchBase<DispatchBatchOf<Exec>, Exec> {
  using Base = BatchBase<DispatchBatchOf<Exec>, Exec>;
  friend Base;

 public:
  static constexpr const char* kClass = "DispatchBatch";
  using Action = int32_t;
  static constexpr napi_typedarray_type kActionArray = napi_int32_array;
  static constexpr int64_t kActionSize = 1;

  static void Init(Napi::Env env, Napi::Object exports) { Base::Init(env, exports, kClass); }
  explicit DispatchBatchOf(const Napi::CallbackInfo& info) : Base(info) {}

 private:
  static constexpr const char* kNeverReset = "since it was created or its city changed";
  static std::string DefaultId() { return "RideDispatch-v0"; }
  static int32_t Agents(const dispatch::Params& p) { return p.num_vehicles; }

  static void AddMethods(std::vector<typename Base::Desc>& m) {
    m.push_back(Base::Bind("setCity", &DispatchBatchOf::SetCity));
    m.push_back(Base::Bind("setReplay", &DispatchBatchOf::SetReplay));
  }

  // Reads the integer and float params; false after throwing ERR_MW_INVALID_CONFIG.
  static bool ReadParams(Napi::Object o, const std::string& id, dispatch::Params& p) {
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

  const char* NotReady() const {
    return this->exec_->Ready() ? nullptr
                                : "reset() before every city (and, in replay mode, the replay list) was installed";
  }

  bool RunReset(Napi::Env, const uint8_t* mask) {
    this->exec_->Reset(mask);
    return true;
  }

  void ThrowBadAction(Napi::Env env, const dispatch::View& v, int64_t bad, const std::string& where) {
    const dispatch::Params& p = this->exec_->params();
    ThrowCoded(env, "ERR_MW_INVALID_ACTION", this->id_ + ": env " + std::to_string(bad / p.num_vehicles) + ", vehicle " +
               std::to_string(bad % p.num_vehicles) + ": action " + std::to_string(v.actions[bad]) + " is not in [0, " +
               std::to_string(dispatch::num_actions(p)) + ")" + where);
  }

  // setCity(slot, zoneXY: Float32Array[Z*2], travelMin: Int32Array[Bt*Z*Z], distKm: Float32Array[Z*Z],
  //         neighbours: Int32Array[Z*R], arrivalCdf: Uint32Array[B*P], originCdf: Uint32Array[B*Z],
  //         destCdf: Uint32Array[B*Z*Z])
  Napi::Value SetCity(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!this->Usable(env, "setCity")) return env.Undefined();
    const dispatch::Params& p = this->exec_->params();
    const std::string& id = this->id_;
    const double slot = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
    if (!(slot >= 0 && slot < p.num_cities) || slot != static_cast<double>(static_cast<int64_t>(slot))) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id + ": setCity: slot must be an integer in 0.." +
                 std::to_string(p.num_cities - 1));
      return env.Undefined();
    }
    const int64_t Z = p.num_zones, zz = Z * Z, B = p.demand_bins;
    dispatch::CityInput in{};
    if (!(in.zone_xy = Table<float>(info[1], napi_float32_array, Z * 2, "zoneXY", id)) ||
        !(in.travel_min = Table<int32_t>(info[2], napi_int32_array, p.travel_bins * zz, "travelMin", id)) ||
        !(in.dist_km = Table<float>(info[3], napi_float32_array, zz, "distKm", id)) ||
        !(in.neighbours = Table<int32_t>(info[4], napi_int32_array, Z * p.num_neighbours, "neighbours", id)) ||
        !(in.arrival_cdf = Table<uint32_t>(info[5], napi_uint32_array, B * p.poisson_len, "arrivalCdf", id)) ||
        !(in.origin_cdf = Table<uint32_t>(info[6], napi_uint32_array, B * Z, "originCdf", id)) ||
        !(in.dest_cdf = Table<uint32_t>(info[7], napi_uint32_array, B * zz, "destCdf", id)))
      return env.Undefined();
    char msg[256];
    const char* bad = this->exec_->SetCity(static_cast<int64_t>(slot), in, msg, sizeof msg);
    if (!this->ThrowIfFailed(env) && bad)
      ThrowCoded(env, "ERR_MW_INVALID_MAP", id + ": city " + std::to_string(static_cast<int64_t>(slot)) + ": " + bad);
    return env.Undefined();
  }

  // setReplay(rows: Int32Array[N*4] of (step, origin, dest, party), start: Int32Array[T+1])
  Napi::Value SetReplay(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!this->Usable(env, "setReplay")) return env.Undefined();
    const dispatch::Params& p = this->exec_->params();
    const std::string& id = this->id_;
    if (p.demand_mode != dispatch::kDemandReplay) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", id + ": setReplay() needs the replay demand mode");
      return env.Undefined();
    }
    const int32_t* rows = Table<int32_t>(info[0], napi_int32_array, static_cast<int64_t>(p.replay_len) * 4, "replay rows", id);
    if (!rows) return env.Undefined();
    const int32_t* start = Table<int32_t>(info[1], napi_int32_array, static_cast<int64_t>(p.horizon) + 1, "replay start", id);
    if (!start) return env.Undefined();
    char msg[256];
    const char* bad = this->exec_->SetReplay(rows, start, msg, sizeof msg);
    if (!this->ThrowIfFailed(env) && bad) ThrowCoded(env, "ERR_MW_INVALID_MAP", id + ": replay: " + bad);
    return env.Undefined();
  }
};

}  // namespace mw::bind
