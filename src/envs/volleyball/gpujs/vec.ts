/**
 * Vector and quaternion helpers of the volleyball host code on the gpujs backend (the sequential
 * phases: contact, rules, spawn), after `native/envs/volleyball/vb_math.h`. Values are plain
 * objects computed in double precision; the state they come from and go to is float32.
 * Quaternions are (w, x, y, z), Hamilton product, rotating body vectors into the world frame.
 * @module
 * @internal
 */

/** A 3-vector. @internal */
export interface V3 { x: number; y: number; z: number }
/** A quaternion (w, x, y, z). @internal */
export interface Q4 { w: number; x: number; y: number; z: number }

/** Builds a vector. @internal */
export const v3 = (x: number, y: number, z: number): V3 => ({ x, y, z });
/** a + b. @internal */
export const add = (a: V3, b: V3): V3 => ({ x: a.x + b.x, y: a.y + b.y, z: a.z + b.z });
/** a − b. @internal */
export const sub = (a: V3, b: V3): V3 => ({ x: a.x - b.x, y: a.y - b.y, z: a.z - b.z });
/** a · s. @internal */
export const scale = (a: V3, s: number): V3 => ({ x: a.x * s, y: a.y * s, z: a.z * s });
/** Dot product. @internal */
export const dot = (a: V3, b: V3): number => a.x * b.x + a.y * b.y + a.z * b.z;
/** Cross product. @internal */
export const cross = (a: V3, b: V3): V3 => ({ x: a.y * b.z - a.z * b.y, y: a.z * b.x - a.x * b.z, z: a.x * b.y - a.y * b.x });
/** Euclidean norm. @internal */
export const norm = (a: V3): number => Math.sqrt(dot(a, a));
/** Norm of the horizontal (x, y) part. @internal */
export const normXY = (a: V3): number => Math.sqrt(a.x * a.x + a.y * a.y);
/** v clamped to [lo, hi]. @internal */
export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** a / |a|, or +z for a (near) zero vector. @internal */
export function normalized(a: V3): V3 {
  const n = norm(a);
  return n > 1e-12 ? scale(a, 1 / n) : v3(0, 0, 1);
}

/** Hamilton product a b. @internal */
export function qmul(a: Q4, b: Q4): Q4 {
  return {
    w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
    x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
    y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
    z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
  };
}

/** q / |q|, or the identity for a (near) zero quaternion. @internal */
export function qnormalized(q: Q4): Q4 {
  const n = Math.sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
  if (!(n > 1e-12)) return { w: 1, x: 0, y: 0, z: 0 };
  const s = 1 / n;
  return { w: q.w * s, x: q.x * s, y: q.y * s, z: q.z * s };
}

/** Rotates body vector v into the world frame. @internal */
export function qrot(q: Q4, v: V3): V3 {
  const u = v3(q.x, q.y, q.z);
  const t = scale(cross(u, v), 2);
  return add(add(v, scale(t, q.w)), cross(u, t));
}

/** Rotates world vector v into the body frame. @internal */
export const qrotInv = (q: Q4, v: V3): V3 => qrot({ w: q.w, x: -q.x, y: -q.y, z: -q.z }, v);

/** Normalized linear interpolation along the shorter arc. @internal */
export function qnlerp(a: Q4, b: Q4, s: number): Q4 {
  const d = a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z;
  const sb = d < 0 ? -s : s;
  return qnormalized({ w: a.w * (1 - s) + b.w * sb, x: a.x * (1 - s) + b.x * sb, y: a.y * (1 - s) + b.y * sb, z: a.z * (1 - s) + b.z * sb });
}

/** Roll-pitch-yaw (extrinsic x, y, z) to a quaternion. @internal */
export function quatFromRpy(roll: number, pitch: number, yaw: number): Q4 {
  const cr = Math.cos(roll * 0.5), sr = Math.sin(roll * 0.5);
  const cp = Math.cos(pitch * 0.5), sp = Math.sin(pitch * 0.5);
  const cy = Math.cos(yaw * 0.5), sy = Math.sin(yaw * 0.5);
  return {
    w: cr * cp * cy + sr * sp * sy, x: sr * cp * cy - cr * sp * sy,
    y: cr * sp * cy + sr * cp * sy, z: cr * cp * sy - sr * sp * cy,
  };
}

/** Reads a vector at `o`. @internal */
export const load3 = (a: ArrayLike<number>, o: number): V3 => ({ x: a[o], y: a[o + 1], z: a[o + 2] });
/** Reads a quaternion (w, x, y, z) at `o`. @internal */
export const load4 = (a: ArrayLike<number>, o: number): Q4 => ({ w: a[o], x: a[o + 1], y: a[o + 2], z: a[o + 3] });

/** Writes a vector at `o`. @internal */
export function store3(a: Float32Array, o: number, v: V3): void {
  a[o] = v.x; a[o + 1] = v.y; a[o + 2] = v.z;
}

/** Writes a quaternion at `o`. @internal */
export function store4(a: Float32Array, o: number, q: Q4): void {
  a[o] = q.w; a[o + 1] = q.x; a[o + 2] = q.y; a[o + 3] = q.z;
}
