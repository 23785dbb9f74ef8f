/**
 * MAPF-v0 on the gpujs backend sharded over worker threads (`numThreads` > 1, given explicitly)
 * against the native backend, bit for bit: collision systems, onTarget modes, obs dtypes, every
 * autoreset mode (masked resets where it is disabled), per-env maps with masked reseeds and
 * keepFinalObs, through step() and stepAsync() on 2 and 3 workers; bad input, which must raise the
 * native error (the lowest env's, the checks in native order across workers) and change nothing;
 * selection (explicit numThreads only), metadata, close() and calls after it.
 */
import { describe, expect, it } from 'vitest';
import {
  CounterRng, ManyWorldsError, availableBackends, make, type AutoresetMode, type GpujsMode, type MakeOptions,
  type MapfConfig, type VectorEnv,
} from '../../src/index.js';
import { expectSameError, expectSameOutputs, randomMapfActions } from '../helpers/parity.js';

const nativeHere = availableBackends().some((b) => b.name === 'native' && b.available);

type Opts = Omit<MakeOptions<MapfConfig>, 'backend' | 'gpujs' | 'numThreads'>;

/** The same batch on native (one thread) and on gpujs sharded over `threads` workers. */
function pair(threads: number, opts: Opts, mode: GpujsMode = 'webasm'): [VectorEnv, VectorEnv] {
  const native = make('MAPF-v0', { ...opts, numThreads: 1, backend: 'native' });
  try {
    return [native, make('MAPF-v0', { ...opts, numThreads: threads, backend: 'gpujs', gpujs: { mode } })];
  } catch (err) {
    native.close();
    throw err;
  }
}


/** Steps both with the same random actions; where autoreset is disabled, resets finished envs by mask. */
async function stepTwins(native: VectorEnv, gpujs: VectorEnv, steps: number, seed: number, async: boolean, disabled: boolean): Promise<void> {
  const rng = new CounterRng(seed);
  for (let t = 0; t < steps; t++) {
    const act = randomMapfActions(native.actions.length, rng);
    const rn = native.step(act);
    expectSameOutputs(native, gpujs, rn, async ? await gpujs.stepAsync(act) : gpujs.step(act), `step ${t}`);
    if (disabled && rn.infos.episode.done.some((d) => d === 1)) {
      const mask = Array.from(rn.infos.episode.done);
      expectSameOutputs(native, gpujs, native.reset({ mask }), gpujs.reset({ mask }), `reset after step ${t}`);
    }
  }
}

interface Case { name: string; opts: Opts; steps: number }
const autoreset = (m: AutoresetMode): AutoresetMode => m;
const CASES: Case[] = [
  {
    name: 'priority finish float32 same-step keepFinalObs',
    opts: { numEnvs: 7, seed: 11, autoresetMode: autoreset('same-step'), keepFinalObs: true, config: { numAgents: 6, size: 9, obsRadius: 2, collisionSystem: 'priority', onTarget: 'finish', maxEpisodeSteps: 20 } },
    steps: 300,
  },
  {
    name: 'soft restart uint8 next-step pomapfExtras',
    opts: { numEnvs: 5, seed: 12, autoresetMode: autoreset('next-step'), config: { numAgents: 7, size: 10, obsRadius: 3, collisionSystem: 'soft', onTarget: 'restart', obsDtype: 'uint8', pomapfExtras: true, maxEpisodeSteps: 30 } },
    steps: 250,
  },
  {
    name: 'blockBoth nothing float32 disabled with masked resets',
    opts: { numEnvs: 6, seed: 13, autoresetMode: autoreset('disabled'), config: { numAgents: 5, size: 8, obsRadius: 4, collisionSystem: 'blockBoth', onTarget: 'nothing', maxEpisodeSteps: 16 } },
    steps: 250,
  },
  {
    name: 'soft finish uint8 disabled, per-env maps',
    opts: { numEnvs: 8, seed: 14, autoresetMode: autoreset('disabled'), config: { numAgents: 4, size: 7, obsRadius: 1, collisionSystem: 'soft', onTarget: 'finish', obsDtype: 'uint8', mapPerEnv: true, maxEpisodeSteps: 12 } },
    steps: 200,
  },
  {
    name: 'priority restart float32 same-step, per-env maps, keepFinalObs',
    opts: { numEnvs: 5, seed: 15, keepFinalObs: true, config: { numAgents: 8, size: 11, obsRadius: 5, onTarget: 'restart', mapPerEnv: true, pomapfExtras: true, maxEpisodeSteps: 25 } },
    steps: 200,
  },
];

