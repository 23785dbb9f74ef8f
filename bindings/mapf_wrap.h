// Node-API glue for MAPF-v0: a MapfBatch borrows the io arena (see batch_base.h), copies maps and
// tasks into the executor's own state after checking them, and checks every argument and action.
// `Exec` is mapf::MapfCpu (manyworlds_cpu.node) or mapf::MapfCuda (manyworlds_cuda.node). No env
// logic here.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "../native/envs/mapf/mapf_layout.h"
#include "batch_base.h"

namespace mw::bind {

template <class Exec>
class MapfBatchOf : public BatchBase<MapfBatchOf<Exec>, Exec> {
  using Base = BatchBase<MapfBatchOf<Exec>, Exec>;
  friend Base;

 public:
  static constexpr const char* kClass = "MapfBatch";
  using Action = int32_t;
  static constexpr napi_typedarray_type kActionArray = napi_int32_array;
  static constexpr int64_t kActionSize = 1;

  static void Init(Napi::Env env, Napi::Object exports) { Base::Init(env, exports, kClass); }
  explicit MapfBatchOf(const Napi::CallbackInfo& info) : Base(info) {}

 private:
  static constexpr const char* kNeverReset = "since it was created or its map was replaced";
  static std::string DefaultId() { return "MAPF-v0"; }
  static int32_t Agents(const mapf::Params& p) { return p.num_agents; }

  static void AddMethods(std::vector<typename Base::Desc>& m) {
    m.push_back(Base::Bind("setTask", &MapfBatchOf::SetTask));
    m.push_back(Base::Bind("setMap", &MapfBatchOf::SetMap));
  }

  static bool ReadParams(Napi::Object o, const std::string&, mapf::Params& p) {
    if (!ReadInt(o, "numEnvs", p.num_envs) || !ReadInt(o, "numAgents", p.num_agents) ||
        !ReadInt(o, "height", p.height) || !ReadInt(o, "width", p.width) || !ReadInt(o, "radius", p.radius) ||
        !ReadInt(o, "collision", p.collision) || !ReadInt(o, "onTarget", p.on_target) ||
        !ReadInt(o, "maxSteps", p.max_steps) || !ReadInt(o, "autoreset", p.autoreset) ||
        !ReadInt(o, "obsU8", p.obs_u8) || !ReadInt(o, "keepFinalObs", p.keep_final_obs) ||
        !ReadInt(o, "extras", p.extras) || !ReadInt(o, "placement", p.placement) ||
        !ReadInt(o, "goalMode", p.goal_mode) || !ReadInt(o, "goalSeqLen", p.goal_seq_len) ||
        !ReadInt(o, "mapPerEnv", p.map_per_env) || !ReadInt(o, "startPoolLen", p.start_pool_len) ||
        !ReadInt(o, "goalPoolLen", p.goal_pool_len))
      return false;
    p.padded_h = p.height + 2 * p.radius;
    p.padded_w = p.width + 2 * p.radius;
    return true;
  }

  const char* NotReady() const {
    return this->exec_->Ready() ? nullptr : "reset() before every map and the task were installed";
  }

  bool RunReset(Napi::Env env, const uint8_t* mask) {
    const int64_t bad = this->exec_->Reset(mask);
    if (this->ThrowIfFailed(env)) return false;
    if (bad >= 0) {
      ThrowCoded(env, "ERR_MW_INVALID_CONFIG", this->id_ + ": env " + std::to_string(bad) +
                 ": could not place every agent with a reachable goal");
      return false;
    }
    return true;
  }

  void ThrowBadAction(Napi::Env env, const mapf::View& v, int64_t bad, const std::string& where) {
    const int32_t a = this->exec_->params().num_agents;
    ThrowCoded(env, "ERR_MW_INVALID_ACTION", this->id_ + ": env " + std::to_string(bad / a) + ", agent " +
               std::to_string(bad % a) + ": action " + std::to_string(v.actions[bad]) + " is not in [0, 5)" + where);
  }

