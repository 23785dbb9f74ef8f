// Steps RideDispatch-v0 from C++ without Node, for profiling: the default preset (V 32, K 32,
// C 3, 8 x 8 grid, R 4; 0.13 orders per vehicle-minute) with random valid actions drawn from the
// masks. dispatch_bench [envs] [threads] [steps] [pairBlock]; without a thread count it runs 1
// and 2 threads. Prints vehicle-steps per second.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dispatch_city.h"

namespace {

using namespace mw::dispatch;

int run(int32_t envs, int32_t threads, int32_t steps, int32_t pair_block) {
  Params p = test::default_params(envs);
  p.pair_block = pair_block;
  const test::City city = test::grid_city(p, 8, 0.13 * p.num_vehicles);
  auto b = test::make_batch(p, threads, city);
  if (!b) return 1;
  const int64_t n = static_cast<int64_t>(envs) * p.num_vehicles;
  const int32_t A = num_actions(p);
  // Per step, a random valid action of each vehicle: a uniform draw over all actions, moved down
  // to the nearest unmasked one (outside the timed step).
  uint64_t state = 9;
  auto choose = [&] {
    const View& v = b->v();
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* m = v.action_mask + i * A;
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      int32_t a = static_cast<int32_t>(mw::rng_below(static_cast<uint32_t>(state >> 32), static_cast<uint32_t>(A)));
      while (a > 0 && !m[a]) --a;
      b->actions()[i] = a;
    }
  };
  // Timed in chunks of 10 steps (the machine may be shared): the median and best chunk rates.
  std::vector<double> chunks;
  double chunk = 0.0;
  for (int32_t t = 0; t < steps; ++t) {
    choose();
    const auto t0 = std::chrono::steady_clock::now();
    b->cpu->Step();
    chunk += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (t % 10 == 9) chunks.push_back(chunk), chunk = 0.0;
  }
  std::sort(chunks.begin(), chunks.end());
  if (chunks.empty()) return 1;
  const double per_chunk = static_cast<double>(n) * 10 / 1e6;
  double served = 0, gen = 0;
  for (int32_t e = 0; e < envs; ++e) {
    served += b->v().final_metrics[e * kNumMetrics + kOrdersServed];
    gen += b->v().final_metrics[e * kNumMetrics + kOrdersGenerated];
  }
  std::printf("envs %d threads %d pair %d: median %.2f, best %.2f M vehicle-steps/s (last episodes served %.0f of %.0f)\n",
              envs, threads, pair_block, per_chunk / chunks[chunks.size() / 2], per_chunk / chunks[0], served, gen);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int32_t envs = argc > 1 ? std::atoi(argv[1]) : 4096;
  const int32_t threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const int32_t steps = argc > 3 ? std::atoi(argv[3]) : 200;
  const int32_t pair = argc > 4 ? std::atoi(argv[4]) : 0;
  if (threads > 0) return run(envs, threads, steps, pair);
  return run(envs, 1, steps, pair) | run(envs, 2, steps, pair);
}
