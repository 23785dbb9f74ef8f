/**
 * Volleyball-<Task>-v0 through the public API: registration and task facts against the spec
 * (specs/volleyball.md, reference/volleyball.md §1–§5), the config options, the infos views and
 * episode metrics, and a few first-principles checks of the physics that the API exposes (free
 * fall, hover equilibrium, rotor lag, yaw torque sign, CTBR hover).
 */
import { describe, expect, it } from 'vitest';
import {
  CounterRng, VOLLEYBALL_END_CASES, VOLLEYBALL_TASKS, availableBackends, listEnvs, volleyballEpisodeMetrics,
  type VectorEnv, type VolleyballInfos, type VolleyballTask,
} from '../../src/index.js';
import { sampleActions } from '../helpers/conformance.js';
import {
  DT, GRAVITY, HOVER_COMMAND, HOVER_THROTTLE, VB_TASKS, ballOf, droneOf, makeVb, obsOf, vbBackends,
} from '../helpers/volleyball.js';

const COURTS: Record<VolleyballTask, [number, number]> = {
  BackAndForth: [18, 9], HitBall: [18, 9], SoloBump: [18, 9], BumpAndPass: [18, 9], SetAndSpike: [18, 9],
  SetAndSpikeHard: [18, 9], '1v1': [6, 3], '3v3': [12, 6], '6v6': [18, 9],
};
const hover = (env: VectorEnv): Float32Array => new Float32Array(env.actions.length).fill(HOVER_COMMAND);
const native = vbBackends('Volleyball-3v3-v0').includes('native');

