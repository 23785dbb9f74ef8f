/**
 * API conformance of VectorEnv / ParallelEnv, written after Gymnasium's vector-env checks
 * (spaces contain what reset/step return, autoreset modes, seeding, determinism) and PettingZoo's
 * `parallel_api_test` (agent sets, dict keys, agents leaving), run for MAPF-v0 and every
 * Volleyball-<Task>-v0 on every available backend.
 */
import { describe, expect, it } from 'vitest';
import {
  CounterRng, EnvClosedError, ResetNeededError, VOLLEYBALL_TASKS, make, spaces, volleyballEpisodeMetrics, type AutoresetMode,
  type BackendName, type CollisionSystem, type MakeOptions, type MapfConfig, type MapfInfos, type OnTarget, type VectorEnv,
  type VolleyballConfig, type VolleyballInfos, type DispatchConfig, type DispatchInfos, type DispatchObsLayout, splitDispatchObservation,
} from '../../src/index.js';
import { mapfBackends, pairs, snapshot, type Snapshot } from '../helpers/mapf.js';
import { digest as digestAll, rowsOf, sampleActions, snapshotAll, trajectory as trajectoryAll, type Outputs } from '../helpers/conformance.js';
import { HOVER_COMMAND, VB_TASKS, droneOf, makeVb, norm, obsOf, vbBackends, type VbOptions } from '../helpers/volleyball.js';
import { METRICS, conservationGap, dims, dispatchBackends, makeDispatch, metricsOf, randomValidActions, type DispatchOptions } from '../helpers/dispatch.js';

const backends = mapfBackends();
const SYSTEMS: CollisionSystem[] = ['priority', 'blockBoth', 'soft'];
const MODES: OnTarget[] = ['finish', 'nothing', 'restart'];

function mk(backend: BackendName, config: MapfConfig, opts: Omit<MakeOptions<MapfConfig>, 'config' | 'backend'> = {}): VectorEnv {
  return make('MAPF-v0', { numEnvs: 3, seed: 11, numThreads: 1, ...opts, backend, config });
}

/** A random config on 8x8 random maps (random placement, per-env maps). */
const RANDOM: MapfConfig = { numAgents: 5, size: 8, density: 0.2, obsRadius: 2, maxEpisodeSteps: 9 };

function randomActions(rng: CounterRng, n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.below(5);
  return a;
}

/** FNV-1a over the bytes of every output buffer: one number per step for cross-run comparisons. */
function digest(env: VectorEnv, r: { obs: ArrayBufferView; rewards?: ArrayBufferView; terminations?: ArrayBufferView; truncations?: ArrayBufferView; infos: Record<string, unknown> }): number {
  let h = 0x811c9dc5;
  const feed = (v: ArrayBufferView | undefined): void => {
    if (!v) return;
    const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  };
  const i = r.infos as MapfInfos;
  [r.obs, r.rewards, r.terminations, r.truncations, i.agentMask, i.positions, i.goals, i.episode.done].forEach(feed);
  // Episode stats are only meaningful where done = 1.
  for (let e = 0; e < env.numEnvs; e++) {
    if (!i.episode.done[e]) continue;
    feed(i.episode.length.subarray(e, e + 1));
    feed(i.episode.return.subarray(e * env.numAgents, (e + 1) * env.numAgents));
    feed(i.episode.metrics.subarray(e * i.episode.metricNames.length, (e + 1) * i.episode.metricNames.length));
  }
  return h >>> 0;
}

function trajectory(env: VectorEnv, steps: number, actionSeed: number, resetOpts: Parameters<VectorEnv['reset']>[0] = {}): number[] {
  const rng = new CounterRng(actionSeed);
  const out = [digest(env, env.reset(resetOpts))];
  for (let t = 0; t < steps; t++) out.push(digest(env, env.step(randomActions(rng, env.numEnvs * env.numAgents))));
  return out;
}

