/**
 * The scripted volleyball controller: its mixer against the rotor geometry (computed here from the
 * PX4 iris.sdf layout, independently of the controller), position hold and a 3 m move on
 * BackAndForth, its rotor-lag model against the engine's throttles, and the scripted policy's
 * Solo Bump juggling.
 */
import { describe, expect, it } from 'vitest';
import {
  DroneController, DroneTarget, HOVER_COMMAND, HOVER_THROTTLE, IRIS, availableBackends, make, makeVolleyballPolicy,
  mixRotorThrusts, type VolleyballInfos,
} from '../../src/index.js';

const native = availableBackends().some((b) => b.name === 'native' && b.available);

// Rotor geometry written out here: positions (x, y), spin directions, per-rotor maxima.
const POS = [[0.13, -0.22], [-0.13, 0.2], [0.13, 0.22], [-0.13, -0.2]];
const DIR = [1, 1, -1, -1];
const KF = 838 ** 2 * 8.54858e-6, KM = 838 ** 2 * 1.3677728816219314e-7;

/** Collective thrust and body torques of per-rotor thrusts f (N): Σ r_i × (0, 0, f_i) − dir_i (KM/KF) f_i ẑ. */
function wrench(f: ArrayLike<number>): [number, number, number, number] {
  let t = 0, tx = 0, ty = 0, tz = 0;
  for (let i = 0; i < 4; i++) {
    t += f[i];
    tx += POS[i][1] * f[i];
    ty -= POS[i][0] * f[i];
    tz -= DIR[i] * (KM / KF) * f[i];
  }
  return [t, tx, ty, tz];
}

describe('mixer', () => {
  it('per-rotor thrusts reproduce the requested collective thrust and torques', () => {
    const requests: Array<[number, number, number, number]> = [
      [IRIS.mass * IRIS.gravity, 0, 0, 0], [15, 0.3, -0.2, 0.01], [18, -0.5, 0.25, -0.03], [10, 0.1, 0.1, 0.05], [20, 0, 0, -0.02],
    ];
    for (const req of requests) {
      for (const saturate of [false, true]) {
        const f = mixRotorThrusts(...req, new Float64Array(4), saturate);
        for (const v of f) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(KF); }
        const got = wrench(f);
        for (let k = 0; k < 4; k++) expect(got[k]).toBeCloseTo(req[k], 6); // the engine rounds KM, KF to float32
      }
    }
    // Hover: equal thrusts, each the hover command at steady state.
    const h = mixRotorThrusts(IRIS.mass * IRIS.gravity, 0, 0, 0, [0, 0, 0, 0]);
    for (const v of h) expect(2 * (v / KF) - 1).toBeCloseTo(HOVER_COMMAND, 5);
    expect(HOVER_COMMAND).toBeCloseTo(0.2419, 4);
  });

  it('out of range: rotors stay in [0, max]; roll and pitch are kept before yaw', () => {
    const f = mixRotorThrusts(16, 0.3, -0.2, 0.5, new Float64Array(4));
    for (const v of f) { expect(v).toBeGreaterThanOrEqual(-1e-12); expect(v).toBeLessThanOrEqual(KF + 1e-12); }
    const [t, tx, ty, tz] = wrench(f);
    expect(t).toBeCloseTo(16, 9);
    expect(tx).toBeCloseTo(0.3, 9);
    expect(ty).toBeCloseTo(-0.2, 9);
    expect(tz).toBeGreaterThan(0); // same sign, reduced
    expect(tz).toBeLessThan(0.5);
  });
});

