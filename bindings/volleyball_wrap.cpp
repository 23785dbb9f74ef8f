// VolleyballBatch of manyworlds_cpu.node: the glue of volleyball_wrap.h over the CPU executor.
#include "volleyball_wrap.h"

#include "../native/cpu/volleyball_cpu.h"

namespace mw::bind {

void InitVolleyballCpu(Napi::Env env, Napi::Object exports) { VolleyballBatchOf<vb::VolleyballCpu>::Init(env, exports); }

}  // namespace mw::bind
