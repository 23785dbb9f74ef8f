/**
 * Volleyball rules and observation layouts through the public API, checked against truths
 * computed here: kinematics of the served ball, the termination and reward formulas of
 * reference/volleyball.md §5 evaluated on the world state in `infos`, and the observation blocks of
 * §4 rebuilt from `infos.drones` / `infos.ball` (with the far team's half-turn mirror).
 */
import { describe, expect, it } from 'vitest';
import { CounterRng, type VectorEnv, type VolleyballInfos, type VolleyballTask, volleyballEpisodeMetrics } from '../../src/index.js';
import {
  DT, GRAVITY, HOVER_COMMAND, HOVER_THROTTLE, ballOf, droneOf, makeVb, mirror, norm, obsOf, rotate, sub32, taskFacts, vbBackends,
  type Vec3,
} from '../helpers/volleyball.js';

/** A reset/step result with the volleyball types. */
type VbResult = { obs: Float32Array; infos: VolleyballInfos };
const vb = (r: unknown): VbResult => r as VbResult;
const hover = (env: VectorEnv): Float32Array => new Float32Array(env.actions.length).fill(HOVER_COMMAND);
/** Hover plus a little noise, so that attitudes and rates are not trivial. */
const jitter = (env: VectorEnv, rng: CounterRng, amp = 0.15): Float32Array =>
  Float32Array.from({ length: env.actions.length }, () => HOVER_COMMAND + amp * (2 * rng.uniform() - 1));

/** Anchors of the near team (x > 0) in 3v3 and 6v6; the far team's are (−x, −y, z). */
const ANCHORS: Record<string, Vec3[]> = {
  '3v3': [[3, -1.5, 2], [3, 1.5, 2], [6, 0, 2]],
  '6v6': [[3, -3, 2], [3, 0, 2], [3, 3, 2], [6, -3, 2], [9, 0, 2], [6, 3, 2]],
};

/** Top of the drone's collision box above its centre (0.11 m box) plus the ball radius. */
const CONTACT_LIFT = 0.055 + 0.1;

/** Steps until a ball falling from rest `drop` metres has its centre `drop` lower: the step whose end passes it. */
function fallSteps(drop: number): number {
  return Math.ceil(Math.sqrt((2 * drop) / GRAVITY) / DT);
}

const skip = vbBackends('Volleyball-3v3-v0').length === 0;