describe('registration and task facts', () => {
  it('every task is registered as Volleyball-<Task>-v0 with the facts of the spec', () => {
    const listed = listEnvs().filter((e) => e.id.startsWith('Volleyball-'));
    expect(listed.map((e) => e.id)).toEqual(VB_TASKS.map((f) => f.id));
    for (const e of listed) {
      expect(e.backends).toContain('native');
      expect(e.description).toMatch(/VolleyBots/);
    }
    expect(Object.keys(VOLLEYBALL_TASKS)).toEqual(VB_TASKS.map((f) => f.task));
    for (const f of VB_TASKS) {
      const info = VOLLEYBALL_TASKS[f.task];
      expect({ drones: info.drones, obsDim: info.obsDim, maxSteps: info.maxSteps, court: [...info.court] }, f.task)
        .toEqual({ drones: f.drones, obsDim: f.obsDim, maxSteps: f.maxSteps, court: COURTS[f.task] });
      expect(info.teamSize).toBe(f.task === '1v1' ? 1 : f.task === '3v3' ? 3 : f.task === '6v6' ? 6 : 0);
    }
    const native = availableBackends().find((b) => b.name === 'native')!;
    for (const f of VB_TASKS) expect(native.envs).toContain(f.id);
  });

  it('metric names per task and the endCase codes', () => {
    expect(VOLLEYBALL_TASKS.BackAndForth.metricNames).toEqual(['targetReached']);
    expect(VOLLEYBALL_TASKS.HitBall.metricNames).toEqual(['numTrueHits', 'ballDoneX', 'ballDoneXDistToAnchor']);
    expect(VOLLEYBALL_TASKS.SoloBump.metricNames).toEqual(['numTrueHits', 'ballZMax', 'numHeightHits']);
    expect(VOLLEYBALL_TASKS.BumpAndPass.metricNames).toEqual(['numSuccessHits', 'numSuccessCross', 'crossHeight']);
    for (const t of ['SetAndSpike', 'SetAndSpikeHard'] as const) {
      expect(VOLLEYBALL_TASKS[t].metricNames).toEqual(['inTarget', 'downwardSpike', 'spikeVz', 'successHits', 'boardAttempted', 'boardReturned']);
    }
    for (const t of ['1v1', '3v3', '6v6'] as const) {
      expect(VOLLEYBALL_TASKS[t].metricNames).toEqual(['team0Win', 'team1Win', 'draw', 'numHits', 'numTurns', 'endCase']);
    }
    expect(Object.keys(VOLLEYBALL_END_CASES).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe.skipIf(!native)('config options and infos', () => {
  it('metadata carries the resolved config; defaults are VolleyBots\'', () => {
    for (const f of VB_TASKS) {
      const env = makeVb(f.task);
      expect(env.metadata.config).toEqual({
        task: f.task, actionMode: 'rotorThrust', substeps: 1, maxEpisodeSteps: f.maxSteps, randomServe: true,
        court: COURTS[f.task], teamSize: VOLLEYBALL_TASKS[f.task].teamSize,
      });
      env.close();
    }
  });

  it('infos: drones are world states (never mirrored), the ball is zero without one, the board only in the Hard task', () => {
    for (const f of VB_TASKS) {
      const env = makeVb(f.task, { numEnvs: 2, seed: 1 });
      const infos = env.reset().infos as VolleyballInfos;
      for (let e = 0; e < 2; e++) {
        for (let a = 0; a < f.drones; a++) {
          const d = droneOf(infos, f.drones, e, a);
          expect(d.vel).toEqual([0, 0, 0]);
          expect(d.omega).toEqual([0, 0, 0]);
          // Far-team drones are on the far side (x < 0) in infos even though their obs are mirrored.
          if (f.teams[a] === 1) expect(d.pos[0]).toBeLessThan(0);
          else expect(d.pos[0]).toBeGreaterThan(0);
        }
        const b = ballOf(infos, e);
        if (f.task === 'BackAndForth') expect([...b.pos, ...b.vel]).toEqual([0, 0, 0, 0, 0, 0]);
        else expect(b.vel).toEqual([0, 0, 0]);
        expect(Array.from(infos.board.subarray(6 * e, 6 * e + 6))).toEqual(f.task === 'SetAndSpikeHard' ? [-4, 0, 0.5, 0, 0, 1] : [0, 0, 0, 0, 0, 0]);
      }
      expect(Array.from(infos.hits)).toEqual(new Array(2 * f.drones).fill(0));
      env.close();
    }
  });

  it('randomServe draws the serving side per env and episode; false always serves from team 0 (drone 0 in 1v1)', () => {
    for (const task of ['1v1', '3v3', '6v6'] as const) {
      const lift = task === '1v1' ? 1.5 : 3;
      const env = makeVb(task, { numEnvs: 16, seed: 100 });
      const sides: number[] = [];
      for (let ep = 0; ep < 3; ep++) {
        const infos = env.reset().infos as VolleyballInfos;
        for (let e = 0; e < 16; e++) {
          const b = ballOf(infos, e);
          sides.push(b.pos[0] > 0 ? 0 : 1);
          // The ball hangs at rest `lift` metres above one drone.
          const A = VOLLEYBALL_TASKS[task].drones;
          const under = Array.from({ length: A }, (_, a) => droneOf(infos, A, e, a).pos)
            .filter((p) => p[0] === b.pos[0] && p[1] === b.pos[1] && Math.abs(b.pos[2] - p[2] - lift) < 1e-5);
          expect(under, `${task} env ${e}`).toHaveLength(1);
        }
      }
      const far = sides.filter(Boolean).length;
      expect(far, `${task}: far-side serves out of 48`).toBeGreaterThan(12);
      expect(far).toBeLessThan(36);
      env.close();
      const fixed = makeVb(task, { numEnvs: 8, seed: 100, config: { randomServe: false } });
      const infos = fixed.reset().infos as VolleyballInfos;
      for (let e = 0; e < 8; e++) expect(ballOf(infos, e).pos[0]).toBeGreaterThan(0);
      fixed.close();
    }
  });

  it('episode metrics: the task\'s slots, NaN where a metric does not apply', () => {
    for (const f of VB_TASKS) {
      const env = makeVb(f.task, { numEnvs: 4, seed: 8, autoresetMode: 'same-step' });
      env.reset();
      const rng = new CounterRng(3);
      let ends = 0;
      for (let t = 0; t < 80; t++) {
        const r = env.step(sampleActions(env, rng));
        const infos = r.infos as VolleyballInfos;
        for (let e = 0; e < 4; e++) {
          if (!infos.episode.done[e]) continue;
          ends++;
          const raw = Array.from(infos.episode.metrics.subarray(8 * e, 8 * e + 8));
          const used = VOLLEYBALL_TASKS[f.task].metricNames.length;
          expect(raw.slice(used).every(Number.isNaN), `${f.task}: unused slots`).toBe(true);
          const m = volleyballEpisodeMetrics(infos, e);
          expect(Object.keys(m)).toEqual([...VOLLEYBALL_TASKS[f.task].metricNames]);
          if (f.task === 'HitBall' && Number.isNaN(m.ballDoneX)) expect(m.ballDoneXDistToAnchor).toBeNaN();
          if (f.task === 'HitBall' && !Number.isNaN(m.ballDoneX)) expect(m.ballDoneXDistToAnchor).toBeCloseTo(m.ballDoneX - 4.5, 5);
          if (f.task === 'SetAndSpike') expect([m.boardAttempted, m.boardReturned]).toEqual([NaN, NaN]);
          if (f.task === 'SetAndSpikeHard') expect([0, 1]).toContain(m.boardAttempted);
          if ((f.task === 'SetAndSpike' || f.task === 'SetAndSpikeHard') && m.downwardSpike === 0 && m.successHits < 2) expect(m.spikeVz).toBeNaN();
          if (f.teams.some(Boolean)) {
            expect(m.team0Win + m.team1Win + m.draw).toBeLessThanOrEqual(1);
            expect(Object.keys(VOLLEYBALL_END_CASES)).toContain(String(m.endCase));
            // A decided rally names a rule case 1..6; a draw or no decision does not count as a win.
            if (m.team0Win || m.team1Win) expect(m.endCase).toBeGreaterThanOrEqual(1);
            if (m.team0Win || m.team1Win) expect(m.endCase).toBeLessThanOrEqual(6);
          }
          if (f.task !== 'BackAndForth' && !f.teams.some(Boolean)) expect(Object.values(m).some((x) => !Number.isNaN(x))).toBe(true);
        }
      }
      expect(ends, f.task).toBeGreaterThan(0);
      env.close();
    }
  });

  it('substeps: the ball still falls exactly, the drones stay put at hover, and the served ball is hit at the same step', () => {
    for (const substeps of [1, 4, 16]) {
      const env = makeVb('3v3', { config: { randomServe: false, substeps } });
      env.reset();
      let hit = -1;
      for (let t = 1; t <= 45 && hit < 0; t++) {
        const r = env.step(hover(env));
        const infos = r.infos as VolleyballInfos;
        if (infos.hits[2]) hit = t;
        else expect(ballOf(infos, 0).pos[2]).toBeCloseTo(5 - 0.5 * GRAVITY * (t * DT) ** 2, 4);
        expect(Math.abs(droneOf(infos, 6, 0, 0).pos[2] - 2)).toBeLessThan(1e-3);
      }
      expect(hit, `substeps ${substeps}`).toBe(39);
      env.close();
    }
  });
});

describe.skipIf(!native)('physics seen through the API', () => {
  it('hover: level drones at the hover command stay within 1 mm of their anchors for 30 steps; throttles stay at sqrt(m g / 4 KF)', () => {
    const env = makeVb('6v6', { config: { randomServe: false } });
    const start = env.reset().infos as VolleyballInfos;
    const p0 = Array.from({ length: 12 }, (_, a) => droneOf(start, 12, 0, a).pos);
    let r = env.step(hover(env));
    for (let t = 1; t < 30; t++) r = env.step(hover(env));
    for (let a = 0; a < 12; a++) {
      const d = droneOf(r.infos as VolleyballInfos, 12, 0, a);
      for (let k = 0; k < 3; k++) expect(Math.abs(d.pos[k] - p0[a][k])).toBeLessThan(1e-3);
      const o = obsOf(env, r.obs, 0, a);
      for (let k = 19; k < 23; k++) expect(o[k]).toBeCloseTo(2 * HOVER_THROTTLE - 1, 4);
    }
    env.close();
  });

  it('rotor lag: after a step command the throttle closes 0.43 of the gap per step (1 − 0.57^n), up and down', () => {
    for (const cmd of [1, -1]) {
      const env = makeVb('3v3', { config: { randomServe: false } });
      env.reset();
      const target = Math.sqrt((cmd + 1) / 2);
      for (let n = 1; n <= 8; n++) {
        const r = env.step(new Float32Array(env.actions.length).fill(cmd));
        const throttle = target + (HOVER_THROTTLE - target) * 0.57 ** n;
        expect(obsOf(env, r.obs, 0, 0)[19], `cmd ${cmd} n=${n}`).toBeCloseTo(2 * throttle - 1, 4);
      }
      env.close();
    }
  });

  it('yaw: more thrust on rotors 0 and 1 (spin +1) than on 2 and 3 (spin −1) turns the drone clockwise (ω_z < 0)', () => {
    const env = makeVb('3v3', { config: { randomServe: false } });
    env.reset();
    // Rotors at (0.13, −0.22), (−0.13, 0.20), (0.13, 0.22), (−0.13, −0.20) (PX4 iris.sdf): changes in
    // the ratio 1 : 1.1 : −1 : −1.1 leave total thrust, roll and pitch torque unchanged.
    const act = new Float32Array(env.actions.length);
    const d = 0.1;
    for (let i = 0; i < act.length; i += 4) act.set([HOVER_COMMAND + d, HOVER_COMMAND + 1.1 * d, HOVER_COMMAND - d, HOVER_COMMAND - 1.1 * d], i);
    let r = env.step(act);
    for (let t = 1; t < 10; t++) r = env.step(act);
    const w = droneOf(r.infos as VolleyballInfos, 6, 0, 0).omega;
    expect(w[2]).toBeLessThan(-0.02);
    expect(Math.abs(w[2])).toBeGreaterThan(20 * Math.hypot(w[0], w[1]));
    env.close();
  });

  it('thrustBodyRates: zero rate targets and tanh⁻¹(hover command) thrust hold a level drone in place', () => {
    const env = makeVb('3v3', { config: { randomServe: false, actionMode: 'thrustBodyRates' } });
    env.reset();
    const act = new Float32Array(env.actions.length);
    for (let i = 3; i < act.length; i += 4) act[i] = Math.atanh(HOVER_COMMAND);
    let r = env.step(act);
    for (let t = 1; t < 30; t++) r = env.step(act);
    for (let a = 0; a < 6; a++) {
      const d = droneOf(r.infos as VolleyballInfos, 6, 0, a);
      expect(Math.abs(d.pos[2] - 2)).toBeLessThan(2e-3);
      expect(Math.hypot(...d.omega)).toBeLessThan(1e-3);
    }
    env.close();
  });
});
