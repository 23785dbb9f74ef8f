/**
 * Whatever a user does with the buffers they hold (write garbage through `.buffer`, transfer it,
 * write the infos) cannot crash the process or change what the env computes: the env's state lives
 * out of reach, and the shared output buffer cannot be detached.
 */
import { describe, expect, it } from 'vitest';
import {
  CounterRng, InvalidActionError, InvalidConfigError, make, type MapfConfig, type VectorEnv,
} from '../../src/index.js';
import { mapfBackends } from '../helpers/mapf.js';

const config: MapfConfig = { numAgents: 6, size: 10, density: 0.2, obsRadius: 3, onTarget: 'restart', maxEpisodeSteps: 30 };

function twins(backend: string, extra: Partial<MapfConfig> = {}, numEnvs = 3): [VectorEnv, VectorEnv] {
  const opts = { numEnvs, seed: 21, backend: backend as 'native', config: { ...config, ...extra } };
  return [make('MAPF-v0', opts), make('MAPF-v0', opts)];
}

function randomActions(env: VectorEnv, rng: CounterRng): Int32Array {
  return Int32Array.from({ length: env.actions.length }, () => rng.below(5));
}

for (const backend of mapfBackends()) {
  describe(`${backend}: buffers the user holds cannot break the env`, () => {
    it('garbage written over the whole shared buffer: step refuses the bad actions, then continues exactly like a twin', () => {
      const [a, b] = twins(backend);
      try {
        a.reset();
        b.reset();
        const rng = new CounterRng(3);
        for (let t = 0; t < 5; t++) {
          const act = randomActions(a, rng);
          a.step(act);
          b.step(act);
        }
        new Uint8Array(a.actions.buffer).fill(0xff); // every output and the actions
        expect(() => a.step()).toThrow(InvalidActionError);
        for (let t = 0; t < 40; t++) {
          const act = randomActions(a, rng);
          const ra = a.step(act), rb = b.step(act);
          expect(Array.from(ra.obs)).toEqual(Array.from(rb.obs));
          expect(Array.from(ra.rewards)).toEqual(Array.from(rb.rewards));
          expect(Array.from(ra.infos.agentMask)).toEqual(Array.from(rb.infos.agentMask));
        }
      } finally {
        a.close();
        b.close();
      }
    });

    it('writing infos.agentMask (finish mode) does not freeze or hide agents', () => {
      const [a, b] = twins(backend, { onTarget: 'finish' });
      try {
        const infosA = a.reset().infos;
        b.reset();
        const rng = new CounterRng(4);
        for (let t = 0; t < 30; t++) {
          const act = randomActions(a, rng);
          infosA.agentMask.fill(0);
          expect(Array.from(a.step(act).infos.positions as Int32Array)).toEqual(Array.from(b.step(act).infos.positions as Int32Array));
        }
      } finally {
        a.close();
        b.close();
      }
    });

    it('the shared buffer cannot be detached: transferring it copies, and stepping goes on', async () => {
      const env = make('MAPF-v0', { numEnvs: 2, seed: 5, backend, config });
      try {
        const { obs } = env.reset();
        const length = obs.buffer.byteLength;
        structuredClone(obs.buffer, { transfer: [obs.buffer] });
        expect(obs.buffer.byteLength).toBe(length);
        const pending = env.stepAsync(new Int32Array(env.actions.length).fill(1));
        structuredClone(obs.buffer, { transfer: [obs.buffer] });
        await pending;
        expect(obs.buffer.byteLength).toBe(length);
        expect(() => env.step()).not.toThrow();
      } finally {
        env.close();
      }
    });

    it('a reset mask that is a view on the env\'s own output buffer resets exactly the masked envs', () => {
      const [a, b] = twins(backend, { obsDtype: 'uint8' }, 2);
      try {
        const obs = a.reset().obs;
        b.reset();
        // The mask lies in env 0's goal plane, which the reset itself rewrites.
        const mask = new Uint8Array(obs.buffer, obs.byteOffset + 2 * 49, 2);
        mask.fill(1);
        a.reset({ mask });
        b.reset({ mask: [1, 1] });
        const rng = new CounterRng(8);
        for (let t = 0; t < 20; t++) {
          const act = randomActions(a, rng);
          expect(Array.from(a.step(act).obs)).toEqual(Array.from(b.step(act).obs));
        }
      } finally {
        a.close();
        b.close();
      }
    });

    it('reseeding env 0 of a batch with one shared generated map leaves the other envs untouched', () => {
      const [a, b] = twins(backend, { mapPerEnv: false }, 2);
      try {
        a.reset();
        b.reset();
        const rng = new CounterRng(6);
        a.reset({ seed: [999, 0], mask: [1, 0] });
        for (let t = 0; t < 30; t++) {
          const act = randomActions(a, rng);
          const pa = a.step(act).infos.positions as Int32Array, pb = b.step(act).infos.positions as Int32Array;
          const half = pa.length / 2;
          expect(Array.from(pa.subarray(half))).toEqual(Array.from(pb.subarray(half)));
        }
      } finally {
        a.close();
        b.close();
      }
    });
  });
}

describe('options that cannot be honoured are refused', () => {
  it("keepFinalObs outside 'same-step' autoreset", () => {
    for (const autoresetMode of ['next-step', 'disabled'] as const) {
      expect(() => make('MAPF-v0', { keepFinalObs: true, autoresetMode, config })).toThrow(InvalidConfigError);
    }
  });
  it('a lifelong goal sequence of one goal, and mixed single goals and sequences', () => {
    const map = '....\n....';
    expect(() => make('MAPF-v0', { config: { map, onTarget: 'restart', agentsXY: [[0, 0]], targetsXY: [[[1, 1]]] } }))
      .toThrow(/at least 2 goals/);
    expect(() => make('MAPF-v0', {
      config: { map, onTarget: 'restart', agentsXY: [[0, 0], [1, 0]], targetsXY: [[[1, 1], [0, 3]], [1, 2]] as never },
    })).toThrow(/mixes/);
  });
  it('threads beyond the number of envs are not started', () => {
    const env = make('MAPF-v0', { numEnvs: 2, numThreads: 8, config });
    try {
      expect(env.metadata.numThreads).toBeLessThanOrEqual(2);
    } finally {
      env.close();
    }
  });
});
