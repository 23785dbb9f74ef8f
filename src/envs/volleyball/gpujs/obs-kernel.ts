/**
 * gpu.js kernel of the volleyball observations (`write_observations_t` in
 * native/envs/volleyball/vb_obs.h): one thread per observation element. Element k of a drone's
 * observation is the 23-number root block (pos, quat, vel, world angular velocity, heading, up,
 * throttles; mirrored half a turn about z for the far team) for k < 23, then the task's own layout
 * (docs/envs/volleyball.md, "Observations"). Drones come through an index list, so the same
 * kernel serves the full pass of a step and the few drones of reset envs. Threads are
 * element-major (thread x: element `floor(x / chunk)` of list item `itemBase + x mod chunk`), so
 * adjacent threads take the same branches; the caller transposes the result.
 * @module
 * @internal
 */

import type { KernelThis } from '../../../backends/gpujs/runtime.js';

/**
 * Observation kernel. Arguments: item base; `list` `[L]` drone index of each item; drones
 * `[13, N]`; control state `[10, N]`; ball `[E, 12]`; rule ints `[E, 8]`; `stepFlags` `[E + N]`: each
 * env's step count, then each drone's flags (one array, so the kernel binds 7 inputs and its
 * output: WebGPU's default limit is 8 storage buffers per shader stage); anchors `[A, 3]`.
 * Constants: `numItems` (L), `numDrones` (N), `numEnvs` (E), `chunk`, `task`, `A`, `teamSize`,
 * `maxSteps`. @internal
 */
