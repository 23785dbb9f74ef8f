// Native test of the Volleyball-<Task>-v0 core without Node, built with AddressSanitizer and
// UndefinedBehaviorSanitizer in CI. Physics is checked against first principles (closed forms
// from the constants of reference/volleyball.md §2), the rules against hand-worked scenarios set
// up directly in the state (§5), and the executor for identical results with 1 and 3 threads.
// Expected values are derived here from the reference, never read back from the core.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "../cpu/volleyball_cpu.h"
#include "check.h"

namespace {

using mw::test::failures;

using namespace mw::vb;

// Reference constants (§1.3, §2.1), in double, independent of the core's own.
constexpr double kG = 9.81, kH = 0.02, kDroneMass = 1.52, kBallM = 0.005;
constexpr double kKF = 838.0 * 838.0 * 8.54858e-6;             // max thrust per rotor, N
constexpr double kKM = 838.0 * 838.0 * 1.3677728816219314e-7;  // max reaction torque per rotor, N m
constexpr double kI[3] = {0.0347563, 0.0458929, 0.0977};       // inertia diagonal, kg m^2
constexpr double kRotorXY[4][2] = {{0.13, -0.22}, {-0.13, 0.20}, {0.13, 0.22}, {-0.13, -0.20}};  // PX4 SDF
constexpr double kHalf[3] = {0.235, 0.235, 0.055};  // half extents of the 0.47 x 0.47 x 0.11 m box
constexpr double kR = 0.1;                            // ball radius
constexpr double kTop = 0.055 + 0.1;                  // ball centre height touching the box top
// Hover: thrust fraction t = m g / (4 KF) per rotor, PRT command 2t - 1 (0.2419), throttle sqrt(t).
const double kHoverT = kDroneMass * kG / (4.0 * kKF);
const float kHoverCmd = static_cast<float>(2.0 * kHoverT - 1.0);
const double kHoverThrottle = std::sqrt(kHoverT);
constexpr float kPi = 3.14159265f;

using Rng = mw::test::SplitMix64;

// A batch with its io arena in plain (8-byte aligned) memory, seeded and reset.
struct Batch {
  Params p{};
  std::vector<uint64_t> io;
  std::unique_ptr<VolleyballCpu> cpu;
  const View& v() const { return cpu->view(); }
  int64_t idx(int32_t e, int32_t a) const { return static_cast<int64_t>(e) * p.num_agents + a; }
};

Params make_params(int32_t task, int32_t envs, int32_t autoreset) {
  const TaskSpec ts = task_spec(task);
  Params p{};
  p.num_envs = envs;
  p.task = task;
  p.num_agents = ts.drones;
  p.obs_dim = ts.obs_dim;
  p.action_mode = kPerRotorThrust;
  p.substeps = 1;
  p.max_steps = ts.max_steps;
  p.autoreset = autoreset;
  p.keep_final_obs = autoreset == kSameStep ? 1 : 0;
  return p;
}

std::unique_ptr<Batch> make_batch(const Params& p, int32_t threads, uint32_t seed0 = 1) {
  auto b = std::make_unique<Batch>();
  b->p = p;
  CHECK(check_params(p) == nullptr, "params rejected: %s", check_params(p));
  mw::FieldSpec f[kMaxFields];
  const int n = list_io_fields(p, f);
  uint64_t offsets[kMaxFields];
  const uint64_t bytes = mw::pack_fields(f, n, offsets);
  b->io.assign(bytes / 8 + 1, 0);
  b->cpu = std::make_unique<VolleyballCpu>(p, reinterpret_cast<uint8_t*>(b->io.data()), b->io.size() * 8, offsets, threads);
  CHECK(b->cpu->bind_error() == nullptr, "io field %s does not fit", b->cpu->bind_error());
  std::vector<uint32_t> seeds(static_cast<size_t>(p.num_envs));
  for (size_t e = 0; e < seeds.size(); ++e) seeds[e] = seed0 + static_cast<uint32_t>(e);
  b->cpu->SetSeeds(seeds.data(), nullptr);
  b->cpu->Reset(nullptr);
  return b;
}

// --- state editing and reading -------------------------------------------------------------
void fill_actions(const Batch& b, float c) {
  float* act = const_cast<float*>(b.v().actions);
  for (int64_t k = 0; k < static_cast<int64_t>(b.p.num_envs) * b.p.num_agents * kActionDim; ++k) act[k] = c;
}
// Drone a of env e level with the given yaw, at rest, rotors at hover throttle.
void set_drone(const Batch& b, int32_t e, int32_t a, V3 pos, float yaw = 0.0f) {
  const View& v = b.v();
  const int64_t i = b.idx(e, a);
  store3(v.pos + 3 * i, pos), store3(v.vel + 3 * i, V3{0, 0, 0}), store3(v.omega + 3 * i, V3{0, 0, 0});
  store4(v.quat + 4 * i, Q4{cosf(0.5f * yaw), 0, 0, sinf(0.5f * yaw)});
  for (int k = 0; k < 4; ++k) v.throttle[4 * i + k] = static_cast<float>(kHoverThrottle);
}
void set_ball(const Batch& b, int32_t e, V3 pos, V3 vel) {
  float* ball = b.v().ball + static_cast<int64_t>(e) * kBallFields;
  store3(ball, pos), store3(ball + 3, vel), store3(ball + 6, pos), store3(ball + 9, vel);
}
V3 drone_pos(const Batch& b, int32_t e, int32_t a) { return load3(b.v().pos + 3 * b.idx(e, a)); }
V3 ball_pos(const Batch& b, int32_t e) { return load3(b.v().out_ball + 6 * e); }
V3 ball_vel(const Batch& b, int32_t e) { return load3(b.v().out_ball + 6 * e + 3); }
float reward(const Batch& b, int32_t e, int32_t a) { return b.v().rewards[b.idx(e, a)]; }
// Ball `gap` metres above drone a's box top (centred), falling at `speed`.
void drop_on(const Batch& b, int32_t e, int32_t a, float gap, float speed) {
  set_ball(b, e, drone_pos(b, e, a) + V3{0, 0, static_cast<float>(kTop) + gap}, V3{0, 0, -speed});
}
// Anchors of the competitive tasks (reference §4, team layout); team 1 mirrors x and y.
V3 ref_anchor(int32_t task, int32_t a) {
  const V3 t3[3] = {{3, -1.5f, 2}, {3, 1.5f, 2}, {6, 0, 2}};
  const V3 t6[6] = {{3, -3, 2}, {3, 0, 2}, {3, 3, 2}, {6, -3, 2}, {9, 0, 2}, {6, 3, 2}};
  const int32_t n = task == k1v1 ? 1 : (task == k3v3 ? 3 : 6);
  const V3 c = task == k1v1 ? V3{1.5f, 0, 2} : (task == k3v3 ? t3[a % n] : t6[a % n]);
  return a < n ? c : V3{-c.x, -c.y, c.z};
}
// Every drone level at its anchor, the far team facing -x.
void level_at_anchors(const Batch& b, int32_t e) {
  const int32_t n = task_spec(b.p.task).team_size;
  for (int32_t a = 0; a < b.p.num_agents; ++a) set_drone(b, e, a, ref_anchor(b.p.task, a), a >= n ? kPi : 0.0f);
}
double dist(V3 a, V3 b) { return norm(a - b); }
double dist_xy(V3 a, V3 b) { return std::hypot(static_cast<double>(a.x) - b.x, static_cast<double>(a.y) - b.y); }
// Body-frame vector of world vector w for a unit quaternion (w, x, y, z): q^-1 w q.
V3 to_body(Q4 q, V3 w) {
  const V3 u{-q.x, -q.y, -q.z};
  const V3 t = 2.0f * cross(u, w);
  return w + q.w * t + cross(u, t);
}

// 1. Free fall: x(t) = x0 + v0 t - g t^2 / 2 for the integrator and through whole env steps.
void test_free_fall() {
  const V3 p0{-5, 2, 10}, v0{1, -0.5f, 8};
  auto closed = [&](int n, int k) {  // component k after n steps
    const double t = n * kH, x0[3] = {p0.x, p0.y, p0.z}, u[3] = {v0.x, v0.y, v0.z};
    return x0[k] + u[k] * t - (k == 2 ? 0.5 * kG * t * t : 0.0);
  };
  V3 p = p0, v = v0;
  for (int n = 1; n <= 100; ++n) {
    p = ball_pos_at(p, v, kDt);
    v = ball_vel_at(v, kDt);
    const float* pp = &p.x;
    for (int k = 0; k < 3; ++k) CHECK(std::fabs(pp[k] - closed(n, k)) < 1e-4, "free fall integrator step %d axis %d", n, k);
    CHECK(std::fabs(v.z - (v0.z - kG * n * kH)) < 1e-4, "free fall velocity step %d", n);
  }
  // HitBall with the drone hovering 10 m away: the ball flies untouched.
  auto b = make_batch(make_params(kHitBall, 1, kDisabled), 1);
  set_drone(*b, 0, 0, V3{4.5f, 0, 3});
  set_ball(*b, 0, p0, v0);
  fill_actions(*b, kHoverCmd);
  for (int n = 1; n <= 100; ++n) {
    const V3 before = ball_pos(*b, 0);
    b->cpu->Step();
    const V3 bp = ball_pos(*b, 0), bv = ball_vel(*b, 0);
    const float* pp = &bp.x;
    for (int k = 0; k < 3; ++k) CHECK(std::fabs(pp[k] - closed(n, k)) < 1e-4, "env free fall step %d axis %d", n, k);
    CHECK(std::fabs(bv.z - (v0.z - kG * n * kH)) < 1e-4 && bv.x == v0.x && bv.y == v0.y, "env free fall velocity step %d", n);
    CHECK(n == 1 || dist(load3(b->v().ball + 6), before) < 1e-6, "previous ball position not kept at step %d", n);
    CHECK(!b->v().terminations[0] && !b->v().out_hit[0], "free fall episode ended or hit at step %d", n);
  }
}

// 2. Hover: a level drone with every rotor at the hover command holds its altitude and attitude.
void test_hover() {
  CHECK(std::fabs(kHoverCmd - 0.2419) < 1e-4 && std::fabs(kHoverThrottle - 0.788) < 5e-4, "hover constants");
  auto b = make_batch(make_params(kBackAndForth, 1, kDisabled), 1);
  set_drone(*b, 0, 0, V3{4.5f, 0, 2});
  fill_actions(*b, kHoverCmd);
  double worst = 0;
  for (int n = 0; n < 500; ++n) {
    b->cpu->Step();
    CHECK(!b->v().terminations[0], "hover terminated at step %d", n);
    worst = std::fmax(worst, std::fabs(drone_pos(*b, 0, 0).z - 2.0));
  }
  const V3 p = drone_pos(*b, 0, 0);
  const Q4 q = load4(b->v().quat);
  CHECK(worst < 0.01, "hover altitude drift %g m", worst);
  CHECK(dist_xy(p, V3{4.5f, 0, 2}) < 0.01, "hover horizontal drift");
  CHECK(std::fabs(q.x) < 1e-4 && std::fabs(q.y) < 1e-4 && std::fabs(q.z) < 1e-4, "hover attitude left level");
  CHECK(norm(load3(b->v().omega)) < 1e-4, "hover angular velocity");
}

// 3. Rotor lag: throttle moves 0.43 of the way per step, so after n steps of a step command the
// remaining gap is 0.57^n of the initial one (reference §2.2).
void test_rotor_lag() {
  for (float c : {1.0f, -1.0f}) {
    const double target = c > 0 ? 1.0 : 0.0;
    float th = static_cast<float>(kHoverThrottle);
    for (int n = 1; n <= 10; ++n) {
      th = rotor_lag(th, c);
      CHECK(std::fabs(th - (target + (kHoverThrottle - target) * std::pow(0.57, n))) < 2e-6, "rotor_lag c=%g n=%d", static_cast<double>(c), n);
    }
  }
  // Through the env: env 0 commands +1 on every rotor, env 1 commands -1.
  auto b = make_batch(make_params(kBackAndForth, 2, kDisabled), 1);
  float* act = const_cast<float*>(b->v().actions);
  for (int32_t e = 0; e < 2; ++e) {
    set_drone(*b, e, 0, V3{4.5f, 0, 2});
    for (int k = 0; k < 4; ++k) act[4 * e + k] = e == 0 ? 1.0f : -1.0f;
  }
  for (int n = 1; n <= 10; ++n) {
    b->cpu->Step();
    for (int32_t e = 0; e < 2; ++e) {
      const double target = e == 0 ? 1.0 : 0.0, want = target + (kHoverThrottle - target) * std::pow(0.57, n);
      for (int k = 0; k < 4; ++k) CHECK(std::fabs(b->v().throttle[4 * e + k] - want) < 2e-6, "env rotor lag env %d n %d", e, n);
    }
  }
}

// 4. Yaw torque sign: rotors 0, 1 spin +1 and react with -t KM about z; 2, 3 the opposite.
void test_yaw_torque() {
  for (int i = 0; i < 4; ++i) {
    float th[4] = {0, 0, 0, 0};
    th[i] = 0.8f;  // thrust fraction 0.64
    float thrust;
    V3 tq;
    rotor_wrench(th, thrust, tq);
    const double f = 0.64 * kKF;
    CHECK(std::fabs(thrust - f) < 1e-5, "single rotor %d thrust", i);
    CHECK(std::fabs(tq.z - (i < 2 ? -0.64 : 0.64) * kKM) < 1e-6, "single rotor %d reaction torque %g", i, static_cast<double>(tq.z));
    CHECK(std::fabs(tq.x - kRotorXY[i][1] * f) < 1e-5 && std::fabs(tq.y + kRotorXY[i][0] * f) < 1e-5, "single rotor %d r x F", i);
  }
  const float pair[4] = {0.9f, 0.9f, 0.7f, 0.7f};
  float thrust;
  V3 tq;
  rotor_wrench(pair, thrust, tq);
  CHECK(tq.z < 0 && std::fabs(tq.z - 2.0 * kKM * (0.49 - 0.81)) < 1e-6, "pair yaw torque %g", static_cast<double>(tq.z));
  // Free drone. The PX4 layout is not symmetric (|y| 0.22 vs 0.20), so equal pairs also roll;
  // thrust fractions T0 = T1 + d, T3 = T2 + d with d = 0.02 (T2 - T1) / 0.42 cancel both
  // sum(y T) and sum(x T), leaving a pure yaw torque KM (T2 + T3 - T0 - T1) = -0.4 KM.
  const double t1 = kHoverT + 0.1, t2 = kHoverT - 0.1, d = 0.02 * (t2 - t1) / 0.42;
  const double T[4] = {t1 + d, t1, t2, t2 + d}, tau = -0.4 * kKM;
  auto b = make_batch(make_params(kBackAndForth, 1, kDisabled), 1);
  set_drone(*b, 0, 0, V3{4.5f, 0, 2});
  float* act = const_cast<float*>(b->v().actions);
  for (int k = 0; k < 4; ++k) {
    b->v().throttle[k] = static_cast<float>(std::sqrt(T[k]));
    act[k] = static_cast<float>(2.0 * T[k] - 1.0);
  }
  rotor_wrench(b->v().throttle, thrust, tq);
  CHECK(std::fabs(tq.x) < 1e-5 && std::fabs(tq.y) < 1e-5 && std::fabs(tq.z - tau) < 1e-6, "balanced yaw wrench");
  const int steps = 25;
  for (int n = 0; n < steps; ++n) b->cpu->Step();
  // Closed form with damping c = 0.2/s: w(t) = tau / (Izz c) (1 - exp(-c t)).
  const double t = steps * kH, want = tau / (kI[2] * 0.2) * (1.0 - std::exp(-0.2 * t));
  const V3 w = load3(b->v().omega);
  CHECK(w.z < 0 && std::fabs(w.z - want) < 0.02 * std::fabs(want), "yaw rate %g, closed form %g", static_cast<double>(w.z), want);
  CHECK(std::fabs(w.x) < 1e-3 * std::fabs(w.z) && std::fabs(w.y) < 1e-3 * std::fabs(w.z), "roll/pitch rate under a pure yaw torque");
}

// 5. A ball dropped on the centre of a level hovering drone leaves with 0.8 of its approach
// speed relative to the drone; momentum is conserved. The contact time follows from the gap.
void test_drop_restitution() {
  auto b = make_batch(make_params(kHitBall, 1, kDisabled), 1);
  set_drone(*b, 0, 0, V3{4.5f, 0, 3});
  fill_actions(*b, kHoverCmd);
  const double gap = 0.03, u0 = 3.0;
  drop_on(*b, 0, 0, static_cast<float>(gap), static_cast<float>(u0));
  const double tc = (-u0 + std::sqrt(u0 * u0 + 2.0 * kG * gap)) / kG;  // gap = u0 t + g t^2 / 2
  b->cpu->Step();
  const double u = -u0 - kG * tc;                      // ball velocity just before contact
  const double w = ball_vel(*b, 0).z + kG * (kH - tc);  // just after (undo the rest of the step)
  const double vd = b->v().vel[2];                     // drone: hover thrust cancels gravity
  CHECK(b->v().out_hit[0] == 1, "drop: no hit");
  CHECK(std::fabs((w - vd) / u + 0.8) < 0.008, "drop: relative restitution %g", -(w - vd) / u);
  CHECK(std::fabs(kBallM * (w - u) + kDroneMass * vd) < 0.01 * kBallM * (w - u), "drop: momentum not conserved");
  const double z_end = 3.0 + kTop + w * (kH - tc) - 0.5 * kG * (kH - tc) * (kH - tc);
  CHECK(std::fabs(ball_pos(*b, 0).z - z_end) < 1e-3, "drop: ball height after the bounce");
}

// 6. No tunnelling at 20 m/s: shots from ~1 m straight down, at 30-60 degrees onto the top face
// and horizontally into the -x side face, aimed at random points of the face; 200 each. The
// ballistic path is solved to touch the face at a random time tau in the third step (0.8 to
// 1.2 m away), so the contact normal is known; a ball sampled only at step ends would pass
// through the 0.31 m thick (inflated) top when it touches early in a 0.4 m step.
void test_no_tunnelling() {
  const int trials = 200;
  for (int mode = 0; mode < 3; ++mode) {
    auto b = make_batch(make_params(kHitBall, trials, kDisabled), 1);
    fill_actions(*b, kHoverCmd);
    Rng rng{static_cast<uint64_t>(11 + mode)};
    const V3 D{4.5f, 0, 3};
    std::vector<V3> n(trials), vin(trials);
    std::vector<double> taus(trials);
    for (int32_t e = 0; e < trials; ++e) {
      set_drone(*b, e, 0, D);
      const double tau = taus[static_cast<size_t>(e)] = rng.uni(0.0401, 0.0599);
      V3 touch, v0;
      if (mode == 2) {  // horizontal into the -x face
        touch = V3{-0.335f, rng.uni(-0.2, 0.2), rng.uni(-0.04, 0.04)};
        v0 = V3{20, 0, 0};
        n[e] = V3{-1, 0, 0};
      } else {
        const float el = mode == 0 ? kPi / 2 : rng.uni(kPi / 6, kPi / 3), az = rng.uni(0, 2 * kPi);
        touch = V3{mode == 0 ? rng.uni(-0.2, 0.2) : rng.uni(-0.15, 0.15), rng.uni(-0.2, 0.2), static_cast<float>(kTop)};
        v0 = 20.0f * V3{cosf(el) * cosf(az), cosf(el) * sinf(az), -sinf(el)};
        n[e] = V3{0, 0, 1};
      }
      // Start so that x(tau) = touch: x0 = touch - v0 tau + g tau^2 / 2 z.
      const V3 p0 = D + touch - v0 * static_cast<float>(tau) + V3{0, 0, static_cast<float>(0.5 * kG * tau * tau)};
      set_ball(*b, e, p0, v0);
      vin[e] = v0 - V3{0, 0, static_cast<float>(kG * tau)};
    }
    std::vector<int> hits(trials, 0);
    const int steps = 5;
    for (int s = 0; s < steps; ++s) {
      b->cpu->Step();
      for (int32_t e = 0; e < trials; ++e) {
        hits[static_cast<size_t>(e)] += b->v().out_hit[e];
        CHECK(!b->v().terminations[e], "tunnel mode %d trial %d terminated at step %d", mode, e, s);
        // The ball centre never inside the box inflated by the radius (1 mm slack).
        const V3 rel = to_body(load4(b->v().quat + 4 * e), ball_pos(*b, e) - drone_pos(*b, e, 0));
        const double c[3] = {rel.x, rel.y, rel.z};
        double d2 = 0;
        for (int k = 0; k < 3; ++k) d2 += std::pow(std::fmax(std::fabs(c[k]) - kHalf[k], 0.0), 2);
        CHECK(std::sqrt(d2) > kR - 1e-3, "tunnel mode %d trial %d: ball inside the box at step %d", mode, e, s);
      }
    }
    for (int32_t e = 0; e < trials; ++e) {
      CHECK(hits[static_cast<size_t>(e)] == 1, "tunnel mode %d trial %d: %d hits", mode, e, hits[static_cast<size_t>(e)]);
      // Velocity right after the contact; frictionless impulse along n with 5 g against 1.52 kg:
      // the normal part reverses to between 0.8 (rigid drone) and 0.78 (off-centre, drone spins)
      // of the approach speed; the tangential part is unchanged.
      const V3 post = ball_vel(*b, e) + V3{0, 0, static_cast<float>(kG * (steps * kH - taus[static_cast<size_t>(e)]))};
      const double ratio = -static_cast<double>(dot(post, n[e])) / dot(vin[e], n[e]);
      CHECK(ratio > 0.76 && ratio < 0.81, "tunnel mode %d trial %d: normal velocity ratio %g", mode, e, ratio);
      const V3 tan_in = vin[e] - n[e] * dot(vin[e], n[e]), tan_out = post - n[e] * dot(post, n[e]);
      CHECK(norm(tan_in - tan_out) < 0.02, "tunnel mode %d trial %d: tangential velocity changed", mode, e);
    }
  }
}

// 7. No energy gain without thrust: rotors off (throttle 0, command -1), a tumbling drone high up
// and a ball bouncing on it; total mechanical energy never rises (damping and e = 0.8 only remove;
// semi-implicit Euler loses m g^2 h^2 / 2 per step in free fall). Physics only, no rules.
double energy(const View& v, int32_t e) {
  const float* ball = v.ball + static_cast<int64_t>(e) * kBallFields;
  double E = kBallM * kG * ball[2] + kDroneMass * kG * v.pos[3 * e + 2];
  for (int k = 0; k < 3; ++k) {
    E += 0.5 * kBallM * ball[3 + k] * ball[3 + k] + 0.5 * kDroneMass * v.vel[3 * e + k] * v.vel[3 * e + k];
    E += 0.5 * kI[k] * v.omega[3 * e + k] * v.omega[3 * e + k];  // body-frame rates, principal axes
  }
  return E;
}
void test_energy() {
  const int32_t envs = 32;
  const Params p = make_params(kHitBall, envs, kDisabled);
  auto b = make_batch(p, 1);
  const View& v = b->v();
  fill_actions(*b, -1.0f);
  Rng rng{5};
  for (int32_t e = 0; e < envs; ++e) {
    set_drone(*b, e, 0, V3{0, 0, 100});
    store4(v.quat + 4 * e, qnormalized(Q4{rng.uni(-1, 1), rng.uni(-1, 1), rng.uni(-1, 1), rng.uni(-1, 1)}));
    const double wmax = e % 2 ? 15.0 : 4.0;  // slow and fast tumbles (rad/s per body axis)
    store3(v.omega + 3 * e, V3{rng.uni(-wmax, wmax), rng.uni(-wmax, wmax), rng.uni(-wmax, wmax)});
    for (int k = 0; k < 4; ++k) v.throttle[4 * e + k] = 0.0f;
    set_ball(*b, e, V3{rng.uni(-0.15, 0.15), rng.uni(-0.15, 0.15), 100.5f}, V3{0, 0, -2});
  }
  int contacts = 0;
  double worst = -1e30;
  for (int s = 0; s < 200; ++s)
    for (int32_t e = 0; e < envs; ++e) {
      const double before = energy(v, e);
      uint8_t touched[kMaxDrones];
      physics_step(p, v, e, touched);
      contacts += touched[0];
      const double gain = energy(v, e) - before;
      worst = std::fmax(worst, gain);
      CHECK(gain < 1e-3, "energy rose by %g J (env %d step %d)", gain, e, s);
    }
  CHECK(contacts >= envs, "only %d contacts in the energy test", contacts);
  std::printf("energy: %d contacts, largest per-step change %.3g J\n", contacts, worst);
}

// 8. Identical outputs for 1 and 3 threads, every task, both action modes, with autoresets.
void test_determinism() {
  int64_t hits = 0, dones = 0;
  for (int32_t task = 0; task < kNumTasks; ++task)
    for (int32_t mode = 0; mode < 2; ++mode) {
      Params p = make_params(task, 64, kSameStep);
      p.action_mode = mode;
      p.max_steps = 120;  // truncations and autoresets within the run
      p.random_serve = is_competitive(task) ? 1 : 0;
      auto one = make_batch(p, 1, 100), three = make_batch(p, 3, 100);
      CHECK(three->cpu->threads() == 3, "3-thread pool");
      Rng rng{static_cast<uint64_t>(1000 + 2 * task + mode)};
      const int64_t na = static_cast<int64_t>(p.num_envs) * p.num_agents * kActionDim;
      const int64_t dones_before = dones;
      for (int t = 0; t < 300; ++t) {
        float* a1 = const_cast<float*>(one->v().actions);
        float* a3 = const_cast<float*>(three->v().actions);
        for (int64_t k = 0; k < na; ++k) a1[k] = a3[k] = mode == 0 ? kHoverCmd + rng.uni(-0.4, 0.4) : rng.uni(-1.5, 1.5);
        one->cpu->Step();
        three->cpu->Step();
        for (int64_t k = 0; k < static_cast<int64_t>(p.num_envs) * p.num_agents; ++k) hits += one->v().out_hit[k];
        for (int32_t e = 0; e < p.num_envs; ++e) dones += one->v().episode_done[e];
        if (std::memcmp(one->io.data(), three->io.data(), one->io.size() * 8) != 0) {
          CHECK(false, "task %d mode %d: outputs differ between 1 and 3 threads at step %d", task, mode, t);
          break;
        }
      }
      CHECK(dones > dones_before, "task %d mode %d: no episode ended", task, mode);
    }
  std::printf("determinism: %lld legal hits, %lld episodes ended\n", static_cast<long long>(hits), static_cast<long long>(dones));
}

// 9. Rules, hand-worked. Each env of a batch holds one scenario; autoreset is off so the state
// that ended an episode stays readable. Metric slots: 0/1 team wins, 2 draw, 3 hits, 5 end case.
float fmetric(const Batch& b, int32_t e, int k) { return b.v().final_metrics[e * kNumMetrics + k]; }
// Metric k of env e's running episode.
float running_metric(const Batch& b, int32_t e, int k) { return b.v().metrics[e * kNumMetrics + k]; }
void check_result(const Batch& b, int32_t e, int winner, float end_case, const char* what) {
  const int32_t n = task_spec(b.p.task).team_size;
  CHECK(b.v().terminations[b.idx(e, 0)] == 1, "%s: not terminated", what);
  CHECK(fmetric(b, e, 0) == (winner == 0 ? 1.0f : 0.0f) && fmetric(b, e, 1) == (winner == 1 ? 1.0f : 0.0f) &&
            fmetric(b, e, 2) == 0.0f, "%s: winner metrics %g %g %g", what, static_cast<double>(fmetric(b, e, 0)),
        static_cast<double>(fmetric(b, e, 1)), static_cast<double>(fmetric(b, e, 2)));
  CHECK(fmetric(b, e, 5) == end_case, "%s: end case %g, expected %g", what, static_cast<double>(fmetric(b, e, 5)), static_cast<double>(end_case));
  for (int32_t a = 0; a < b.p.num_agents; ++a) {  // +-100 plus shaping below 1
    const float r = reward(b, e, a), sign = (a / n == winner) ? 1.0f : -1.0f;
    CHECK(std::fabs(r - 100.0f * sign) < 1.0f, "%s: drone %d reward %g", what, a, static_cast<double>(r));
  }
}

void test_rules_solo_bump() {
  auto b = make_batch(make_params(kSoloBump, 1, kDisabled), 1);
  set_drone(*b, 0, 0, V3{4.5f, 0, 2});
  fill_actions(*b, kHoverCmd);
  // Shaping of §5.3: 1/(1 + |drone - ball|_xy) + 0.5 clip(z_ball - max(z_drone, 1), 0, 2).
  auto shaping = [&]() {
    const V3 dp = drone_pos(*b, 0, 0), bp = ball_pos(*b, 0);
    return 1.0 / (1.0 + dist_xy(dp, bp)) + 0.5 * std::fmin(std::fmax(bp.z - std::fmax(dp.z, 1.0f), 0.0), 2.0);
  };
  drop_on(*b, 0, 0, 0.01f, 1.0f);
  b->cpu->Step();
  CHECK(b->v().out_hit[0] == 1 && !b->v().terminations[0], "solo bump: legal hit not counted");
  CHECK(std::fabs(reward(*b, 0, 0) - (2.0 + shaping())) < 1e-4, "solo bump: hit reward %g", static_cast<double>(reward(*b, 0, 0)));
  for (int s = 0; s < 2; ++s) b->cpu->Step();
  drop_on(*b, 0, 0, 0.01f, 1.0f);  // a second contact 3 steps after the hit: wrong hit
  b->cpu->Step();
  CHECK(b->v().terminations[0] == 1 && b->v().out_hit[0] == 0, "solo bump: wrong hit did not end the episode");
  CHECK(std::fabs(reward(*b, 0, 0) - (shaping() - 10.0)) < 1e-4, "solo bump: wrong-hit reward %g", static_cast<double>(reward(*b, 0, 0)));
  CHECK(fmetric(*b, 0, 0) == 1.0f, "solo bump: numTrueHits %g", static_cast<double>(fmetric(*b, 0, 0)));
}

void test_rules_3v3() {
  auto b = make_batch(make_params(k3v3, 11, kDisabled), 1);
  const View& v = b->v();
  fill_actions(*b, kHoverCmd);
  for (int32_t e = 0; e < 11; ++e) level_at_anchors(*b, e);
  // At the serve only the server (drone 2) may touch: VolleyBots marks every other drone as
  // already hit in this turn.
  for (int32_t a = 0; a < 6; ++a)
    CHECK((v.flags[b->idx(0, a)] & 1) == (a == 2 ? 0 : 1), "3v3: drone %d already-hit flag at the serve", a);
  int32_t* ri = v.rule_i;
  drop_on(*b, 0, 2, 0.01f, 1.0f);                                   // legal serve by drone 2
  ri[1 * kRuleInts + kLastHitter] = 0;                              // team 0 hit last ...
  set_ball(*b, 1, V3{0.1f, 0, 1.5f}, V3{0, 0, 0});                  // ... into the net: case 6
  ri[2 * kRuleInts + kLastHitter] = 4;                              // team 1 hit last ...
  set_ball(*b, 2, V3{-0.1f, 1, 1.5f}, V3{0, 0, 0});                 // ... into the net
  ri[3 * kRuleInts + kLastHitter] = 1;                              // team 0 hit ...
  set_ball(*b, 3, V3{8, 0, 0.1f}, V3{0, 0, 0});                     // ... out, on the ground: case 5
  ri[4 * kRuleInts + kLastHitter] = 1;                              // out but airborne: play on
  set_ball(*b, 4, V3{8, 0, 1.5f}, V3{0, 0, 0});
  set_drone(*b, 5, 0, V3{-0.5f, -1.5f, 2});                          // team 0 drone over the net: case 3
  set_ball(*b, 6, V3{-3, 0, 0.1f}, V3{0, 0, 0});                    // grounded in team 1's half: case 4
  set_ball(*b, 7, V3{3, 0, 0.1f}, V3{0, 0, 0});                     // grounded in team 0's half
  drop_on(*b, 8, 0, 0.01f, 1.0f);                                   // the server's teammate takes the serve: case 1
  set_ball(*b, 9, V3{-3, 0, 3}, V3{0, 0, 0});                       // the ball crosses to team 1's half
  for (int32_t a = 0; a < 3; ++a) v.flags[b->idx(10, a)] = 0;       // team 0 may all touch (as after a crossing);
  v.flags[b->idx(10, 0)] = 4;                                       // the ball was in drone 0's racket last step
  drop_on(*b, 10, 1, 0.01f, 1.0f);                                  // and bounces off drone 1: two hits in one step
  b->cpu->Step();
  // Env 0: +10 to every member of team 0; no ball proximity, since every drone has now hit or
  // was marked at the serve; anchor 0.05/(1+d) for all (§5.7).
  CHECK(v.out_hit[b->idx(0, 2)] == 1 && !v.terminations[0], "3v3: legal serve hit not counted");
  CHECK(ri[kLastHitter] == 2 && (v.flags[b->idx(0, 2)] & 1), "3v3: hitter not recorded");
  for (int32_t a = 0; a < 6; ++a) {
    const V3 dp = drone_pos(*b, 0, a);
    double want = 0.05 / (1.0 + dist(dp, ref_anchor(k3v3, a)));
    if (a < 3) want += 10.0;
    CHECK(std::fabs(reward(*b, 0, a) - want) < 1e-4, "3v3 hit: drone %d reward %g, expected %g", a, static_cast<double>(reward(*b, 0, a)), want);
  }
  check_result(*b, 8, 1, 1.0f, "3v3 serve taken by a teammate");
  // Env 9: possession passes to team 1, whose drones may now touch; team 0's may not.
  CHECK(v.rule_i[9 * kRuleInts + kSide] == 1 && running_metric(*b, 9, 4) == 1.0f && !v.terminations[b->idx(9, 0)],
        "3v3: possession change: side %d, numTurns %g", v.rule_i[9 * kRuleInts + kSide], static_cast<double>(running_metric(*b, 9, 4)));
  for (int32_t a = 0; a < 6; ++a)
    CHECK((v.flags[b->idx(9, a)] & 1) == (a < 3 ? 1 : 0), "3v3: drone %d already-hit flag after the crossing", a);
  // Env 10: two legal hits in one step pay the team +10 once (VolleyBots' true_hit_to_reward);
  // drone 2, yet to touch, gets the ball proximity term.
  CHECK(v.out_hit[b->idx(10, 0)] == 1 && v.out_hit[b->idx(10, 1)] == 1 && running_metric(*b, 10, 3) == 2.0f, "3v3: two legal hits in one step");
  for (int32_t a = 0; a < 6; ++a) {
    const V3 dp = drone_pos(*b, 10, a);
    double want = 0.05 / (1.0 + dist(dp, ref_anchor(k3v3, a)));
    if (a < 3) want += 10.0;
    if (a == 2) want += 0.5 / (1.0 + dist(dp, ball_pos(*b, 10)));
    CHECK(std::fabs(reward(*b, 10, a) - want) < 1e-4, "3v3 double hit: drone %d reward %g, expected %g", a, static_cast<double>(reward(*b, 10, a)), want);
  }
  check_result(*b, 1, 1, 6.0f, "3v3 net after team 0");
  check_result(*b, 2, 0, 6.0f, "3v3 net after team 1");
  check_result(*b, 3, 1, 5.0f, "3v3 out after team 0");
  CHECK(!v.terminations[b->idx(4, 0)], "3v3: a ball out of court but in the air ended the rally");
  check_result(*b, 5, 1, 3.0f, "3v3 drone over the net");
  check_result(*b, 6, 0, 4.0f, "3v3 ground in team 1's half");
  check_result(*b, 7, 1, 4.0f, "3v3 ground in team 0's half");
  // Env 0: after 4 quiet steps drone 2 touches again in the same possession: case 1.
  for (int s = 0; s < 4; ++s) {
    b->cpu->Step();
    CHECK(!v.terminations[0], "3v3: rally ended while the ball flew");
  }
  drop_on(*b, 0, 2, 0.01f, 1.0f);
  b->cpu->Step();
  check_result(*b, 0, 1, 1.0f, "3v3 double touch");
  CHECK(fmetric(*b, 0, 3) == 1.0f, "3v3: numHits %g", static_cast<double>(fmetric(*b, 0, 3)));
}

void test_rules_1v1() {
  auto b = make_batch(make_params(k1v1, 3, kDisabled), 1);
  const View& v = b->v();
  fill_actions(*b, kHoverCmd);
  for (int32_t e = 0; e < 3; ++e) level_at_anchors(*b, e);
  drop_on(*b, 0, 0, 0.01f, 1.0f);  // drone 0 is in turn (serve side 0)
  drop_on(*b, 1, 1, 0.01f, 1.0f);  // drone 1 hits out of turn: case 1
  v.rule_i[2 * kRuleInts + kLastHitter] = 1;
  set_ball(*b, 2, V3{3.5f, 0, 2}, V3{0, 0, 0});  // 1v1: out of court counts at once, in the air
  b->cpu->Step();
  // Env 0: +5 to the hitter, the turn passes. Position penalty (VolleyBots'
  // calculate_penalty_drone_pos): 0.2 x metres inside the 0.5 m bands at the net, the side
  // lines, the centre line y = 0 and the end lines, and beyond 1 m from the anchor height.
  auto penalty = [&](V3 d) {
    const double ax = std::fabs(d.x), ay = std::fabs(d.y), dz = std::fabs(d.z - 2.0);
    auto depth = [](double dist) { return dist < 0.5 ? 0.5 - dist : 0.0; };
    return 0.2 * (depth(ax) + depth(3.0 - ax) + depth(ay) + depth(1.5 - ay) + (dz > 1.0 ? dz - 1.0 : 0.0));
  };
  // Both drones sit at their anchors (+-1.5, 0, 2): only the y = 0 band, 0.5 m deep: 0.1.
  CHECK(std::fabs(penalty(drone_pos(*b, 0, 0)) - 0.1) < 1e-6, "1v1: penalty at the anchor %g", penalty(drone_pos(*b, 0, 0)));
  CHECK(v.out_hit[0] == 1 && !v.terminations[0] && v.rule_i[kTurn] == 1, "1v1: legal hit");
  // Ball proximity 0.5/(1+d_xy) goes to the drone in turn before the turn passes (VolleyBots takes
  // it before switching): on the hit step that is the hitter, and drone 1 gets none.
  const double r0 = 5.0 + 0.5 / (1.0 + dist_xy(drone_pos(*b, 0, 0), ball_pos(*b, 0))) - penalty(drone_pos(*b, 0, 0));
  CHECK(std::fabs(reward(*b, 0, 0) - r0) < 1e-4, "1v1: hitter reward %g, expected %g", static_cast<double>(reward(*b, 0, 0)), r0);
  const double r1 = -penalty(drone_pos(*b, 0, 1));
  CHECK(std::fabs(reward(*b, 0, 1) - r1) < 1e-4, "1v1: other drone reward %g", static_cast<double>(reward(*b, 0, 1)));
  check_result(*b, 1, 0, 1.0f, "1v1 out of turn");
  check_result(*b, 2, 0, 5.0f, "1v1 out after drone 1");
}

void test_rules_6v6() {
  auto b = make_batch(make_params(k6v6, 2, kDisabled), 1);
  fill_actions(*b, kHoverCmd);
  for (int32_t e = 0; e < 2; ++e) level_at_anchors(*b, e);
  drop_on(*b, 0, 4, 0.01f, 1.0f);                             // legal serve by team 0's server
  set_ball(*b, 1, V3{4.5f, 1.5f, 0.1f}, V3{0, 0, 0});          // grounded in team 0's half
  b->cpu->Step();
  CHECK(b->v().out_hit[4] == 1 && !b->v().terminations[0], "6v6: legal hit not counted");
  for (int32_t a = 0; a < 12; ++a) {
    const float r = reward(*b, 0, a);
    CHECK(a < 6 ? (r >= 10.0f && r < 10.6f) : (r >= 0.0f && r < 0.1f), "6v6 hit: drone %d reward %g", a, static_cast<double>(r));
  }
  check_result(*b, 1, 1, 4.0f, "6v6 ground in team 0's half");
}

// HitBall (§5.2): +1 per true hit (contact more than 25 steps after the last true hit), a contact
// within 25 steps is a wrong hit (-10, terminate), and after the first true hit a descending ball
// at z <= 2 is "ball done": + 2 (4.5 - x_ball), terminate, ballDoneX = x, ballDoneXDistToAnchor = x - 4.5.
void test_rules_hit_ball() {
  auto b = make_batch(make_params(kHitBall, 3, kDisabled), 1);
  const View& v = b->v();
  fill_actions(*b, kHoverCmd);
  for (int32_t e = 0; e < 3; ++e) {
    set_drone(*b, e, 0, V3{4.5f, 0, 2});  // at the anchor: no -0.05 term
    drop_on(*b, e, 0, 0.01f, 1.0f);
  }
  b->cpu->Step();  // step 1: a true hit everywhere
  for (int32_t e = 0; e < 3; ++e)
    CHECK(v.out_hit[e] == 1 && !v.terminations[e] && reward(*b, e, 0) == 1.0f, "hit ball env %d: first hit reward %g", e,
          static_cast<double>(reward(*b, e, 0)));
  // Env 0, step 2: the ball comes down through z = 2 at x = -1 (2.05 - 0.1 - g h^2/2 = 1.948).
  set_ball(*b, 0, V3{-1, 0, 2.05f}, V3{0, 0, -5});
  for (int s = 2; s <= 27; ++s) {
    for (int32_t e = 1; e < 3; ++e) set_ball(*b, e, V3{4.5f, 0, 3.5f}, V3{0, 0, 0});  // held aloft, above z = 2
    if (s == 26) drop_on(*b, 1, 0, 0.01f, 1.0f);  // 25 steps after the hit: wrong
    if (s == 27) drop_on(*b, 2, 0, 0.01f, 1.0f);  // 26 steps after: true
    b->cpu->Step();
    if (s == 2) {
      CHECK(v.terminations[0] == 1 && std::fabs(reward(*b, 0, 0) - 2.0 * (4.5 + 1.0)) < 1e-4, "hit ball: ball done reward %g, expected 11",
            static_cast<double>(reward(*b, 0, 0)));
      CHECK(fmetric(*b, 0, 0) == 1.0f && std::fabs(fmetric(*b, 0, 1) + 1.0f) < 1e-6 && std::fabs(fmetric(*b, 0, 2) + 5.5f) < 1e-6,
            "hit ball: ball done metrics %g %g %g", static_cast<double>(fmetric(*b, 0, 0)), static_cast<double>(fmetric(*b, 0, 1)),
            static_cast<double>(fmetric(*b, 0, 2)));
    }
    if (s < 26) CHECK(!v.terminations[1] && !v.terminations[2], "hit ball: ended at step %d with the ball aloft", s);
  }
  CHECK(v.terminations[1] == 1 && v.out_hit[1] == 0 && reward(*b, 1, 0) == -10.0f, "hit ball: wrong hit reward %g",
        static_cast<double>(reward(*b, 1, 0)));
  CHECK(fmetric(*b, 1, 0) == 1.0f && std::isnan(fmetric(*b, 1, 1)) && std::isnan(fmetric(*b, 1, 2)), "hit ball: wrong-hit metrics");
  CHECK(v.out_hit[2] == 1 && !v.terminations[2] && reward(*b, 2, 0) == 1.0f && running_metric(*b, 2, 0) == 2.0f,
        "hit ball: second true hit after 26 steps, reward %g", static_cast<double>(reward(*b, 2, 0)));
}

// SoloBump shaping (§5.3): 1/(1 + |drone - ball|_xy) + 0.5 clip(z_ball - max(z_drone, 1), 0, 2).
double solo_shaping(const Batch& b, int32_t e) {
  const V3 dp = drone_pos(b, e, 0), bp = ball_pos(b, e);
  return 1.0 / (1.0 + dist_xy(dp, bp)) + 0.5 * std::fmin(std::fmax(bp.z - std::fmax(dp.z, 1.0f), 0.0), 2.0);
}

// SoloBump height hit: +8 on a true hit when the mean apex of the bounces so far (each ended by a
// true hit, this one included) exceeds 3.5 m. The ball is held at rest at a height for 30 steps
// (its apex is that height less g h^2 / 2, the first step's fall), then dropped on the drone.
// Env 0: apexes 4.4 then 3.0 (bonus on hits 2 and 3: means 4.4 and 3.7); env 1: 3.0 then 4.4
// (bonus on hit 3 only: means 3.0 and 3.7). Env 2: ball above 4.5 m, env 3: drone above 2.5 m.
void test_rules_solo_bump_height() {
  auto b = make_batch(make_params(kSoloBump, 4, kDisabled), 1);
  const View& v = b->v();
  fill_actions(*b, kHoverCmd);
  const double apex[2][2] = {{4.4, 3.0}, {3.0, 4.4}}, fall = 0.5 * kG * kH * kH;
  for (int32_t e = 0; e < 2; ++e) {
    set_drone(*b, e, 0, V3{4.5f, 0, 2});
    drop_on(*b, e, 0, 0.01f, 1.0f);
  }
  set_drone(*b, 2, 0, V3{4.5f, 0, 2});
  set_ball(*b, 2, V3{4.5f, 0, 4.6f}, V3{0, 0, 0});
  set_drone(*b, 3, 0, V3{4.5f, 0, 2.6f});
  set_ball(*b, 3, V3{4.5f, 0, 3.6f}, V3{0, 0, 0});
  b->cpu->Step();
  for (int32_t e = 2; e < 4; ++e) {
    CHECK(v.terminations[e] == 1, "solo bump misbehave env %d: not terminated", e);
    CHECK(std::fabs(reward(*b, e, 0) - (solo_shaping(*b, e) - 10.0)) < 1e-4, "solo bump misbehave env %d: reward %g", e,
          static_cast<double>(reward(*b, e, 0)));
  }
  for (int32_t e = 0; e < 2; ++e)
    CHECK(v.out_hit[e] == 1 && std::fabs(reward(*b, e, 0) - (2.0 + solo_shaping(*b, e))) < 1e-4, "solo bump env %d: first hit", e);
  for (int bounce = 0; bounce < 2; ++bounce) {
    for (int s = 0; s < 30; ++s) {
      for (int32_t e = 0; e < 2; ++e) set_ball(*b, e, V3{4.5f, 0, static_cast<float>(apex[e][bounce])}, V3{0, 0, 0});
      b->cpu->Step();
    }
    for (int32_t e = 0; e < 2; ++e) drop_on(*b, e, 0, 0.01f, 1.0f);
    b->cpu->Step();
    for (int32_t e = 0; e < 2; ++e) {
      double sum = 0;
      for (int k = 0; k <= bounce; ++k) sum += apex[e][k] - fall;
      const bool height = sum / (bounce + 1) > 3.5;
      const double want = 8.0 * height + 2.0 + solo_shaping(*b, e);
      CHECK(v.out_hit[e] == 1 && !v.terminations[e], "solo bump env %d hit %d: not a true hit", e, bounce + 2);
      CHECK(std::fabs(reward(*b, e, 0) - want) < 1e-4, "solo bump env %d hit %d: reward %g, expected %g", e, bounce + 2,
            static_cast<double>(reward(*b, e, 0)), want);
    }
  }
  // numTrueHits 3, ballZMax the 4.4 m apex, numHeightHits 2 and 1.
  for (int32_t e = 0; e < 2; ++e)
    CHECK(running_metric(*b, e, 0) == 3.0f && std::fabs(running_metric(*b, e, 1) - (4.4 - fall)) < 1e-5 &&
              running_metric(*b, e, 2) == (e == 0 ? 2.0f : 1.0f),
          "solo bump env %d metrics %g %g %g", e, static_cast<double>(running_metric(*b, e, 0)),
          static_cast<double>(running_metric(*b, e, 1)), static_cast<double>(running_metric(*b, e, 2)));
}

// Cooperative shared terms (docs, cooperative hit detection): turn shaping, the mean over the
// drones of +-1/(1 + |drone - ball|_xy), + for the drone in turn. Drones stay at their anchors
// (anchor term 0: they drift far less than 0.5 m in a step).
double turn_shaping_ref(const Batch& b, int32_t e, int32_t turn) {
  double s = 0;
  for (int32_t a = 0; a < 2; ++a) s += (a == turn ? 1.0 : -1.0) / (1.0 + dist_xy(drone_pos(b, e, a), ball_pos(b, e)));
  return s / 2.0;
}
// SetAndSpike's weights (VolleyBots' three-row turn_to_reward): turn 0 (+1 setter, 0 attacker),
// turn 1 (-1, +1), turn 2 (0, -1); the mean over the two drones.
double spike_shaping_ref(const Batch& b, int32_t e, int32_t turn) {
  const double w[3][2] = {{1, 0}, {-1, 1}, {0, -1}};
  double s = 0;
  for (int32_t a = 0; a < 2; ++a) s += w[turn][a] / (1.0 + dist_xy(drone_pos(b, e, a), ball_pos(b, e)));
  return s / 2.0;
}
void coop_at_anchors(const Batch& b, int32_t e) {
  const V3 an[2] = {b.p.task == kBumpAndPass ? V3{4.5f, -2.5f, 2} : V3{2, -2.5f, 2.5f},
                    b.p.task == kBumpAndPass ? V3{4.5f, 2.5f, 2} : V3{2, 2.5f, 3.5f}};
  for (int32_t a = 0; a < 2; ++a) set_drone(b, e, a, an[a]);
}

// BumpAndPass (§5.4). Env 0: drone 0 (in turn) hits a ball moving +y towards drone 1: success,
// shared 1 + cos(0) = 2, turn -> 1. Env 1: drone 1 hits out of turn: -10 to drone 1 only,
// terminate. Env 2: the ball crosses y = 0 above 4 m: +1, numSuccessCross, crossHeight.
void test_rules_bump_and_pass() {
  auto b = make_batch(make_params(kBumpAndPass, 3, kDisabled), 1);
  const View& v = b->v();
  fill_actions(*b, kHoverCmd);
  for (int32_t e = 0; e < 3; ++e) coop_at_anchors(*b, e);
  set_ball(*b, 0, drone_pos(*b, 0, 0) + V3{0, 0, static_cast<float>(kTop) + 0.01f}, V3{0, 1, -1});  // frictionless: v_xy stays (0, 1)
  drop_on(*b, 1, 1, 0.01f, 1.0f);
  set_ball(*b, 2, V3{4.5f, 0.05f, 4.5f}, V3{0, 1, 0});  // y 0.07 after the step
  b->cpu->Step();
  CHECK(v.out_hit[0] == 1 && v.out_hit[1] == 0 && !v.terminations[0] && v.rule_i[kTurn] == 1 && running_metric(*b, 0, 0) == 1.0f,
        "bump and pass: success hit (turn %d)", v.rule_i[kTurn]);
  const double r0 = 2.0 + 0.05 * turn_shaping_ref(*b, 0, 1);
  for (int32_t a = 0; a < 2; ++a)
    CHECK(std::fabs(reward(*b, 0, a) - r0) < 1e-4, "bump and pass success: drone %d reward %g, expected %g", a,
          static_cast<double>(reward(*b, 0, a)), r0);
  const double r1 = 0.05 * turn_shaping_ref(*b, 1, 0);
  CHECK(v.terminations[b->idx(1, 0)] == 1 && v.out_hit[b->idx(1, 1)] == 0 && v.rule_i[kRuleInts + kTurn] == 0, "bump and pass: out-of-turn hit");
  CHECK(std::fabs(reward(*b, 1, 0) - r1) < 1e-4 && std::fabs(reward(*b, 1, 1) - (r1 - 10.0)) < 1e-4,
        "bump and pass out of turn: rewards %g %g, expected %g %g", static_cast<double>(reward(*b, 1, 0)),
        static_cast<double>(reward(*b, 1, 1)), r1, r1 - 10.0);
  const double r2 = 1.0 + 0.05 * turn_shaping_ref(*b, 2, 0);
  CHECK(!v.terminations[b->idx(2, 0)] && std::fabs(reward(*b, 2, 0) - r2) < 1e-4 && std::fabs(reward(*b, 2, 1) - r2) < 1e-4,
        "bump and pass cross: reward %g, expected %g", static_cast<double>(reward(*b, 2, 0)), r2);
  CHECK(running_metric(*b, 2, 1) == 1.0f && std::fabs(running_metric(*b, 2, 2) - ball_pos(*b, 2).z) < 1e-6 && ball_pos(*b, 2).z > 4.0f,
        "bump and pass cross metrics %g %g", static_cast<double>(running_metric(*b, 2, 1)), static_cast<double>(running_metric(*b, 2, 2)));
}

// SetAndSpike Easy (§5.5). Env 0: the set, ball moving +y at the attacker: 5 + cos 0 = 6, turn 1.
// Env 1 (turn 1): a downward spike (the attacker falls at 9 m/s onto a ball falling at 10 m/s,
// aimed at T = (-4.5, 0)): 5 + 5 + 1 + 0.2 (5 - v_z), turn 2. Env 2 (after a spike): the ball
// crosses x = -0.1: +5; next step it lands 0.3 m from T: +5 + 0.2 (10 - 0.3) - 10, inTarget.
// Env 3: the ball in the net: -10, terminate, spikeVz NaN (no spike).
void test_rules_set_and_spike() {
  auto b = make_batch(make_params(kSetAndSpike, 4, kDisabled), 1);
  const View& v = b->v();
  int32_t* ri = v.rule_i;
  fill_actions(*b, kHoverCmd);
  for (int32_t e = 0; e < 4; ++e) coop_at_anchors(*b, e);
  set_ball(*b, 0, drone_pos(*b, 0, 0) + V3{0, 0, static_cast<float>(kTop) + 0.01f}, V3{0, 1, -1});
  ri[kRuleInts + kTurn] = 1;
  store3(v.vel + 3 * b->idx(1, 1), V3{0, 0, -9});
  const double tx = -6.5, ty = -2.5, tn = std::hypot(tx, ty);  // attacker (2, 2.5) -> T
  set_ball(*b, 1, drone_pos(*b, 1, 1) + V3{0, 0, static_cast<float>(kTop) + 0.01f},
           V3{static_cast<float>(tx / tn), static_cast<float>(ty / tn), -10});
  ri[2 * kRuleInts + kTurn] = 2, ri[2 * kRuleInts + kFlags] = kFlagSpiked;
  set_ball(*b, 2, V3{0, 0, 3}, V3{-8, 0, 0});  // x -0.16 after the step, above the net
  set_ball(*b, 3, V3{0.05f, 0, 1.5f}, V3{0, 0, 0});
  b->cpu->Step();
  const double r0 = 6.0 + 0.05 * spike_shaping_ref(*b, 0, 1);
  CHECK(v.out_hit[0] == 1 && ri[kTurn] == 1 && !v.terminations[0] && running_metric(*b, 0, 3) == 1.0f, "set and spike: set not a success");
  for (int32_t a = 0; a < 2; ++a)
    CHECK(std::fabs(reward(*b, 0, a) - r0) < 1e-4, "set and spike set: drone %d reward %g, expected %g", a,
          static_cast<double>(reward(*b, 0, a)), r0);
  const double vz = ball_vel(*b, 1).z, r1 = 11.0 + 0.2 * std::fmax(5.0 - vz, 0.0) + 0.05 * spike_shaping_ref(*b, 1, 2);
  CHECK(v.out_hit[b->idx(1, 1)] == 1 && ri[kRuleInts + kTurn] == 2 && !v.terminations[b->idx(1, 0)] && vz < 0, "set and spike: spike (v_z %g)", vz);
  for (int32_t a = 0; a < 2; ++a)
    CHECK(std::fabs(reward(*b, 1, a) - r1) < 1e-3, "set and spike spike: drone %d reward %g, expected %g", a,
          static_cast<double>(reward(*b, 1, a)), r1);
  CHECK(running_metric(*b, 1, 1) == 1.0f && running_metric(*b, 1, 2) == static_cast<float>(vz) && running_metric(*b, 1, 3) == 1.0f,
        "set and spike: spike metrics");
  CHECK(!v.terminations[b->idx(2, 0)] && std::fabs(reward(*b, 2, 0) - (5.0 + 0.05 * spike_shaping_ref(*b, 2, 2))) < 1e-4, "set and spike: cross reward %g",
        static_cast<double>(reward(*b, 2, 0)));
  CHECK(v.terminations[b->idx(3, 0)] == 1 && std::isnan(fmetric(*b, 3, 2)) && fmetric(*b, 3, 0) == 0.0f, "set and spike: net");
  const double r3 = -10.0 + 0.05 * spike_shaping_ref(*b, 3, 0);
  for (int32_t a = 0; a < 2; ++a)
    CHECK(std::fabs(reward(*b, 3, a) - r3) < 1e-4, "set and spike net: drone %d reward %g, expected %g", a,
          static_cast<double>(reward(*b, 3, a)), r3);
  set_ball(*b, 2, V3{-4.5f, 0.3f, 0.25f}, V3{0, 0, -5});  // z 0.148 after the step: landed
  b->cpu->Step();
  const double r2 = 5.0 + 0.2 * (10.0 - 0.3) - 10.0 + 0.05 * spike_shaping_ref(*b, 2, 2);
  CHECK(v.terminations[b->idx(2, 0)] == 1 && fmetric(*b, 2, 0) == 1.0f, "set and spike: landing in the target");
  for (int32_t a = 0; a < 2; ++a)
    CHECK(std::fabs(reward(*b, 2, a) - r2) < 1e-4, "set and spike landing: drone %d reward %g, expected %g", a,
          static_cast<double>(reward(*b, 2, a)), r2);
}

// BackAndForth (§5.1). Env 0 holds at B (the first target): reward 2.5 n + 0.5/(1 + d^2) 0.02
// (50 - n) on its n-th step there; the 5th reaches B (targetReached 1) and the target becomes A,
// (4.5, 4.5, 0) away. Env 1: z > 5, misbehave: -10, terminate.
void test_rules_back_and_forth() {
  auto b = make_batch(make_params(kBackAndForth, 2, kDisabled), 1);
  const View& v = b->v();
  fill_actions(*b, kHoverCmd);
  const V3 A{4.5f, 0, 2}, B{9, 4.5f, 2};
  set_drone(*b, 0, 0, B);
  set_drone(*b, 1, 0, V3{9, 4.5f, 5.2f});
  auto shaping = [&](int32_t e, V3 target, int n) {
    const double d = dist(drone_pos(*b, e, 0), target);
    return 2.5 * n + 0.5 / (1.0 + d * d) * 0.02 * (50 - n);
  };
  for (int n = 1; n <= 6; ++n) {
    b->cpu->Step();
    const double want = n <= 5 ? shaping(0, B, n) : shaping(0, A, 0);
    CHECK(!v.terminations[0] && std::fabs(reward(*b, 0, 0) - want) < 1e-5, "back and forth step %d: reward %g, expected %g", n,
          static_cast<double>(reward(*b, 0, 0)), want);
    CHECK(running_metric(*b, 0, 0) == (n >= 5 ? 1.0f : 0.0f), "back and forth step %d: targetReached %g", n,
          static_cast<double>(running_metric(*b, 0, 0)));
    if (n == 1) {
      CHECK(v.terminations[1] == 1 && std::fabs(reward(*b, 1, 0) - (shaping(1, B, 0) - 10.0)) < 1e-5, "back and forth: z > 5 reward %g",
            static_cast<double>(reward(*b, 1, 0)));
    }
  }
  const float* o = v.obs + 23;  // target - position now shows A
  CHECK(std::fabs(o[0] + 4.5f) < 0.01f && std::fabs(o[1] + 4.5f) < 0.01f && std::fabs(o[2]) < 0.01f, "back and forth: target not swapped to A");
}

// Competitive case 2, a drone hit not with the racket. 1v1: the ball falls on drone 0's box top
// 0.22 m off centre (inside the 0.235 m half width, outside the 0.2 m racket). 3v3: the ball flies
// at 2 m/s into the -x side of the server's box at its centre height.
void test_rules_body_hit() {
  auto b = make_batch(make_params(k1v1, 1, kDisabled), 1);
  fill_actions(*b, kHoverCmd);
  level_at_anchors(*b, 0);
  set_ball(*b, 0, drone_pos(*b, 0, 0) + V3{0.22f, 0, static_cast<float>(kTop) + 0.01f}, V3{0, 0, -1});
  b->cpu->Step();
  CHECK(b->v().out_hit[0] == 0, "1v1 rim hit counted as legal");
  check_result(*b, 0, 1, 2.0f, "1v1 hit outside the racket");
  auto c = make_batch(make_params(k3v3, 1, kDisabled), 1);
  fill_actions(*c, kHoverCmd);
  level_at_anchors(*c, 0);
  set_ball(*c, 0, drone_pos(*c, 0, 2) - V3{static_cast<float>(kHalf[0] + kR) + 0.01f, 0, 0}, V3{2, 0, 0});
  c->cpu->Step();
  CHECK(c->v().out_hit[2] == 0 && ball_vel(*c, 0).x < -1.0f, "3v3 side hit: ball not bounced back");
  check_result(*c, 0, 1, 2.0f, "3v3 ball into the side of the box");
}

// Downwash (docs, physics): drone 0 below drone 1 (z = 1 m along d_1, lateral r) is pushed along
// -d_1 by T_1 exp(-0.5 (2r/z)^2) / (1 + 0.3 z)^2, T_1 = m g at hover. From rest, one step changes
// its velocity by F/m h / (1 + 0.2 h) more than with drone 1 far away (env 0: 5 m to the side,
// factor exp(-50)). Float32 rounding of thrust and velocity is ~1e-7 relative, so 2e-5 m/s on a
// ~0.1 m/s change leaves a wide margin while a 1% error in the formula (1e-3 m/s) fails.
void test_downwash() {
  auto b = make_batch(make_params(kBumpAndPass, 4, kDisabled), 1);
  const View& v = b->v();
  fill_actions(*b, kHoverCmd);
  const V3 low{4.5f, -2.5f, 2};
  const float phi = 0.3f;  // env 3: drone 1 rolled about x, d_1 = (0, -sin phi, cos phi)
  const V3 d3{0, -sinf(phi), cosf(phi)};
  const V3 upper[4] = {low + V3{0, 5, 1}, low + V3{0, 0, 1}, low + V3{0.25f, 0, 1}, low + d3};
  for (int32_t e = 0; e < 4; ++e) {
    set_drone(*b, e, 0, low);
    set_drone(*b, e, 1, upper[e]);
    set_ball(*b, e, V3{-4.5f, 0, 8}, V3{0, 0, 0});
  }
  store4(v.quat + 4 * b->idx(3, 1), Q4{cosf(0.5f * phi), sinf(0.5f * phi), 0, 0});
  b->cpu->Step();
  const V3 base = load3(v.vel + 3 * b->idx(0, 0));
  const double r[4] = {0, 0, 0.25, 0}, dirs[4][3] = {{0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, -std::sin(0.3), std::cos(0.3)}};
  for (int32_t e = 1; e < 4; ++e) {
    const double z = 1.0, f = kG * std::exp(-0.5 * std::pow(2.0 * r[e] / z, 2)) / std::pow(1.0 + 0.3 * z, 2) * kH / (1.0 + 0.2 * kH);
    const V3 dv = load3(v.vel + 3 * b->idx(e, 0)) - base;
    const float* got = &dv.x;
    for (int k = 0; k < 3; ++k)
      CHECK(std::fabs(got[k] + f * dirs[e][k]) < 2e-5, "downwash env %d axis %d: velocity change %g, expected %g", e, k,
            static_cast<double>(got[k]), -f * dirs[e][k]);
  }
  // The upper drone feels nothing from the one below it.
  CHECK(std::fabs(v.vel[3 * b->idx(1, 1) + 2] - v.vel[3 * b->idx(0, 1) + 2]) < 1e-6, "downwash pushed the upper drone");
}

}  // namespace

int main() {
  test_free_fall();
  test_hover();
  test_rotor_lag();
  test_yaw_torque();
  test_drop_restitution();
  test_no_tunnelling();
  test_energy();
  test_determinism();
  test_rules_solo_bump();
  test_rules_3v3();
  test_rules_1v1();
  test_rules_6v6();
  test_rules_hit_ball();
  test_rules_solo_bump_height();
  test_rules_bump_and_pass();
  test_rules_set_and_spike();
  test_rules_back_and_forth();
  test_rules_body_hit();
  test_downwash();
  std::printf("volleyball: %d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