  // setTask(startCells: Int32Array[A], goalSeq: Int32Array[A*G], goalLens: Int32Array[A],
  //         startPool: Int32Array[Ps], goalPool: Int32Array[Pg]); an empty pool may be null.
  Napi::Value SetTask(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!this->Usable(env, "setTask")) return env.Undefined();
    const mapf::Params& p = this->exec_->params();
    const char* id = this->id_.c_str();
    mapf::TaskInput task{};
    task.start_cells = TypedData<int32_t>(info[0], napi_int32_array, p.num_agents, "startCells", false, id);
    if (!task.start_cells) return env.Undefined();
    task.goal_seq = TypedData<int32_t>(info[1], napi_int32_array, static_cast<int64_t>(p.num_agents) * p.goal_seq_len,
                                       "goalSeq", false, id);
    if (!task.goal_seq) return env.Undefined();
    task.goal_lens = TypedData<int32_t>(info[2], napi_int32_array, p.num_agents, "goalLens", false, id);
    if (!task.goal_lens) return env.Undefined();
    if (!ReadPool(info[3], p.start_pool_len, "startPool", task.start_pool) ||
        !ReadPool(info[4], p.goal_pool_len, "goalPool", task.goal_pool))
      return env.Undefined();
    char msg[256];
    const char* bad = this->exec_->SetTask(task, msg, sizeof msg);
    if (!this->ThrowIfFailed(env) && bad) ThrowCoded(env, "ERR_MW_INVALID_MAP", this->id_ + ": " + bad);
    return env.Undefined();
  }

  // A pool of `len` cells; an empty one may be null, undefined or an empty Int32Array (no data).
  bool ReadPool(Napi::Value v, int32_t len, const char* what, const int32_t*& out) {
    out = nullptr;
    if (len == 0 && (v.IsNull() || v.IsUndefined() ||
                     (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array &&
                      v.As<Napi::TypedArray>().ElementLength() == 0)))
      return true;
    out = TypedData<int32_t>(v, napi_int32_array, len, what, false, this->id_.c_str());
    return out != nullptr;
  }

  // setMap(slot, obstacles: Uint8Array[PH*PW], label, cells: Int32Array[H*W], start: Int32Array[H*W+1],
  //        numComps, numFree)
  Napi::Value SetMap(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!this->Usable(env, "setMap")) return env.Undefined();
    const mapf::Params& p = this->exec_->params();
    const char* id = this->id_.c_str();
    const int64_t hw = static_cast<int64_t>(p.height) * p.width;
    const double slot = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
    if (!(slot >= 0 && slot < static_cast<double>(mapf::map_count(p))) || slot != static_cast<double>(static_cast<int64_t>(slot))) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", this->id_ + ": setMap: slot out of range");
      return env.Undefined();
    }
    mapf::MapInput in{};
    in.obstacles = TypedData<uint8_t>(info[1], napi_uint8_array, static_cast<int64_t>(p.padded_h) * p.padded_w, "obstacles", false, id);
    if (!in.obstacles) return env.Undefined();
    in.label = TypedData<int32_t>(info[2], napi_int32_array, hw, "compLabel", false, id);
    if (!in.label) return env.Undefined();
    in.cells = TypedData<int32_t>(info[3], napi_int32_array, hw, "compCells", false, id);
    if (!in.cells) return env.Undefined();
    in.start = TypedData<int32_t>(info[4], napi_int32_array, hw + 1, "compStart", false, id);
    if (!in.start) return env.Undefined();
    if (!info[5].IsNumber() || !info[6].IsNumber()) {
      ThrowCoded(env, "ERR_MW_INVALID_ARGUMENT", this->id_ + ": setMap: numComps and numFree must be numbers");
      return env.Undefined();
    }
    const double comps = info[5].As<Napi::Number>().DoubleValue(), free_cells = info[6].As<Napi::Number>().DoubleValue();
    if (!(comps >= 0 && comps <= static_cast<double>(hw)) || !(free_cells >= 0 && free_cells <= static_cast<double>(hw))) {
      ThrowCoded(env, "ERR_MW_INVALID_MAP", this->id_ + ": setMap: component counts out of range");
      return env.Undefined();
    }
    in.num_comps = static_cast<int32_t>(comps);
    in.num_free = static_cast<int32_t>(free_cells);
    char msg[256];
    const char* bad = this->exec_->SetMap(static_cast<int64_t>(slot), in, msg, sizeof msg);
    if (!this->ThrowIfFailed(env) && bad)
      ThrowCoded(env, "ERR_MW_INVALID_MAP", this->id_ + ": map " + std::to_string(static_cast<int64_t>(slot)) + ": " + bad);
    return env.Undefined();
  }
};

}  // namespace mw::bind
