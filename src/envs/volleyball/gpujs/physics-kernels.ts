/**
 * gpu.js kernels of the volleyball drone physics (native/envs/volleyball/vb_physics.h), one
 * thread per drone and state component, in the portable subset of docs/gpujs.md: self-contained
 * bodies, literal constants, loops bounded by `this.constants`, integer indices below 2^24.
 * Threads and state are component-major: thread x of a call handles component
 * `floor(x / chunk)` of drone `itemBase + x mod chunk` (`chunk`: the drones of one call), and the
 * state arrays are `[component, drone]`.
 *
 * - {@link controlKernel} (once per step, 10 threads per drone): actions to rotor commands (clip,
 *   or the CTBR rate PID), then the first-order rotor lag. Outputs the drone's control state:
 *   throttle 0–3, PID integral 4–6, last body rate 7–9.
 * - {@link integrateKernel} (once per substep, 13 threads per drone): rotor thrust and torque,
 *   downwash from the env's other drones (read-only inputs, poses at the substep start), and the
 *   semi-implicit Euler step with damping and the energy-bounded gyroscopic update. Outputs the
 *   packed drone state (pos 0–2, quat 3–6, vel 7–9, body angular velocity 10–12). Translational
 *   threads compute only their axis (and the downwash sum along it); rotational threads compute
 *   the attitude update, which needs no downwash.
 * @module
 * @internal
 */

import type { KernelThis } from '../../../backends/gpujs/runtime.js';

/**
 * Control kernel. Arguments: item base, actions `[N, 4]`, drones `[13, N]`, control state `[10, N]`.
 * Constants: `numItems` (N), `chunk`, `ctbr` (1 in thrustBodyRates mode). @internal
 */
export function controlKernel(this: KernelThis, itemBase: number, actions: Float32Array, drones: Float32Array, ctl: Float32Array): number {
  const x = this.thread.x;
  const part = Math.floor((x + 0.5) / this.constants.chunk);
  const d = Math.min(itemBase + x - part * this.constants.chunk, this.constants.numItems - 1);
  const N = this.constants.numItems;
  if (this.constants.ctbr === 0) {
    if (part >= 4) return ctl[part * N + d];
    const cmd = Math.min(Math.max(actions[d * 4 + part], -1), 1);
    const target = Math.sqrt(Math.min(Math.max((cmd + 1) * 0.5, 0), 1));
    const th = ctl[part * N + d];
    return th + 0.43 * (target - th);
  }
  // Rate PID per axis (roll 0, pitch 1, yaw 2): rate in deg/s, target from tanh of the action.
  const rate0 = drones[10 * N + d] * 57.29577951;
  const rate1 = drones[11 * N + d] * 57.29577951;
  const rate2 = drones[12 * N + d] * 57.29577951;
  if (part >= 7) {
    if (part === 7) return rate0;
    if (part === 8) return rate1;
    return rate2;
  }
  const err0 = Math.tanh(actions[d * 4]) * 180 * 0.8 - rate0;
  const err1 = Math.tanh(actions[d * 4 + 1]) * 180 * 0.8 - rate1;
  const err2 = Math.tanh(actions[d * 4 + 2]) * 180 * 0.8 - rate2;
  const int0 = Math.min(Math.max(ctl[4 * N + d] + err0 * 0.02, -33.3), 33.3);
  const int1 = Math.min(Math.max(ctl[5 * N + d] + err1 * 0.02, -33.3), 33.3);
  const int2 = Math.min(Math.max(ctl[6 * N + d] + err2 * 0.02, -166.7), 166.7);
  if (part === 4) return int0;
  if (part === 5) return int1;
  if (part === 6) return int2;
  const der0 = -(rate0 - ctl[7 * N + d]) / 0.02;
  const der1 = -(rate1 - ctl[8 * N + d]) / 0.02;
  const out0 = Math.min(Math.max(250 * err0 + 500 * int0 + 2.5 * der0, -32767), 32767);
  const out1 = Math.min(Math.max(250 * err1 + 500 * int1 + 2.5 * der1, -32767), 32767);
  const out2 = Math.min(Math.max(120 * err2 + 16.7 * int2 + 0 * (-(rate2 - ctl[9 * N + d]) / 0.02), -32767), 32767);
  const thrust = Math.min(Math.max((Math.tanh(actions[d * 4 + 3]) + 1) * 0.5, 0), 1) * 65536;
  const roll = out0 * 0.5;
  const pitch = out1 * 0.5;
  // Mixer signs of rotor `part`: roll by the sign of y, pitch by the sign of -x, yaw by -spin.
  let sr = 1;
  let sp = 1;
  let sy = 1;
  if (part === 0) { sr = -1; sp = -1; sy = -1; }
  if (part === 1) { sr = 1; sp = 1; sy = -1; }
  if (part === 2) { sr = 1; sp = -1; sy = 1; }
  if (part === 3) { sr = -1; sp = 1; sy = 1; }
  const mix = thrust + sr * roll + sp * pitch + sy * out2;
  const cmd = Math.min(Math.max(mix / 65536 * 2 - 1, -1), 1);
  const target = Math.sqrt(Math.min(Math.max((cmd + 1) * 0.5, 0), 1));
  const th = ctl[part * N + d];
  return th + 0.43 * (target - th);
}

