/**
 * The example trainer (examples/mapf-a2c.ts, examples/a2c.ts): its advantage estimate and its
 * bootstrapping at goals, truncations and terminations against hand-worked episodes, and that a
 * short training run learns MAPF-v0, judged against a uniformly random policy on envs it never
 * trained on.
 */
import { describe, expect, it } from 'vitest';
import { make } from '../../src/index.js';
import { bootstrapTargets, generalizedAdvantages } from '../../examples/a2c.js';
import { evaluateMapf, trainMapfA2C } from '../../examples/mapf-a2c.js';

describe('examples/mapf-a2c', () => {
  it('computes GAE by hand: bootstraps, stops at episode ends and skips steps a slot did not act on', () => {
    const gamma = 0.9, lambda = 0.5, c = gamma * lambda;
    // Three slots, three steps, laid out [t, slot]. Slot 0 acts on all three and its episode goes
    // on past the rollout (bootstrapped from 2.0). Slot 1 reaches its goal on step 0 (terminal:
    // next value 0), then acts in the next episode and is truncated on step 2 (bootstrapped from its
    // final observation's value, 1.5). Slot 2 reaches its goal on step 0, sits out step 1 and acts
    // on step 2 in a new episode.
    const rewards = [0, 1, 1, /**/ 1, 0, 0, /**/ 0, 0, 0];
    const values = [1.0, 0.5, 0.6, /**/ 1.2, 0.3, 0, /**/ 1.4, 0.8, 0.9];
    const nextValues = [1.2, 0, 0, /**/ 1.4, 0.8, 0, /**/ 2.0, 1.5, 2.2];
    const cont = [1, 0, 0, /**/ 1, 1, 0, /**/ 1, 0, 1];
    const acted = [1, 1, 1, /**/ 1, 1, 0, /**/ 1, 1, 1];
    const out = new Float64Array(9).fill(NaN);
    const count = generalizedAdvantages(
      { rewards, values, valueStride: 1, valueAt: 0, nextValues, cont, acted, steps: 3, slots: 3, gamma, lambda }, out);
    expect(count).toBe(8);
    const s0 = [0.9 * 1.2 - 1.0, 1 + 0.9 * 1.4 - 1.2, 0.9 * 2.0 - 1.4]; // slot 0's deltas
    expect(out[6]).toBeCloseTo(s0[2], 12);
    expect(out[3]).toBeCloseTo(s0[1] + c * s0[2], 12);
    expect(out[0]).toBeCloseTo(s0[0] + c * (s0[1] + c * s0[2]), 12);
    expect(out[7]).toBeCloseTo(0.9 * 1.5 - 0.8, 12); // truncated: its own bootstrap only
    expect(out[4]).toBeCloseTo(0.9 * 0.8 - 0.3 + c * (0.9 * 1.5 - 0.8), 12);
    expect(out[1]).toBeCloseTo(1 - 0.5, 12); // terminal: the next episode's advantages do not leak in
    expect(out[2]).toBeCloseTo(1 - 0.6, 12);
    expect(out[5]).toBe(0); // did not act
    expect(out[8]).toBeCloseTo(0.9 * 2.2 - 0.9, 12);
  });

  it('bootstraps from the next observation, from finalObs at a truncation, and from nothing at a goal or termination', () => {
    // Two envs on a 1×5 corridor, agent 0 from (0,0) to (0,1), agent 1 from (0,4) to (0,2), 3 steps.
    using env = make('MAPF-v0', {
      numEnvs: 2, seed: 1, keepFinalObs: true,
      config: { map: '.....', agentsXY: [[0, 0], [0, 4]], targetsXY: [[0, 1], [0, 2]], obsRadius: 1, maxEpisodeSteps: 3 },
    });
    env.reset();
    const cont = new Uint8Array(4), next = new Float64Array(4);
    let fromFinal: number[] = [];
    // The value is 100 + slot for the step's own observation and 200 + slot for finalObs.
    const step = (actions: number[]): void => {
      const r = env.step(Int32Array.from(actions));
      fromFinal = [];
      bootstrapTargets(r, (source, i) => {
        if (source === r.infos.finalObs) { fromFinal.push(i); return 200 + i; }
        expect(source).toBe(r.obs);
        return 100 + i;
      }, cont, next, 0);
    };
    // Episode 1. Env 0: agent 0 steps onto its goal, agent 1 waits; env 1: both wait throughout.
    step([4, 0, 0, 0]);
    expect(Array.from(cont)).toEqual([0, 1, 1, 1]);
    expect(Array.from(next)).toEqual([0, 101, 102, 103]);
    step([0, 0, 0, 0]);
    expect(Array.from(cont)).toEqual([0, 1, 1, 1]);
    expect(Array.from(next)).toEqual([0, 101, 102, 103]);
    step([0, 0, 0, 0]); // the time limit: agents still walking are valued at their final observation
    expect(Array.from(cont)).toEqual([0, 0, 0, 0]);
    expect(Array.from(next)).toEqual([0, 201, 202, 203]);
    expect(fromFinal).toEqual([1, 2, 3]);
    // Episode 2 (same starts). Env 0: both agents reach their goals, the second on step 2, which
    // ends env 0's episode by termination; env 1 goes on.
    step([4, 3, 0, 0]);
    expect(Array.from(cont)).toEqual([0, 1, 1, 1]);
    step([0, 3, 0, 0]);
    expect(Array.from(cont)).toEqual([0, 0, 1, 1]);
    expect(Array.from(next)).toEqual([0, 0, 102, 103]);
    expect(fromFinal).toEqual([]);
  });

  it('learns: after 150 updates it beats a random policy on unseen envs by a wide margin', () => {
    const model = trainMapfA2C({ updates: 150, numEnvs: 64, seed: 3 });
    const unseen = { numEnvs: 256, seed: 900_000 };
    const random = evaluateMapf(null, unseen);
    const trained = evaluateMapf(model, unseen);
    // Random walks reach few goals within 64 steps on 16×16 maps (ISR 0.085 measured on these
    // envs); a policy that learned to follow the goal channel reaches most (0.83 measured).
    expect(random.ISR).toBeLessThan(0.2);
    expect(trained.ISR).toBeGreaterThan(random.ISR + 0.4);
    expect(trained.CSR).toBeGreaterThan(random.CSR + 0.1);
    expect(trained.ep_length).toBeLessThan(random.ep_length - 10);
    // A model for another observation size is refused, not silently misread.
    expect(() => evaluateMapf(model, { ...unseen, numEnvs: 1, config: { size: 16, numAgents: 8, obsRadius: 3 } })).toThrow(RangeError);
  });

  it('is a pure function of its seed: two runs give the same weights, another seed different ones', () => {
    const a = trainMapfA2C({ updates: 4, numEnvs: 16, seed: 5 }).weights;
    const b = trainMapfA2C({ updates: 4, numEnvs: 16, seed: 5 }).weights;
    const c = trainMapfA2C({ updates: 4, numEnvs: 16, seed: 6 }).weights;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});