describe.skipIf(skip)('3v3: the serve falls onto the server and is a legal hit', () => {
  for (const side of [0, 1]) {
    it(`serving team ${side}: first touch at the free-fall step, hits marks the server, its team gets +10; the rebound is a double touch that loses the rally`, () => {
      // randomServe false serves from team 0; with randomServe true find a seed that serves from team 1.
      let env: VectorEnv | undefined;
      for (let seed = 0; seed < 64 && !env; seed++) {
        const e = makeVb('3v3', { seed, config: { randomServe: side === 1 } });
        const b = ballOf(e.reset().infos as VolleyballInfos, 0);
        if (Math.sign(b.pos[0]) === (side === 0 ? 1 : -1)) env = e;
        else e.close();
      }
      expect(env, 'a seed serving from this side').toBeDefined();
      const v = env!;
      const A = 6, server = 3 * side + 2, team = (a: number): number => (a < 3 ? 0 : 1);
      const infos = v.reset().infos as VolleyballInfos;
      const sign = side === 0 ? 1 : -1;
      const plus0 = (v: number[]): number[] => v.map((x) => x + 0); // -0 -> +0
      expect(plus0(droneOf(infos, A, 0, server).pos)).toEqual([6 * sign, 0, 2]);
      expect(plus0(ballOf(infos, 0).pos)).toEqual([6 * sign, 0, 5]);
      expect(plus0(ballOf(infos, 0).vel)).toEqual([0, 0, 0]);
      for (let a = 0; a < A; a++) {
        const c = ANCHORS['3v3'][a % 3];
        expect(plus0(droneOf(infos, A, 0, a).pos)).toEqual(plus0(a < 3 ? c : [-c[0], -c[1], c[2]]));
      }
      const predicted = fallSteps(3 - CONTACT_LIFT);
      expect(predicted).toBe(39);
      let hitStep = -1;
      for (let t = 1; t <= 60 && hitStep < 0; t++) {
        const r = v.step(hover(v));
        const ball = ballOf(r.infos as VolleyballInfos, 0);
        const hits = Array.from(r.infos.hits as Uint8Array);
        if (hits.some(Boolean)) {
          hitStep = t;
          expect(hits).toEqual(Array.from({ length: A }, (_, a) => (a === server ? 1 : 0)));
          expect(ball.vel[2], 'the ball bounces up').toBeGreaterThan(4);
          for (let a = 0; a < A; a++) {
            if (team(a) === side) {
              expect(r.rewards[a], `drone ${a} (serving team)`).toBeGreaterThanOrEqual(10);
              expect(r.rewards[a]).toBeLessThan(10.6);
            } else {
              expect(r.rewards[a], `drone ${a} (other team)`).toBeLessThan(0.06);
            }
          }
          break;
        }
        // Before the touch: free fall, and the shaping rewards of §5.7: ball proximity for the
        // drones that may still touch (at the serve only the server: VolleyBots marks every other
        // drone as already hit), anchor proximity for everyone.
        expect(ball.pos[2]).toBeCloseTo(5 - 0.5 * GRAVITY * (t * DT) ** 2, 4);
        expect(ball.vel[2]).toBeCloseTo(-GRAVITY * t * DT, 4);
        for (let a = 0; a < A; a++) {
          const d = droneOf(r.infos as VolleyballInfos, A, 0, a).pos;
          const c = ANCHORS['3v3'][a % 3], anchor: Vec3 = a < 3 ? c : [-c[0], -c[1], c[2]];
          const want = (a === server ? 0.5 / (1 + norm(sub32(d, ball.pos))) : 0) + 0.05 / (1 + norm(sub32(d, anchor)));
          expect(r.rewards[a], `t=${t} drone ${a}`).toBeCloseTo(want, 5);
        }
        expect(r.terminations[0]).toBe(0);
      }
      expect(Math.abs(hitStep - predicted), `first touch at step ${hitStep}, free fall predicts ${predicted}`).toBeLessThanOrEqual(1);

      // The ball flies up and comes down on the same drone: its second touch in one possession.
      const after = v.step(hover(v));
      const b = ballOf(after.infos as VolleyballInfos, 0), d = droneOf(after.infos as VolleyballInfos, A, 0, server);
      const zc = d.pos[2] + CONTACT_LIFT;
      const tau = (b.vel[2] + Math.sqrt(b.vel[2] ** 2 + 2 * GRAVITY * (b.pos[2] - zc))) / GRAVITY;
      const secondPredicted = hitStep + 1 + Math.ceil(tau / DT);
      let end = -1;
      for (let t = hitStep + 2; t <= hitStep + 120; t++) {
        const r = v.step(hover(v));
        if (!r.terminations[0]) {
          expect(r.truncations[0]).toBe(0);
          continue;
        }
        end = t;
        expect(Array.from(r.terminations)).toEqual(new Array(A).fill(1));
        expect(Array.from(r.infos.hits as Uint8Array), 'a second touch is not a legal hit').toEqual(new Array(A).fill(0));
        const m = volleyballEpisodeMetrics(r.infos as VolleyballInfos, 0);
        expect(m).toEqual({ team0Win: side === 0 ? 0 : 1, team1Win: side === 0 ? 1 : 0, draw: 0, numHits: 1, numTurns: 0, endCase: 1 });
        for (let a = 0; a < A; a++) {
          if (team(a) === side) expect(r.rewards[a]).toBeLessThan(-99);
          else expect(r.rewards[a]).toBeGreaterThanOrEqual(100);
        }
        expect(r.infos.episode.length[0]).toBe(t);
        break;
      }
      expect(Math.abs(end - secondPredicted), `rally ends at step ${end}, ballistics predict ${secondPredicted}`).toBeLessThanOrEqual(1);
      v.close();
    });
  }
});