export function observationKernel(
  this: KernelThis, itemBase: number, list: Float32Array, drones: Float32Array, ctl: Float32Array, ball: Float32Array,
  ruleI: Int32Array, stepFlags: Float32Array, anchors: Float32Array,
): number {
  const x = this.thread.x;
  const k = Math.floor((x + 0.5) / this.constants.chunk);
  const item = Math.min(itemBase + x - k * this.constants.chunk, this.constants.numItems - 1);
  const i = list[item];
  const N = this.constants.numDrones;
  const task = this.constants.task;
  const nA = this.constants.A;
  const env = Math.floor((i + 0.5) / nA);
  const a = i - env * nA;
  let team = 0;
  if (task >= 6) {
    team = Math.floor((a + 0.5) / this.constants.teamSize);
  }
  let sgn = 1;
  if (team === 1) {
    sgn = -1;
  }
  // One assignment per path and a single return: on webasm's SIMD path every branch is guarded
  // by its lane mask, and code after an early return would still run for the other lanes.
  let out = 0;
  if (k < 3) {
    out = drones[k * N + i];
    if (k < 2) {
      out = out * sgn;
    }
  } else if (k >= 7 && k < 10) {
    out = drones[k * N + i];
    if (k < 9) {
      out = out * sgn;
    }
  } else if (k >= 19 && k < 23) {
    out = ctl[(k - 19) * N + i] * 2 - 1;
  } else if (k >= 10 && k < 13) {
    // World angular velocity qrot(q, w) (the unmirrored attitude), then mirrored.
    const qw = drones[3 * N + i];
    const qx = drones[4 * N + i];
    const qy = drones[5 * N + i];
    const qz = drones[6 * N + i];
    const wx = drones[10 * N + i];
    const wy = drones[11 * N + i];
    const wz = drones[12 * N + i];
    const tx = 2 * (qy * wz - qz * wy);
    const ty = 2 * (qz * wx - qx * wz);
    const tz = 2 * (qx * wy - qy * wx);
    if (k === 10) {
      out = (wx + qw * tx + (qy * tz - qz * ty)) * sgn;
    } else if (k === 11) {
      out = (wy + qw * ty + (qz * tx - qx * tz)) * sgn;
    } else {
      out = wz + qw * tz + (qx * ty - qy * tx);
    }
  } else if (k < 23) {
    // Attitude (mirrored: (0, 0, 0, 1) q; w >= 0 from BumpAndPass on), heading and up.
    let qw = drones[3 * N + i];
    let qx = drones[4 * N + i];
    let qy = drones[5 * N + i];
    let qz = drones[6 * N + i];
    if (team === 1) {
      const mw = -qz;
      const mx = -qy;
      qz = qw;
      qy = qx;
      qw = mw;
      qx = mx;
    }
    if (task >= 3 && qw < 0) {
      qw = -qw;
      qx = -qx;
      qy = -qy;
      qz = -qz;
    }
    if (k === 3) {
      out = qw;
    } else if (k === 4) {
      out = qx;
    } else if (k === 5) {
      out = qy;
    } else if (k === 6) {
      out = qz;
    } else if (k === 13) {
      out = 1 - 2 * (qy * qy + qz * qz);
    } else if (k === 14) {
      out = 2 * (qx * qy + qw * qz);
    } else if (k === 15) {
      out = 2 * (qx * qz - qw * qy);
    } else if (k === 16) {
      out = 2 * (qx * qz + qw * qy);
    } else if (k === 17) {
      out = 2 * (qy * qz - qw * qx);
    } else {
      out = 1 - 2 * (qx * qx + qy * qy);
    }
  } else {
    const j = k - 23;
    const g = Math.floor((j + 0.5) / 3);
    const cc = j - g * 3;
    let ms = 1;
    if (cc < 2) {
      ms = sgn;
    }
    if (task === 0) {
      let tgt = 2;
      if (ruleI[env * 8 + 5] > 0) {
        if (cc === 0) { tgt = 9; } else if (cc === 1) { tgt = 4.5; }
      } else {
        if (cc === 0) { tgt = 4.5; } else if (cc === 1) { tgt = 0; }
      }
      out = tgt - drones[cc * N + i];
    } else if (j < 3) {
      out = (drones[cc * N + i] - anchors[a * 3 + cc]) * ms;
    } else if (task <= 2) {
      if (g === 1) {
        out = drones[cc * N + i] - ball[env * 12 + cc];
      } else {
        out = ball[env * 12 + 3 + cc];
      }
    } else if (task <= 6) {
      const h = j - 12;
      const turn = ruleI[env * 8];
      if (g === 1) {
        out = (drones[cc * N + env * nA + 1 - a] - drones[cc * N + i]) * ms;
      } else if (g === 2) {
        out = (drones[cc * N + i] - ball[env * 12 + cc]) * ms;
      } else if (g === 3) {
        out = ball[env * 12 + 3 + cc] * ms;
      } else if (task === 3) {
        if (h < 2) {
          if (h === turn) { out = 1; }
        } else if (h < 4) {
          if (h - 2 === a) { out = 1; }
        } else {
          out = stepFlags[env] / this.constants.maxSteps;
        }
      } else if (task === 6) {
        let slot = 1;
        if (turn === a) { slot = 0; }
        if (h === slot) { out = 1; }
      } else if (h < 3) {
        if (h === turn) { out = 1; }
      } else if (h - 3 === a) {
        out = 1;
      }
    } else {
      // 3v3, 6v6.
      const n = this.constants.teamSize;
      if (g === 1) {
        out = (ball[env * 12 + cc] - drones[cc * N + i]) * ms;
      } else if (g === 2) {
        out = ball[env * 12 + 3 + cc] * ms;
      } else if (j < 11) {
        let slot = 1;
        if (ruleI[env * 8 + 2] === team) { slot = 0; }
        if (j - 9 === slot) { out = 1; }
      } else if (j < 11 + n) {
        if (j - 11 === a - team * n) { out = 1; }
      } else if (j < 13 + n) {
        const f = stepFlags[this.constants.numEnvs + i];
        let bit = 0;
        if (f - Math.floor((f + 0.5) / 2) * 2 > 0) { bit = 1; }
        if (j - 11 - n === bit) { out = 1; }
      } else {
        // Every drone's position, own team first.
        const q = j - 13 - n;
        const kk = Math.floor((q + 0.5) / 3);
        const comp = q - kk * 3;
        let other = kk + team * n;
        if (other >= nA) { other = other - nA; }
        let ps = 1;
        if (comp < 2) { ps = sgn; }
        out = drones[comp * N + env * nA + other] * ps;
      }
    }
  }
  return out;
}
