// Small float32 vector and quaternion helpers for the volleyball core (host and device).
// Quaternions are (w, x, y, z), Hamilton product, rotating body vectors into the world frame.
#pragma once
#include <math.h>

#include "../../common/hd.h"

namespace mw::vb {

struct V3 {
  float x, y, z;
};
struct Q4 {
  float w, x, y, z;
};

MW_HD_SMALL V3 v3(float x, float y, float z) { return V3{x, y, z}; }
MW_HD_SMALL V3 operator+(V3 a, V3 b) { return V3{a.x + b.x, a.y + b.y, a.z + b.z}; }
MW_HD_SMALL V3 operator-(V3 a, V3 b) { return V3{a.x - b.x, a.y - b.y, a.z - b.z}; }
MW_HD_SMALL V3 operator-(V3 a) { return V3{-a.x, -a.y, -a.z}; }
MW_HD_SMALL V3 operator*(V3 a, float s) { return V3{a.x * s, a.y * s, a.z * s}; }
MW_HD_SMALL V3 operator*(float s, V3 a) { return V3{a.x * s, a.y * s, a.z * s}; }
MW_HD_SMALL float dot(V3 a, V3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
MW_HD_SMALL V3 cross(V3 a, V3 b) { return V3{a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
MW_HD_SMALL float norm(V3 a) { return sqrtf(dot(a, a)); }
MW_HD_SMALL float norm_xy(V3 a) { return sqrtf(a.x * a.x + a.y * a.y); }
MW_HD_SMALL float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
MW_HD_SMALL float maxf(float a, float b) { return a > b ? a : b; }
MW_HD_SMALL float minf(float a, float b) { return a < b ? a : b; }
MW_HD_SMALL V3 normalized(V3 a) {
  const float n = norm(a);
  return n > 1e-12f ? a * (1.0f / n) : V3{0.0f, 0.0f, 1.0f};
}

MW_HD_SMALL Q4 qmul(Q4 a, Q4 b) {
  return Q4{a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z, a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
            a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x, a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w};
}
MW_HD_SMALL Q4 qnormalized(Q4 q) {
  const float n = sqrtf(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
  const float s = n > 1e-12f ? 1.0f / n : 0.0f;
  return n > 1e-12f ? Q4{q.w * s, q.x * s, q.y * s, q.z * s} : Q4{1.0f, 0.0f, 0.0f, 0.0f};
}
// Body -> world.
MW_HD_SMALL V3 qrot(Q4 q, V3 v) {
  const V3 u{q.x, q.y, q.z};
  const V3 t = 2.0f * cross(u, v);
  return v + q.w * t + cross(u, t);
}
// World -> body.
MW_HD_SMALL V3 qrot_inv(Q4 q, V3 v) { return qrot(Q4{q.w, -q.x, -q.y, -q.z}, v); }
// Normalized linear interpolation along the shorter arc (for swept contact tests).
MW_HD_SMALL Q4 qnlerp(Q4 a, Q4 b, float s) {
  const float d = a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z;
  const float sb = d < 0.0f ? -s : s;
  return qnormalized(Q4{a.w * (1 - s) + b.w * sb, a.x * (1 - s) + b.x * sb, a.y * (1 - s) + b.y * sb,
                        a.z * (1 - s) + b.z * sb});
}
// Roll-pitch-yaw (extrinsic x, y, z) to a quaternion, as Isaac's euler_to_quaternion.
MW_HD_SMALL Q4 quat_from_rpy(float roll, float pitch, float yaw) {
  const float cr = cosf(roll * 0.5f), sr = sinf(roll * 0.5f);
  const float cp = cosf(pitch * 0.5f), sp = sinf(pitch * 0.5f);
  const float cy = cosf(yaw * 0.5f), sy = sinf(yaw * 0.5f);
  return Q4{cr * cp * cy + sr * sp * sy, sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy};
}

MW_HD_SMALL V3 load3(const float* p) { return V3{p[0], p[1], p[2]}; }
MW_HD_SMALL void store3(float* p, V3 v) {
  p[0] = v.x;
  p[1] = v.y;
  p[2] = v.z;
}
MW_HD_SMALL Q4 load4(const float* p) { return Q4{p[0], p[1], p[2], p[3]}; }
MW_HD_SMALL void store4(float* p, Q4 q) {
  p[0] = q.w;
  p[1] = q.x;
  p[2] = q.y;
  p[3] = q.z;
}

}  // namespace mw::vb