describe.skipIf(vbBackends('Volleyball-BackAndForth-v0').length === 0)('BackAndForth', () => {
  const A_: Vec3 = [4.5, 0, 2], B: Vec3 = [9, 4.5, 2];

  it('hovering never reaches the target: terminations are exactly z < 0.4, z > 5 or distance > 7.5; rewards 0.5 / (1 + d²) − 10 · misbehave', () => {
    const E = 4;
    const env = makeVb('BackAndForth', { numEnvs: E, seed: 3, autoresetMode: 'next-step' });
    expect(env.metadata.config).toMatchObject({ maxEpisodeSteps: 800 });
    const first = env.reset().infos as VolleyballInfos;
    for (let e = 0; e < E; e++) {
      const d0 = droneOf(first, 1, e, 0);
      expect(d0.pos, 'BackAndForth starts exactly at A').toEqual(A_);
      // Spawn attitude: roll and pitch within ±0.1π: the body z axis is within 0.1π·√2 of vertical.
      expect(rotate(d0.quat, [0, 0, 1])[2]).toBeGreaterThan(Math.cos(0.1 * Math.PI * Math.SQRT2) - 1e-6);
    }
    const endedAt = new Array<number>(E).fill(0);
    for (let t = 1; t <= 800 && endedAt.some((x) => x === 0); t++) {
      const r = env.step(hover(env));
      const infos = r.infos as VolleyballInfos;
      for (let e = 0; e < E; e++) {
        if (endedAt[e]) continue;
        const p = droneOf(infos, 1, e, 0).pos;
        const d = norm(sub32(B, p));
        expect(d, 'never within 0.6 m of the target').toBeGreaterThan(0.6);
        const misbehave = p[2] < 0.4 || p[2] > 5 || d > 7.5;
        expect(r.terminations[e], `env ${e} t=${t} z=${p[2]} d=${d}`).toBe(misbehave ? 1 : 0);
        expect(r.truncations[e]).toBe(0);
        expect(r.rewards[e]).toBeCloseTo(0.5 / (1 + d * d) - (misbehave ? 10 : 0), 5);
        expect(r.obs.subarray(e * 26 + 23, e * 26 + 26)).toEqual(Float32Array.from(sub32(B, p)));
        if (!misbehave) continue;
        endedAt[e] = t;
        expect(infos.episode.done[e]).toBe(1);
        expect(volleyballEpisodeMetrics(infos, e)).toEqual({ targetReached: 0 });
      }
    }
    // Tilted by the spawn noise, a drone at hover thrust slides away and sinks long before 800 steps.
    for (const t of endedAt) {
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThan(800);
    }
    env.close();
  });

  it('with maxEpisodeSteps 25 the hovering episode is truncated at step 25 with targetReached 0', () => {
    const env = makeVb('BackAndForth', { seed: 3, config: { maxEpisodeSteps: 25 } });
    env.reset();
    for (let t = 1; t <= 25; t++) {
      const r = env.step(hover(env));
      expect(r.terminations[0]).toBe(0);
      expect(r.truncations[0]).toBe(t === 25 ? 1 : 0);
      if (t === 25) {
        expect(r.infos.episode.length[0]).toBe(25);
        expect(volleyballEpisodeMetrics(r.infos as VolleyballInfos, 0)).toEqual({ targetReached: 0 });
      }
    }
    env.close();
  });
});

