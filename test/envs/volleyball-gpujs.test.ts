/**
 * Volleyball-<Task>-v0 on the gpujs backend (docs/envs/volleyball.md, "gpu.js backend"): every
 * task and config steps within the documented tolerance of the native backend with identical
 * discrete events (hits, terminations, truncations, episode ends) over the documented horizon, in
 * gpu.js modes cpu and webasm and under stepAsync (threaded webasm); spawns are bit-identical;
 * first-principles checks hold on gpujs (ball free fall in closed form, hover holds altitude); bad
 * input gets the native backend's error class, code, message and details.
 */
import { describe, expect, it } from 'vitest';
import {
  ManyWorldsError, make, makeVolleyballPolicy, type MakeOptions, type VectorEnv, type VolleyballConfig, type VolleyballInfos,
  type VolleyballPolicyName, type VolleyballTask, type ResetResult,
} from '../../src/index.js';
import { DT, GRAVITY, HOVER_COMMAND, VB_TASKS, ballOf, droneOf, vbBackends } from '../helpers/volleyball.js';

const both = vbBackends('Volleyball-3v3-v0');
const run = both.includes('native') && both.includes('gpujs');

/** Documented tolerance: largest |native − gpujs| of any state, observation or reward number. */
const TOLERANCE = 5e-3;
/** Documented horizon (steps) over which the discrete events agree (checked here on 8 envs). */
const HORIZON = 200;

type Opts = Omit<MakeOptions<VolleyballConfig>, 'config' | 'backend'> & { config?: VolleyballConfig };