describe.skipIf(!native)('flight control on the native engine', () => {
  it('holds a point within 0.1 m after 200 steps, then flies 3 m within 4 s (BackAndForth)', () => {
    const env = make('Volleyball-BackAndForth-v0', { numEnvs: 8, seed: 3, numThreads: 1, config: { maxEpisodeSteps: 10_000 } });
    try {
      const infos = env.reset().infos as VolleyballInfos;
      const ctl = new DroneController(), tgt = new DroneTarget();
      const throttle = new Float32Array(4 * env.numEnvs).fill(HOVER_THROTTLE);
      const actions = env.actions as Float32Array;
      const fly = (goal: readonly number[], steps: number): void => {
        for (let t = 0; t < steps; t++) {
          for (let e = 0; e < env.numEnvs; e++) ctl.control(infos.drones, 13 * e, tgt.set(goal[0], goal[1], goal[2]), actions, 4 * e, throttle, 4 * e);
          env.step();
          expect(Array.from(infos.episode.done)).not.toContain(1);
        }
      };
      const dist = (e: number, goal: readonly number[]): number =>
        Math.hypot(infos.drones[13 * e] - goal[0], infos.drones[13 * e + 1] - goal[1], infos.drones[13 * e + 2] - goal[2]);
      const a = [4.5, 0.5, 2.5], b = [7.5, 0.5, 2.5];
      fly(a, 200); // from a random attitude (roll/pitch up to 18 degrees, any yaw)
      for (let e = 0; e < env.numEnvs; e++) expect(dist(e, a)).toBeLessThan(0.1);
      fly(b, 200);
      for (let e = 0; e < env.numEnvs; e++) {
        expect(dist(e, b)).toBeLessThan(0.1);
        expect(Math.hypot(infos.drones[13 * e + 7], infos.drones[13 * e + 8], infos.drones[13 * e + 9])).toBeLessThan(0.2);
      }
    } finally {
      env.close();
    }
  });

  it("the policy's rotor-lag model matches the engine's throttles (with or without observations)", () => {
    const opts = { numEnvs: 4, seed: 9, numThreads: 1 } as const;
    const a = make('Volleyball-SoloBump-v0', opts), b = make('Volleyball-SoloBump-v0', opts);
    try {
      const ra = a.reset(), rb = b.reset();
      const pa = makeVolleyballPolicy('scripted', a, 0), pb = makeVolleyballPolicy('scripted', b, 0);
      for (let t = 0; t < 150; t++) {
        pa(ra.infos as VolleyballInfos, ra.obs as Float32Array); // throttles read from the observations
        pb(rb.infos as VolleyballInfos); // throttles from the policy's own model
        for (let i = 0; i < a.actions.length; i++) expect(b.actions[i]).toBeCloseTo(a.actions[i], 4);
        b.actions.set(a.actions);
        a.step();
        b.step();
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('scripted Solo Bump: at least 10 true hits per 800-step episode, the drone never falls', () => {
    const env = make('Volleyball-SoloBump-v0', { numEnvs: 64, seed: 0, numThreads: 2 });
    try {
      const r = env.reset();
      const infos = r.infos as VolleyballInfos;
      const policy = makeVolleyballPolicy('scripted', env, 0);
      let episodes = 0, hits = 0, heightHits = 0, terminated = 0;
      for (let t = 0; t < 800; t++) {
        policy(infos, r.obs as Float32Array);
        const s = env.step();
        for (let e = 0; e < env.numEnvs; e++) {
          if (s.terminations[e]) terminated++;
          if (!infos.episode.done[e]) continue;
          episodes++;
          hits += infos.episode.metrics[8 * e];
          heightHits += infos.episode.metrics[8 * e + 2];
        }
      }
      expect(episodes).toBe(64);
      expect(terminated).toBe(0); // every episode runs to the 800-step cap: no fall, no lost ball
      expect(hits / episodes).toBeGreaterThanOrEqual(10); // 14 at the time of writing
      expect(heightHits / episodes).toBeGreaterThanOrEqual(8); // bounces over 3.5 m
    } finally {
      env.close();
    }
  });

  it("'hover' keeps a level drone up, 'random' is reproducible, 'scripted' needs per-rotor actions", () => {
    const env = make('Volleyball-HitBall-v0', { numEnvs: 2, seed: 1, numThreads: 1 });
    try {
      makeVolleyballPolicy('hover', env, 0)(env.reset().infos as VolleyballInfos);
      expect(Array.from(env.actions).every((v) => Math.abs(v - HOVER_COMMAND) < 1e-6)).toBe(true);
      makeVolleyballPolicy('random', env, 7)(env.reset().infos as VolleyballInfos);
      const first = Array.from(env.actions);
      makeVolleyballPolicy('random', env, 7)(env.reset().infos as VolleyballInfos);
      expect(Array.from(env.actions)).toEqual(first);
      expect(first.every((v) => v >= -1 && v <= 1)).toBe(true);
    } finally {
      env.close();
    }
    const ctbr = make('Volleyball-SoloBump-v0', { numEnvs: 1, seed: 1, numThreads: 1, config: { actionMode: 'thrustBodyRates' } });
    try {
      expect(() => makeVolleyballPolicy('scripted', ctbr, 0)).toThrow(/rotorThrust/);
    } finally {
      ctbr.close();
    }
  });
});