/**
 * Integration kernel. Arguments: item base, drones at the substep start `[13, N]`, control state
 * `[10, N]`. Constants: `numItems` (N), `chunk`, `A` (drones per env), `substeps`. @internal
 */
export function integrateKernel(this: KernelThis, itemBase: number, drones: Float32Array, ctl: Float32Array): number {
  const x = this.thread.x;
  const part = Math.floor((x + 0.5) / this.constants.chunk);
  const d = Math.min(itemBase + x - part * this.constants.chunk, this.constants.numItems - 1);
  const N = this.constants.numItems;
  const h = 0.02 / this.constants.substeps;
  const damp = 1 / (1 + 0.2 * h);
  const th0 = ctl[d];
  const th1 = ctl[1 * N + d];
  const th2 = ctl[2 * N + d];
  const th3 = ctl[3 * N + d];
  const t0 = Math.min(Math.max(th0 * th0, 0), 1);
  const t1 = Math.min(Math.max(th1 * th1, 0), 1);
  const t2 = Math.min(Math.max(th2 * th2, 0), 1);
  const t3 = Math.min(Math.max(th3 * th3, 0), 1);
  const f0 = t0 * 6.00318692;
  const f1 = t1 * 6.00318692;
  const f2 = t2 * 6.00318692;
  const f3 = t3 * 6.00318692;
  const qw = drones[3 * N + d];
  const qx = drones[4 * N + d];
  const qy = drones[5 * N + d];
  const qz = drones[6 * N + d];
  // One assignment per path and a single return (see obs-kernel.ts: webasm's SIMD lanes).
  let out = 0;
  if (part < 3 || (part >= 7 && part < 10)) {
    let k = part;
    if (part >= 7) k = part - 7;
    const thrust = f0 + f1 + f2 + f3;
    // Body z thrust rotated into the world: qrot(q, (0, 0, T)), component k.
    const tx = 2 * (qy * thrust);
    const ty = 2 * -(qx * thrust);
    let rot = thrust + (qx * ty - qy * tx);
    if (k === 0) rot = qw * tx - qz * ty;
    if (k === 1) rot = qw * ty + qz * tx;
    const px = drones[d];
    const py = drones[1 * N + d];
    const pz = drones[2 * N + d];
    // Downwash from every other drone of the env, along axis k.
    const envBase = Math.floor((d + 0.5) / this.constants.A) * this.constants.A;
    let extra = 0;
    for (let j = 0; j < this.constants.A; j++) {
      const dj = envBase + j;
      if (dj !== d) {
        const jw = drones[3 * N + dj];
        const jx = drones[4 * N + dj];
        const jy = drones[5 * N + dj];
        const jz = drones[6 * N + dj];
        const ux1 = 2 * jy;
        const uy1 = 2 * -jx;
        const ux = jw * ux1 - jz * uy1;
        const uy = jw * uy1 + jz * ux1;
        const uz = 1 + (jx * uy1 - jy * ux1);
        const ddx = drones[dj] - px;
        const ddy = drones[1 * N + dj] - py;
        const ddz = drones[2 * N + dj] - pz;
        const zz = ddx * ux + ddy * uy + ddz * uz;
        const lx = ddx - ux * zz;
        const ly = ddy - uy * zz;
        const lz = ddz - uz * zz;
        const r2 = lx * lx + ly * ly + lz * lz;
        if (zz > 0 && r2 <= 25 * zz * zz) {
          const s0 = Math.min(Math.max(ctl[dj] * ctl[dj], 0), 1) * 6.00318692;
          const s1 = Math.min(Math.max(ctl[1 * N + dj] * ctl[1 * N + dj], 0), 1) * 6.00318692;
          const s2 = Math.min(Math.max(ctl[2 * N + dj] * ctl[2 * N + dj], 0), 1) * 6.00318692;
          const s3 = Math.min(Math.max(ctl[3 * N + dj] * ctl[3 * N + dj], 0), 1) * 6.00318692;
          const tj = s0 + s1 + s2 + s3;
          const qq = 2 * Math.sqrt(r2) / zz;
          const den = 1 + 0.3 * zz;
          const push = -tj * Math.exp(-0.5 * qq * qq) / (den * den);
          let uk = uz;
          if (k === 0) uk = ux;
          if (k === 1) uk = uy;
          extra = extra + uk * push;
        }
      }
    }
    let grav = 0;
    if (k === 2) grav = -9.81;
    const acc = rot * (1 / 1.52) + extra * (1 / 1.52) + grav;
    const vk = (drones[(7 + k) * N + d] + acc * h) * damp;
    if (part >= 7) {
      out = vk;
    } else {
      out = drones[k * N + d] + vk * h;
    }
  } else {
    // Rotational part: torque, gyroscopic update scaled back to the starting energy, then attitude.
    const tqx = 0 + -0.22 * f0 + 0.2 * f1 + 0.22 * f2 + -0.2 * f3;
    const tqy = 0 - 0.13 * f0 - -0.13 * f1 - 0.13 * f2 - -0.13 * f3;
    const tqz = 0 + -1 * t0 * 0.0960504 + -1 * t1 * 0.0960504 + t2 * 0.0960504 + t3 * 0.0960504;
    const wx = drones[10 * N + d];
    const wy = drones[11 * N + d];
    const wz = drones[12 * N + d];
    const iwx = 0.0347563 * wx;
    const iwy = 0.0458929 * wy;
    const iwz = 0.0977 * wz;
    const gx = iwy * wz - iwz * wy;
    const gy = iwz * wx - iwx * wz;
    const gz = iwx * wy - iwy * wx;
    let gwx = wx + gx * (1 / 0.0347563) * h;
    let gwy = wy + gy * (1 / 0.0458929) * h;
    let gwz = wz + gz * (1 / 0.0977) * h;
    const e0 = wx * iwx + wy * iwy + wz * iwz;
    const e1 = 0.0347563 * gwx * gwx + 0.0458929 * gwy * gwy + 0.0977 * gwz * gwz;
    let ratio = 1;
    if (e1 > e0) ratio = e0 / e1;
    const sq = Math.sqrt(ratio);
    gwx = gwx * sq;
    gwy = gwy * sq;
    gwz = gwz * sq;
    const nwx = (gwx + tqx * (1 / 0.0347563) * h) * damp;
    const nwy = (gwy + tqy * (1 / 0.0458929) * h) * damp;
    const nwz = (gwz + tqz * (1 / 0.0977) * h) * damp;
    if (part === 10) {
      out = nwx;
    } else if (part === 11) {
      out = nwy;
    } else if (part === 12) {
      out = nwz;
    } else {
      const half = 0.5 * h;
      const bx = nwx * half;
      const by = nwy * half;
      const bz = nwz * half;
      const mw = qw - qx * bx - qy * by - qz * bz;
      const mx = qw * bx + qx + qy * bz - qz * by;
      const my = qw * by - qx * bz + qy + qz * bx;
      const mz = qw * bz + qx * by - qy * bx + qz;
      const norm = Math.sqrt(mw * mw + mx * mx + my * my + mz * mz);
      if (norm > 1e-12) {
        const inv = 1 / norm;
        if (part === 3) {
          out = mw * inv;
        } else if (part === 4) {
          out = mx * inv;
        } else if (part === 5) {
          out = my * inv;
        } else {
          out = mz * inv;
        }
      } else if (part === 3) {
        out = 1;
      }
    }
  }
  return out;
}