for (const backend of backends) {
  describe(`${backend}: spaces (Gymnasium vector-env checks)`, () => {
    for (const obsDtype of ['float32', 'uint8'] as const) {
      it(`${obsDtype}: spaces describe and contain what reset/step return`, () => {
        const env = mk(backend, { ...RANDOM, obsDtype }, { autoresetMode: 'same-step' });
        const d = 2 * RANDOM.obsRadius! + 1;
        const single = env.singleObservationSpace as spaces.Box;
        expect(single).toBeInstanceOf(spaces.Box);
        expect([...single.shape]).toEqual([3, d, d]);
        expect(single.dtype).toBe(obsDtype);
        expect(env.obsSize).toBe(3 * d * d);
        const obsSpace = env.observationSpace as spaces.Box;
        expect([...obsSpace.shape]).toEqual([3, 5, 3, d, d]);
        expect(env.singleActionSpace).toBeInstanceOf(spaces.Discrete);
        expect((env.singleActionSpace as spaces.Discrete).n).toBe(5);
        expect(env.actionSpace.contains(new Int32Array(15).fill(4))).toBe(true);
        expect(env.actionSpace.contains(new Int32Array(15).fill(5))).toBe(false);
        for (const agent of env.possibleAgents) {
          expect(env.observationSpaceOf(agent)).toBe(env.singleObservationSpace);
          expect(env.actionSpaceOf(agent)).toBe(env.singleActionSpace);
        }
        const rng = new CounterRng(3);
        const check = (obs: Float32Array | Uint8Array): void => {
          expect(obs).toBeInstanceOf(obsDtype === 'uint8' ? Uint8Array : Float32Array);
          expect(obs.length).toBe(env.numEnvs * env.numAgents * env.obsSize);
          expect(env.observationSpace.contains(obs)).toBe(true);
          for (let i = 0; i < env.numEnvs * env.numAgents; i++) expect(single.containsFlat(obs, i * env.obsSize)).toBe(true);
        };
        check(env.reset().obs);
        for (let t = 0; t < 25; t++) {
          const actions = env.actionSpace.sample(rng) as Int32Array;
          expect(env.actionSpace.contains(actions)).toBe(true);
          const r = env.step(actions);
          check(r.obs);
          expect(r.rewards).toBeInstanceOf(Float32Array);
          expect(r.terminations).toBeInstanceOf(Uint8Array);
          expect(r.truncations).toBeInstanceOf(Uint8Array);
          for (const arr of [r.rewards, r.terminations, r.truncations]) {
            expect(arr.length).toBe(15);
            for (const v of arr) expect(v === 0 || v === 1).toBe(true);
          }
          if (obsDtype === 'float32') {
            // The last observation of an ended episode is in the space too.
            const fin = r.infos.finalObs;
            expect(fin).toBeUndefined();
          }
        }
        env.close();
      });
    }

    it('finalObs (keepFinalObs) lies in the observation space', () => {
      const env = mk(backend, RANDOM, { autoresetMode: 'same-step', keepFinalObs: true });
      env.reset();
      const rng = new CounterRng(4);
      let ended = 0;
      for (let t = 0; t < 20; t++) {
        const r = env.step(randomActions(rng, 15));
        const fin = r.infos.finalObs as Float32Array;
        expect(fin).toBeInstanceOf(Float32Array);
        for (let e = 0; e < 3; e++) {
          if (!r.infos.episode.done[e]) continue;
          ended++;
          for (let a = 0; a < 5; a++) expect(env.singleObservationSpace instanceof spaces.Box && (env.singleObservationSpace as spaces.Box).containsFlat(fin, (e * 5 + a) * env.obsSize)).toBe(true);
        }
      }
      expect(ended).toBeGreaterThan(0);
      env.close();
    });

    it('agent names and metadata', () => {
      const env = mk(backend, RANDOM, { autoresetMode: 'next-step', seed: 77 });
      expect(env.possibleAgents).toEqual(['agent_0', 'agent_1', 'agent_2', 'agent_3', 'agent_4']);
      expect(env.numAgents).toBe(5);
      expect(env.numEnvs).toBe(3);
      expect(env.id).toBe('MAPF-v0');
      expect(env.metadata.autoresetMode).toBe('next-step');
      expect(env.metadata.backend).toBe(backend);
      expect(env.metadata.seed).toBe(77);
      expect(() => env.observationSpaceOf('agent_5')).toThrow();
      expect(() => env.actionSpaceOf('player_0')).toThrow();
      env.close();
    });
  });

  describe(`${backend}: agent sets (PettingZoo parallel_api_test)`, () => {
    it('parallelView: keys follow live agents; agents leave as they finish and never come back', () => {
      // a0 (0,1) reaches (0,2) at t1; a1 (0,4) walks left to (0,0) in 4 steps; a2 stays away from its goal.
      const env = make('MAPF-v0', {
        numEnvs: 2, seed: 0, numThreads: 1, autoresetMode: 'disabled', backend,
        config: { map: '.....\n.....', agentsXY: [[0, 1], [0, 4], [1, 4]], targetsXY: [[0, 2], [0, 0], [1, 0]], obsRadius: 1, maxEpisodeSteps: 6 },
      });
      env.reset();
      const view = env.parallelView(1);
      expect(view.possibleAgents).toEqual(['agent_0', 'agent_1', 'agent_2']);
      expect(view.maxNumAgents).toBe(3);
      const [obs0, infos0] = view.reset();
      expect(Object.keys(obs0)).toEqual(view.possibleAgents);
      expect(Object.keys(infos0)).toEqual(view.possibleAgents);
      expect(view.agents).toEqual(['agent_0', 'agent_1', 'agent_2']);
      expect(view.numAgents).toBe(3);
      for (const a of view.agents) expect(view.observationSpace(a).contains(obs0[a])).toBe(true);

      const plan: Array<Record<string, number>> = [
        { agent_0: 4, agent_1: 3, agent_2: 0 },
        { agent_1: 3 }, // agent_2 missing: it stays (action 0)
        { agent_1: 3, agent_2: 0 },
        { agent_1: 3, agent_2: 0 },
        { agent_2: 0 },
        { agent_2: 0 },
      ];
      const expectLive = [['agent_1', 'agent_2'], ['agent_1', 'agent_2'], ['agent_1', 'agent_2'], ['agent_2'], ['agent_2'], []];
      const left = new Set<string>();
      for (let t = 0; t < plan.length; t++) {
        const before = [...view.agents];
        const [obs, rew, term, trunc, info] = view.step(plan[t]);
        for (const d of [obs, rew, term, trunc, info]) expect(Object.keys(d).sort(), `t=${t + 1} keys`).toEqual([...before].sort());
        for (const a of before) {
          expect(view.observationSpace(a).contains(obs[a])).toBe(true);
          expect(typeof rew[a]).toBe('number');
          expect(typeof term[a]).toBe('boolean');
          expect(typeof trunc[a]).toBe('boolean');
        }
        for (const a of left) expect(obs[a], `${a} left and must not reappear`).toBeUndefined();
        expect(view.agents, `live after t=${t + 1}`).toEqual(expectLive[t]);
        for (const a of before) if (!view.agents.includes(a)) left.add(a);
        expect(view.numAgents).toBe(view.agents.length);
        if (t === 0) {
          expect(rew).toEqual({ agent_0: 1, agent_1: 0, agent_2: 0 });
          expect(term).toEqual({ agent_0: true, agent_1: false, agent_2: false });
        }
        if (t === 3) expect(rew).toEqual({ agent_1: 1, agent_2: 0 });
        if (t === plan.length - 1) {
          expect(trunc).toEqual({ agent_2: true });
          expect(info.agent_2.episode).toMatchObject({ length: 6, return: 0 });
        }
      }
      expect(() => view.step({})).toThrow();
      // reset brings every agent back.
      view.reset();
      expect(view.agents).toEqual(['agent_0', 'agent_1', 'agent_2']);
      env.close();
    });

    it('parallelView over random episodes: dict keys always equal the live agents, agents ⊆ possibleAgents', () => {
      for (const autoresetMode of ['same-step', 'next-step', 'disabled'] as AutoresetMode[]) {
        // With autoreset disabled, stepping the view steps the whole batch, so it must be alone in it.
        const numEnvs = autoresetMode === 'disabled' ? 1 : 3;
        const env = mk(backend, { ...RANDOM, size: 6, density: 0.1 }, { autoresetMode, numEnvs, keepFinalObs: autoresetMode === 'same-step' });
        env.reset();
        const view = env.parallelView(numEnvs - 1);
        view.reset({ seed: 5 });
        const rng = new CounterRng(9);
        let episodes = 0;
        for (let t = 0; t < 60; t++) {
          if (view.agents.length === 0) {
            episodes++;
            view.reset();
          }
          const live = [...view.agents];
          for (const a of live) expect(view.possibleAgents).toContain(a);
          const acts: Record<string, number> = {};
          for (const a of live) acts[a] = rng.below(5);
          const [obs, rew, term, trunc, info] = view.step(acts);
          for (const d of [obs, rew, term, trunc, info]) expect(Object.keys(d).sort()).toEqual([...live].sort());
          for (const a of view.agents) expect(live).toContain(a);
          for (const a of live) {
            expect(view.agents.includes(a)).toBe(!(term[a] || trunc[a]) && view.agents.length > 0);
          }
        }
        expect(episodes).toBeGreaterThan(0);
        env.close();
      }
    });

    it('parallelView round trip: dicts equal the slices of the batch buffers; reset touches only its env', () => {
      const env = mk(backend, RANDOM, { autoresetMode: 'same-step' });
      const n = 5, size = env.obsSize;
      let r = env.reset();
      const otherBefore = Array.from(r.obs.subarray(0, size * n));
      const view = env.parallelView(1);
      const [obs, infos] = view.reset({ seed: 123 });
      // Env 0 was not reset.
      expect(Array.from(r.obs.subarray(0, size * n))).toEqual(otherBefore);
      const mi = r.infos as MapfInfos;
      for (let a = 0; a < n; a++) {
        expect(Array.from(obs[`agent_${a}`])).toEqual(Array.from(r.obs.subarray((n + a) * size, (n + a + 1) * size)));
        expect(infos[`agent_${a}`].position).toEqual(pairs(mi.positions, 1, n)[a]);
        expect(infos[`agent_${a}`].goal).toEqual(pairs(mi.goals, 1, n)[a]);
      }
      // Copies, not views.
      const kept = Array.from(obs.agent_0);
      env.actions.fill(0);
      const [obs2, rew2] = view.step({ agent_0: 1, agent_1: 2, agent_2: 3, agent_3: 4, agent_4: 0 });
      expect(Array.from(obs.agent_0)).toEqual(kept);
      expect(Array.from(env.actions.subarray(n, 2 * n))).toEqual([1, 2, 3, 4, 0]);
      // r.obs is the batch buffer itself (rewritten in place by the view's step).
      for (let a = 0; a < n; a++) {
        expect(Array.from(obs2[`agent_${a}`])).toEqual(Array.from(r.obs.subarray((n + a) * size, (n + a + 1) * size)));
      }
      // A twin batch stepped with the same actions gives the same rewards for env 1.
      const twin = mk(backend, RANDOM, { autoresetMode: 'same-step' });
      twin.reset();
      twin.reset({ seed: Uint32Array.from([11, 123, 13]), mask: [0, 1, 0] });
      const tr = twin.step(env.actions.slice());
      for (let a = 0; a < n; a++) expect(rew2[`agent_${a}`]).toBe(tr.rewards[n + a]);
      expect(Array.from(tr.obs)).toEqual(Array.from(r.obs));
      twin.close();
      env.close();
    });

    it("a view's step on a batch whose other envs were never reset: ResetNeededError naming both envs, nothing staged", () => {
      const env = mk(backend, RANDOM, { autoresetMode: 'same-step' });
      const view = env.parallelView(1);
      view.reset({ seed: 5 });
      const staged = Array.from(env.actions);
      const e = (() => {
        try {
          view.step({ agent_0: 1 });
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(ResetNeededError);
      expect((e as ResetNeededError).details).toMatchObject({ env: 0, view: 1 });
      expect((e as ResetNeededError).message).toMatch(/view of env 1 steps the whole batch of 3, and its reset\(\) resets only env 1/);
      expect(Array.from(env.actions)).toEqual(staged);
      env.reset();
      view.reset({ seed: 5 });
      expect(Object.keys(view.step({ agent_0: 1 })[1])).toHaveLength(5);
      env.close();
    });
  });

  describe(`${backend}: autoreset modes`, () => {
    it("'same-step': the ending step returns ending rewards/flags, done=1 and the new episode's first observation; finalObs equals a disabled twin", () => {
      // finish mode: envs end at different steps (termination or truncation).
      const cfg: MapfConfig = { numAgents: 3, size: 5, density: 0.1, obsRadius: 2, maxEpisodeSteps: 7 };
      const env = mk(backend, cfg, { autoresetMode: 'same-step', keepFinalObs: true, numEnvs: 4 });
      const twin = mk(backend, cfg, { autoresetMode: 'disabled', numEnvs: 4 });
      expect(snapshot(env.reset())).toEqual(snapshot(twin.reset()));
      const rng = new CounterRng(21);
      let ends = 0;
      for (let t = 0; t < 60; t++) {
        const act = randomActions(rng, 12);
        const r = env.step(act);
        const tr = twin.step(act);
        const done = Array.from(r.infos.episode.done);
        // Rewards and flags are the ending step's.
        expect(Array.from(r.rewards)).toEqual(Array.from(tr.rewards));
        expect(Array.from(r.terminations)).toEqual(Array.from(tr.terminations));
        expect(Array.from(r.truncations)).toEqual(Array.from(tr.truncations));
        expect(done).toEqual(Array.from(tr.infos.episode.done));
        // The last observation is kept in finalObs for the envs that ended.
        const size = env.obsSize * 3;
        for (let e = 0; e < 4; e++) {
          if (!done[e]) continue;
          ends++;
          expect(Array.from((r.infos.finalObs as Float32Array).subarray(e * size, (e + 1) * size))).toEqual(Array.from(tr.obs.subarray(e * size, (e + 1) * size)));
          expect(r.infos.episode.length[e]).toBe(tr.infos.episode.length[e]);
          expect(Array.from(r.infos.episode.return.subarray(e * 3, e * 3 + 3))).toEqual(Array.from(tr.infos.episode.return.subarray(e * 3, e * 3 + 3)));
        }
        // The twin resets the ended envs by hand: then the two batches agree everywhere.
        if (done.some(Boolean)) twin.reset({ mask: done });
        const a = snapshot(r), b = snapshot(tr);
        expect(a.obs).toEqual(b.obs);
        expect(a.positions).toEqual(b.positions);
        expect(a.goals).toEqual(b.goals);
        expect(a.agentMask).toEqual(b.agentMask);
      }
      expect(ends).toBeGreaterThan(3);
      env.close();
      twin.close();
    });

    it("'next-step': the ending step returns the last observation; the next step ignores actions and returns zeros and a first observation", () => {
      // restart mode: every env ends by truncation at step 5, all together.
      const cfg: MapfConfig = { numAgents: 3, size: 6, density: 0.1, obsRadius: 2, maxEpisodeSteps: 5, onTarget: 'restart' };
      const env = mk(backend, cfg, { autoresetMode: 'next-step' });
      const env2 = mk(backend, cfg, { autoresetMode: 'next-step' });
      const twin = mk(backend, cfg, { autoresetMode: 'disabled' });
      env.reset();
      env2.reset();
      twin.reset();
      const rng = new CounterRng(5);
      for (let ep = 0; ep < 3; ep++) {
        for (let t = 1; t <= 5; t++) {
          const act = randomActions(rng, 9);
          const r = env.step(act);
          env2.step(act);
          const tr = twin.step(act);
          expect(snapshot(r)).toEqual(snapshot(tr));
          expect(Array.from(r.infos.episode.done)).toEqual(t === 5 ? [1, 1, 1] : [0, 0, 0]);
          if (t === 5) expect(Array.from(r.truncations)).toEqual(new Array(9).fill(1));
        }
        // The reset step: actions are ignored (env and env2 get different ones).
        const r = env.step(randomActions(rng, 9));
        const r2 = env2.step(new Int32Array(9).fill(0));
        const tr = twin.reset();
        expect(Array.from(r.rewards)).toEqual(new Array(9).fill(0));
        expect(Array.from(r.terminations)).toEqual(new Array(9).fill(0));
        expect(Array.from(r.truncations)).toEqual(new Array(9).fill(0));
        expect(Array.from(r.infos.episode.done)).toEqual([0, 0, 0]);
        expect(Array.from(r.obs)).toEqual(Array.from(tr.obs));
        expect(snapshot(r).positions).toEqual(snapshot(tr).positions);
        expect(snapshot(r2)).toEqual(snapshot(r));
      }
      env.close();
      env2.close();
      twin.close();
    });

    it("'disabled': stepping after the end throws ResetNeededError naming the env; reset with a mask fixes it", () => {
      const cfg: MapfConfig = { numAgents: 2, size: 6, density: 0.1, obsRadius: 1, maxEpisodeSteps: 3, onTarget: 'restart' };
      const env = mk(backend, cfg, { autoresetMode: 'disabled' });
      env.reset();
      for (let t = 0; t < 3; t++) env.step(new Int32Array(6));
      let err: unknown;
      try { env.step(new Int32Array(6)); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ResetNeededError);
      expect((err as ResetNeededError).code).toBe('ERR_MW_RESET_NEEDED');
      expect((err as Error).message).toMatch(/env 0/);
      env.reset({ mask: [1, 0, 0] });
      try { env.step(new Int32Array(6)); err = undefined; } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ResetNeededError);
      expect((err as Error).message).toMatch(/env 1/);
      env.reset({ mask: [0, 1, 1] });
      const r = env.step(new Int32Array(6));
      expect(Array.from(r.truncations)).toEqual(new Array(6).fill(0));
      env.close();
    });

    it('a masked reset clears the reset envs\' flags and leaves the others\' as the last step left them', () => {
      const cfg: MapfConfig = { numAgents: 2, size: 6, density: 0.1, obsRadius: 1, maxEpisodeSteps: 1 };
      const env = mk(backend, cfg, { autoresetMode: 'disabled' });
      env.reset();
      const s = env.step(new Int32Array(6));
      expect(Array.from(s.infos.episode.done)).toEqual([1, 1, 1]);
      const before = Array.from(s.obs.subarray(s.obs.length / 3, (2 * s.obs.length) / 3));
      const r = env.reset({ mask: [1, 0, 1] });
      expect(Array.from(r.infos.episode.done)).toEqual([0, 1, 0]);
      expect(Array.from(s.truncations)).toEqual([0, 0, 1, 1, 0, 0]); // the step result's views, after the reset
      expect(Array.from(r.obs.subarray(r.obs.length / 3, (2 * r.obs.length) / 3))).toEqual(before);
      env.close();
    });
  });

  describe(`${backend}: seeding`, () => {
    it('same seed gives identical trajectories; different seeds differ', () => {
      const a = mk(backend, RANDOM, { seed: 42, autoresetMode: 'same-step' });
      const b = mk(backend, RANDOM, { seed: 42, autoresetMode: 'same-step' });
      const c = mk(backend, RANDOM, { seed: 43, autoresetMode: 'same-step' });
      const ta = trajectory(a, 40, 1), tb = trajectory(b, 40, 1), tc = trajectory(c, 40, 1);
      expect(ta).toEqual(tb);
      expect(tc[0]).not.toBe(ta[0]);
      expect(tc).not.toEqual(ta);
      [a, b, c].forEach((e) => e.close());
    });

    it('reset({ seed }) twice gives identical trajectories, whatever happened in between', () => {
      const env = mk(backend, RANDOM, { seed: 1, autoresetMode: 'same-step' });
      const first = trajectory(env, 30, 7, { seed: 999 });
      trajectory(env, 13, 8); // something else in between
      const second = trajectory(env, 30, 7, { seed: 999 });
      expect(second).toEqual(first);
      // ... and equals a batch made with seed 999.
      const fresh = mk(backend, RANDOM, { seed: 999, autoresetMode: 'same-step' });
      expect(trajectory(fresh, 30, 7)).toEqual(first);
      env.close();
      fresh.close();
    });

    it('env i of a batch seeded s equals env 0 of a batch seeded s + i (and per-env seed arrays)', () => {
      const s = 500, E = 4, A = 5;
      const batch = mk(backend, RANDOM, { seed: s, numEnvs: E, autoresetMode: 'same-step' });
      const singles = Array.from({ length: E }, (_, i) => mk(backend, RANDOM, { seed: s + i, numEnvs: 1, autoresetMode: 'same-step' }));
      const rng = new CounterRng(31);
      const slice = (r: ReturnType<VectorEnv['reset']>, e: number, size: number): number[] => Array.from(r.obs.subarray(e * A * size, (e + 1) * A * size));
      let rb = batch.reset();
      singles.forEach((one, i) => expect(slice(rb, i, batch.obsSize), `reset env ${i}`).toEqual(slice(one.reset(), 0, batch.obsSize)));
      for (let t = 0; t < 30; t++) {
        const act = randomActions(rng, E * A);
        const r = batch.step(act);
        singles.forEach((one, i) => {
          const o = one.step(act.slice(i * A, (i + 1) * A));
          expect(slice(r, i, batch.obsSize), `t=${t + 1} env ${i} obs`).toEqual(slice(o, 0, batch.obsSize));
          expect(Array.from(r.rewards.subarray(i * A, (i + 1) * A))).toEqual(Array.from(o.rewards));
          expect(r.infos.episode.done[i]).toBe(o.infos.episode.done[0]);
        });
      }
      // Per-env seeds: reset({ seed: [a, b, c, d] }) makes env i equal to a batch seeded seed[i].
      const seeds = [7, 70000, 2 ** 32 - 1, 0];
      rb = batch.reset({ seed: seeds });
      for (let i = 0; i < E; i++) {
        const one = mk(backend, RANDOM, { seed: seeds[i], numEnvs: 1 });
        expect(slice(rb, i, batch.obsSize), `seed array env ${i}`).toEqual(slice(one.reset(), 0, batch.obsSize));
        one.close();
      }
      batch.close();
      singles.forEach((e) => e.close());
    });
  });

  describe(`${backend}: determinism across numThreads`, () => {
    for (const system of SYSTEMS) {
      for (const mode of MODES) {
        it(`${system} / ${mode}: numThreads 1, 2, 3 give identical results over 200 steps with autoresets`, () => {
          const cfg: MapfConfig = { numAgents: 8, size: 9, density: 0.25, obsRadius: 2, maxEpisodeSteps: 23, collisionSystem: system, onTarget: mode };
          const runs = [1, 2, 3].map((numThreads) => {
            const env = mk(backend, cfg, { numEnvs: 7, seed: 2024, numThreads, autoresetMode: 'same-step', keepFinalObs: true });
            if (backend === 'native') expect(env.metadata.numThreads).toBe(numThreads);
            const rng = new CounterRng(77);
            const out = [digest(env, env.reset())];
            let ends = 0;
            for (let t = 0; t < 200; t++) {
              const r = env.step(randomActions(rng, 56));
              ends += r.infos.episode.done.reduce((x, y) => x + y, 0);
              const fin = r.infos.finalObs as Float32Array;
              out.push(digest(env, r), digest(env, { obs: fin, infos: r.infos }));
            }
            expect(ends).toBeGreaterThanOrEqual(7 * 8);
            env.close();
            return out;
          });
          expect(runs[1]).toEqual(runs[0]);
          expect(runs[2]).toEqual(runs[0]);
        });
      }
    }
  });

  describe(`${backend}: buffers and episode statistics`, () => {
    it('reset/step return the same objects and typed arrays every time (no new buffers)', () => {
      const env = mk(backend, { ...RANDOM, pomapfExtras: true }, { autoresetMode: 'same-step', keepFinalObs: true });
      const r0 = env.reset();
      const infos0 = r0.infos as MapfInfos;
      const arrays = (i: MapfInfos): unknown[] => [
        i.agentMask, i.positions, i.goals, i.xyRelative, i.targetXYRelative, i.finalObs,
        i.episode, i.episode.done, i.episode.return, i.episode.length, i.episode.metrics,
      ];
      const ref = arrays(infos0);
      for (const x of ref) expect(x).toBeDefined();
      const staged = env.actions;
      const rng = new CounterRng(1);
      const first = env.step(randomActions(rng, 15));
      expect(first.obs).toBe(r0.obs);
      expect(first.infos).toBe(r0.infos);
      for (let t = 0; t < 30; t++) {
        const r = t % 2 ? env.step(randomActions(rng, 15)) : (env.actions.set(randomActions(rng, 15)), env.step());
        expect(r).toBe(first);
        expect(r.obs).toBe(first.obs);
        expect(r.rewards).toBe(first.rewards);
        expect(r.terminations).toBe(first.terminations);
        expect(r.truncations).toBe(first.truncations);
        expect(r.infos).toBe(infos0);
        arrays(r.infos as MapfInfos).forEach((x, k) => expect(x, `infos field ${k}`).toBe(ref[k]));
        expect(env.actions).toBe(staged);
      }
      const r1 = env.reset({ seed: 3 });
      expect(r1).toBe(r0);
      expect(r1.obs).toBe(first.obs);
      env.close();
    });

    it('step(actions) copies into the staging buffer; step() uses the staged actions', () => {
      const a = mk(backend, RANDOM, { autoresetMode: 'same-step' });
      const b = mk(backend, RANDOM, { autoresetMode: 'same-step' });
      a.reset();
      b.reset();
      const rng = new CounterRng(8);
      for (let t = 0; t < 15; t++) {
        const act = randomActions(rng, 15);
        const ra = a.step(Array.from(act)); // plain array
        expect(Array.from(a.actions)).toEqual(Array.from(act));
        b.actions.set(act);
        const rb = b.step();
        expect(snapshot(ra)).toEqual(snapshot(rb));
      }
      a.close();
      b.close();
    });

    for (const mode of MODES) {
      it(`${mode}: episode.return is the sum of the episode's rewards and episode.length its number of steps`, () => {
        const E = 4, A = 4;
        const env = mk(backend, { numAgents: A, size: 5, density: 0.1, obsRadius: 1, maxEpisodeSteps: 11, onTarget: mode }, { numEnvs: E, autoresetMode: 'same-step' });
        env.reset();
        const ret = new Float64Array(E * A);
        const len = new Int32Array(E);
        const rng = new CounterRng(12);
        let ends = 0;
        for (let t = 0; t < 120; t++) {
          const r = env.step(randomActions(rng, E * A));
          const ep = r.infos.episode;
          for (let e = 0; e < E; e++) {
            len[e]++;
            for (let a = 0; a < A; a++) ret[e * A + a] += r.rewards[e * A + a];
            const term = Array.from(r.terminations.subarray(e * A, (e + 1) * A));
            const trunc = Array.from(r.truncations.subarray(e * A, (e + 1) * A));
            // An episode ends exactly when all agents terminated or all were truncated.
            expect(ep.done[e], `t=${t + 1} env ${e}`).toBe(term.every(Boolean) || trunc.every(Boolean) ? 1 : 0);
            if (!ep.done[e]) continue;
            ends++;
            expect(ep.length[e]).toBe(len[e]);
            expect(len[e]).toBeLessThanOrEqual(11);
            for (let a = 0; a < A; a++) expect(ep.return[e * A + a], `return env ${e} agent ${a}`).toBe(ret[e * A + a]);
            if (mode === 'finish') for (let a = 0; a < A; a++) expect(ep.return[e * A + a]).toBeLessThanOrEqual(1);
            len[e] = 0;
            for (let a = 0; a < A; a++) ret[e * A + a] = 0;
          }
        }
        expect(ends).toBeGreaterThan(E);
        env.close();
      });
    }

    it('stepAsync gives the same results (and the same objects) as step', async () => {
      const a = mk(backend, RANDOM, { autoresetMode: 'same-step', keepFinalObs: true });
      const b = mk(backend, RANDOM, { autoresetMode: 'same-step', keepFinalObs: true });
      a.reset();
      const rb0 = b.reset();
      const rng = new CounterRng(6);
      for (let t = 0; t < 25; t++) {
        const act = randomActions(rng, 15);
        const ra = a.step(act);
        const rb = await b.stepAsync(act);
        expect(rb.obs).toBe(rb0.obs);
        expect(rb.infos).toBe(rb0.infos);
        expect(snapshot(rb)).toEqual(snapshot(ra));
        expect(digest(b, rb)).toBe(digest(a, ra));
        expect(Array.from(rb.infos.finalObs as Float32Array)).toEqual(Array.from(ra.infos.finalObs as Float32Array));
      }
      a.close();
      b.close();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Volleyball-<Task>-v0: the same Gymnasium / PettingZoo checks for every task and backend, written
// against the env-independent helpers (continuous Box(4) actions, drones that all end together).
// ---------------------------------------------------------------------------------------------

for (const f of VB_TASKS) {
  for (const backend of vbBackends(f.id)) {
    const E = 3, A = f.drones, D = f.obsDim;
    const mkv = (opts: VbOptions = {}): VectorEnv => makeVb(f.task, { numEnvs: E, seed: 11, backend, autoresetMode: 'same-step', ...opts });

    describe(`${backend}: ${f.id}: spaces, agents and metadata`, () => {
      it(`spaces describe and contain what reset/step return (obs Box(-inf, inf, [${D}]) float32, actions Box(-1, 1, [4]))`, () => {
        const env = mkv({ keepFinalObs: true, config: { maxEpisodeSteps: 40 } });
        const single = env.singleObservationSpace as spaces.Box;
        expect(single).toBeInstanceOf(spaces.Box);
        expect([...single.shape]).toEqual([D]);
        expect(single.dtype).toBe('float32');
        expect([single.lowAt(0), single.highAt(0)]).toEqual([-Infinity, Infinity]);
        expect(env.obsSize).toBe(D);
        expect([...(env.observationSpace as spaces.Box).shape]).toEqual([E, A, D]);
        const act = env.singleActionSpace as spaces.Box;
        expect(act).toBeInstanceOf(spaces.Box);
        expect([...act.shape]).toEqual([4]);
        expect(act.dtype).toBe('float32');
        expect([act.lowAt(0), act.highAt(0)]).toEqual([-1, 1]);
        expect([...(env.actionSpace as spaces.Box).shape]).toEqual([E, A, 4]);
        expect(env.actions).toBeInstanceOf(Float32Array);
        expect(env.actions.length).toBe(E * A * 4);
        expect(env.actionSize).toBe(4);
        expect(env.possibleAgents).toEqual(Array.from({ length: A }, (_, a) => `drone_${a}`));
        for (const agent of env.possibleAgents) {
          expect(env.observationSpaceOf(agent)).toBe(single);
          expect(env.actionSpaceOf(agent)).toBe(act);
        }
        const check = (r: Outputs): void => {
          const obs = r.obs as Float32Array;
          expect(obs).toBeInstanceOf(Float32Array);
          expect(obs.length).toBe(E * A * D);
          expect(env.observationSpace.contains(obs)).toBe(true);
          expect(Array.from({ length: E * A }, (_, i) => single.containsFlat(obs, i * D)).every(Boolean)).toBe(true);
          expect(obs.every(Number.isFinite)).toBe(true);
          const infos = r.infos as VolleyballInfos;
          expect(infos.drones).toBeInstanceOf(Float32Array);
          expect(infos.drones.length).toBe(E * A * 13);
          const quatNorms = Array.from({ length: E * A }, (_, i) => norm(Array.from(infos.drones.subarray(i * 13 + 3, i * 13 + 7))));
          expect(Math.max(...quatNorms.map((n) => Math.abs(n - 1)))).toBeLessThan(1e-5);
          expect(infos.ball.length).toBe(E * 6);
          expect(infos.board.length).toBe(E * 6);
          expect(infos.hits).toBeInstanceOf(Uint8Array);
          expect(infos.hits.length).toBe(E * A);
          expect(infos.hits.every((v) => v === 0 || v === 1)).toBe(true);
          expect(Array.from(infos.teams)).toEqual(f.teams);
          expect(Array.from(infos.agentMask)).toEqual(new Array(E * A).fill(1));
        };
        check(env.reset());
        const rng = new CounterRng(3);
        let ends = 0;
        for (let t = 0; t < 80; t++) {
          const actions = sampleActions(env, rng);
          expect(actions).toBeInstanceOf(Float32Array);
          expect(env.actionSpace.contains(actions)).toBe(true);
          const r = env.step(actions);
          check(r);
          expect(r.rewards).toBeInstanceOf(Float32Array);
          expect(r.terminations).toBeInstanceOf(Uint8Array);
          expect(r.truncations).toBeInstanceOf(Uint8Array);
          expect(r.rewards.every(Number.isFinite)).toBe(true);
          const ep = r.infos.episode;
          for (let e = 0; e < E; e++) {
            // Every drone of an env ends together; done marks exactly the envs that ended.
            const term = Array.from(r.terminations.subarray(e * A, (e + 1) * A));
            const trunc = Array.from(r.truncations.subarray(e * A, (e + 1) * A));
            expect(new Set(term).size).toBe(1);
            expect(new Set(trunc).size).toBe(1);
            expect(term[0] && trunc[0]).toBe(0);
            expect(ep.done[e]).toBe(term[0] || trunc[0]);
            if (!ep.done[e]) continue;
            ends++;
            const fin = r.infos.finalObs as Float32Array;
            expect(Array.from({ length: A }, (_, a) => single.containsFlat(fin, (e * A + a) * D)).every(Boolean)).toBe(true);
          }
        }
        expect(ends).toBeGreaterThan(0);
        env.close();
      });

      it("thrustBodyRates: actions Box(-inf, inf, [4]) (tanh-squashed), sampled actions step and stay in the spaces", () => {
        const env = mkv({ config: { actionMode: 'thrustBodyRates', maxEpisodeSteps: 30 } });
        const act = env.singleActionSpace as spaces.Box;
        expect([...act.shape]).toEqual([4]);
        expect([act.lowAt(0), act.highAt(0)]).toEqual([-Infinity, Infinity]);
        expect(env.metadata.config).toMatchObject({ actionMode: 'thrustBodyRates' });
        env.reset();
        const rng = new CounterRng(4);
        for (let t = 0; t < 40; t++) {
          const r = env.step(sampleActions(env, rng));
          expect(env.observationSpace.contains(r.obs)).toBe(true);
          expect(r.rewards.every(Number.isFinite)).toBe(true);
        }
        env.close();
      });

      it('agent names, teams, metric names and metadata', () => {
        const env = mkv({ autoresetMode: 'next-step', seed: 77 });
        expect(env.id).toBe(f.id);
        expect(env.numAgents).toBe(A);
        expect(env.numEnvs).toBe(E);
        expect(env.metadata.autoresetMode).toBe('next-step');
        expect(env.metadata.backend).toBe(backend);
        expect(env.metadata.seed).toBe(77);
        expect(env.metadata.teams).toEqual(f.teams);
        expect(env.metadata.controlHz).toBe(50);
        expect(env.metadata.config).toMatchObject({ task: f.task, actionMode: 'rotorThrust', substeps: 1, maxEpisodeSteps: f.maxSteps, randomServe: true });
        const infos = env.reset().infos as VolleyballInfos;
        expect(infos.episode.metricNames).toEqual(VOLLEYBALL_TASKS[f.task].metricNames);
        expect(() => env.observationSpaceOf(`drone_${A}`)).toThrow();
        expect(() => env.actionSpaceOf('agent_0')).toThrow();
        env.close();
      });
    });

    describe(`${backend}: ${f.id}: agent sets (PettingZoo parallel_api_test)`, () => {
      it('parallelView over random episodes in every autoreset mode: dict keys equal the live agents; all leave at the end', () => {
        for (const autoresetMode of ['same-step', 'next-step', 'disabled'] as AutoresetMode[]) {
          // With autoreset disabled the view's step steps the whole batch, so it must be alone in it.
          const numEnvs = autoresetMode === 'disabled' ? 1 : E;
          const env = mkv({ autoresetMode, numEnvs, keepFinalObs: autoresetMode === 'same-step', config: { maxEpisodeSteps: 25 } });
          env.reset();
          const view = env.parallelView(numEnvs - 1);
          expect(view.possibleAgents).toEqual(env.possibleAgents);
          expect(view.maxNumAgents).toBe(A);
          const [obs0, infos0] = view.reset({ seed: 5 });
          expect(Object.keys(obs0)).toEqual(view.possibleAgents);
          expect(Object.keys(infos0)).toEqual(view.possibleAgents);
          for (const a of view.agents) {
            expect(view.observationSpace(a).contains(obs0[a])).toBe(true);
            expect(infos0[a]).toMatchObject({ team: f.teams[view.possibleAgents.indexOf(a)], hit: false });
          }
          const rng = new CounterRng(9);
          const sorted = (d: object): string => Object.keys(d).sort().join(',');
          let episodes = 0;
          for (let t = 0; t < 60; t++) {
            if (view.agents.length === 0) {
              episodes++;
              view.reset();
              expect(view.agents).toEqual(view.possibleAgents);
            }
            const live = [...view.agents];
            const acts: Record<string, number[]> = {};
            for (const a of live) acts[a] = Array.from(view.actionSpace(a).sample(rng) as Float32Array);
            const [obs, rew, term, trunc, info] = view.step(acts);
            // One expect per step (thousands of expects would dominate the run time).
            const keys = [obs, rew, term, trunc, info].map(sorted);
            expect(keys, `t=${t + 1}: dict keys`).toEqual(new Array(5).fill(sorted(acts)));
            const bad = live.filter((a) => !(view.observationSpace(a).contains(obs[a]) && typeof rew[a] === 'number' &&
              typeof term[a] === 'boolean' && typeof trunc[a] === 'boolean' &&
              (info[a].position as number[]).length === 3 && (info[a].velocity as number[]).length === 3));
            expect(bad, `t=${t + 1}: agents with malformed entries`).toEqual([]);
            const ended = live.some((a) => term[a] || trunc[a]);
            // Drones leave all together, and then the view reports the episode.
            expect(view.agents).toEqual(ended ? [] : live);
            if (ended) {
              for (const a of live) {
                const ep = info[a].episode as { return: number; length: number; metrics: Record<string, number> };
                expect(Object.keys(ep.metrics)).toEqual([...VOLLEYBALL_TASKS[f.task].metricNames]);
                expect(ep.length).toBeGreaterThan(0);
                expect(ep.length).toBeLessThanOrEqual(25);
              }
            }
          }
          expect(episodes).toBeGreaterThan(0);
          env.close();
        }
      });

      it('parallelView round trip: dicts equal the slices of the batch buffers; arrays of 4 numbers land in env.actions; reset touches only its env', () => {
        const env = mkv();
        const r = env.reset();
        const otherBefore = rowsOf(r.obs, 0, A, D);
        const view = env.parallelView(1);
        const [obs, infos] = view.reset({ seed: 123 });
        expect(rowsOf(r.obs, 0, A, D)).toEqual(otherBefore);
        const vi = r.infos as VolleyballInfos;
        for (let a = 0; a < A; a++) {
          expect(Array.from(obs[`drone_${a}`])).toEqual(obsOf(env, r.obs, 1, a));
          expect(infos[`drone_${a}`].position).toEqual(droneOf(vi, A, 1, a).pos);
          expect(infos[`drone_${a}`].velocity).toEqual(droneOf(vi, A, 1, a).vel);
        }
        const kept = Array.from(obs.drone_0);
        env.actions.fill(0.5);
        const acts: Record<string, number[]> = {};
        for (let a = 0; a < A; a++) acts[`drone_${a}`] = [0.1 * a, -0.2, 0.3, -0.4 + 0.01 * a];
        const [obs2, rew2] = view.step(acts);
        expect(Array.from(obs.drone_0)).toEqual(kept); // copies, not views
        for (let a = 0; a < A; a++) {
          expect(Array.from(env.actions.subarray((A + a) * 4, (A + a + 1) * 4))).toEqual(acts[`drone_${a}`].map(Math.fround));
          expect(Array.from(obs2[`drone_${a}`])).toEqual(obsOf(env, r.obs, 1, a));
        }
        expect(Array.from(env.actions.subarray(0, A * 4))).toEqual(new Array(A * 4).fill(0.5)); // other envs keep theirs
        // A twin batch seeded the same way and stepped with the same actions agrees everywhere.
        const twin = mkv();
        twin.reset();
        twin.reset({ seed: Uint32Array.from([11, 123, 13]), mask: [0, 1, 0] });
        const tr = twin.step(env.actions.slice());
        for (let a = 0; a < A; a++) expect(rew2[`drone_${a}`]).toBe(tr.rewards[A + a]);
        expect(snapshotAll(twin, { obs: tr.obs, infos: tr.infos })).toEqual(snapshotAll(env, r));
        // Missing live agents get zeros.
        const live = [...view.agents];
        const [, , , , info3] = view.step({});
        expect(Object.keys(info3)).toEqual(live);
        expect(Array.from(env.actions.subarray(A * 4, 2 * A * 4))).toEqual(new Array(A * 4).fill(0));
        twin.close();
        env.close();
      });
    });

    describe(`${backend}: ${f.id}: autoreset modes`, () => {
      it("'same-step': the ending step returns its rewards/flags, done=1 and the next episode's first observation; finalObs equals a disabled twin", () => {
        // Random actions crash the drones after 30-60 steps (termination); a cap of 7 steps ends
        // episodes before any rule can (truncation).
        let ends = 0, terminated = 0, truncated = 0;
        for (const [maxEpisodeSteps, steps] of [[47, 70], [7, 21]]) {
          const env = mkv({ keepFinalObs: true, config: { maxEpisodeSteps } });
          const twin = mkv({ autoresetMode: 'disabled', config: { maxEpisodeSteps } });
          expect(snapshotAll(env, env.reset())).toEqual(snapshotAll(twin, twin.reset()));
          const rng = new CounterRng(21);
          const size = A * D;
          for (let t = 0; t < steps; t++) {
            const act = sampleActions(env, rng);
            const r = env.step(act);
            const tr = twin.step(act);
            const done = Array.from(r.infos.episode.done);
            // Rewards, flags and hits are the ending step's.
            expect(Array.from(r.rewards)).toEqual(Array.from(tr.rewards));
            expect(Array.from(r.terminations)).toEqual(Array.from(tr.terminations));
            expect(Array.from(r.truncations)).toEqual(Array.from(tr.truncations));
            expect(Array.from(r.infos.hits as Uint8Array)).toEqual(Array.from(tr.infos.hits as Uint8Array));
            expect(done).toEqual(Array.from(tr.infos.episode.done));
            for (let e = 0; e < E; e++) {
              if (!done[e]) continue;
              ends++;
              if (r.terminations[e * A]) terminated++;
              if (r.truncations[e * A]) truncated++;
              // The last observation and the episode statistics are kept for the envs that ended.
              expect(Array.from((r.infos.finalObs as Float32Array).subarray(e * size, (e + 1) * size))).toEqual(Array.from(tr.obs.subarray(e * size, (e + 1) * size)));
              expect(r.infos.episode.length[e]).toBe(tr.infos.episode.length[e]);
              expect(Array.from(r.infos.episode.return.subarray(e * A, (e + 1) * A))).toEqual(Array.from(tr.infos.episode.return.subarray(e * A, (e + 1) * A)));
              expect(Array.from(r.infos.episode.metrics.subarray(e * 8, e * 8 + 8))).toEqual(Array.from(tr.infos.episode.metrics.subarray(e * 8, e * 8 + 8)));
            }
            // The twin resets the ended envs by hand: then both batches show the same world.
            if (done.some(Boolean)) twin.reset({ mask: done });
            expect(Array.from(r.obs)).toEqual(Array.from(tr.obs));
            for (const k of ['drones', 'ball', 'board'] as const) expect(Array.from(r.infos[k] as Float32Array)).toEqual(Array.from(tr.infos[k] as Float32Array));
          }
          env.close();
          twin.close();
        }
        expect(ends).toBeGreaterThan(10);
        expect(terminated).toBeGreaterThan(0);
        expect(truncated).toBeGreaterThan(0);
      });

      it("'next-step': the ending step returns the last observation; the next step ignores actions and returns zeros and a first observation", () => {
        // Six steps of any actions end no episode by the rules: every env truncates at step 6.
        const cfg: VolleyballConfig = { maxEpisodeSteps: 6 };
        const env = mkv({ autoresetMode: 'next-step', config: cfg });
        const env2 = mkv({ autoresetMode: 'next-step', config: cfg });
        const twin = mkv({ autoresetMode: 'disabled', config: cfg });
        env.reset();
        env2.reset();
        twin.reset();
        const rng = new CounterRng(5);
        for (let ep = 0; ep < 3; ep++) {
          for (let t = 1; t <= 6; t++) {
            const act = sampleActions(env, rng);
            const r = env.step(act);
            env2.step(act);
            expect(snapshotAll(env, r)).toEqual(snapshotAll(twin, twin.step(act)));
            expect(Array.from(r.infos.episode.done)).toEqual(new Array(E).fill(t === 6 ? 1 : 0));
            expect(Array.from(r.truncations)).toEqual(new Array(E * A).fill(t === 6 ? 1 : 0));
            expect(Array.from(r.terminations)).toEqual(new Array(E * A).fill(0));
          }
          // The reset step: actions are ignored (env and env2 get different ones).
          const r = env.step(sampleActions(env, rng));
          const r2 = env2.step(new Float32Array(E * A * 4).fill(-1));
          const tr = twin.reset();
          expect(Array.from(r.rewards)).toEqual(new Array(E * A).fill(0));
          expect(Array.from(r.terminations)).toEqual(new Array(E * A).fill(0));
          expect(Array.from(r.truncations)).toEqual(new Array(E * A).fill(0));
          expect(Array.from(r.infos.episode.done)).toEqual(new Array(E).fill(0));
          expect(Array.from(r.obs)).toEqual(Array.from(tr.obs));
          for (const k of ['drones', 'ball', 'board', 'hits'] as const) expect(Array.from(r.infos[k] as Float32Array)).toEqual(Array.from(tr.infos[k] as Float32Array));
          expect(snapshotAll(env2, r2)).toEqual(snapshotAll(env, r));
        }
        env.close();
        env2.close();
        twin.close();
      });

      it("'disabled': stepping after the end throws ResetNeededError naming the env; reset with a mask fixes it", () => {
        const env = mkv({ autoresetMode: 'disabled', config: { maxEpisodeSteps: 3 } });
        env.reset();
        const hover = new Float32Array(E * A * 4).fill(HOVER_COMMAND);
        for (let t = 0; t < 3; t++) env.step(hover);
        let err: unknown;
        try { env.step(hover); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(ResetNeededError);
        expect((err as ResetNeededError).code).toBe('ERR_MW_RESET_NEEDED');
        expect((err as Error).message).toMatch(/env 0/);
        expect((err as Error).message).toContain(f.id);
        env.reset({ mask: [1, 0, 0] });
        try { env.step(hover); err = undefined; } catch (e) { err = e; }
        expect(err).toBeInstanceOf(ResetNeededError);
        expect((err as Error).message).toMatch(/env 1/);
        env.reset({ mask: [0, 1, 1] });
        const r = env.step(hover);
        expect(Array.from(r.truncations)).toEqual(new Array(E * A).fill(0));
        env.close();
      });
    });

    describe(`${backend}: ${f.id}: seeding and determinism`, () => {
      it('same seed gives identical trajectories; reset({ seed }) repeats whatever happened in between and equals a fresh batch', () => {
        const a = mkv({ seed: 42 }), b = mkv({ seed: 42 });
        const ta = trajectoryAll(a, 50, new CounterRng(1)), tb = trajectoryAll(b, 50, new CounterRng(1));
        expect(ta).toEqual(tb);
        const first = trajectoryAll(a, 30, new CounterRng(7), { seed: 999 });
        trajectoryAll(a, 13, new CounterRng(8));
        expect(trajectoryAll(a, 30, new CounterRng(7), { seed: 999 })).toEqual(first);
        const fresh = mkv({ seed: 999 });
        expect(trajectoryAll(fresh, 30, new CounterRng(7))).toEqual(first);
        [a, b, fresh].forEach((e) => e.close());
      });

      it('different seeds give different episodes (spawn noise or serving side)', () => {
        // One-env batches with seeds 0..7: their first observations are not all the same.
        const firsts = new Set<number>();
        for (let s = 0; s < 8; s++) {
          const env = mkv({ seed: s, numEnvs: 1 });
          firsts.add(digestAll(env, env.reset()));
          env.close();
        }
        expect(firsts.size).toBeGreaterThan(1);
      });

      it('env i of a batch seeded s equals env 0 of a batch seeded s + i, and per-env seed arrays', () => {
        // The env enters the draws through its seed only (docs/rng.md): an episode depends on the
        // seed, not on the env's slot in the batch — what reset({ seed }) and parallelView rely on.
        const s = 500, N = 4;
        const batch = mkv({ seed: s, numEnvs: N });
        const singles = Array.from({ length: N }, (_, i) => mkv({ seed: s + i, numEnvs: 1 }));
        const rng = new CounterRng(31);
        let rb: Outputs = batch.reset();
        singles.forEach((one, i) => expect(rowsOf(rb.obs as Float32Array, i, A, D), `reset env ${i}`).toEqual(rowsOf(one.reset().obs, 0, A, D)));
        for (let t = 0; t < 40; t++) {
          const act = sampleActions(batch, rng);
          const r = batch.step(act);
          singles.forEach((one, i) => {
            const o = one.step(act.slice(i * A * 4, (i + 1) * A * 4));
            expect(rowsOf(r.obs, i, A, D), `t=${t + 1} env ${i} obs`).toEqual(rowsOf(o.obs, 0, A, D));
            expect(rowsOf(r.rewards, i, A, 1)).toEqual(Array.from(o.rewards));
            expect(rowsOf(r.infos.drones as Float32Array, i, A, 13)).toEqual(Array.from(o.infos.drones as Float32Array));
            expect(r.infos.episode.done[i]).toBe(o.infos.episode.done[0]);
          });
        }
        const seeds = [7, 70000, 2 ** 32 - 1, 0];
        rb = batch.reset({ seed: seeds });
        for (let i = 0; i < N; i++) {
          const one = mkv({ seed: seeds[i], numEnvs: 1 });
          expect(rowsOf(rb.obs as Float32Array, i, A, D), `seed array env ${i}`).toEqual(rowsOf(one.reset().obs, 0, A, D));
          one.close();
        }
        batch.close();
        singles.forEach((e) => e.close());
      });

      it('numThreads 1, 2 and 5 give identical results over 150 steps with autoresets', () => {
        const runs = [1, 2, 5].map((numThreads) => {
          const env = mkv({ numEnvs: 5, seed: 2024, numThreads, keepFinalObs: true, config: { maxEpisodeSteps: 45 } });
          if (backend === 'native') expect(env.metadata.numThreads).toBe(numThreads);
          const rng = new CounterRng(77);
          const out = [digestAll(env, env.reset())];
          let ends = 0;
          for (let t = 0; t < 150; t++) {
            const r = env.step(sampleActions(env, rng));
            ends += r.infos.episode.done.reduce((x, y) => x + y, 0);
            out.push(digestAll(env, r));
          }
          expect(ends).toBeGreaterThanOrEqual(10);
          env.close();
          return out;
        });
        expect(runs[1]).toEqual(runs[0]);
        expect(runs[2]).toEqual(runs[0]);
      });
    });

    describe(`${backend}: ${f.id}: buffers, episode statistics, close`, () => {
      it('reset/step return the same objects and typed arrays every time; step(array) equals staged step()', () => {
        const env = mkv({ keepFinalObs: true }), b = mkv({ keepFinalObs: true });
        const r0 = env.reset();
        b.reset();
        const infos0 = r0.infos as VolleyballInfos;
        const arrays = (i: VolleyballInfos): unknown[] => [
          i.agentMask, i.drones, i.ball, i.board, i.hits, i.teams, i.finalObs, i.episode, i.episode.done, i.episode.return, i.episode.length, i.episode.metrics,
        ];
        const ref = arrays(infos0);
        for (const x of ref) expect(x).toBeDefined();
        const staged = env.actions;
        const rng = new CounterRng(1);
        const first = env.step(sampleActions(env, rng));
        b.step(env.actions.slice());
        expect(first.obs).toBe(r0.obs);
        expect(first.infos).toBe(r0.infos);
        for (let t = 0; t < 30; t++) {
          const act = sampleActions(env, rng);
          const r = t % 2 ? env.step(Array.from(act)) : (env.actions.set(act), env.step());
          expect(r).toBe(first);
          expect(r.rewards).toBe(first.rewards);
          expect(r.infos).toBe(infos0);
          arrays(r.infos as VolleyballInfos).forEach((x, k) => expect(x, `infos field ${k}`).toBe(ref[k]));
          expect(env.actions).toBe(staged);
          expect(Array.from(env.actions)).toEqual(Array.from(act));
          expect(snapshotAll(env, r)).toEqual(snapshotAll(b, b.step(act)));
        }
        expect(env.reset({ seed: 3 })).toBe(r0);
        env.close();
        b.close();
      });

      it('episode.return is the float32 sum of the episode\'s rewards and episode.length its number of steps', () => {
        const env = mkv({ numEnvs: 4, config: { maxEpisodeSteps: 45 } });
        const N = 4;
        env.reset();
        const ret = new Array<number>(N * A).fill(0);
        const len = new Array<number>(N).fill(0);
        const rng = new CounterRng(12);
        let ends = 0;
        for (let t = 0; t < 120; t++) {
          const r = env.step(sampleActions(env, rng));
          const ep = r.infos.episode;
          for (let e = 0; e < N; e++) {
            len[e]++;
            for (let a = 0; a < A; a++) ret[e * A + a] = Math.fround(ret[e * A + a] + r.rewards[e * A + a]);
            if (!ep.done[e]) continue;
            ends++;
            expect(ep.length[e]).toBe(len[e]);
            expect(len[e]).toBeLessThanOrEqual(45);
            for (let a = 0; a < A; a++) expect(ep.return[e * A + a], `return env ${e} agent ${a}`).toBe(ret[e * A + a]);
            const m = volleyballEpisodeMetrics(r.infos as VolleyballInfos, e);
            expect(Object.keys(m)).toEqual([...VOLLEYBALL_TASKS[f.task].metricNames]);
            len[e] = 0;
            for (let a = 0; a < A; a++) ret[e * A + a] = 0;
          }
        }
        expect(ends).toBeGreaterThan(N);
        env.close();
      });

      it('stepAsync gives the same results (and the same objects) as step', async () => {
        const a = mkv({ keepFinalObs: true, config: { maxEpisodeSteps: 30 } });
        const b = mkv({ keepFinalObs: true, config: { maxEpisodeSteps: 30 } });
        a.reset();
        const rb0 = b.reset();
        const rng = new CounterRng(6);
        for (let t = 0; t < 40; t++) {
          const act = sampleActions(a, rng);
          const ra = a.step(act);
          const rb = await b.stepAsync(act);
          expect(rb.obs).toBe(rb0.obs);
          expect(rb.infos).toBe(rb0.infos);
          expect(snapshotAll(b, rb)).toEqual(snapshotAll(a, ra));
        }
        a.close();
        b.close();
      });

      it('close() frees the batch once (idempotent); `using` closes at scope end', () => {
        let outer: VectorEnv;
        {
          using env = mkv();
          outer = env;
          env.reset();
          env.step(new Float32Array(E * A * 4).fill(HOVER_COMMAND));
          expect(env.isClosed).toBe(false);
        }
        expect(outer.isClosed).toBe(true);
        expect(() => outer.close()).not.toThrow();
        expect(() => outer.step()).toThrow(EnvClosedError);
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// RideDispatch-v0: Discrete(1 + K + R) actions with masks, vehicles that all end together at the
// horizon (truncation only). Policies pick random valid actions from the mask, so that bids,
// conflicts, pooling and repositions all happen. The synthetic city is per env (`cityPerEnv`),
// so that an env depends on its seed only; the shared-city default is checked on its own.
// ---------------------------------------------------------------------------------------------

{
  const DCFG: DispatchConfig = {
    gridWidth: 4, gridHeight: 4, numVehicles: 5, numSlots: 8, capacity: 2, partyMax: 2, horizonSteps: 12, demandScale: 4,
    cityPerEnv: true, pairInsertionCost: true, globalMaps: true,
  };
  const E = 3, V = 5, K = 8, R = 4, NA = 1 + K + R;
  const DD = dims(V, K, 2, R, 16, { pair: true, maps: true });
  for (const backend of dispatchBackends()) {
    const mkd = (opts: DispatchOptions = {}): VectorEnv =>
      makeDispatch({ numEnvs: E, seed: 11, backend, autoresetMode: 'same-step', ...opts, config: { ...DCFG, ...opts.config } });
    /** Digests of a reset and `steps` steps of random valid actions. */
    const dTrajectory = (env: VectorEnv, steps: number, rng: CounterRng, resetOpts: Parameters<VectorEnv['reset']>[0] = {}): number[] => {
      let r: Outputs = env.reset(resetOpts);
      const out = [digestAll(env, r)];
      for (let t = 0; t < steps; t++) {
        r = env.step(randomValidActions(env, r.infos as DispatchInfos, rng));
        out.push(digestAll(env, r));
      }
      return out;
    };

    describe(`${backend}: RideDispatch-v0: spaces, agents and metadata`, () => {
      it(`spaces describe and contain what reset/step return (obs Box(-inf, inf, [${DD.D}]) float32, actions Discrete(${NA}))`, () => {
        const env = mkd({ keepFinalObs: true });
        const single = env.singleObservationSpace as spaces.Box;
        expect(single).toBeInstanceOf(spaces.Box);
        expect([...single.shape]).toEqual([DD.D]);
        expect(single.dtype).toBe('float32');
        expect([single.lowAt(0), single.highAt(0)]).toEqual([-Infinity, Infinity]);
        expect(env.obsSize).toBe(DD.D);
        expect([...(env.observationSpace as spaces.Box).shape]).toEqual([E, V, DD.D]);
        const act = env.singleActionSpace as spaces.Discrete;
        expect(act).toBeInstanceOf(spaces.Discrete);
        expect(act.n).toBe(NA);
        expect(env.actions).toBeInstanceOf(Int32Array);
        expect(env.actions.length).toBe(E * V);
        expect(env.actionSpace.contains(new Int32Array(E * V).fill(NA - 1))).toBe(true);
        expect(env.actionSpace.contains(new Int32Array(E * V).fill(NA))).toBe(false);
        expect(env.possibleAgents).toEqual(Array.from({ length: V }, (_, a) => `vehicle_${a}`));
        for (const agent of env.possibleAgents) {
          expect(env.observationSpaceOf(agent)).toBe(single);
          expect(env.actionSpaceOf(agent)).toBe(act);
        }
        // The flat row and its dict view (docs/envs/dispatch.md, "Observations").
        const layout = env.metadata.observationLayout as DispatchObsLayout;
        expect(layout).toEqual({ self: [0, DD.orders], orders: [DD.orders, 9 * K], pair: [DD.pair, 2 * K], global: [DD.global, 4], maps: [DD.maps, 32], size: DD.D });
        const dict = env.metadata.observationDict as spaces.Dict;
        const check = (r: Outputs): void => {
          const obs = r.obs as Float32Array;
          expect(obs).toBeInstanceOf(Float32Array);
          expect(obs.length).toBe(E * V * DD.D);
          expect(env.observationSpace.contains(obs)).toBe(true);
          expect(obs.every(Number.isFinite)).toBe(true);
          for (let i = 0; i < E * V; i++) {
            const view = splitDispatchObservation(obs.subarray(i * DD.D, (i + 1) * DD.D), layout);
            expect(Object.keys(view)).toEqual(['self', 'orders', 'global', 'pair', 'maps']);
            expect(dict.contains(view)).toBe(true);
          }
          const infos = r.infos as DispatchInfos;
          expect(infos.actionMask).toBeInstanceOf(Uint8Array);
          expect(infos.actionMask.length).toBe(E * V * NA);
          for (const [name, arr, lo, hi] of [
            ['actionMask', infos.actionMask, 0, 1], ['canAct', infos.canAct, 0, 1], ['lostBid', infos.lostBid, 0, 1],
            ['invalidAction', infos.invalidAction, 0, 1], ['wonSlot', infos.wonSlot, -1, K - 1], ['vehicleStatus', infos.vehicleStatus, 0, 3],
            ['vehicleLoad', infos.vehicleLoad, 0, 2], ['vehiclePositions', infos.vehiclePositions, 0, 1], ['agentMask', infos.agentMask, 1, 1],
          ] as Array<[string, ArrayLike<number>, number, number]>) {
            expect(Array.from(arr).every((x) => x >= lo && x <= hi), `${name} within [${lo}, ${hi}]`).toBe(true);
          }
          expect(infos.vehiclePositions.length).toBe(E * V * 2);
          for (let i = 0; i < E * V; i++) {
            expect(infos.actionMask[i * NA], 'no-op is always valid').toBe(1);
            expect(infos.canAct[i]).toBe(infos.actionMask.subarray(i * NA + 1, (i + 1) * NA).some(Boolean) ? 1 : 0);
          }
        };
        const r0 = env.reset();
        check(r0);
        let lastInfos = r0.infos as DispatchInfos;
        const rng = new CounterRng(3);
        let ends = 0;
        for (let t = 0; t < 30; t++) {
          // Half the steps with raw samples of the action space (mostly masked bids), half with valid ones.
          const actions = t % 2 ? (sampleActions(env, rng) as Int32Array) : randomValidActions(env, lastInfos, rng);
          expect(env.actionSpace.contains(actions)).toBe(true);
          const r = env.step(actions);
          lastInfos = r.infos as DispatchInfos;
          check(r);
          expect(r.rewards).toBeInstanceOf(Float32Array);
          expect(r.rewards.every(Number.isFinite)).toBe(true);
          expect(Array.from(r.terminations)).toEqual(new Array(E * V).fill(0));
          const ep = r.infos.episode;
          for (let e = 0; e < E; e++) {
            const trunc = Array.from(r.truncations.subarray(e * V, (e + 1) * V));
            expect(new Set(trunc).size).toBe(1);
            expect(ep.done[e]).toBe(trunc[0]);
            expect(trunc[0]).toBe((t + 1) % 12 === 0 ? 1 : 0);
            if (!ep.done[e]) continue;
            ends++;
            const fin = r.infos.finalObs as Float32Array;
            expect(Array.from({ length: V }, (_, a) => single.containsFlat(fin, (e * V + a) * DD.D)).every(Boolean)).toBe(true);
            expect(ep.length[e]).toBe(12);
          }
        }
        expect(ends).toBe(2 * E);
        env.close();
      });

      it('agent names, metric names and metadata', () => {
        const env = mkd({ autoresetMode: 'next-step', seed: 77 });
        expect(env.id).toBe('RideDispatch-v0');
        expect(env.numAgents).toBe(V);
        expect(env.numEnvs).toBe(E);
        expect(env.metadata).toMatchObject({ autoresetMode: 'next-step', backend, seed: 77 });
        expect(env.metadata.config).toMatchObject({ numZones: 16, numVehicles: V, capacity: 2, numSlots: K, numNeighbours: R, horizon: 12, maxWait: 5, demand: 'synthetic', conflictRule: 'nearest', cityPerEnv: true });
        const infos = env.reset().infos as DispatchInfos;
        expect([...infos.episode.metricNames]).toEqual([...METRICS]);
        expect(() => env.observationSpaceOf(`vehicle_${V}`)).toThrow();
        expect(() => env.actionSpaceOf('agent_0')).toThrow();
        env.close();
      });
    });

    describe(`${backend}: RideDispatch-v0: agent sets (PettingZoo parallel_api_test)`, () => {
      it('parallelView over random episodes in every autoreset mode: dict keys equal the live agents; all vehicles leave at the horizon', () => {
        for (const autoresetMode of ['same-step', 'next-step', 'disabled'] as AutoresetMode[]) {
          const numEnvs = autoresetMode === 'disabled' ? 1 : E;
          const env = mkd({ autoresetMode, numEnvs, keepFinalObs: autoresetMode === 'same-step' });
          env.reset();
          const view = env.parallelView(numEnvs - 1);
          expect(view.possibleAgents).toEqual(env.possibleAgents);
          expect(view.maxNumAgents).toBe(V);
          let [obs, infos] = view.reset({ seed: 5 });
          expect(Object.keys(obs)).toEqual(view.possibleAgents);
          expect(Object.keys(infos)).toEqual(view.possibleAgents);
          const rng = new CounterRng(9);
          const sorted = (d: object): string => Object.keys(d).sort().join(',');
          let episodes = 0;
          for (let t = 0; t < 30; t++) {
            if (view.agents.length === 0) {
              episodes++;
              [obs, infos] = view.reset();
              expect(view.agents).toEqual(view.possibleAgents);
            }
            const live = [...view.agents];
            const acts: Record<string, number> = {};
            for (const a of live) {
              const mask = infos[a].actionMask as Uint8Array;
              const valid = Array.from(mask).flatMap((m, i) => (m ? [i] : []));
              acts[a] = valid[rng.below(valid.length)];
            }
            const [o, rew, term, trunc, info] = view.step(acts);
            expect([o, rew, term, trunc, info].map(sorted), `t=${t + 1}: dict keys`).toEqual(new Array(5).fill(sorted(acts)));
            const bad = live.filter((a) => !(view.observationSpace(a).contains(o[a]) && typeof rew[a] === 'number' && term[a] === false &&
              typeof trunc[a] === 'boolean' && (info[a].actionMask as Uint8Array).length === NA && typeof info[a].canAct === 'boolean' &&
              (info[a].position as number[]).length === 2 && typeof info[a].wonSlot === 'number'));
            expect(bad, `t=${t + 1}: agents with malformed entries`).toEqual([]);
            const ended = live.some((a) => trunc[a]);
            expect(live.every((a) => trunc[a] === ended)).toBe(true);
            expect(view.agents).toEqual(ended ? [] : live);
            if (ended) {
              for (const a of live) {
                const ep = info[a].episode as { return: number; length: number; metrics: Record<string, number> };
                expect(Object.keys(ep.metrics)).toEqual([...METRICS]);
                expect(ep.length).toBe(12);
                expect(conservationGap(ep.metrics as Record<(typeof METRICS)[number], number>)).toBe(0);
              }
            }
            obs = o;
            infos = info;
          }
          expect(episodes).toBeGreaterThan(0);
          env.close();
        }
      });

      it('parallelView round trip: dicts equal the slices of the batch buffers; actions land in env.actions; reset touches only its env', () => {
        const env = mkd();
        const r = env.reset();
        const otherBefore = rowsOf(r.obs, 0, V, DD.D);
        const view = env.parallelView(1);
        const [obs, infos] = view.reset({ seed: 123 });
        expect(rowsOf(r.obs, 0, V, DD.D)).toEqual(otherBefore);
        const di = r.infos as DispatchInfos;
        for (let a = 0; a < V; a++) {
          expect(Array.from(obs[`vehicle_${a}`])).toEqual(rowsOf(r.obs, 1 * V + a, 1, DD.D));
          expect(Array.from(infos[`vehicle_${a}`].actionMask as Uint8Array)).toEqual(Array.from(di.actionMask.subarray((V + a) * NA, (V + a + 1) * NA)));
          expect(infos[`vehicle_${a}`].position).toEqual([di.vehiclePositions[2 * (V + a)], di.vehiclePositions[2 * (V + a) + 1]]);
          expect(infos[`vehicle_${a}`].load).toBe(di.vehicleLoad[V + a]);
        }
        const kept = Array.from(obs.vehicle_0);
        env.actions.fill(0);
        const acts: Record<string, number> = {};
        for (let a = 0; a < V; a++) acts[`vehicle_${a}`] = (a * 3) % NA;
        const [obs2, rew2] = view.step(acts);
        expect(Array.from(obs.vehicle_0)).toEqual(kept); // copies, not views
        expect(Array.from(env.actions.subarray(V, 2 * V))).toEqual(Array.from({ length: V }, (_, a) => (a * 3) % NA));
        expect(Array.from(env.actions.subarray(0, V))).toEqual(new Array(V).fill(0));
        for (let a = 0; a < V; a++) expect(Array.from(obs2[`vehicle_${a}`])).toEqual(rowsOf(r.obs, V + a, 1, DD.D));
        // A twin batch seeded the same way and stepped with the same actions agrees everywhere.
        const twin = mkd();
        twin.reset();
        twin.reset({ seed: Uint32Array.from([11, 123, 13]), mask: [0, 1, 0] });
        const tr = twin.step(env.actions.slice());
        for (let a = 0; a < V; a++) expect(rew2[`vehicle_${a}`]).toBe(tr.rewards[V + a]);
        expect(snapshotAll(twin, { obs: tr.obs, infos: tr.infos })).toEqual(snapshotAll(env, r));
        // Missing live agents get the no-op.
        view.step({});
        expect(Array.from(env.actions.subarray(V, 2 * V))).toEqual(new Array(V).fill(0));
        twin.close();
        env.close();
      });
    });

    describe(`${backend}: RideDispatch-v0: autoreset modes`, () => {
      /** What a fresh episode shows: everything written by the observation pass. */
      const firstObs = (r: Outputs): Record<string, number[]> => {
        const i = r.infos as DispatchInfos;
        return Object.fromEntries(Object.entries({
          obs: r.obs, actionMask: i.actionMask, canAct: i.canAct, vehiclePositions: i.vehiclePositions, vehicleStatus: i.vehicleStatus, vehicleLoad: i.vehicleLoad,
        }).map(([k, v]) => [k, Array.from(v as ArrayLike<number>)]));
      };

      it("'same-step': the ending step returns its rewards/flags/bid outcomes, done=1 and the next episode's first observation; finalObs equals a disabled twin", () => {
        const env = mkd({ keepFinalObs: true });
        const twin = mkd({ autoresetMode: 'disabled' });
        expect(snapshotAll(env, env.reset())).toEqual(snapshotAll(twin, twin.reset()));
        const rng = new CounterRng(21);
        let ends = 0, last = env.step(new Int32Array(E * V));
        twin.step(new Int32Array(E * V));
        const size = V * DD.D;
        for (let t = 1; t < 40; t++) {
          const act = randomValidActions(env, last.infos as DispatchInfos, rng);
          const r = env.step(act);
          const tr = twin.step(act);
          const ri = r.infos as DispatchInfos, ti = tr.infos as DispatchInfos;
          for (const k of ['lostBid', 'invalidAction', 'wonSlot'] as const) expect(Array.from(ri[k]), k).toEqual(Array.from(ti[k]));
          expect(Array.from(r.rewards)).toEqual(Array.from(tr.rewards));
          expect(Array.from(r.truncations)).toEqual(Array.from(tr.truncations));
          const done = Array.from(r.infos.episode.done);
          expect(done).toEqual(Array.from(tr.infos.episode.done));
          for (let e = 0; e < E; e++) {
            if (!done[e]) continue;
            ends++;
            expect(Array.from((r.infos.finalObs as Float32Array).subarray(e * size, (e + 1) * size))).toEqual(Array.from(tr.obs.subarray(e * size, (e + 1) * size)));
            expect(r.infos.episode.length[e]).toBe(tr.infos.episode.length[e]);
            expect(Array.from(r.infos.episode.return.subarray(e * V, (e + 1) * V))).toEqual(Array.from(tr.infos.episode.return.subarray(e * V, (e + 1) * V)));
            expect(Array.from(r.infos.episode.metrics.subarray(e * 18, (e + 1) * 18))).toEqual(Array.from(tr.infos.episode.metrics.subarray(e * 18, (e + 1) * 18)));
          }
          // The twin resets the ended envs by hand: then both show the same new episode.
          if (done.some(Boolean)) twin.reset({ mask: done });
          expect(firstObs(r)).toEqual(firstObs(tr));
          last = r;
        }
        expect(ends).toBe(3 * E);
        env.close();
        twin.close();
      });

      it("'next-step': the ending step returns the last observation; the next step ignores actions and returns zeros and a first observation", () => {
        const env = mkd({ autoresetMode: 'next-step' }), env2 = mkd({ autoresetMode: 'next-step' }), twin = mkd({ autoresetMode: 'disabled' });
        let infos = env.reset().infos as DispatchInfos;
        env2.reset();
        twin.reset();
        const rng = new CounterRng(5);
        for (let ep = 0; ep < 2; ep++) {
          for (let t = 1; t <= 12; t++) {
            const act = randomValidActions(env, infos, rng);
            const r = env.step(act);
            env2.step(act);
            infos = r.infos as DispatchInfos;
            expect(snapshotAll(env, r)).toEqual(snapshotAll(twin, twin.step(act)));
            expect(Array.from(r.infos.episode.done)).toEqual(new Array(E).fill(t === 12 ? 1 : 0));
            expect(Array.from(r.truncations)).toEqual(new Array(E * V).fill(t === 12 ? 1 : 0));
          }
          // The reset step: actions are ignored (env and env2 get different ones).
          const r = env.step(sampleActions(env, rng));
          infos = r.infos as DispatchInfos;
          const r2 = env2.step(new Int32Array(E * V));
          const tr = twin.reset();
          expect(Array.from(r.rewards)).toEqual(new Array(E * V).fill(0));
          expect(Array.from(r.truncations)).toEqual(new Array(E * V).fill(0));
          expect(Array.from(r.infos.episode.done)).toEqual(new Array(E).fill(0));
          expect(Array.from(infos.wonSlot)).toEqual(new Array(E * V).fill(-1));
          expect(snapshotAll(env, { obs: r.obs, infos: r.infos })).toEqual(snapshotAll(twin, tr));
          expect(snapshotAll(env2, r2)).toEqual(snapshotAll(env, r));
        }
        env.close();
        env2.close();
        twin.close();
      });

      it("'disabled': stepping after the end throws ResetNeededError naming the env; reset with a mask fixes it", () => {
        const env = mkd({ autoresetMode: 'disabled', config: { horizonSteps: 3 } });
        env.reset();
        const noop = new Int32Array(E * V);
        for (let t = 0; t < 3; t++) env.step(noop);
        let err: unknown;
        try { env.step(noop); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(ResetNeededError);
        expect((err as Error).message).toMatch(/env 0/);
        expect((err as Error).message).toContain('RideDispatch-v0');
        env.reset({ mask: [1, 0, 0] });
        try { env.step(noop); err = undefined; } catch (e) { err = e; }
        expect(err).toBeInstanceOf(ResetNeededError);
        expect((err as Error).message).toMatch(/env 1/);
        env.reset({ mask: [0, 1, 1] });
        expect(Array.from(env.step(noop).truncations)).toEqual(new Array(E * V).fill(0));
        env.close();
      });
    });

    describe(`${backend}: RideDispatch-v0: seeding and determinism`, () => {
      it('same seed gives identical trajectories; reset({ seed }) repeats whatever happened in between and equals a fresh batch', () => {
        const a = mkd({ seed: 42 }), b = mkd({ seed: 42 });
        expect(dTrajectory(a, 30, new CounterRng(1))).toEqual(dTrajectory(b, 30, new CounterRng(1)));
        const first = dTrajectory(a, 20, new CounterRng(7), { seed: 999 });
        dTrajectory(a, 13, new CounterRng(8));
        expect(dTrajectory(a, 20, new CounterRng(7), { seed: 999 })).toEqual(first);
        const fresh = mkd({ seed: 999 });
        expect(dTrajectory(fresh, 20, new CounterRng(7))).toEqual(first);
        const other = mkd({ seed: 43 });
        expect(dTrajectory(other, 20, new CounterRng(7))).not.toEqual(first);
        [a, b, fresh, other].forEach((e) => e.close());
      });

      for (const [name, config] of [
        ['a synthetic city per env', {}],
        ['a seed-independent city (rate tables, shared)', { cityPerEnv: false, demand: { rates: [Array.from({ length: 16 }, (_, z) => 10 + 5 * (z % 3))] } }],
      ] as Array<[string, DispatchConfig]>) {
        it(`${name}: env i of a batch seeded s equals env 0 of a batch seeded s + i, and per-env seed arrays`, () => {
          const s = 500, N = 4;
          const batch = mkd({ seed: s, numEnvs: N, config });
          const singles = Array.from({ length: N }, (_, i) => mkd({ seed: s + i, numEnvs: 1, config }));
          const rng = new CounterRng(31);
          const r0 = batch.reset();
          let infos = r0.infos as DispatchInfos;
          singles.forEach((one, i) => expect(rowsOf(r0.obs, i, V, DD.D), `reset env ${i}`).toEqual(rowsOf(one.reset().obs, 0, V, DD.D)));
          for (let t = 0; t < 30; t++) {
            const act = randomValidActions(batch, infos, rng);
            const rb = batch.step(act);
            infos = rb.infos as DispatchInfos;
            singles.forEach((one, i) => {
              const o = one.step(act.slice(i * V, (i + 1) * V));
              expect(rowsOf(rb.obs, i, V, DD.D), `t=${t + 1} env ${i} obs`).toEqual(rowsOf(o.obs, 0, V, DD.D));
              expect(rowsOf(rb.rewards, i, V, 1)).toEqual(Array.from(o.rewards));
              expect(rowsOf(infos.wonSlot, i, V, 1)).toEqual(Array.from((o.infos as DispatchInfos).wonSlot));
              expect(rb.infos.episode.done[i]).toBe(o.infos.episode.done[0]);
            });
          }
          const seeds = [7, 70000, 2 ** 32 - 1, 0];
          const rb = batch.reset({ seed: seeds });
          for (let i = 0; i < N; i++) {
            const one = mkd({ seed: seeds[i], numEnvs: 1, config });
            expect(rowsOf(rb.obs, i, V, DD.D), `seed array env ${i}`).toEqual(rowsOf(one.reset().obs, 0, V, DD.D));
            one.close();
          }
          batch.close();
          singles.forEach((e) => e.close());
        });
      }

      it("shared synthetic city (cityPerEnv false, the default): the city comes from make()'s seed; reset({ seed }) reseeds the episodes, not the city", () => {
        const config: DispatchConfig = { cityPerEnv: false };
        const a = mkd({ seed: 10, config }), b = mkd({ seed: 10, numEnvs: 1, config }), c = mkd({ seed: 51, numEnvs: 1, config });
        const ra = a.reset({ seed: [50, 51, 52] });
        const rb = b.reset({ seed: 51 });
        // Env 1 of a equals env 0 of b (same city, same episode seed), step after step.
        const rng = new CounterRng(4);
        expect(rowsOf(ra.obs, 1, V, DD.D)).toEqual(rowsOf(rb.obs, 0, V, DD.D));
        for (let t = 0; t < 12; t++) {
          const act = randomValidActions(a, ra.infos as DispatchInfos, rng);
          const sa = a.step(act), sb = b.step(act.slice(V, 2 * V));
          expect(rowsOf(sa.obs, 1, V, DD.D), `t=${t + 1}`).toEqual(rowsOf(sb.obs, 0, V, DD.D));
        }
        // A batch made with seed 51 has another city: its trajectory differs.
        expect(dTrajectory(c, 12, new CounterRng(4))).not.toEqual(dTrajectory(b, 12, new CounterRng(4), { seed: 51 }));
        [a, b, c].forEach((e) => e.close());
      });

      it('numThreads 1 and 2 give identical results over 60 steps with autoresets', () => {
        const runs = [1, 2].map((numThreads) => {
          const env = mkd({ numEnvs: 5, seed: 2024, numThreads, keepFinalObs: true });
          if (backend === 'native') expect(env.metadata.numThreads).toBe(numThreads);
          const out = dTrajectory(env, 60, new CounterRng(77));
          env.close();
          return out;
        });
        expect(runs[1]).toEqual(runs[0]);
      });
    });

    describe(`${backend}: RideDispatch-v0: buffers, episode statistics, close`, () => {
      it('reset/step return the same objects and typed arrays every time; step(array) equals staged step()', () => {
        const env = mkd({ keepFinalObs: true }), b = mkd({ keepFinalObs: true });
        const r0 = env.reset();
        b.reset();
        const infos0 = r0.infos as DispatchInfos;
        const arrays = (i: DispatchInfos): unknown[] => [
          i.agentMask, i.actionMask, i.lostBid, i.canAct, i.invalidAction, i.wonSlot, i.vehiclePositions, i.vehicleStatus, i.vehicleLoad,
          i.finalObs, i.episode, i.episode.done, i.episode.return, i.episode.length, i.episode.metrics,
        ];
        const ref = arrays(infos0);
        for (const x of ref) expect(x).toBeDefined();
        const staged = env.actions;
        const rng = new CounterRng(1);
        const first = env.step(randomValidActions(env, infos0, rng));
        b.step(env.actions.slice());
        expect(first.obs).toBe(r0.obs);
        expect(first.infos).toBe(r0.infos);
        for (let t = 0; t < 20; t++) {
          const act = randomValidActions(env, infos0, rng);
          const r = t % 2 ? env.step(Array.from(act)) : (env.actions.set(act), env.step());
          expect(r).toBe(first);
          expect(r.rewards).toBe(first.rewards);
          arrays(r.infos as DispatchInfos).forEach((x, k) => expect(x, `infos field ${k}`).toBe(ref[k]));
          expect(env.actions).toBe(staged);
          expect(Array.from(env.actions)).toEqual(Array.from(act));
          expect(snapshotAll(env, r)).toEqual(snapshotAll(b, b.step(act)));
        }
        expect(env.reset({ seed: 3 })).toBe(r0);
        env.close();
        b.close();
      });

      it("episode.return is the float32 sum of the episode's rewards, episode.length its steps, episodeReturn their mean", () => {
        const env = mkd({ numEnvs: 4, config: { reward: 'rideGym' } });
        const N = 4;
        let infos = env.reset().infos as DispatchInfos;
        const ret = new Array<number>(N * V).fill(0);
        const rng = new CounterRng(12);
        let ends = 0;
        for (let t = 0; t < 36; t++) {
          const r = env.step(randomValidActions(env, infos, rng));
          infos = r.infos as DispatchInfos;
          const ep = r.infos.episode;
          for (let e = 0; e < N; e++) {
            for (let a = 0; a < V; a++) ret[e * V + a] = Math.fround(ret[e * V + a] + r.rewards[e * V + a]);
            if (!ep.done[e]) continue;
            ends++;
            expect(ep.length[e]).toBe(12);
            for (let a = 0; a < V; a++) expect(ep.return[e * V + a], `return env ${e} vehicle ${a}`).toBe(ret[e * V + a]);
            expect(metricsOf(infos, e).episodeReturn).toBeCloseTo(ret.slice(e * V, (e + 1) * V).reduce((x, y) => x + y, 0) / V, 4);
            ret.fill(0, e * V, (e + 1) * V);
          }
        }
        expect(ends).toBe(3 * N);
        env.close();
      });

      it('stepAsync gives the same results (and the same objects) as step', async () => {
        const a = mkd({ keepFinalObs: true }), b = mkd({ keepFinalObs: true });
        let ra: Outputs = a.reset();
        const rb0 = b.reset();
        const rng = new CounterRng(6);
        for (let t = 0; t < 30; t++) {
          const act = randomValidActions(a, ra.infos as DispatchInfos, rng);
          ra = a.step(act);
          const rb = await b.stepAsync(act);
          expect(rb.obs).toBe(rb0.obs);
          expect(rb.infos).toBe(rb0.infos);
          expect(snapshotAll(b, rb)).toEqual(snapshotAll(a, ra));
        }
        a.close();
        b.close();
      });

      it('close() frees the batch once (idempotent); `using` closes at scope end', () => {
        let outer: VectorEnv;
        {
          using env = mkd();
          outer = env;
          env.reset();
          env.step(new Int32Array(E * V));
          expect(env.isClosed).toBe(false);
        }
        expect(outer.isClosed).toBe(true);
        expect(() => outer.close()).not.toThrow();
        expect(() => outer.step()).toThrow(EnvClosedError);
      });
    });
  }
}
