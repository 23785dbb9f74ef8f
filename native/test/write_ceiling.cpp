// Where the MAPF-v0 host step's time goes against the machine's write bandwidth (not run in CI):
//   mw_write_ceiling [envs] [threads] [u8] [repeats]
// On one batch (64 agents per env, 64x64 maps of density 0.3, r = 5, priority), times on a pool
// of T threads, which splits the items as the executor's pool does (contiguous shares):
//   step    the whole step (move, rewards, every output), after rewriting the actions in place;
//   outputs only the output writer of every env (occupancy marks, windows, positions), agents
//           standing where the last step left them;
//   and four ways of merely writing the same observation bytes: glibc memset, `rep stosb` (what
//   V8's TypedArray#fill does), 32-byte AVX2 stores, and 32-byte non-temporal stores.
// Each line is the median of `repeats` samples of ~0.3 s, as agent-steps/s and as GB/s of
// observation bytes. Run the variants back to back: the VM's bandwidth drifts.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "arena.h"
#include "../common/thread_pool.h"

namespace {

using Clock = std::chrono::steady_clock;

// Runs fn(slot, begin, end) over [0, n) on a persistent pool, split as the executor's pool splits
// a step (contiguous shares in chunks, slot = the thread's scratch slot).
void parallel(mw::ThreadPool& pool, int64_t n, const std::function<void(int32_t, int64_t, int64_t)>& fn) {
  pool.ParallelFor(
      n,
      [](void* ctx, int64_t begin, int64_t end, int32_t slot) {
        (*static_cast<const std::function<void(int32_t, int64_t, int64_t)>*>(ctx))(slot, begin, end);
      },
      const_cast<std::function<void(int32_t, int64_t, int64_t)>*>(&fn));
}

// Median rate (units per second) of `repeats` samples, each running `once` (which does `units`
// units of work) for about 0.3 s.
double median_rate(int repeats, double units, const std::function<void()>& once) {
  std::vector<double> rates;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    int64_t done = 0;
    double s = 0;
    do {
      once();
      ++done;
      s = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (s < 0.3);
    rates.push_back(units * static_cast<double>(done) / s);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

// The output writer of envs [begin, end), compiled for AVX2 like the executor's step copy.
__attribute__((target("avx2"), flatten)) void write_outputs_avx2(const mw::mapf::Params& p,
                                                                const mw::mapf::View& v,
                                                                const mw::mapf::Scratch& s, int64_t begin,
                                                                int64_t end) {
  for (int64_t e = begin; e < end; ++e) mw::mapf::write_outputs(p, v, s, static_cast<int32_t>(e), false);
}

void rep_stosb(uint8_t* dst, size_t n) {
  asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(1) : "memory");
}

__attribute__((target("avx2"))) void store_avx2(uint8_t* dst, size_t n, bool non_temporal) {
  const __m256i ones = _mm256_set1_epi8(1);
  size_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 31) != 0; ++i) dst[i] = 1;
  if (non_temporal) {
    for (; i + 32 <= n; i += 32) _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i), ones);
    _mm_sfence();
  } else {
    for (; i + 32 <= n; i += 32) _mm256_store_si256(reinterpret_cast<__m256i*>(dst + i), ones);
  }
  for (; i < n; ++i) dst[i] = 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int32_t envs = argc > 1 ? std::atoi(argv[1]) : 1024;
  const int32_t threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  const int32_t u8 = argc > 3 ? std::atoi(argv[3]) : 0;
  const int repeats = argc > 4 ? std::max(1, std::atoi(argv[4])) : 5;
  if (envs < threads || !__builtin_cpu_supports("avx2")) {
    std::fprintf(stderr, "need envs >= threads and an AVX2 CPU\n");
    return 2;
  }
  mw::mapf::Params p = mw::test::make_params(envs, 64, 64, 5);
  p.obs_u8 = u8;
  auto b = mw::test::make_batch(p, threads);
  if (!b || !mw::test::install_random_maps(*b, 0.3, 0) || b->cpu->Reset(nullptr) >= 0) return 1;
  const int64_t agents = static_cast<int64_t>(envs) * p.num_agents;
  int32_t* actions = b->actions();
  for (int64_t i = 0; i < agents; ++i)
    actions[i] = static_cast<int32_t>(mw::rng_draw(1, 3, 0, 0, 0, static_cast<uint32_t>(i)).v[0] % 5);
  const int64_t agent_bytes = mw::mapf::obs_per_agent(p) * (u8 ? 1 : 4);
  const double obs_bytes = static_cast<double>(agents * agent_bytes);
  uint8_t* obs = static_cast<uint8_t*>(b->v().obs);
  const auto report = [&](const char* what, double agent_steps) {
    std::printf("%-8s %8.2fM agent-steps/s  %6.1f GB/s of observations\n", what, agent_steps / 1e6,
                agent_steps / static_cast<double>(agents) * obs_bytes / 1e9);
  };
  std::printf("envs %d, 64 agents, threads %d, obs %s (%.1f MB per step), medians of %d\n", envs, threads,
              u8 ? "uint8" : "float32", obs_bytes / 1e6, repeats);
  const double a = static_cast<double>(agents);
  mw::ThreadPool pool(threads);
  report("step", median_rate(repeats, a, [&] {
           for (int64_t i = 0; i < agents; ++i) actions[i] = (actions[i] + 1 + static_cast<int32_t>(i & 1)) % 5;
           b->cpu->Step();
         }));
  report("outputs", median_rate(repeats, a, [&] {
           parallel(pool, envs, [&](int32_t t, int64_t lo, int64_t hi) {
             write_outputs_avx2(b->p, b->v(), mw::mapf::scratch_of(b->p, b->v(), t), lo, hi);
           });
         }));
  // The observation bytes of agents [lo, hi), and where they start.
  const auto bytes_of = [&](int64_t lo, int64_t hi) { return static_cast<size_t>((hi - lo) * agent_bytes); };
  const auto start_of = [&](int64_t lo) { return obs + lo * agent_bytes; };
  report("memset", median_rate(repeats, a, [&] {
           parallel(pool, agents, [&](int32_t, int64_t lo, int64_t hi) { std::memset(start_of(lo), 1, bytes_of(lo, hi)); });
         }));
  report("stosb", median_rate(repeats, a, [&] {
           parallel(pool, agents, [&](int32_t, int64_t lo, int64_t hi) { rep_stosb(start_of(lo), bytes_of(lo, hi)); });
         }));
  report("avx2", median_rate(repeats, a, [&] {
           parallel(pool, agents, [&](int32_t, int64_t lo, int64_t hi) { store_avx2(start_of(lo), bytes_of(lo, hi), false); });
         }));
  report("nt", median_rate(repeats, a, [&] {
           parallel(pool, agents, [&](int32_t, int64_t lo, int64_t hi) { store_avx2(start_of(lo), bytes_of(lo, hi), true); });
         }));
  return 0;
}