describe.skipIf(vbBackends('Volleyball-SoloBump-v0').length === 0)('observation layouts (reference/volleyball.md §4)', () => {
  /** Checks the 23-D root-state block of one agent against its world state. */
  function checkRootState(o: number[], d: ReturnType<typeof droneOf>, far: boolean, positiveW: boolean, label: string): void {
    const m = (v: Vec3): Vec3 => (far ? mirror(v) : v);
    expect(o.slice(0, 3), `${label} pos`).toEqual(m(d.pos));
    expect(o.slice(7, 10), `${label} vel`).toEqual(m(d.vel));
    expect(o.slice(10, 13), `${label} angular velocity (world)`).toEqual(m(d.omega));
    const q = o.slice(3, 7) as [number, number, number, number];
    expect(Math.abs(norm(q) - 1)).toBeLessThan(1e-5);
    if (positiveW) expect(q[0], `${label} w >= 0`).toBeGreaterThanOrEqual(0);
    if (!far && !positiveW) expect(q, `${label} quat`).toEqual(d.quat);
    // Heading and up are the body x and z axes in the (mirrored) world frame; the observed
    // quaternion rotates onto them too.
    const heading = m(rotate(d.quat, [1, 0, 0])), up = m(rotate(d.quat, [0, 0, 1]));
    for (let k = 0; k < 3; k++) {
      expect(o[13 + k]).toBeCloseTo(heading[k], 5);
      expect(o[16 + k]).toBeCloseTo(up[k], 5);
      expect(rotate(q, [1, 0, 0])[k]).toBeCloseTo(heading[k], 5);
      expect(rotate(q, [0, 0, 1])[k]).toBeCloseTo(up[k], 5);
    }
    for (let k = 19; k < 23; k++) {
      expect(o[k]).toBeGreaterThanOrEqual(-1);
      expect(o[k]).toBeLessThanOrEqual(1);
    }
  }

  it('SoloBump: root state = infos.drones, throttles start at hover, pos − anchor, drone − ball, ball velocity', () => {
    const env = makeVb('SoloBump', { numEnvs: 2, seed: 9, autoresetMode: 'same-step' });
    let r = vb(env.reset());
    for (let e = 0; e < 2; e++) {
      const o = obsOf(env, r.obs, e, 0);
      expect(o.slice(19, 23)).toEqual(new Array(4).fill(Math.fround(2 * Math.fround(HOVER_THROTTLE) - 1)).map((x) => expect.closeTo(x, 6)));
      // Ball at rest 2 m above the drone.
      const d = droneOf(r.infos, 1, e, 0), b = ballOf(r.infos, e);
      expect(b.pos).toEqual([d.pos[0], d.pos[1], Math.fround(d.pos[2] + 2)]);
      expect(Math.abs(d.pos[0] - 4.5)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(d.pos[1])).toBeLessThanOrEqual(0.5);
      expect(Math.abs(d.pos[2] - 2)).toBeLessThanOrEqual(0.2);
    }
    const rng = new CounterRng(2);
    for (let t = 0; t <= 30; t++) {
      if (t > 0) r = vb(env.step(jitter(env, rng)));
      for (let e = 0; e < 2; e++) {
        const o = obsOf(env, r.obs, e, 0), d = droneOf(r.infos, 1, e, 0), b = ballOf(r.infos, e);
        checkRootState(o, d, false, false, `t=${t} env ${e}`);
        expect(o.slice(23, 26)).toEqual(sub32(d.pos, [4.5, 0, 2]));
        expect(o.slice(26, 29), 'obs[26..29) = drone − ball').toEqual(sub32(d.pos, b.pos));
        expect(o.slice(29, 32), 'obs[29..32) = ball velocity').toEqual(b.vel);
      }
    }
    env.close();
  });

  for (const task of ['3v3', '6v6'] as VolleyballTask[]) {
    it(`${task}: the far team sees the court turned half a turn about z: positions, ball − drone, velocities and all drones (own team first) mirrored; w >= 0`, () => {
      const f = taskFacts(task), A = f.drones, n = A / 2;
      const env = makeVb(task, { config: { randomServe: false } });
      expect(env.metadata.teams).toEqual(f.teams);
      let r = vb(env.reset());
      expect(Array.from(r.infos.teams)).toEqual(f.teams);
      const rng = new CounterRng(6);
      let sawHit = false;
      for (let t = 0; t <= 45; t++) {
        // Hover (with some jitter early on) so that the served ball lands on the server around step 39.
        if (t > 0) r = vb(env.step(t < 20 ? jitter(env, rng, 0.05) : hover(env)));
        const b = ballOf(r.infos, 0);
        const server = task === '3v3' ? 2 : 4;
        // The step of the hit already shows the server's touch in its observation.
        if (r.infos.hits[server]) sawHit = true;
        for (let a = 0; a < A; a++) {
          const team = Math.floor(a / n), far = team === 1;
          const m = (v: Vec3): Vec3 => (far ? mirror(v) : v);
          const o = obsOf(env, r.obs, 0, a), d = droneOf(r.infos, A, 0, a);
          const label = `t=${t} drone ${a}`;
          checkRootState(o, d, far, true, label);
          const c = ANCHORS[task][a % n], anchor: Vec3 = far ? [-c[0], -c[1], c[2]] : c;
          expect(o.slice(23, 26), `${label} pos − anchor`).toEqual(m(sub32(d.pos, anchor)));
          expect(o.slice(26, 29), `${label} ball − drone`).toEqual(m(sub32(b.pos, d.pos)));
          expect(o.slice(29, 32), `${label} ball velocity`).toEqual(m(b.vel));
          // The ball stays on team 0's half (x > 0): team 0 has possession.
          expect(o.slice(32, 34), `${label} possession`).toEqual(far ? [0, 1] : [1, 0]);
          expect(o.slice(34, 34 + n), `${label} id within team`).toEqual(Array.from({ length: n }, (_, k) => (k === a % n ? 1 : 0)));
          // Only the server may touch the serve: every other drone reads "already hit" from the reset.
          const touched = a !== server || sawHit;
          expect(o.slice(34 + n, 36 + n), `${label} already hit`).toEqual(touched ? [0, 1] : [1, 0]);
          const others: number[] = [];
          for (let k = 0; k < A; k++) others.push(...m(droneOf(r.infos, A, 0, (k + team * n) % A).pos));
          expect(o.slice(36 + n), `${label} all drones, own team first`).toEqual(others);
          expect(o).toHaveLength(f.obsDim);
        }
      }
      expect(sawHit).toBe(true);
      env.close();
    });
  }

  it('1v1: drone 1 (far side) sees mirrored positions, other − self and drone − ball; turn one-hot', () => {
    const env = makeVb('1v1', { config: { randomServe: false } });
    let r = vb(env.reset());
    const rng = new CounterRng(1);
    for (let t = 0; t <= 15; t++) {
      if (t > 0) r = vb(env.step(jitter(env, rng)));
      const b = ballOf(r.infos, 0);
      for (let a = 0; a < 2; a++) {
        const far = a === 1, m = (v: Vec3): Vec3 => (far ? mirror(v) : v);
        const o = obsOf(env, r.obs, 0, a), d = droneOf(r.infos, 2, 0, a), other = droneOf(r.infos, 2, 0, 1 - a);
        checkRootState(o, d, far, true, `t=${t} drone ${a}`);
        expect(o.slice(23, 26)).toEqual(m(sub32(d.pos, [far ? -1.5 : 1.5, 0, 2])));
        expect(o.slice(26, 29)).toEqual(m(sub32(other.pos, d.pos)));
        expect(o.slice(29, 32)).toEqual(m(sub32(d.pos, b.pos)));
        expect(o.slice(32, 35)).toEqual(m(b.vel));
        // Drone 0 serves (randomServe false): it is in turn until it hits.
        expect(o.slice(35, 37)).toEqual(a === 0 ? [1, 0] : [0, 1]);
      }
    }
    env.close();
  });

  it('BumpAndPass: time encoding obs[39..43) = steps / maxEpisodeSteps (800 by default); turn and id one-hots; other − self', () => {
    for (const [cap, steps] of [[800, 25], [100, 12]] as const) {
      const env = makeVb('BumpAndPass', { seed: 4, config: cap === 800 ? {} : { maxEpisodeSteps: cap } });
      let r = vb(env.reset());
      for (let k = 0; k <= steps; k++) {
        if (k > 0) r = vb(env.step(hover(env)));
        for (let a = 0; a < 2; a++) {
          const o = obsOf(env, r.obs, 0, a), d = droneOf(r.infos, 2, 0, a), other = droneOf(r.infos, 2, 0, 1 - a);
          expect(o.slice(39, 43), `k=${k} drone ${a}`).toEqual(new Array(4).fill(Math.fround(k / cap)));
          expect(o.slice(35, 37), 'turn: drone 0 first').toEqual([1, 0]);
          expect(o.slice(37, 39), 'agent id').toEqual(a === 0 ? [1, 0] : [0, 1]);
          expect(o.slice(23, 26)).toEqual(sub32(d.pos, [4.5, a === 0 ? -2.5 : 2.5, 2]));
          expect(o.slice(26, 29)).toEqual(sub32(other.pos, d.pos));
          expect(o.slice(29, 32)).toEqual(sub32(d.pos, ballOf(r.infos, 0).pos));
          expect(o[3], 'cooperative tasks force w >= 0').toBeGreaterThanOrEqual(0);
        }
      }
      env.close();
    }
  });

  it('SetAndSpike: anchors, ball above the setter, turn one-hot of 3 (setter first) and id one-hot', () => {
    for (const task of ['SetAndSpike', 'SetAndSpikeHard'] as VolleyballTask[]) {
      const env = makeVb(task, { seed: 2 });
      const r = vb(env.reset());
      const setter = droneOf(r.infos, 2, 0, 0), attacker = droneOf(r.infos, 2, 0, 1);
      expect(norm(sub32(setter.pos, [2, -2.5, 2.5]))).toBeLessThan(0.8);
      expect(norm(sub32(attacker.pos, [2, 2.5, 3.5]))).toBeLessThan(0.8);
      expect(ballOf(r.infos, 0).pos).toEqual([setter.pos[0], setter.pos[1], Math.fround(setter.pos[2] + 2)]);
      for (let a = 0; a < 2; a++) {
        const o = obsOf(env, r.obs, 0, a);
        expect(o.slice(35, 38)).toEqual([1, 0, 0]);
        expect(o.slice(38, 40)).toEqual(a === 0 ? [1, 0] : [0, 1]);
      }
      // The Hard task's board waits at (−4, 0, 0.5), axis up; the Easy task has none.
      expect(Array.from(r.infos.board)).toEqual(task === 'SetAndSpikeHard' ? [-4, 0, 0.5, 0, 0, 1] : [0, 0, 0, 0, 0, 0]);
      env.close();
    }
  });
});
