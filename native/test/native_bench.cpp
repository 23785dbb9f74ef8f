// Steps MAPF-v0 from C++ without Node, for profiling: native_bench [envs] [threads] [u8] [soft] [steps]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "arena.h"

int main(int argc, char** argv) {
  const int32_t envs = argc > 1 ? std::atoi(argv[1]) : 1024;
  const int32_t threads = argc > 2 ? std::atoi(argv[2]) : 1;
  mw::mapf::Params p = mw::test::make_params(envs, 64, 64, 5);
  p.obs_u8 = argc > 3 ? std::atoi(argv[3]) : 0;
  p.collision = argc > 4 && std::atoi(argv[4]) ? mw::mapf::kSoft : mw::mapf::kPriority;
  const int steps = argc > 5 ? std::atoi(argv[5]) : 200;
  auto b = mw::test::make_batch(p, threads);
  if (!b || !mw::test::install_random_maps(*b, 0.3, 0)) return 1;
  b->cpu->Reset(nullptr);
  int32_t* actions = b->actions();
  const int64_t n = static_cast<int64_t>(envs) * 64;
  for (int64_t i = 0; i < n; ++i) actions[i] = static_cast<int32_t>(mw::rng_draw(1, 3, 0, 0, 0, static_cast<uint32_t>(i)).v[0] % 5);
  const auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < steps; ++t) {
    for (int64_t i = 0; i < n; ++i) actions[i] = (actions[i] + 1 + (i & 1)) % 5;
    b->cpu->Step();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("envs %d threads %d u8 %d: %.2f M agent-steps/s\n", envs, threads, p.obs_u8,
              static_cast<double>(n) * steps / s / 1e6);
  return 0;
}