describe.skipIf(!nativeHere)('gpujs MAPF-v0 on worker threads matches native bit for bit', () => {
  CASES.forEach((c, index) => {
    for (const threads of [2, 3]) {
      const async = (index + threads) % 2 === 0;
      it(`${c.name}: ${threads} threads, ${async ? 'stepAsync' : 'step'}`, async () => {
        const [native, gpujs] = pair(threads, c.opts);
        try {
          expect(gpujs.metadata.backend).toBe('gpujs');
          expect(gpujs.metadata.numThreads).toBe(threads);
          expectSameOutputs(native, gpujs, native.reset(), gpujs.reset(), 'reset');
          await stepTwins(native, gpujs, c.steps, index, async, c.opts.autoresetMode === 'disabled');
        } finally {
          native.close();
          gpujs.close();
        }
      });
    }
  });

  it('masked reseeds with per-env maps, across worker ranges (3 threads, both step kinds)', async () => {
    const config: MapfConfig = { numAgents: 6, size: 10, density: 0.3, obsRadius: 3, mapPerEnv: true, onTarget: 'restart', maxEpisodeSteps: 30 };
    const [native, gpujs] = pair(3, { numEnvs: 7, seed: 9, keepFinalObs: true, config });
    try {
      expectSameOutputs(native, gpujs, native.reset({ seed: 77 }), gpujs.reset({ seed: 77 }), 'reseed all');
      const rng = new CounterRng(8);
      for (let t = 0; t < 90; t++) {
        if (t % 30 === 10) {
          const mask = [1, 0, 0, 1, 0, 1, 1];
          expectSameOutputs(native, gpujs, native.reset({ seed: 1000 + t, mask }), gpujs.reset({ seed: 1000 + t, mask }), `reseed at ${t}`);
        }
        const act = randomMapfActions(native.actions.length, rng);
        expectSameOutputs(native, gpujs, native.step(act), t % 2 ? await gpujs.stepAsync(act) : gpujs.step(act), `step ${t}`);
      }
    } finally {
      native.close();
      gpujs.close();
    }
  });

  it('gpu.js mode cpu on the workers', async () => {
    const opts: Opts = { numEnvs: 4, seed: 21, config: { numAgents: 5, size: 8, obsRadius: 2, collisionSystem: 'soft' } };
    const [native, gpujs] = pair(2, opts, 'cpu');
    try {
      expect((gpujs.metadata.gpujs as { mode: string }).mode).toBe('cpu');
      expectSameOutputs(native, gpujs, native.reset(), gpujs.reset(), 'reset');
      await stepTwins(native, gpujs, 60, 2, false, false);
      expect(Object.values((gpujs.metadata.gpujs as { kernels: Record<string, string> }).kernels)).toContain('CPUKernel');
    } finally {
      native.close();
      gpujs.close();
    }
  });
});

describe('gpujs MAPF-v0 worker threads: selection and lifetime', () => {
  const config: MapfConfig = { numAgents: 3, size: 6, obsRadius: 2 };

  it('uses workers only for an explicit numThreads > 1, capped at numEnvs', () => {
    for (const [options, threads] of [[{}, 1], [{ numThreads: 1 }, 1], [{ numThreads: 4 }, 3]] as const) {
      const env = make('MAPF-v0', { numEnvs: 3, seed: 1, backend: 'gpujs', ...options, config });
      try {
        expect(env.metadata.numThreads).toBe(threads);
        if (threads > 1) {
          expect(env.metadata.shards).toEqual([[0, 1], [1, 2], [2, 3]]);
          expect((env.metadata.gpujs as { threaded: boolean }).threaded).toBe(false);
        }
      } finally {
        env.close();
      }
    }
  });

  it('stepAsync leaves the event loop free; close() is idempotent and later calls throw EnvClosedError', async () => {
    const env = make('MAPF-v0', { numEnvs: 4, seed: 2, backend: 'gpujs', numThreads: 2, config });
    env.reset();
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 0);
    try {
      for (let t = 0; t < 20; t++) await env.stepAsync(new Int32Array(12));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    env.close();
    env.close();
    expect(() => env.step()).toThrow(expect.objectContaining({ code: 'ERR_MW_ENV_CLOSED' }));
    expect(() => env.reset()).toThrow(expect.objectContaining({ code: 'ERR_MW_ENV_CLOSED' }));
    await expect(env.stepAsync()).rejects.toMatchObject({ code: 'ERR_MW_ENV_CLOSED' });
  });

  it('errors while building the workers\' engines reach make()', () => {
    expect(() => make('MAPF-v0', { numEnvs: 4, seed: 1, backend: 'gpujs', numThreads: 2, config: { numAgents: 300, size: 6, obsRadius: 1 } }))
      .toThrow(ManyWorldsError);
  });
});

