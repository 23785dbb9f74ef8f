/**
 * MAPF-v0 on the gpujs backend against the native backend, bit for bit: every output of reset and
 * step (observations, rewards, flags, infos, episode statistics, final observations) for every
 * collision system × onTarget × obs dtype × autoreset mode, on gpu.js modes cpu and webasm and
 * through stepAsync (threaded webasm); per-env maps and reseeding; windows wider than one kernel
 * segment and batches spread over several kernel calls; and bad input, which must raise the same
 * error class, code, message and details on both backends.
 */
import { describe, expect, it } from 'vitest';
import {
  CounterRng, availableBackends, make, type AutoresetMode, type GpujsMode, type MakeOptions,
  type MapfConfig, type VectorEnv,
} from '../../src/index.js';
import { expectSameError, expectSameOutputs, randomMapfActions } from '../helpers/parity.js';

const nativeHere = availableBackends().some((b) => b.name === 'native' && b.available);

interface Way { name: string; mode: GpujsMode; async: boolean }
const WAYS: Way[] = [
  { name: 'cpu', mode: 'cpu', async: false },
  { name: 'webasm', mode: 'webasm', async: false },
  { name: 'webasm stepAsync', mode: 'webasm', async: true },
];

type Opts = Omit<MakeOptions<MapfConfig>, 'backend' | 'gpujs'>;

/** The same batch on native and on gpujs in mode `way`. */
function pair(way: Way, opts: Opts): [VectorEnv, VectorEnv] {
  const native = make('MAPF-v0', { ...opts, backend: 'native' });
  try {
    return [native, make('MAPF-v0', { ...opts, backend: 'gpujs', gpujs: { mode: way.mode } })];
  } catch (err) {
    native.close();
    throw err;
  }
}


/**
 * Resets both, then steps both `steps` times with the same random actions (gpujs through
 * stepAsync when `way.async`), resetting finished envs by mask when autoreset is disabled.
 */
async function runTwins(way: Way, opts: Opts, steps: number, seed = 5): Promise<void> {
  const [native, gpujs] = pair(way, opts);
  try {
    expect(gpujs.metadata.backend).toBe('gpujs');
    expect((gpujs.metadata.gpujs as { mode: string }).mode).toBe(way.mode);
    expectSameOutputs(native, gpujs, native.reset(), gpujs.reset(), 'reset');
    const rng = new CounterRng(seed);
    for (let t = 0; t < steps; t++) {
      const act = randomMapfActions(native.actions.length, rng);
      const rn = native.step(act);
      const rg = way.async ? await gpujs.stepAsync(act) : gpujs.step(act);
      expectSameOutputs(native, gpujs, rn, rg, `step ${t}`);
      if (opts.autoresetMode === 'disabled' && rn.infos.episode.done.some((d) => d === 1)) {
        const mask = Array.from(rn.infos.episode.done);
        expectSameOutputs(native, gpujs, native.reset({ mask }), gpujs.reset({ mask }), `reset after step ${t}`);
      }
    }
  } finally {
    native.close();
    gpujs.close();
  }
}

const COLLISIONS = ['priority', 'blockBoth', 'soft'] as const;
const ON_TARGET = ['finish', 'nothing', 'restart'] as const;
const DTYPES = ['float32', 'uint8'] as const;
const AUTORESET: AutoresetMode[] = ['same-step', 'next-step', 'disabled'];
const RADII = [1, 2, 4, 6, 3];

