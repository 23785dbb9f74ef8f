// DispatchBatch of manyworlds_cpu.node: the glue of dispatch_wrap.h over the CPU executor.
#include "dispatch_wrap.h"

#include "../native/cpu/dispatch_cpu.h"

namespace mw::bind {

void InitDispatchCpu(Napi::Env env, Napi::Object exports) { DispatchBatchOf<dispatch::DispatchCpu>::Init(env, exports); }

}  // namespace mw::bind