describe.skipIf(!nativeHere)('gpujs MAPF-v0 on worker threads: bad input gives the native errors and changes nothing', () => {
  const config: MapfConfig = { numAgents: 4, size: 7, density: 0.2, obsRadius: 2, maxEpisodeSteps: 5 };

  for (const async of [false, true]) {
    it(`bad actions in several ranges (lowest env wins), then both still agree (${async ? 'stepAsync' : 'step'})`, async () => {
      const [native, gpujs] = pair(3, { numEnvs: 6, seed: 17, config });
      try {
        expectSameOutputs(native, gpujs, native.reset(), gpujs.reset(), 'reset');
        const bad: Array<Array<[number, number]>> = [[[22, 5]], [[21, -1], [9, 7]], [[5, 2 ** 31 - 1], [17, 9]], [[0, -(2 ** 31)]]];
        for (const entries of bad) {
          native.actions.fill(1);
          gpujs.actions.fill(1);
          for (const [i, v] of entries) native.actions[i] = gpujs.actions[i] = v;
          await expectSameError(() => native.step(), () => (async ? gpujs.stepAsync() : gpujs.step()));
        }
        await stepTwins(native, gpujs, 30, 1, async, false);
      } finally {
        native.close();
        gpujs.close();
      }
    });
  }

  it('a range never reset outranks a bad action in an earlier range, as in native order', async () => {
    const [native, gpujs] = pair(2, { numEnvs: 4, seed: 4, config });
    try {
      await expectSameError(() => native.step(), () => gpujs.step());
      await expectSameError(() => native.stepAsync(), () => gpujs.stepAsync());
      const mask = [1, 1, 1, 0];
      expectSameOutputs(native, gpujs, native.reset({ mask }), gpujs.reset({ mask }), 'partial reset');
      native.actions.fill(0);
      gpujs.actions.fill(0);
      native.actions[1] = gpujs.actions[1] = 8;
      await expectSameError(() => native.step(), () => gpujs.step());
      expectSameOutputs(native, gpujs, native.reset({ mask: [0, 0, 0, 1] }), gpujs.reset({ mask: [0, 0, 0, 1] }), 'reset of the last');
      await expectSameError(() => native.step(), () => gpujs.step());
      await stepTwins(native, gpujs, 20, 3, false, false);
    } finally {
      native.close();
      gpujs.close();
    }
  });

  it('stepping envs whose episode ended with autoreset disabled, in two ranges', async () => {
    const [native, gpujs] = pair(2, { numEnvs: 4, seed: 4, autoresetMode: 'disabled', config });
    try {
      expectSameOutputs(native, gpujs, native.reset(), gpujs.reset(), 'reset');
      for (let t = 0; t < 5; t++) expectSameOutputs(native, gpujs, native.step(new Int32Array(16)), gpujs.step(new Int32Array(16)), `step ${t}`);
      await expectSameError(() => native.step(new Int32Array(16)), () => gpujs.step(new Int32Array(16)));
      await expectSameError(() => native.stepAsync(), () => gpujs.stepAsync());
      expectSameOutputs(native, gpujs, native.reset({ mask: [1, 1, 0, 0] }), gpujs.reset({ mask: [1, 1, 0, 0] }), 'reset of the first range');
      await expectSameError(() => native.step(), () => gpujs.step());
      expectSameOutputs(native, gpujs, native.reset({ mask: [0, 0, 1, 1] }), gpujs.reset({ mask: [0, 0, 1, 1] }), 'reset of the second range');
      await stepTwins(native, gpujs, 20, 5, true, true);
    } finally {
      native.close();
      gpujs.close();
    }
  });

  it('calls after close()', async () => {
    const [native, gpujs] = pair(2, { numEnvs: 2, seed: 4, config });
    native.close();
    gpujs.close();
    await expectSameError(() => native.step(), () => gpujs.step());
    await expectSameError(() => native.reset(), () => gpujs.reset());
    await expectSameError(() => native.stepAsync(), () => gpujs.stepAsync());
  });
});
