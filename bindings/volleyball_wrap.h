// Node-API glue for the volleyball envs: a VolleyballBatch borrows the io arena (see
// batch_base.h) and checks every argument and action. `Exec` is vb::VolleyballCpu
// (manyworlds_cpu.node) or vb::VolleyballCuda (manyworlds_cuda.node). No env logic here.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "../native/envs/volleyball/vb_layout.h"
#include "batch_base.h"

namespace mw::bind {

template <class Exec>
class VolleyballBatchOf : public BatchBase<VolleyballBatchOf<Exec>, Exec> {
  using Base = BatchBase<VolleyballBatchOf<Exec>, Exec>;
  friend Base;

 public:
  static constexpr const char* kClass = "VolleyballBatch";
  using Action = float;
  static constexpr napi_typedarray_type kActionArray = napi_float32_array;
  static constexpr int64_t kActionSize = vb::kActionDim;

  static void Init(Napi::Env env, Napi::Object exports) { Base::Init(env, exports, kClass); }
  explicit VolleyballBatchOf(const Napi::CallbackInfo& info) : Base(info) {}

 private:
  static constexpr const char* kNeverReset = "since it was created";
  static std::string DefaultId() { return "Volleyball"; }
  static int32_t Agents(const vb::Params& p) { return p.num_agents; }
  static void AddMethods(std::vector<typename Base::Desc>&) {}

  static bool ReadParams(Napi::Object o, const std::string&, vb::Params& p) {
    return ReadInt(o, "numEnvs", p.num_envs) && ReadInt(o, "task", p.task) && ReadInt(o, "numAgents", p.num_agents) &&
           ReadInt(o, "obsDim", p.obs_dim) && ReadInt(o, "actionMode", p.action_mode) &&
           ReadInt(o, "substeps", p.substeps) && ReadInt(o, "maxSteps", p.max_steps) &&
           ReadInt(o, "autoreset", p.autoreset) && ReadInt(o, "keepFinalObs", p.keep_final_obs) &&
           ReadInt(o, "randomServe", p.random_serve);
  }

  const char* NotReady() const { return nullptr; }

  bool RunReset(Napi::Env, const uint8_t* mask) {
    this->exec_->Reset(mask);
    return true;
  }

  void ThrowBadAction(Napi::Env env, const vb::View& v, int64_t bad, const std::string& where) {
    const int32_t a = this->exec_->params().num_agents;
    const int64_t agent = bad / vb::kActionDim;
    ThrowCoded(env, "ERR_MW_INVALID_ACTION", this->id_ + ": env " + std::to_string(agent / a) + ", agent " +
               std::to_string(agent % a) + ": action component " + std::to_string(bad % vb::kActionDim) + " is " +
               std::to_string(v.actions[bad]) + ", not a finite number" + where);
  }
};

}  // namespace mw::bind