function pair(task: VolleyballTask, mode: 'cpu' | 'webasm', o: Opts = {}): [VectorEnv, VectorEnv] {
  const base = { numEnvs: 8, seed: 11, autoresetMode: 'same-step' as const, ...o, config: o.config ?? {} };
  const id = `Volleyball-${task}-v0` as 'Volleyball-3v3-v0';
  return [make(id, { ...base, backend: 'native' }), make(id, { ...base, backend: 'gpujs', gpujs: { mode } })];
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

const sameEvents = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => maxDiff(a, b) === 0;

/**
 * Steps a native and a gpujs twin with the same actions (from `policy` on the native one) and
 * checks each step; returns the largest difference seen. `async` steps the gpujs twin with
 * stepAsync.
 */
async function compare(task: VolleyballTask, mode: 'cpu' | 'webasm', policy: VolleyballPolicyName, steps: number, o: Opts = {}, async = false): Promise<number> {
  const [nat, gj] = pair(task, mode, o);
  let rn: ResetResult = nat.reset();
  const rg = gj.reset();
  // Same draws: positions and the serve are bit-identical; attitudes (sin/cos of the drawn angles)
  // and the observations derived from them round within an ulp or two.
  const d0 = (rn.infos as VolleyballInfos).drones, d1 = (rg.infos as VolleyballInfos).drones;
  for (let i = 0; i < d0.length; i += 13) expect([d1[i], d1[i + 1], d1[i + 2]], `${task}: spawn position`).toEqual([d0[i], d0[i + 1], d0[i + 2]]);
  expect(maxDiff(d0, d1), `${task}: spawn attitude`).toBeLessThanOrEqual(1e-7);
  expect(maxDiff(rn.obs, rg.obs), `${task}: spawn obs`).toBeLessThanOrEqual(1e-6);
  expect(maxDiff((rn.infos as VolleyballInfos).ball, (rg.infos as VolleyballInfos).ball), `${task}: serve`).toBe(0);
  const act = makeVolleyballPolicy(policy, nat, 7);
  let worst = 0;
  for (let t = 0; t < steps; t++) {
    act(rn.infos as VolleyballInfos, rn.obs as Float32Array);
    gj.actions.set(nat.actions);
    const sn = nat.step();
    rn = sn;
    const r = async ? await gj.stepAsync() : gj.step();
    const a = sn.infos as VolleyballInfos, b = r.infos as VolleyballInfos;
    const where = `${task} ${mode} ${policy} step ${t}`;
    expect(sameEvents(a.hits, b.hits) && sameEvents(sn.terminations, r.terminations) && sameEvents(sn.truncations, r.truncations) &&
      sameEvents(a.episode.done, b.episode.done), `${where}: events`).toBe(true);
    worst = Math.max(worst, maxDiff(sn.obs, r.obs), maxDiff(a.drones, b.drones), maxDiff(a.ball, b.ball), maxDiff(a.board, b.board),
      maxDiff(sn.rewards, r.rewards));
    for (let e = 0; e < nat.numEnvs; e++) {
      if (!a.episode.done[e]) continue;
      expect(b.episode.length[e], where).toBe(a.episode.length[e]);
      for (let k = 0; k < 8; k++) {
        const x = a.episode.metrics[e * 8 + k], y = b.episode.metrics[e * 8 + k];
        if (Number.isNaN(x)) expect(y, where).toBeNaN();
        else expect(Math.abs(x - y), `${where}: metric ${k}`).toBeLessThanOrEqual(TOLERANCE);
      }
      for (let i = e * nat.numAgents; i < (e + 1) * nat.numAgents; i++) {
        expect(Math.abs(a.episode.return[i] - b.episode.return[i]), where).toBeLessThanOrEqual(TOLERANCE * 100);
      }
    }
    if (o.keepFinalObs) worst = Math.max(worst, maxDiff(a.finalObs as Float32Array, b.finalObs as Float32Array));
    expect(worst, where).toBeLessThanOrEqual(TOLERANCE);
  }
  nat.close();
  gj.close();
  return worst;
}

describe.skipIf(!run)('gpujs against native, every task', () => {
  for (const f of VB_TASKS) {
    for (const mode of ['cpu', 'webasm'] as const) {
      it(`${f.task} (${mode}): scripted play, ${HORIZON} steps, same events, state within ${TOLERANCE}`, async () => {
        await compare(f.task, mode, 'scripted', HORIZON);
      });
    }
    it(`${f.task}: random and hover actions (webasm, 60 steps)`, async () => {
      await compare(f.task, 'webasm', 'random', 60);
      await compare(f.task, 'webasm', 'hover', 60);
    });
  }
});

describe.skipIf(!run)('gpujs against native: configs and stepAsync', () => {
  it('thrustBodyRates (rate PID) in a drill, a cooperative and a competitive task', async () => {
    for (const task of ['HitBall', 'SetAndSpike', '3v3'] as const) {
      await compare(task, 'webasm', 'random', 60, { config: { actionMode: 'thrustBodyRates' } });
      await compare(task, 'cpu', 'hover', 60, { config: { actionMode: 'thrustBodyRates' } });
    }
  });

  it('substeps 4, next-step autoreset, keepFinalObs, randomServe off', async () => {
    await compare('1v1', 'webasm', 'scripted', 150, { config: { substeps: 4 } });
    await compare('SetAndSpikeHard', 'cpu', 'scripted', 150, { autoresetMode: 'next-step', config: { substeps: 2 } });
    await compare('6v6', 'webasm', 'random', 60, { keepFinalObs: true, config: { randomServe: false } });
    await compare('BumpAndPass', 'cpu', 'scripted', 120, { keepFinalObs: true });
  });

  it('stepAsync (threaded webasm where available) gives the same results', async () => {
    for (const task of ['SoloBump', '3v3'] as const) await compare(task, 'webasm', 'scripted', 100, {}, true);
  });

  it('masked resets and reseeding respawn exactly as native', () => {
    const [nat, gj] = pair('3v3', 'webasm', { numEnvs: 5 });
    nat.reset(); gj.reset();
    for (let t = 0; t < 5; t++) { nat.actions.fill(HOVER_COMMAND); gj.actions.fill(HOVER_COMMAND); nat.step(); gj.step(); }
    const mask = [0, 1, 0, 1, 1];
    const a = nat.reset({ mask, seed: 40 }), b = gj.reset({ mask, seed: 40 });
    expect(maxDiff((a.infos as VolleyballInfos).drones, (b.infos as VolleyballInfos).drones)).toBeLessThanOrEqual(TOLERANCE);
    for (const e of [1, 3, 4]) {
      const n = nat.numAgents * nat.obsSize;
      expect(maxDiff(a.obs.subarray(e * n, (e + 1) * n), b.obs.subarray(e * n, (e + 1) * n)), `env ${e}`).toBeLessThanOrEqual(1e-6);
    }
    nat.close(); gj.close();
  });
});

describe.skipIf(!both.includes('gpujs'))('first principles on gpujs', () => {
  for (const mode of ['cpu', 'webasm'] as const) {
    it(`${mode}: the served ball falls in closed form and hovering drones hold their altitude`, () => {
      const env = make('Volleyball-3v3-v0', { numEnvs: 1, seed: 0, backend: 'gpujs', gpujs: { mode }, config: { randomServe: false } });
      env.reset();
      for (let t = 1; t <= 35; t++) {
        const r = env.step(new Float32Array(env.actions.length).fill(HOVER_COMMAND));
        const infos = r.infos as VolleyballInfos;
        expect(ballOf(infos, 0).pos[2]).toBeCloseTo(5 - 0.5 * GRAVITY * (t * DT) ** 2, 4);
        for (let a = 0; a < 6; a++) expect(Math.abs(droneOf(infos, 6, 0, a).pos[2] - 2)).toBeLessThan(1e-3);
      }
      expect(env.metadata.backend).toBe('gpujs');
      expect((env.metadata.gpujs as { mode: string }).mode).toBe(mode);
      env.close();
    });
  }
});

/** The error a call throws, as plain facts. */
function caught(fn: () => unknown): { cls: string; code: string; message: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    const e = err as ManyWorldsError;
    return { cls: e.constructor.name, code: e.code, message: e.message, details: (e as unknown as { details?: unknown }).details };
  }
  throw new Error('expected a throw');
}

