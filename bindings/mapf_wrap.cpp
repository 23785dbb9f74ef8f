// MapfBatch of manyworlds_cpu.node: the glue of mapf_wrap.h over the CPU executor.
#include "mapf_wrap.h"

#include "../native/cpu/mapf_cpu.h"

namespace mw::bind {

void InitMapfCpu(Napi::Env env, Napi::Object exports) { MapfBatchOf<mapf::MapfCpu>::Init(env, exports); }

}  // namespace mw::bind
