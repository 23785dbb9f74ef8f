/**
 * Whatever a user does with the buffers they hold (write garbage through `.buffer`, transfer it,
 * write the infos) cannot crash the process or change what the env computes: the env's state lives
 * out of reach, and the shared output buffer cannot be detached.
 */
import { describe, expect, it } from 'vitest';
import {
  CounterRng, InvalidActionError, InvalidConfigError, make, type MapfConfig, type VectorEnv, type VolleyballInfos,
  type DispatchConfig, type DispatchInfos,
} from '../../src/index.js';
import { mapfBackends } from '../helpers/mapf.js';
import { sampleActions, snapshotAll } from '../helpers/conformance.js';
import { HOVER_COMMAND, VB_TASKS, makeVb, vbBackends, type VbOptions } from '../helpers/volleyball.js';
import { dispatchBackends, makeDispatch, randomValidActions, type DispatchOptions } from '../helpers/dispatch.js';

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
        structuredClone(obs.buffer, { transfer: [obs.buffer as ArrayBuffer] });
        expect(obs.buffer.byteLength).toBe(length);
        const pending = env.stepAsync(new Int32Array(env.actions.length).fill(1));
        structuredClone(obs.buffer, { transfer: [obs.buffer as ArrayBuffer] });
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

for (const f of VB_TASKS) {
  for (const backend of vbBackends(f.id)) {
    const vbTwins = (opts: VbOptions = {}): [VectorEnv, VectorEnv] => {
      const o: VbOptions = { numEnvs: 3, seed: 21, backend, autoresetMode: 'same-step', ...opts };
      return [makeVb(f.task, o), makeVb(f.task, o)];
    };
    const expectSame = (a: VectorEnv, b: VectorEnv, rng: CounterRng, steps: number, before?: () => void): void => {
      for (let t = 0; t < steps; t++) {
        const act = sampleActions(a, rng);
        before?.();
        expect(snapshotAll(a, a.step(act)), `step ${t + 1}`).toEqual(snapshotAll(b, b.step(act)));
      }
    };

    describe(`${backend}: ${f.id}: buffers the user holds cannot break the env`, () => {
      it('garbage over the whole shared buffer (NaN actions): step refuses, then the env continues exactly like a twin', () => {
        const [a, b] = vbTwins({ config: { maxEpisodeSteps: 20 } });
        try {
          a.reset();
          b.reset();
          const rng = new CounterRng(3);
          expectSame(a, b, rng, 5);
          new Uint8Array(a.actions.buffer).fill(0xff); // 0xffffffff is a NaN: every output and the actions
          expect(() => a.step()).toThrow(InvalidActionError);
          expectSame(a, b, rng, 40);
        } finally {
          a.close();
          b.close();
        }
      });

      it('writing into obs, rewards and every infos array changes nothing the env computes or reports', () => {
        const [a, b] = vbTwins({ config: { maxEpisodeSteps: 20 } });
        try {
          const r = a.reset();
          b.reset();
          const infos = r.infos as VolleyballInfos;
          const scribble = (): void => {
            r.obs.fill(1e6);
            infos.drones.fill(-3);
            infos.ball.fill(7);
            infos.board.fill(NaN);
            infos.hits.fill(1);
            infos.teams.fill(9);      // constants, written again after every step and reset
            infos.agentMask.fill(7);
            infos.episode.done.fill(1);
            infos.episode.return.fill(5);
          };
          expectSame(a, b, new CounterRng(4), 40, scribble);
        } finally {
          a.close();
          b.close();
        }
      });

      it('the shared buffer cannot be detached: transferring it copies, and stepping goes on', async () => {
        const env = makeVb(f.task, { numEnvs: 2, backend });
        try {
          const { obs } = env.reset();
          const length = obs.buffer.byteLength;
          structuredClone(obs.buffer, { transfer: [obs.buffer as ArrayBuffer] });
          expect(obs.buffer.byteLength).toBe(length);
          const pending = env.stepAsync(new Float32Array(env.actions.length).fill(HOVER_COMMAND));
          structuredClone(obs.buffer, { transfer: [obs.buffer as ArrayBuffer] });
          await pending;
          expect(obs.buffer.byteLength).toBe(length);
          expect(() => env.step()).not.toThrow();
        } finally {
          env.close();
        }
      });

      it("a reset mask that is a view on the env's own hits buffer resets exactly the masked envs", () => {
        const [a, b] = vbTwins();
        try {
          const infos = a.reset().infos as VolleyballInfos;
          b.reset();
          const rng = new CounterRng(8);
          expectSame(a, b, rng, 3);
          // The mask lies in the hits buffer, which the reset itself rewrites (to zeros).
          const mask = new Uint8Array(infos.hits.buffer, infos.hits.byteOffset, 3);
          mask.fill(0);
          mask[0] = 1;
          mask[2] = 1;
          a.reset({ mask });
          b.reset({ mask: [1, 0, 1] });
          expectSame(a, b, rng, 20);
        } finally {
          a.close();
          b.close();
        }
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// RideDispatch-v0: the env reads only the actions from the shared buffer; its cities, orders and
// vehicles live in the addon.
// ---------------------------------------------------------------------------------------------

for (const backend of dispatchBackends()) {
  const DCFG: DispatchConfig = { gridWidth: 4, gridHeight: 4, numVehicles: 4, numSlots: 6, capacity: 2, horizonSteps: 10, demandScale: 4, pairInsertionCost: true };
  const dTwins = (opts: DispatchOptions = {}): [VectorEnv, VectorEnv] => {
    const o: DispatchOptions = { numEnvs: 3, seed: 21, backend, autoresetMode: 'same-step', ...opts, config: { ...DCFG, ...opts.config } };
    return [makeDispatch(o), makeDispatch(o)];
  };
  /** Steps both with the same valid actions (from b's mask, which a's scribbles cannot reach) for `steps` steps. */
  const expectSame = (a: VectorEnv, b: VectorEnv, rng: CounterRng, steps: number, infos: DispatchInfos, before?: () => void): DispatchInfos => {
    for (let t = 0; t < steps; t++) {
      const act = randomValidActions(b, infos, rng);
      before?.();
      const rb = b.step(act);
      expect(snapshotAll(a, a.step(act)), `step ${t + 1}`).toEqual(snapshotAll(b, rb));
      infos = rb.infos as DispatchInfos;
    }
    return infos;
  };

  describe(`${backend}: RideDispatch-v0: buffers the user holds cannot break the env`, () => {
    it('garbage over the whole shared buffer (actions −1): step refuses, then the env continues exactly like a twin', () => {
      const [a, b] = dTwins();
      try {
        a.reset();
        let infos = b.reset().infos as DispatchInfos;
        const rng = new CounterRng(3);
        infos = expectSame(a, b, rng, 5, infos);
        new Uint8Array(a.actions.buffer).fill(0xff); // every output and the actions (0xffffffff = −1)
        expect(() => a.step()).toThrow(InvalidActionError);
        expectSame(a, b, rng, 25, infos);
      } finally {
        a.close();
        b.close();
      }
    });

    it('writing into obs, rewards, the masks and every infos array changes nothing the env computes or reports', () => {
      const [a, b] = dTwins();
      try {
        const r = a.reset();
        const infos = b.reset().infos as DispatchInfos;
        const ia = r.infos as DispatchInfos;
        const scribble = (): void => {
          r.obs.fill(1e6);
          ia.actionMask.fill(1);
          ia.canAct.fill(1);
          ia.lostBid.fill(1);
          ia.invalidAction.fill(1);
          ia.wonSlot.fill(3);
          ia.vehiclePositions.fill(NaN);
          ia.vehicleStatus.fill(2);
          ia.vehicleLoad.fill(-4);
          ia.agentMask.fill(0);     // a constant (every vehicle acts), written again after every step
          ia.episode.done.fill(1);
          ia.episode.return.fill(5);
          ia.episode.metrics.fill(7);
        };
        expectSame(a, b, new CounterRng(4), 25, infos, scribble);
      } finally {
        a.close();
        b.close();
      }
    });

    it('the shared buffer cannot be detached: transferring it copies, and stepping goes on', async () => {
      const env = makeDispatch({ numEnvs: 2, backend, config: DCFG });
      try {
        const { obs } = env.reset();
        const length = obs.buffer.byteLength;
        structuredClone(obs.buffer, { transfer: [obs.buffer as ArrayBuffer] });
        expect(obs.buffer.byteLength).toBe(length);
        const pending = env.stepAsync(new Int32Array(env.actions.length).fill(1));
        structuredClone(obs.buffer, { transfer: [obs.buffer as ArrayBuffer] });
        await pending;
        expect(obs.buffer.byteLength).toBe(length);
        expect(() => env.step()).not.toThrow();
      } finally {
        env.close();
      }
    });

    it("a reset mask that is a view on the env's own lostBid buffer resets exactly the masked envs", () => {
      const [a, b] = dTwins();
      try {
        const ia = a.reset().infos as DispatchInfos;
        let infos = b.reset().infos as DispatchInfos;
        const rng = new CounterRng(8);
        infos = expectSame(a, b, rng, 3, infos);
        // The mask lies in the lostBid buffer, which the reset itself rewrites (to zeros).
        const mask = new Uint8Array(ia.lostBid.buffer, ia.lostBid.byteOffset, 3);
        mask.set([1, 0, 1]);
        a.reset({ mask });
        infos = b.reset({ mask: [1, 0, 1] }).infos as DispatchInfos;
        expectSame(a, b, rng, 12, infos);
      } finally {
        a.close();
        b.close();
      }
    });

    it('reseeding env 0 of a batch with one shared synthetic city leaves the other envs (and the city) untouched', () => {
      const [a, b] = dTwins({ config: { cityPerEnv: false } });
      try {
        a.reset();
        let infos = b.reset().infos as DispatchInfos;
        a.reset({ seed: [999, 0, 0], mask: [1, 0, 0] });
        const rng = new CounterRng(6);
        const size = 4 * a.obsSize;
        for (let t = 0; t < 25; t++) {
          const act = randomValidActions(b, infos, rng);
          act.fill(0, 0, 4); // env 0 differs now: leave its vehicles idle
          const ra = a.step(act), rb = b.step(act);
          expect(Array.from(ra.obs.subarray(size))).toEqual(Array.from(rb.obs.subarray(size)));
          infos = rb.infos as DispatchInfos;
        }
      } finally {
        a.close();
        b.close();
      }
    });
  });
}