describe.skipIf(!nativeHere)('gpujs MAPF-v0 matches native bit for bit', () => {
  for (const way of WAYS) {
    describe(way.name, () => {
      let combo = 0;
      for (const collisionSystem of COLLISIONS) {
        for (const onTarget of ON_TARGET) {
          for (const obsDtype of DTYPES) {
            for (const autoresetMode of AUTORESET) {
              const index = combo++;
              const obsRadius = RADII[index % RADII.length];
              const keepFinalObs = autoresetMode === 'same-step' && index % 2 === 0;
              const pomapfExtras = index % 3 === 0;
              const name = `${collisionSystem} ${onTarget} ${obsDtype} ${autoresetMode} r${obsRadius}${keepFinalObs ? ' keepFinalObs' : ''}`;
              it(name, async () => {
                const config: MapfConfig = {
                  numAgents: 7, size: 9, density: 0.25, obsRadius, collisionSystem, onTarget, obsDtype, maxEpisodeSteps: 24,
                  pomapfExtras,
                };
                await runTwins(way, { numEnvs: 4, seed: 40 + index, numThreads: 1, autoresetMode, keepFinalObs, config }, 200, index);
              });
            }
          }
        }
      }

      it('per-env maps, reseeding with new maps, pomapf extras', async () => {
        const config: MapfConfig = { numAgents: 10, size: 11, density: 0.3, obsRadius: 5, mapPerEnv: true, pomapfExtras: true, onTarget: 'restart', maxEpisodeSteps: 30 };
        const opts: Opts = { numEnvs: 6, seed: 9, numThreads: 1, keepFinalObs: true, config };
        await runTwins(way, opts, 120, 3);
        const [native, gpujs] = pair(way, opts);
        try {
          native.reset();
          gpujs.reset();
          const rng = new CounterRng(8);
          for (let t = 0; t < 60; t++) {
            if (t % 20 === 10) {
              const mask = [1, 0, 1, 0, 0, 1];
              expectSameOutputs(native, gpujs, native.reset({ seed: 1000 + t, mask }), gpujs.reset({ seed: 1000 + t, mask }), `reseed at ${t}`);
            }
            const act = randomMapfActions(native.actions.length, rng);
            const rn = native.step(act);
            expectSameOutputs(native, gpujs, rn, way.async ? await gpujs.stepAsync(act) : gpujs.step(act), `step ${t}`);
          }
        } finally {
          native.close();
          gpujs.close();
        }
      });

      it('explicit starts with lifelong goal sequences on a string map', async () => {
        const config: MapfConfig = {
          map: '.....#..\n.#......\n...##...\n........\n..#.....', obsRadius: 2, onTarget: 'restart', collisionSystem: 'soft',
          agentsXY: [[0, 0], [4, 7], [2, 0], [3, 5]],
          targetsXY: [[[4, 7], [0, 0]], [[0, 0], [2, 7], [4, 0]], [[3, 3], [1, 7]], [[0, 7], [4, 4]]],
          maxEpisodeSteps: 50,
        };
        await runTwins(way, { numEnvs: 3, seed: 2, numThreads: 1, config }, 150, 4);
      });
    });
  }

  it('windows of several kernel segments, and a batch spread over several kernel calls (r = 128)', async () => {
    const config: MapfConfig = { numAgents: 60, size: 12, density: 0, obsRadius: 128, obsDtype: 'uint8', maxEpisodeSteps: 4 };
    await runTwins(WAYS[1], { numEnvs: 3, seed: 12, numThreads: 1, config }, 5, 6);
  });

  it('envs larger than a kernel call (their windows arrive in several chunks)', async () => {
    const config: MapfConfig = { numAgents: 240, size: 22, density: 0, obsRadius: 128, obsDtype: 'uint8', maxEpisodeSteps: 3, collisionSystem: 'soft' };
    await runTwins(WAYS[1], { numEnvs: 2, seed: 13, numThreads: 1, config }, 4, 7);
    await runTwins(WAYS[2], { numEnvs: 2, seed: 14, numThreads: 1, keepFinalObs: true, config }, 4, 8);
  });
});

describe.skipIf(!nativeHere)('gpujs MAPF-v0 bad input gives the native errors', () => {
  const config: MapfConfig = { numAgents: 4, size: 7, density: 0.2, obsRadius: 2, maxEpisodeSteps: 5 };

  for (const way of WAYS) {
    it(`${way.name}: out-of-range and negative actions in the staging buffer, then both still agree`, async () => {
      const [native, gpujs] = pair(way, { numEnvs: 3, seed: 17, numThreads: 1, config });
      try {
        native.reset();
        gpujs.reset();
        for (const [i, v] of [[6, 5], [11, -1], [0, 2 ** 31 - 1], [5, -(2 ** 31)]]) {
          native.actions.fill(1);
          gpujs.actions.fill(1);
          native.actions[i] = gpujs.actions[i] = v;
          await expectSameError(() => native.step(), () => (way.async ? gpujs.stepAsync() : gpujs.step()));
        }
        const rng = new CounterRng(1);
        for (let t = 0; t < 12; t++) {
          const act = randomMapfActions(12, rng);
          const rn = native.step(act);
          expectSameOutputs(native, gpujs, rn, way.async ? await gpujs.stepAsync(act) : gpujs.step(act), `step ${t}`);
        }
      } finally {
        native.close();
        gpujs.close();
      }
    });
  }

  it('step before any reset and after a partial reset', async () => {
    const [native, gpujs] = pair(WAYS[1], { numEnvs: 3, seed: 4, numThreads: 1, config });
    try {
      await expectSameError(() => native.step(), () => gpujs.step());
      await expectSameError(() => native.stepAsync(), () => gpujs.stepAsync());
      native.reset({ mask: [1, 0, 1] });
      gpujs.reset({ mask: [1, 0, 1] });
      await expectSameError(() => native.step(), () => gpujs.step());
    } finally {
      native.close();
      gpujs.close();
    }
  });

  it('stepping an env whose episode ended with autoreset disabled', async () => {
    const [native, gpujs] = pair(WAYS[0], { numEnvs: 2, seed: 4, numThreads: 1, autoresetMode: 'disabled', config });
    try {
      native.reset();
      gpujs.reset();
      for (let t = 0; t < 5; t++) {
        native.step(new Int32Array(8));
        gpujs.step(new Int32Array(8));
      }
      await expectSameError(() => native.step(new Int32Array(8)), () => gpujs.step(new Int32Array(8)));
      await expectSameError(() => native.stepAsync(), () => gpujs.stepAsync());
      expectSameOutputs(native, gpujs, native.reset({ mask: [0, 1] }), gpujs.reset({ mask: [0, 1] }), 'partial reset');
      await expectSameError(() => native.step(), () => gpujs.step());
    } finally {
      native.close();
      gpujs.close();
    }
  });

  it('calls after close()', async () => {
    const [native, gpujs] = pair(WAYS[1], { numEnvs: 2, seed: 4, numThreads: 1, config });
    native.close();
    gpujs.close();
    await expectSameError(() => native.step(), () => gpujs.step());
    await expectSameError(() => native.reset(), () => gpujs.reset());
    await expectSameError(() => native.stepAsync(), () => gpujs.stepAsync());
  });
});