describe.skipIf(!run)('bad input: same errors as native', () => {
  const bad: Array<[string, (a: Float32Array) => void]> = [
    ['NaN', (a) => { a[9] = NaN; }],
    ['negative NaN', (a) => { new Uint32Array(a.buffer, a.byteOffset, a.length)[5] = 0xffc00000; }],
    ['+Infinity', (a) => { a[14] = Infinity; }],
    ['-Infinity', (a) => { a[3] = -Infinity; }],
    ['a finite value beyond 3.4e38', (a) => { a[22] = 3.4028234e38; }],
  ];
  for (const [what, poison] of bad) {
    it(`${what} in the actions: InvalidActionError with the native message; the env is untouched and still steps`, async () => {
      const [nat, gj] = pair('3v3', 'webasm', { numEnvs: 2 });
      const infosN = nat.reset().infos as VolleyballInfos, infosG = gj.reset().infos as VolleyballInfos;
      for (const env of [nat, gj]) { env.actions.fill(HOVER_COMMAND); poison(env.actions as Float32Array); }
      const before = Float32Array.from(infosG.drones);
      const n = caught(() => nat.step()), g = caught(() => gj.step());
      expect(g).toEqual(n);
      expect(g.cls).toBe('InvalidActionError');
      await expect(gj.stepAsync()).rejects.toMatchObject({ code: n.code, message: n.message });
      expect(maxDiff(infosG.drones, before)).toBe(0);
      for (const env of [nat, gj]) env.actions.fill(HOVER_COMMAND);
      nat.step(); gj.step();
      expect(maxDiff(infosN.drones, infosG.drones)).toBeLessThanOrEqual(TOLERANCE);
      nat.close(); gj.close();
    });
  }

  it('finite actions just below the 3.4e38 bound clip to +-1 on both backends, like +-1 itself', () => {
    // The native core once treated |x| >= 3.0e38 as non-finite: it stepped with command 0 and
    // then threw after the state had changed.
    const [nat, gj] = pair('3v3', 'webasm', { numEnvs: 2 });
    const [natOne, gjOne] = pair('3v3', 'webasm', { numEnvs: 2 });
    const states = [nat, gj, natOne, gjOne].map((env) => env.reset().infos as VolleyballInfos);
    for (let t = 0; t < 3; t++) {
      for (const [env, big] of [[nat, 3.2e38], [gj, 3.2e38], [natOne, 1], [gjOne, 1]] as const) {
        const a = env.actions as Float32Array;
        a.fill(HOVER_COMMAND);
        a[4 * t] = big; a[4 * t + 5] = -big;
        env.step();
      }
    }
    expect(maxDiff(states[0].drones, states[2].drones), 'native: 3.2e38 acts as +1').toBe(0);
    expect(maxDiff(states[1].drones, states[3].drones), 'gpujs: 3.2e38 acts as +1').toBe(0);
    expect(maxDiff(states[0].drones, states[1].drones)).toBeLessThanOrEqual(TOLERANCE);
    for (const env of [nat, gj, natOne, gjOne]) env.close();
  });

  it('stepping before reset, and after an episode end with autoreset disabled: ResetNeededError as native', () => {
    const [nat, gj] = pair('HitBall', 'cpu', { numEnvs: 2, autoresetMode: 'disabled' });
    expect(caught(() => gj.step())).toEqual(caught(() => nat.step()));
    nat.reset({ mask: [1, 0] }); gj.reset({ mask: [1, 0] });
    expect(caught(() => gj.step())).toEqual(caught(() => nat.step()));
    const infosN = nat.reset().infos as VolleyballInfos, infosG = gj.reset().infos as VolleyballInfos;
    for (const env of [nat, gj]) env.actions.fill(-1);   // rotors off: the drone falls and the episode ends
    for (let t = 0; t < 100 && !infosN.episode.done.some(Boolean); t++) { nat.step(); gj.step(); }
    expect(infosN.episode.done.some(Boolean)).toBe(true);
    expect(infosG.episode.done).toEqual(infosN.episode.done);
    const n = caught(() => nat.step());
    expect(n.cls).toBe('ResetNeededError');
    expect(caught(() => gj.step())).toEqual(n);
    nat.close(); gj.close();
  });
});
