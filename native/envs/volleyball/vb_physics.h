// Quadrotor, ball and contact physics of the volleyball envs (host and device, float32).
// Drone: 3DR Iris as VolleyBots' iris.yaml (rotor layout of PX4 iris.sdf); rotor lag 0.43 per 20 ms step (rotor_group.py);
// rigid body with semi-implicit Euler and 0.2 1/s damping; downwash kr 2, kz 0.3 (multirotor.py).
// Ball: 5 g sphere, ballistic, integrated exactly. Contact: swept sphere against the drone's
// 0.47 x 0.47 x 0.11 m body box (PX4 iris.sdf), impulse with restitution 0.8 between both bodies.
#pragma once
#include "vb_math.h"

namespace mw::vb {

constexpr float kDt = 0.02f;          // control step, s (50 Hz)
constexpr float kGravity = 9.81f;     // m/s^2
constexpr float kMass = 1.52f;        // drone mass, kg
constexpr float kIxx = 0.0347563f, kIyy = 0.0458929f, kIzz = 0.0977f;  // kg m^2
constexpr float kMaxThrust = 6.00318692f;  // per rotor: 838^2 * 8.54858e-6 N
constexpr float kMaxMoment = 0.0960504f;   // per rotor: 838^2 * 1.3677728816219314e-7 N m
constexpr float kRotorTau = 0.43f;         // throttle moves this fraction of the way per 20 ms
constexpr float kDamping = 0.2f;           // linear and angular, 1/s
constexpr float kDownwashKr = 2.0f, kDownwashKz = 0.3f;
constexpr float kBoxHalfX = 0.235f, kBoxHalfY = 0.235f, kBoxHalfZ = 0.055f;  // collision box, m
constexpr float kBallRadius = 0.1f, kBallMass = 0.005f;
constexpr float kRestitution = 0.8f;
constexpr float kBounceThreshold = 0.2f;   // m/s: slower impacts are inelastic (PhysX bounce threshold)
constexpr float kRacketRadius = 0.2f, kRacketHeight = 0.2f;
constexpr float kBoardRadius = 0.5f, kBoardHalfHeight = 0.15f;  // SetAndSpikeHard defender

// Rotor i position in the body frame, m: PX4 iris.sdf's rotor joints (0.13, -0.22),
// (-0.13, 0.20), (0.13, 0.22), (-0.13, -0.20). VolleyBots' iris.yaml gives the same arms with x
// and y swapped, which puts the rotor centroid 1 cm ahead of the centre of mass so that equal
// thrusts pitch the drone; the SDF layout is balanced (see docs/envs/volleyball.md).
MW_HD V3 rotor_pos(int32_t i) {
  const float x[4] = {0.13f, -0.13f, 0.13f, -0.13f};
  const float y[4] = {-0.22f, 0.20f, 0.22f, -0.20f};
  return V3{x[i], y[i], 0.0f};
}
MW_HD float rotor_dir(int32_t i) { return i < 2 ? 1.0f : -1.0f; }

// Throttle at which the four rotors hold the drone's weight: sqrt(m g / (4 KF)) = 0.788.
MW_HD float hover_throttle() { return sqrtf(kMass * kGravity / (4.0f * kMaxThrust)); }

// One 20 ms step of the first-order rotor lag towards the throttle commanded by c in [-1, 1].
MW_HD float rotor_lag(float throttle, float command) {
  const float target = sqrtf(clampf((command + 1.0f) * 0.5f, 0.0f, 1.0f));
  return throttle + kRotorTau * (target - throttle);
}

// Body-frame force (along z) and torque of the four rotors at the given throttles.
MW_HD void rotor_wrench(const float* throttle, float& thrust, V3& torque) {
  thrust = 0.0f;
  torque = V3{0.0f, 0.0f, 0.0f};
  for (int32_t i = 0; i < 4; ++i) {
    const float t = clampf(throttle[i] * throttle[i], 0.0f, 1.0f);
    const float f = t * kMaxThrust;
    const V3 r = rotor_pos(i);
    thrust += f;
    torque = torque + cross(r, V3{0.0f, 0.0f, f});
    torque.z += -rotor_dir(i) * t * kMaxMoment;
  }
}

// CTBR: VolleyBots' Crazyflie-style rate PID (PIDRateController). `a` is the raw action (tanh is
// applied here); `pid` holds the rate-error integral and the last body rate (deg, deg/s). Writes
// four per-rotor commands in [-1, 1]. The mixer sends roll/pitch/yaw to the Iris rotors by their
// positions and spin directions (VolleyBots applies the Crazyflie motor order to the Iris, which
// maps roll to yaw torque; see docs/envs/volleyball.md).
MW_HD void rate_pid(const float* a, V3 omega_body, float* pid, float* command) {
  const float kRad2Deg = 57.29577951f;
  const float kp[3] = {250.0f, 250.0f, 120.0f}, ki[3] = {500.0f, 500.0f, 16.7f}, kd[3] = {2.5f, 2.5f, 0.0f};
  const float ilim[3] = {33.3f, 33.3f, 166.7f};
  const float rate[3] = {omega_body.x * kRad2Deg, omega_body.y * kRad2Deg, omega_body.z * kRad2Deg};
  float out[3];
  for (int32_t k = 0; k < 3; ++k) {
    const float target = tanhf(a[k]) * 180.0f * 0.8f;
    const float err = target - rate[k];
    pid[k] = clampf(pid[k] + err * kDt, -ilim[k], ilim[k]);
    const float deriv = -(rate[k] - pid[3 + k]) / kDt;
    out[k] = clampf(kp[k] * err + ki[k] * pid[k] + kd[k] * deriv, -32767.0f, 32767.0f);
    pid[3 + k] = rate[k];
  }
  const float thrust = clampf((tanhf(a[3]) + 1.0f) * 0.5f, 0.0f, 1.0f) * 65536.0f;
  const float roll = out[0] * 0.5f, pitch = out[1] * 0.5f, yaw = out[2];
  for (int32_t i = 0; i < 4; ++i) {
    const V3 r = rotor_pos(i);
    const float sr = r.y > 0.0f ? 1.0f : -1.0f;   // more thrust at +y rolls about +x
    const float sp = r.x > 0.0f ? -1.0f : 1.0f;   // more thrust at -x pitches about +y
    const float sy = -rotor_dir(i);               // reaction torque is -dir * t * KM
    const float m = thrust + sr * roll + sp * pitch + sy * yaw;
    command[i] = clampf(m / 65536.0f * 2.0f - 1.0f, -1.0f, 1.0f);
  }
}

// Downwash on a drone at `p` from a drone at `pj` with body up-axis `dj` and total thrust `tj` (N):
// a downward push along -dj, strongest directly below (VolleyBots multirotor.py downwash()).
MW_HD V3 downwash_force(V3 p, V3 pj, V3 dj, float tj) {
  const V3 d = pj - p;
  const float z = dot(d, dj);
  const V3 lateral = d - dj * z;
  const float r2 = dot(lateral, lateral);
  // One well-predicted branch: not below drone j, or so far to the side that (2r/z)^2 > 100 and
  // the factor is below 2e-22. (Two branches mispredict on the sign of z for drones at nearly
  // the same height.)
  if (static_cast<int>(!(z > 0.0f)) | static_cast<int>(r2 > 25.0f * z * z)) return V3{0.0f, 0.0f, 0.0f};
  const float q = 2.0f * sqrtf(r2) / z;
  const float denom = 1.0f + kDownwashKz * z;
  return dj * (-tj * expf(-0.5f * q * q) / (denom * denom));
}

// One physics substep of length h for one drone: force `thrust` along body z, body torque,
// extra world force. Semi-implicit Euler: velocities first, then positions and attitude.
MW_HD void drone_substep(V3& p, V3& v, Q4& q, V3& w, float thrust, V3 torque, V3 extra, float h) {
  const V3 acc = qrot(q, V3{0.0f, 0.0f, thrust}) * (1.0f / kMass) + extra * (1.0f / kMass) + V3{0.0f, 0.0f, -kGravity};
  const float damp = 1.0f / (1.0f + kDamping * h);
  v = (v + acc * h) * damp;
  p = p + v * h;
  // Gyroscopic term -w x Iw: the exact torque-free motion keeps the rotational energy w.Iw, but an
  // explicit Euler step adds h^2 g.I^-1 g of it (a drone tumbling at ~10 rad/s gained energy
  // without thrust), so the gyroscopic update is scaled back to the energy it started with.
  const V3 iw{kIxx * w.x, kIyy * w.y, kIzz * w.z};
  const V3 g = cross(iw, w);
  V3 wg = w + V3{g.x * (1.0f / kIxx), g.y * (1.0f / kIyy), g.z * (1.0f / kIzz)} * h;
  const float e0 = dot(w, iw), e1 = kIxx * wg.x * wg.x + kIyy * wg.y * wg.y + kIzz * wg.z * wg.z;
  // A select rather than a branch: e1 and e0 differ by rounding-sized amounts, so a branch on
  // their order would be mispredicted half the time. sqrt(1) = 1 keeps wg exact otherwise.
  const float ratio = e1 > e0 ? e0 / e1 : 1.0f;
  wg = wg * sqrtf(ratio);
  w = (wg + V3{torque.x * (1.0f / kIxx), torque.y * (1.0f / kIyy), torque.z * (1.0f / kIzz)} * h) * damp;
  const float half = 0.5f * h;
  q = qnormalized(qmul(q, Q4{1.0f, w.x * half, w.y * half, w.z * half}));
}

// Ball position and velocity after time t of free flight (exact for constant gravity).
MW_HD V3 ball_pos_at(V3 p, V3 v, float t) { return p + v * t + V3{0.0f, 0.0f, -0.5f * kGravity * t * t}; }
MW_HD V3 ball_vel_at(V3 v, float t) { return v + V3{0.0f, 0.0f, -kGravity * t}; }

// Distance from a body-frame point to the drone's box, and the closest box point.
MW_HD float box_distance(V3 p, V3& closest) {
  closest = V3{clampf(p.x, -kBoxHalfX, kBoxHalfX), clampf(p.y, -kBoxHalfY, kBoxHalfY), clampf(p.z, -kBoxHalfZ, kBoxHalfZ)};
  return norm(p - closest);
}

// Outward unit normal (body frame) of the box at a body-frame ball centre `p`.
MW_HD V3 box_normal(V3 p) {
  V3 c;
  const float d = box_distance(p, c);
  if (d > 1e-6f) return (p - c) * (1.0f / d);
  // Centre inside the box: leave through the nearest face.
  const float fx = kBoxHalfX - fabsf(p.x), fy = kBoxHalfY - fabsf(p.y), fz = kBoxHalfZ - fabsf(p.z);
  if (fz <= fx && fz <= fy) return V3{0.0f, 0.0f, p.z >= 0.0f ? 1.0f : -1.0f};
  if (fx <= fy) return V3{p.x >= 0.0f ? 1.0f : -1.0f, 0.0f, 0.0f};
  return V3{0.0f, p.y >= 0.0f ? 1.0f : -1.0f, 0.0f};
}

// Pose of a drone over a substep: start and end, interpolated linearly (position) and by nlerp.
struct Sweep {
  V3 p0, p1;
  Q4 q0, q1;
};

// Signed gap between the ball and the drone box at fraction s of the substep (negative: overlap),
// with the ball on its free-flight path from (bp, bv).
MW_HD float sweep_gap(const Sweep& sw, V3 bp, V3 bv, float h, float s, V3* rel_out) {
  const V3 dp = sw.p0 + (sw.p1 - sw.p0) * s;
  const Q4 dq = qnlerp(sw.q0, sw.q1, s);
  const V3 rel = qrot_inv(dq, ball_pos_at(bp, bv, s * h) - dp);
  if (rel_out) *rel_out = rel;
  V3 c;
  return box_distance(rel, c) - kBallRadius;
}

// Earliest fraction s in [0, 1] of the substep at which the ball touches the drone, or -1.
// The relative path is sampled finely enough that the ball cannot pass through the box between
// samples (spacing <= 0.05 m against a box 0.31 m thick once inflated by the ball radius), then
// the first touching sample is refined by bisection.
MW_HD float sweep_contact(const Sweep& sw, V3 bp, V3 bv, float h) {
  const V3 b1 = ball_pos_at(bp, bv, h);
  const float reach = 0.34f + kBallRadius + 0.05f;  // box half-diagonal + ball + margin
  // The relative path stays within |d1 - d0| (plus the parabola's sag, covered by the margin) of
  // its start: a start farther than that plus the reach cannot touch.
  const V3 d0 = bp - sw.p0, dd = (b1 - sw.p1) - d0;
  const float far = reach + fabsf(dd.x) + fabsf(dd.y) + fabsf(dd.z);  // the L1 norm bounds the length
  if (dot(d0, d0) > far * far) return -1.0f;
  V3 r0, r1;
  const float g0 = sweep_gap(sw, bp, bv, h, 0.0f, &r0);
  if (g0 <= 0.0f) return 0.0f;
  sweep_gap(sw, bp, bv, h, 1.0f, &r1);
  // Rotation sweeps body-frame points too: bound it by the angle turned times the distance.
  const float dq = fabsf(sw.q0.w * sw.q1.w + sw.q0.x * sw.q1.x + sw.q0.y * sw.q1.y + sw.q0.z * sw.q1.z);
  const float angle = 2.0f * acosf(minf(dq, 1.0f));
  const float span = norm(r1 - r0) + angle * (norm(r0) + 0.5f) + 0.5f * kGravity * h * h;
  int32_t n = static_cast<int32_t>(ceilf(span / 0.05f));
  n = n < 1 ? 1 : (n > 64 ? 64 : n);
  float lo = 0.0f;
  for (int32_t k = 1; k <= n; ++k) {
    const float s = static_cast<float>(k) / static_cast<float>(n);
    if (sweep_gap(sw, bp, bv, h, s, nullptr) <= 0.0f) {
      float hi = s;
      for (int32_t it = 0; it < 16; ++it) {
        const float mid = 0.5f * (lo + hi);
        if (sweep_gap(sw, bp, bv, h, mid, nullptr) <= 0.0f) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    lo = s;
  }
  return -1.0f;
}

// Impulse between the ball and a drone at the moment of contact. `bp`/`bv`: ball position and
// velocity at contact (bp is moved onto the surface); `dp`, `dq`: drone pose at contact;
// `dv`, `dw`: drone velocity and body angular velocity (updated). Returns true if an impulse was
// applied (the bodies were approaching).
MW_HD bool resolve_drone_contact(V3& bp, V3& bv, V3 dp, Q4 dq, V3& dv, V3& dw) {
  const V3 rel = qrot_inv(dq, bp - dp);
  V3 c;
  box_distance(rel, c);
  const V3 nb = box_normal(rel);
  const V3 n = qrot(dq, nb);
  const V3 r = qrot(dq, c);  // contact point relative to the centre of mass, world
  // Place the ball on the surface (it may sit up to the bisection tolerance inside).
  bp = dp + qrot(dq, c + nb * (kBallRadius + 1e-4f));
  const V3 w_world = qrot(dq, dw);
  const V3 vpoint = dv + cross(w_world, r);
  const float vn = dot(bv - vpoint, n);
  if (vn >= 0.0f) return false;
  const float e = -vn >= kBounceThreshold ? kRestitution : 0.0f;
  // Effective mass along n: ball + drone translation + drone rotation about its centre of mass.
  const V3 rn_body = qrot_inv(dq, cross(r, n));
  const V3 iinv_rn{rn_body.x / kIxx, rn_body.y / kIyy, rn_body.z / kIzz};
  const float k = 1.0f / kBallMass + 1.0f / kMass + dot(rn_body, iinv_rn);
  const float j = -(1.0f + e) * vn / k;
  bv = bv + n * (j / kBallMass);
  dv = dv - n * (j / kMass);
  dw = dw - iinv_rn * j;
  return true;
}

// Distance from a point to a cylinder of radius R and half-height H about axis `ax` at `c`.
MW_HD float cylinder_gap(V3 p, V3 c, V3 ax, V3* normal) {
  const V3 d = p - c;
  const float along = dot(d, ax);
  const V3 radial = d - ax * along;
  const float rlen = norm(radial);
  const float dx = maxf(rlen - kBoardRadius, 0.0f), dz = maxf(fabsf(along) - kBoardHalfHeight, 0.0f);
  if (normal) {
    const V3 rdir = rlen > 1e-6f ? radial * (1.0f / rlen) : V3{0.0f, 0.0f, 0.0f};
    const float sz = along >= 0.0f ? 1.0f : -1.0f;
    if (dx > 0.0f || dz > 0.0f) *normal = normalized(rdir * dx + ax * (sz * dz));
    else *normal = (kBoardRadius - rlen < kBoardHalfHeight - fabsf(along)) ? rdir : ax * sz;
  }
  return sqrtf(dx * dx + dz * dz) - kBallRadius;
}

}  // namespace mw::vb
