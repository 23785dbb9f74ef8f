/**
 * Bad input: every mistake gets a typed error (class and stable `code`) whose message names the
 * env / agent / field / value, and an env that refused an input is still usable: stepping it again
 * gives exactly what a twin that never saw the bad input gives.
 */
import { describe, expect, it } from 'vitest';
import {
  AllocationError, BackendUnavailableError, CounterRng, EnvBusyError, EnvClosedError, InvalidActionError,
  InvalidArgumentError, InvalidConfigError, InvalidMapError, ManyWorldsError, ResetNeededError, UnknownEnvError, availableBackends, make,
  type BackendName, type MakeOptions, type MapfConfig, type VectorEnv, type VolleyballConfig, type VolleyballTask,
  type CityFile, type DispatchConfig, type DispatchInfos, parseCityFile,
} from '../../src/index.js';
import { mapfBackends, snapshot } from '../helpers/mapf.js';
import { sampleActions, snapshotAll } from '../helpers/conformance.js';
import { VB_TASKS, makeVb, vbBackends, type VbOptions } from '../helpers/volleyball.js';
import { STATUS, dispatchBackends, makeDispatch, matrixCity, randomValidActions, type DispatchOptions } from '../helpers/dispatch.js';

const backends = mapfBackends();
type ErrorClass = new (...args: never[]) => ManyWorldsError;

/** Runs `fn`, expecting a typed error; returns it for further checks. */
function caught(fn: () => unknown, cls: ErrorClass, code: string, ...mentions: Array<string | RegExp>): ManyWorldsError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeDefined();
  expect(err).toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(ManyWorldsError);
  const e = err as ManyWorldsError;
  expect(e.code).toBe(code);
  for (const m of mentions) {
    if (typeof m === 'string') expect(e.message, `message should mention ${m}`).toContain(m);
    else expect(e.message).toMatch(m);
  }
  return e;
}

async function caughtAsync(p: () => Promise<unknown>, cls: ErrorClass, code: string, ...mentions: string[]): Promise<ManyWorldsError> {
  let err: unknown;
  try {
    await p();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a rejection').toBeInstanceOf(cls);
  const e = err as ManyWorldsError;
  expect(e.code).toBe(code);
  for (const m of mentions) expect(e.message).toContain(m);
  return e;
}

const CFG: MapfConfig = { numAgents: 4, size: 7, density: 0.2, obsRadius: 2, maxEpisodeSteps: 50 };
const E = 3, A = 4, N = E * A;

/** Counts how often the backend of `env` is freed. */
function spyOnFree(env: VectorEnv): { closes: number } {
  const engine = (env as unknown as { engine: { close(): void } }).engine;
  const spy = { closes: 0 };
  const close = engine.close.bind(engine);
  engine.close = () => {
    spy.closes++;
    close();
  };
  return spy;
}

/**
 * close() while a stepAsync() is in flight: the batch is closed at once (every call, and reading
 * `actions`, throws EnvClosedError), the backend is freed exactly once, when the step has
 * finished, and the step's promise rejects with EnvClosedError (details.inFlight); a second close
 * and Symbol.dispose are no-ops. Symbol.asyncDispose (`await using`) resolves only after that
 * free, and on an idle batch simply closes it. A step abandoned by close() and never awaited is
 * not an unhandled rejection. With `badActions`, a step that fails while closing rejects with
 * EnvClosedError whose cause is the step's own error.
 */
async function expectCloseDuringStepAsync(make: () => VectorEnv, id: string, badActions?: ArrayLike<number>): Promise<void> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
  process.on('unhandledRejection', onUnhandled);
  try {
    const env = make();
    env.reset();
    const pending = env.stepAsync();
    const spy = spyOnFree(env);
    env.close();
    expect(env.isClosed).toBe(true);
    expect(spy.closes, 'freed while the step was still running').toBe(0);
    caught(() => env.step(), EnvClosedError, 'ERR_MW_ENV_CLOSED', id, 'step() called after close()');
    caught(() => env.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'reset');
    caught(() => env.parallelView(0), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'parallelView');
    caught(() => env.actions, EnvClosedError, 'ERR_MW_ENV_CLOSED', id, "'actions' read after close()");
    await caughtAsync(() => env.stepAsync(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'stepAsync() called after close()');
    env.close();
    env[Symbol.dispose]();
    const e = await caughtAsync(() => pending, EnvClosedError, 'ERR_MW_ENV_CLOSED', id, 'close() was called while this stepAsync() was in flight');
    expect(e.details.inFlight).toBe(true);
    expect(e.cause).toBeUndefined();
    expect(spy.closes).toBe(1);

    // await using: Symbol.asyncDispose resolves after the backend was freed.
    const other = make();
    other.reset();
    const step = other.stepAsync().then(() => null, (err: unknown) => err);
    const otherSpy = spyOnFree(other);
    const disposing = other[Symbol.asyncDispose]();
    expect(otherSpy.closes).toBe(0);
    await disposing;
    expect(otherSpy.closes, 'asyncDispose resolved before the batch was freed').toBe(1);
    expect(await step).toBeInstanceOf(EnvClosedError);
    await other[Symbol.asyncDispose]();  // again: nothing left to do
    expect(otherSpy.closes).toBe(1);

    // A step abandoned by close() and never awaited: no unhandled rejection.
    const abandoned = make();
    abandoned.reset();
    void abandoned.stepAsync();
    await abandoned[Symbol.asyncDispose]();

    if (badActions !== undefined) {
      const failing = make();
      failing.reset();
      const bad = failing.stepAsync(badActions);
      failing.close();
      const err = await caughtAsync(() => bad, EnvClosedError, 'ERR_MW_ENV_CLOSED', 'in flight');
      expect(err.cause).toBeInstanceOf(InvalidActionError);
    }

    const idle = make();
    idle.reset();
    const idleSpy = spyOnFree(idle);
    await idle[Symbol.asyncDispose]();
    expect(idle.isClosed).toBe(true);
    expect(idleSpy.closes).toBe(1);
    caught(() => idle.step(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'step');

    await new Promise((resolve) => setImmediate(resolve));  // let Node report unhandled rejections
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

function mk(backend: BackendName, config: MapfConfig = CFG, opts: Omit<MakeOptions<MapfConfig>, 'config' | 'backend'> = {}): VectorEnv {
  return make('MAPF-v0', { numEnvs: E, seed: 17, numThreads: 1, autoresetMode: 'same-step', ...opts, backend, config });
}

/** An env and its twin, reset and stepped identically twice. */
function twins(backend: BackendName): { env: VectorEnv; twin: VectorEnv; rng: CounterRng } {
  const env = mk(backend), twin = mk(backend);
  env.reset();
  twin.reset();
  const rng = new CounterRng(99);
  for (let t = 0; t < 2; t++) {
    const act = randomActions(rng);
    env.step(act);
    twin.step(act);
  }
  return { env, twin, rng };
}

function randomActions(rng: CounterRng): Int32Array {
  const a = new Int32Array(N);
  for (let i = 0; i < N; i++) a[i] = rng.below(5);
  return a;
}

/** Steps both with the same valid actions and checks they agree, then closes them. */
function expectStillTwins(env: VectorEnv, twin: VectorEnv, rng: CounterRng, steps = 4): void {
  for (let t = 0; t < steps; t++) {
    const act = randomActions(rng);
    expect(snapshot(env.step(act)), `step ${t} after the bad input`).toEqual(snapshot(twin.step(act)));
  }
  env.close();
  twin.close();
}

for (const backend of backends) {
  describe(`${backend}: bad actions leave the env usable`, () => {
    it('wrong action length (typed array and plain array)', () => {
      const { env, twin, rng } = twins(backend);
      caught(() => env.step(new Int32Array(N - 1)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'MAPF-v0', String(N - 1), String(N));
      caught(() => env.step(new Array<number>(N + 1).fill(0)), InvalidActionError, 'ERR_MW_INVALID_ACTION', String(N + 1));
      caught(() => env.step([]), InvalidActionError, 'ERR_MW_INVALID_ACTION', '0');
      expectStillTwins(env, twin, rng);
    });

    it('wrong dtype: Float32Array, Uint8Array, Float64Array', () => {
      const { env, twin, rng } = twins(backend);
      caught(() => env.step(new Float32Array(N)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Float32Array');
      caught(() => env.step(new Uint8Array(N)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Uint8Array');
      caught(() => env.step(new Float64Array(N)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Float64Array');
      expectStillTwins(env, twin, rng);
    });

    it('out-of-range discrete action in a plain array names env, agent and value', () => {
      const { env, twin, rng } = twins(backend);
      const bad = new Array<number>(N).fill(0);
      bad[1 * A + 2] = 5;
      const e = caught(() => env.step(bad), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 1', 'agent 2', '5');
      expect(e.details).toMatchObject({ env: 1, agent: 2, value: 5 });
      bad[1 * A + 2] = 0;
      bad[2 * A + 3] = -1;
      caught(() => env.step(bad), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 2', 'agent 3', '-1');
      expectStillTwins(env, twin, rng);
    });

    it('NaN, 2.5, Infinity and a string in a plain array', () => {
      const { env, twin, rng } = twins(backend);
      for (const [v, shown] of [[NaN, 'NaN'], [2.5, '2.5'], [Infinity, 'Infinity'], ['1', '1']] as Array<[unknown, string]>) {
        const bad: unknown[] = new Array<number>(N).fill(1);
        bad[A + 1] = v;
        caught(() => env.step(bad as number[]), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 1', 'agent 1', shown);
      }
      expectStillTwins(env, twin, rng);
    });

    it('out-of-range action written directly into the Int32Array staging buffer (step and stepAsync)', async () => {
      const { env, twin, rng } = twins(backend);
      expect(env.actions).toBeInstanceOf(Int32Array);
      env.actions.fill(0);
      env.actions[2 * A + 1] = 7;
      const e = caught(() => env.step(), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 2', 'agent 1', '7');
      expect(e.details).toMatchObject({ env: 2, agent: 1, value: 7 });
      env.actions[2 * A + 1] = -3;
      await caughtAsync(() => env.stepAsync(), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 2', 'agent 1', '-3');
      // A bad Int32Array passed to step() is caught too.
      const bad = new Int32Array(N);
      bad[0] = 2 ** 31 - 1;
      caught(() => env.step(bad), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 0', 'agent 0', String(2 ** 31 - 1));
      expectStillTwins(env, twin, rng);
    });

    it('non-array actions', () => {
      const { env, twin, rng } = twins(backend);
      caught(() => env.step(42 as unknown as number[]), InvalidActionError, 'ERR_MW_INVALID_ACTION');
      caught(() => env.step(null as unknown as number[]), InvalidActionError, 'ERR_MW_INVALID_ACTION');
      expectStillTwins(env, twin, rng);
    });

    it('parallelView: unknown agent name and out-of-range action', () => {
      const { env, twin, rng } = twins(backend);
      const view = env.parallelView(0);
      view.agents = [...view.possibleAgents]; // live without a reset, so the batch state is unchanged
      caught(() => view.step({ player_0: 1 }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'player_0');
      caught(() => view.step({ agent_1: 9 }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 0', 'agent 1', '9');
      expectStillTwins(env, twin, rng);
    });
  });

  describe(`${backend}: stepping before reset`, () => {
    it('step() before any reset, and after a partial reset, throws ResetNeededError naming the env', () => {
      const env = make('MAPF-v0', { numEnvs: 3, seed: 4, backend, config: { numAgents: 2, size: 6, density: 0 } });
      try {
        caught(() => env.step(), ResetNeededError, 'ERR_MW_RESET_NEEDED', 'env 0');
        env.reset({ mask: [1, 1, 0] });
        caught(() => env.step(), ResetNeededError, 'ERR_MW_RESET_NEEDED', 'env 2');
        env.reset({ mask: [0, 0, 1] });
        expect(() => env.step()).not.toThrow();
      } finally {
        env.close();
      }
    });
  });

  describe(`${backend}: bad reset / seed / index arguments leave the env usable`, () => {
    it('bad seeds in reset(), a seed array of the wrong length, a bad mask', () => {
      const { env, twin, rng } = twins(backend);
      for (const s of [-1, 2 ** 32, 1.5, NaN, '3']) {
        caught(() => env.reset({ seed: s as number }), InvalidArgumentError, 'ERR_MW_INVALID_ARGUMENT', 'seed', String(s));
      }
      caught(() => env.reset({ seed: [1, 2] }), InvalidArgumentError, 'ERR_MW_INVALID_ARGUMENT', 'seed', String(E));
      caught(() => env.reset({ seed: [1, -2, 3] }), InvalidArgumentError, 'ERR_MW_INVALID_ARGUMENT', 'seed[1]', '-2');
      caught(() => env.reset({ mask: [1, 0] }), InvalidArgumentError, 'ERR_MW_INVALID_ARGUMENT', 'mask', String(E));
      caught(() => env.reset({ seed: 5, mask: [1] }), InvalidArgumentError, 'ERR_MW_INVALID_ARGUMENT', 'mask');
      expectStillTwins(env, twin, rng);
    });

    it('parallelView with a bad env index or a bad seed', () => {
      const { env, twin, rng } = twins(backend);
      for (const i of [-1, E, 1.5, NaN]) caught(() => env.parallelView(i), InvalidArgumentError, 'ERR_MW_INVALID_ARGUMENT', String(i));
      const view = env.parallelView(1);
      caught(() => view.reset({ seed: -5 }), InvalidArgumentError, 'ERR_MW_INVALID_ARGUMENT', '-5');
      expectStillTwins(env, twin, rng);
    });
  });

  describe(`${backend}: closed and busy envs`, () => {
    it('every call after close() throws EnvClosedError naming the method; close() is idempotent', async () => {
      const env = mk(backend);
      env.reset();
      const view = env.parallelView(0);
      env.close();
      expect(env.isClosed).toBe(true);
      expect(() => env.close()).not.toThrow();
      caught(() => env.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'MAPF-v0', 'reset');
      caught(() => env.step(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'MAPF-v0', 'step');
      caught(() => env.step(new Int32Array(N)), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'step');
      caught(() => env.parallelView(0), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'parallelView');
      await caughtAsync(() => env.stepAsync(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'stepAsync');
      caught(() => view.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED');
      view.agents = [...view.possibleAgents];
      caught(() => view.step({}), EnvClosedError, 'ERR_MW_ENV_CLOSED');
      const disposable = mk(backend);
      disposable[Symbol.dispose]();
      caught(() => disposable.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED');
    });

    it('step / reset / parallelView / stepAsync while stepAsync is in flight throw EnvBusyError and change nothing', async () => {
      const { env, twin, rng } = twins(backend);
      const act = randomActions(rng);
      const pending = env.stepAsync(act);
      const other = new Int32Array(N).fill(4);
      caught(() => env.step(other), EnvBusyError, 'ERR_MW_ENV_BUSY', 'MAPF-v0', 'step');
      caught(() => env.step(), EnvBusyError, 'ERR_MW_ENV_BUSY', 'step');
      caught(() => env.reset(), EnvBusyError, 'ERR_MW_ENV_BUSY', 'reset');
      caught(() => env.reset({ seed: 1 }), EnvBusyError, 'ERR_MW_ENV_BUSY', 'reset');
      caught(() => env.parallelView(0), EnvBusyError, 'ERR_MW_ENV_BUSY', 'parallelView');
      await caughtAsync(() => env.stepAsync(other), EnvBusyError, 'ERR_MW_ENV_BUSY', 'stepAsync');
      // The step is reading the staging buffer: getting it throws (a write would change the step).
      caught(() => env.actions, EnvBusyError, 'ERR_MW_ENV_BUSY', 'MAPF-v0', "'actions' read");
      const r = await pending;
      // The refused calls did not touch the staged actions.
      expect(Array.from(env.actions)).toEqual(Array.from(act));
      expect(snapshot(r)).toEqual(snapshot(twin.step(act)));
      expect(env.isClosed).toBe(false);
      expectStillTwins(env, twin, rng);
    });

    it('close() while stepAsync is in flight closes at once and frees the batch when the step ends; that step rejects with EnvClosedError', async () => {
      await expectCloseDuringStepAsync(() => mk(backend), 'MAPF-v0', new Int32Array(N).fill(99));
      // Two threads: the gpujs backend steps on worker shards.
      await expectCloseDuringStepAsync(() => mk(backend, CFG, { numThreads: 2 }), 'MAPF-v0');
    });
  });

  describe(`${backend}: bad configurations`, () => {
    const mkc = (config: MapfConfig, opts: Omit<MakeOptions<MapfConfig>, 'config' | 'backend'> = {}): (() => unknown) => () => {
      const env = mk(backend, config, { numEnvs: 1, ...opts });
      try {
        env.reset(); // some problems can only show at placement time; either is fine
      } finally {
        env.close();
      }
    };
    const INVALID_MAP = 'ERR_MW_INVALID_MAP';
    const INVALID_CONFIG = 'ERR_MW_INVALID_CONFIG';

    it('map with an unknown character', () => {
      caught(mkc({ map: '..a\n.?.\nA..' }), InvalidMapError, INVALID_MAP, "'?'", 'row 1', 'col 1');
    });

    it('a GridMap cell other than 0 or 1 (checked, not coerced)', () => {
      caught(mkc({ map: { height: 2, width: 2, cells: new Uint8Array([0, 0, 0, 2]) }, numAgents: 1 }), InvalidMapError, INVALID_MAP,
        'map.cells[3]', 'row 1, col 1', 'is 2');
    });

    it('ragged rows', () => {
      caught(mkc({ map: '....\n...\n....', numAgents: 1 }), InvalidMapError, INVALID_MAP, 'row 1', '3', '4');
      caught(mkc({ map: [[0, 0, 0], [0, 0]], numAgents: 1 }), InvalidMapError, INVALID_MAP);
    });

    it('starts or goals on obstacles', () => {
      const map = '...\n.#.\n...';
      caught(mkc({ map, agentsXY: [[0, 0], [1, 1]], targetsXY: [[2, 2], [0, 2]] }), InvalidMapError, INVALID_MAP, 'agent 1', '(1, 1)', 'obstacle');
      caught(mkc({ map, agentsXY: [[0, 0], [2, 0]], targetsXY: [[2, 2], [1, 1]] }), InvalidMapError, INVALID_MAP, 'agent 1', '(1, 1)', 'obstacle');
      caught(mkc({ map, agentsXY: [[0, 0]], targetsXY: [[[2, 2], [1, 1]]], onTarget: 'restart' }), InvalidMapError, INVALID_MAP, 'agent 0', '(1, 1)');
    });

    it('starts or goals outside the map', () => {
      const map = '...\n...';
      caught(mkc({ map, agentsXY: [[2, 0]], targetsXY: [[0, 0]] }), InvalidMapError, INVALID_MAP, 'agent 0', '(2, 0)');
      caught(mkc({ map, agentsXY: [[0, 3]], targetsXY: [[0, 0]] }), InvalidMapError, INVALID_MAP, 'agent 0', '(0, 3)');
      caught(mkc({ map, agentsXY: [[0, 0], [1, 1]], targetsXY: [[0, 1], [-1, 0]] }), InvalidMapError, INVALID_MAP, 'agent 1', '(-1, 0)');
      caught(mkc({ map, agentsXY: [[0, 0]], targetsXY: [[0, 1.5]] as unknown as [number, number][] }), InvalidConfigError, INVALID_CONFIG, 'targetsXY');
    });

    it('two agents on the same start', () => {
      caught(mkc({ map: '....', agentsXY: [[0, 0], [0, 0]], targetsXY: [[0, 2], [0, 3]] }), InvalidMapError, INVALID_MAP, 'agents 0 and 1');
    });

    it('more agents than random placement can fit (distinct starts and goals)', () => {
      // 4x4 free map: 16 cells, room for 8 agents.
      caught(mkc({ size: 4, density: 0, numAgents: 9 }), InvalidMapError, INVALID_MAP, '9');
      // Map string with 5 free cells in two components (3 + 2): room for 2 agents.
      caught(mkc({ map: '...#..', numAgents: 3 }), InvalidMapError, INVALID_MAP, '3');
      // More agents than cells at all.
      caught(mkc({ size: 4, density: 0, numAgents: 17 }), InvalidConfigError, INVALID_CONFIG, 'numAgents', '17');
    });

    it('goals unreachable from starts', () => {
      caught(mkc({ map: '..#..', agentsXY: [[0, 0]], targetsXY: [[0, 4]] }), InvalidMapError, INVALID_MAP, 'agent 0', 'unreachable');
      caught(mkc({ map: 'a.#.A\nb.#B.' }), InvalidMapError, INVALID_MAP, 'agent 0', 'unreachable');
      caught(mkc({ map: '..#..', agentsXY: [[0, 0]], targetsXY: [[[0, 1], [0, 3]]], onTarget: 'restart' }), InvalidMapError, INVALID_MAP, 'agent 0', '(0, 3)');
    });

    it('obsRadius 0, 129, 2.5', () => {
      for (const r of [0, 129, 2.5, -1, NaN]) caught(mkc({ ...CFG, obsRadius: r }), InvalidConfigError, INVALID_CONFIG, 'obsRadius', String(r));
    });

    it('size 0 and other out-of-range numbers', () => {
      caught(mkc({ size: 0, numAgents: 1 }), InvalidConfigError, INVALID_CONFIG, 'size', '0');
      caught(mkc({ ...CFG, density: 1.5 }), InvalidConfigError, INVALID_CONFIG, 'density', '1.5');
      caught(mkc({ ...CFG, maxEpisodeSteps: 0 }), InvalidConfigError, INVALID_CONFIG, 'maxEpisodeSteps', '0');
      caught(mkc({ ...CFG, numAgents: 0 }), InvalidConfigError, INVALID_CONFIG, 'numAgents', '0');
    });

    it('unknown enum values (POGEMA spellings included) and unknown config fields', () => {
      caught(mkc({ ...CFG, collisionSystem: 'block_both' as 'blockBoth' }), InvalidConfigError, INVALID_CONFIG, 'collisionSystem', 'block_both');
      caught(mkc({ ...CFG, onTarget: 'stay' as 'finish' }), InvalidConfigError, INVALID_CONFIG, 'onTarget', 'stay');
      caught(mkc({ ...CFG, obsDtype: 'float64' as 'float32' }), InvalidConfigError, INVALID_CONFIG, 'obsDtype', 'float64');
      caught(mkc({ ...CFG, numAgent: 3 } as MapfConfig), InvalidConfigError, INVALID_CONFIG, 'numAgent');
      caught(mkc({ ...CFG, obs_radius: 3 } as MapfConfig), InvalidConfigError, INVALID_CONFIG, 'obs_radius');
    });

    it('bad make() options: seed, numEnvs, numThreads, autoresetMode', () => {
      for (const seed of [-1, 2 ** 32, 1.5, NaN, '5']) {
        caught(mkc(CFG, { seed: seed as number }), InvalidConfigError, INVALID_CONFIG, 'seed', String(seed));
      }
      for (const numEnvs of [0, -3, 2.5, 2 ** 24 + 1]) caught(mkc(CFG, { numEnvs }), InvalidConfigError, INVALID_CONFIG, 'numEnvs', String(numEnvs));
      caught(mkc(CFG, { numThreads: 0 }), InvalidConfigError, INVALID_CONFIG, 'numThreads', '0');
      caught(mkc(CFG, { autoresetMode: 'always' as 'disabled' }), InvalidConfigError, INVALID_CONFIG, 'autoresetMode', 'always');
    });

    it('numEnvs so large the buffers cannot be allocated: AllocationError before allocating', () => {
      const e = caught(
        () => make('MAPF-v0', { numEnvs: 2 ** 24, seed: 1, numThreads: 1, backend, config: { numAgents: 256, size: 32, density: 0, obsRadius: 5 } }),
        AllocationError, 'ERR_MW_ALLOCATION', 'numEnvs', String(2 ** 24),
      );
      expect(e.details).toMatchObject({ numEnvs: 2 ** 24 });
    });

    it('a batch over an explicit maxBufferBytes budget: AllocationError', () => {
      caught(
        () => make('MAPF-v0', { numEnvs: 64, seed: 1, numThreads: 1, backend, maxBufferBytes: 1024, config: CFG }),
        AllocationError, 'ERR_MW_ALLOCATION', '64',
      );
    });
  });
}

describe('backend and env selection', () => {
  it('unknown env id', () => {
    caught(() => make('MAPF-v1' as 'MAPF-v0'), UnknownEnvError, 'ERR_MW_UNKNOWN_ENV', "'MAPF-v1'", 'MAPF-v0');
    caught(() => make(''), UnknownEnvError, 'ERR_MW_UNKNOWN_ENV');
  });

  it('bad backend name', () => {
    caught(() => make('MAPF-v0', { backend: 'tpu' as 'native', config: CFG }), InvalidConfigError, 'ERR_MW_INVALID_CONFIG', 'tpu');
  });

  it('every unavailable backend requested explicitly gives BackendUnavailableError with its reason', () => {
    const reports = availableBackends();
    expect(reports.map((r) => r.name).sort()).toEqual(['cuda', 'gpujs', 'native']);
    const unavailable = reports.filter((r) => !r.available || !r.envs.includes('MAPF-v0'));
    for (const r of unavailable) {
      if (!r.available) expect(r.reason, `${r.name} must say why it is unavailable`).toBeTruthy();
      const e = caught(() => make('MAPF-v0', { backend: r.name, seed: 1, config: CFG }), BackendUnavailableError, 'ERR_MW_BACKEND_UNAVAILABLE', r.name);
      if (!r.available && r.envs.includes('MAPF-v0')) expect(e.message).toContain(r.reason!);
    }
    if (!reports.find((r) => r.name === 'cuda')!.available) {
      caught(() => make('MAPF-v0', { backend: 'cuda', seed: 1, config: CFG }), BackendUnavailableError, 'ERR_MW_BACKEND_UNAVAILABLE', 'cuda');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Volleyball-<Task>-v0: continuous Box(4) actions. NaN/Inf are refused (plain arrays in
// TypeScript, typed arrays by the addon before anything is stepped), finite values beyond [-1, 1]
// are clipped like VolleyBots' rotor model, and a refused call changes nothing.
// ---------------------------------------------------------------------------------------------

/** A volleyball env and its twin, reset and stepped identically twice with random actions. */
function vbTwins(task: VolleyballTask, backend: BackendName, opts: VbOptions = {}): { env: VectorEnv; twin: VectorEnv; rng: CounterRng } {
  const mkv = (): VectorEnv => makeVb(task, { numEnvs: E, seed: 17, backend, autoresetMode: 'same-step', ...opts });
  const env = mkv(), twin = mkv();
  env.reset();
  twin.reset();
  const rng = new CounterRng(99);
  for (let t = 0; t < 2; t++) {
    const act = sampleActions(env, rng);
    env.step(act);
    twin.step(act);
  }
  return { env, twin, rng };
}

/** Steps both with the same valid actions; every output must stay bit-identical. Closes both. */
function expectVbStillTwins(env: VectorEnv, twin: VectorEnv, rng: CounterRng, steps = 4): void {
  for (let t = 0; t < steps; t++) {
    const act = sampleActions(env, rng);
    expect(snapshotAll(env, env.step(act)), `step ${t} after the bad input`).toEqual(snapshotAll(twin, twin.step(act)));
  }
  env.close();
  twin.close();
}

for (const f of VB_TASKS) {
  for (const backend of vbBackends(f.id)) {
    const NA = E * f.drones * 4; // numbers in the actions buffer
    const last = f.drones - 1;

    describe(`${backend}: ${f.id}: bad actions leave the env usable`, () => {
      it('NaN / ±Infinity in a Float32Array (step and stepAsync) and in the staging buffer: checked by the addon, naming env and agent', async () => {
        const { env, twin, rng } = vbTwins(f.task, backend);
        for (const [v, shown] of [[NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf']] as Array<[number, string]>) {
          const bad = sampleActions(env, rng) as Float32Array;
          bad[(1 * f.drones + last) * 4 + 2] = v;
          const e = caught(() => env.step(bad), InvalidActionError, 'ERR_MW_INVALID_ACTION', f.id, 'env 1', `agent ${last}`, 'component 2', shown);
          expect(e.details).toMatchObject({ env: 1, agent: last });
        }
        env.actions.fill(0);
        env.actions[(2 * f.drones) * 4] = NaN;
        caught(() => env.step(), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 2', 'agent 0', 'component 0');
        await caughtAsync(() => env.stepAsync(), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 2', 'agent 0');
        const staged = new Float32Array(NA);
        staged[NA - 1] = Infinity;
        await caughtAsync(() => env.stepAsync(staged), InvalidActionError, 'ERR_MW_INVALID_ACTION', `env ${E - 1}`, `agent ${last}`, 'component 3');
        expectVbStillTwins(env, twin, rng);
      });

      it('NaN / Infinity / a string in a plain array: checked in TypeScript, naming env, agent and component', () => {
        const { env, twin, rng } = vbTwins(f.task, backend);
        for (const [v, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], ['0.5', '0.5'], [undefined, 'undefined']] as Array<[unknown, string]>) {
          const bad: unknown[] = new Array<number>(NA).fill(0.1);
          bad[(1 * f.drones + last) * 4 + 1] = v;
          const e = caught(() => env.step(bad as number[]), InvalidActionError, 'ERR_MW_INVALID_ACTION', f.id, 'env 1', `agent ${last}`, 'component 1', shown);
          expect(e.details).toMatchObject({ env: 1, agent: last });
        }
        expectVbStillTwins(env, twin, rng);
      });

      it('wrong length (typed and plain) and wrong dtype (Int32Array, Float64Array, Uint8Array)', () => {
        const { env, twin, rng } = vbTwins(f.task, backend);
        caught(() => env.step(new Float32Array(NA - 1)), InvalidActionError, 'ERR_MW_INVALID_ACTION', f.id, String(NA - 1), String(NA), '× 4');
        caught(() => env.step(new Float32Array(E * f.drones)), InvalidActionError, 'ERR_MW_INVALID_ACTION', String(E * f.drones));
        caught(() => env.step(new Array<number>(NA + 4).fill(0)), InvalidActionError, 'ERR_MW_INVALID_ACTION', String(NA + 4));
        caught(() => env.step([]), InvalidActionError, 'ERR_MW_INVALID_ACTION', '0');
        caught(() => env.step(new Int32Array(NA)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Float32Array', 'Int32Array');
        caught(() => env.step(new Float64Array(NA)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Float64Array');
        caught(() => env.step(new Uint8Array(NA)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Uint8Array');
        caught(() => env.step(0.5 as unknown as number[]), InvalidActionError, 'ERR_MW_INVALID_ACTION');
        expectVbStillTwins(env, twin, rng);
      });

      it('parallelView: unknown agent, a number instead of 4, 3 numbers, NaN in the vector', () => {
        const { env, twin, rng } = vbTwins(f.task, backend);
        const view = env.parallelView(0);
        view.agents = [...view.possibleAgents]; // live without a reset, so the batch state is unchanged
        const before = Array.from(env.actions);
        caught(() => view.step({ agent_0: [0, 0, 0, 0] }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'agent_0');
        caught(() => view.step({ drone_0: 0.5 }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 0', 'agent 0', '4 finite numbers');
        caught(() => view.step({ drone_0: [0, 0, 0] }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 0', 'agent 0');
        caught(() => view.step({ drone_0: [0, 0, 0, 0], [`drone_${last}`]: [0, NaN, 0, 0] }), InvalidActionError, 'ERR_MW_INVALID_ACTION', `agent ${last}`, 'NaN');
        expect(Array.from(env.actions), 'a refused view step stages nothing').toEqual(before);
        expectVbStillTwins(env, twin, rng);
      });

      it('finite actions beyond [-1, 1] are accepted and act exactly as ±1 (clipped): twins stay bit-identical', () => {
        const env = makeVb(f.task, { numEnvs: E, seed: 5, backend, autoresetMode: 'same-step' });
        const twin = makeVb(f.task, { numEnvs: E, seed: 5, backend, autoresetMode: 'same-step' });
        env.reset();
        twin.reset();
        const rng = new CounterRng(8);
        let widened = 0;
        for (let t = 0; t < 25; t++) {
          const act = sampleActions(env, rng) as Float32Array;
          // Push a third of the values far outside the box: 5 stands for +1, -7 for -1.
          const wide = act.map((v, i) => (i % 3 === 0 ? (v > 0 ? 5 : -7) : v));
          const clipped = wide.map((v) => Math.max(-1, Math.min(1, v)));
          widened += wide.filter((v) => Math.abs(v) > 1).length;
          expect(env.actionSpace.contains(wide)).toBe(false);
          // Half the steps through a plain array, half through the typed staging path.
          const r = t % 2 ? env.step(Array.from(wide)) : env.step(wide);
          expect(snapshotAll(env, r), `t=${t + 1}`).toEqual(snapshotAll(twin, twin.step(clipped)));
        }
        expect(widened).toBeGreaterThan(0);
        // The view takes out-of-range vectors too.
        const view = env.parallelView(0), tview = twin.parallelView(0);
        view.agents = [...view.possibleAgents];
        tview.agents = [...tview.possibleAgents];
        const [o1, r1] = view.step({ drone_0: [5, -7, 1e30, -1e30] });
        const [o2, r2] = tview.step({ drone_0: [1, -1, 1, -1] });
        expect(Array.from(o1.drone_0)).toEqual(Array.from(o2.drone_0));
        expect(r1).toEqual(r2);
        env.close();
        twin.close();
      });
    });

    describe(`${backend}: ${f.id}: closed and busy envs, bad configs`, () => {
      it('step() before any reset throws ResetNeededError naming the env', () => {
        const env = makeVb(f.task, { numEnvs: 2, backend });
        try {
          caught(() => env.step(), ResetNeededError, 'ERR_MW_RESET_NEEDED', f.id, 'env 0');
          env.reset({ mask: [1, 0] });
          caught(() => env.step(), ResetNeededError, 'ERR_MW_RESET_NEEDED', 'env 1');
        } finally {
          env.close();
        }
      });

      it('every call after close() throws EnvClosedError naming env and method', async () => {
        const env = makeVb(f.task, { numEnvs: E, backend });
        env.reset();
        const view = env.parallelView(0);
        env.close();
        expect(() => env.close()).not.toThrow();
        caught(() => env.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED', f.id, 'reset');
        caught(() => env.step(), EnvClosedError, 'ERR_MW_ENV_CLOSED', f.id, 'step');
        caught(() => env.step(new Float32Array(NA)), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'step');
        caught(() => env.parallelView(0), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'parallelView');
        await caughtAsync(() => env.stepAsync(), EnvClosedError, 'ERR_MW_ENV_CLOSED', f.id, 'stepAsync');
        caught(() => view.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED', f.id);
        view.agents = [...view.possibleAgents];
        caught(() => view.step({}), EnvClosedError, 'ERR_MW_ENV_CLOSED', f.id);
      });

      it('step / reset / parallelView / stepAsync while stepAsync is in flight throw EnvBusyError and change nothing', async () => {
        const { env, twin, rng } = vbTwins(f.task, backend);
        const act = sampleActions(env, rng);
        const pending = env.stepAsync(act);
        const other = new Float32Array(NA).fill(-1);
        caught(() => env.step(other), EnvBusyError, 'ERR_MW_ENV_BUSY', f.id, 'step');
        caught(() => env.reset({ seed: 1 }), EnvBusyError, 'ERR_MW_ENV_BUSY', f.id, 'reset');
        caught(() => env.parallelView(0), EnvBusyError, 'ERR_MW_ENV_BUSY', 'parallelView');
          await caughtAsync(() => env.stepAsync(other), EnvBusyError, 'ERR_MW_ENV_BUSY', f.id, 'stepAsync');
        caught(() => env.actions, EnvBusyError, 'ERR_MW_ENV_BUSY', f.id, "'actions' read");
        const r = await pending;
        expect(Array.from(env.actions)).toEqual(Array.from(act));
        expect(snapshotAll(env, r)).toEqual(snapshotAll(twin, twin.step(act)));
        expectVbStillTwins(env, twin, rng);
      });

      it('close() while stepAsync is in flight closes at once and frees the batch when the step ends; that step rejects with EnvClosedError', async () => {
        await expectCloseDuringStepAsync(() => makeVb(f.task, { numEnvs: E, seed: 17, backend, autoresetMode: 'same-step' }), f.id);
      });

      it('bad configs: InvalidConfigError naming the field and value', () => {
        const bad = (config: Record<string, unknown>, field: string, ...mentions: string[]): void => {
          const e = caught(() => makeVb(f.task, { backend, config: config as VolleyballConfig }), InvalidConfigError, 'ERR_MW_INVALID_CONFIG', f.id, field, ...mentions);
          expect(e.details).toMatchObject({ field });
        };
        bad({ subSteps: 2 }, 'subSteps');
        bad({ num_agents: 2 }, 'num_agents');
        for (const v of [0, 17, 1.5, -1, NaN, '2']) bad({ substeps: v }, 'substeps', String(v));
        bad({ actionMode: 'foo' }, 'actionMode', 'foo');
        bad({ actionMode: 'ctbr' }, 'actionMode', 'ctbr');
        for (const v of [0, -5, 2.5, 2 ** 31]) bad({ maxEpisodeSteps: v }, 'maxEpisodeSteps', String(v));
        bad({ randomServe: 'yes' }, 'randomServe', 'yes');
        bad({ randomServe: 1 }, 'randomServe', '1');
        caught(() => makeVb(f.task, { backend, config: [] as unknown as VolleyballConfig }), InvalidConfigError, 'ERR_MW_INVALID_CONFIG', 'object');
        // The limits themselves are fine.
        for (const config of [{ substeps: 1 }, { substeps: 16 }, { maxEpisodeSteps: 1 }, { randomServe: false }, { actionMode: 'thrustBodyRates' as const }]) {
          makeVb(f.task, { backend, config }).close();
        }
      });

      it('a batch over an explicit maxBufferBytes budget: AllocationError naming numEnvs', () => {
        caught(() => makeVb(f.task, { numEnvs: 64, backend, maxBufferBytes: 1024 }), AllocationError, 'ERR_MW_ALLOCATION', f.id, '64');
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// RideDispatch-v0: Discrete(1 + K + R) actions. Out-of-range values are refused (in TypeScript
// for plain arrays, by the addon for Int32Arrays) naming env, vehicle and value; masked actions
// that are in range are accepted, run as no-ops and are counted; bad configs name their field.
// ---------------------------------------------------------------------------------------------

{
  const DCFG: DispatchConfig = { gridWidth: 4, gridHeight: 4, numVehicles: 4, numSlots: 6, capacity: 2, horizonSteps: 15, demandScale: 4 };
  const V = 4, NA = 1 + 6 + 4, ND = E * V;
  for (const backend of dispatchBackends()) {
    const mkd = (opts: DispatchOptions = {}): VectorEnv =>
      makeDispatch({ numEnvs: E, seed: 17, backend, autoresetMode: 'same-step', ...opts, config: { ...DCFG, ...opts.config } });
    /** An env and its twin, reset and stepped identically twice with random valid actions. */
    const dTwins = (opts: DispatchOptions = {}): { env: VectorEnv; twin: VectorEnv; rng: CounterRng } => {
      const env = mkd(opts), twin = mkd(opts);
      let r = env.reset();
      twin.reset();
      const rng = new CounterRng(99);
      for (let t = 0; t < 2; t++) {
        const act = randomValidActions(env, r.infos as DispatchInfos, rng);
        r = env.step(act);
        twin.step(act);
      }
      return { env, twin, rng };
    };
    /** Steps both with the same valid actions; every output must stay bit-identical. Closes both. */
    const expectDStillTwins = (env: VectorEnv, twin: VectorEnv, rng: CounterRng, steps = 4): void => {
      let infos = env.step(new Int32Array(ND)).infos as DispatchInfos;
      twin.step(new Int32Array(ND));
      for (let t = 0; t < steps; t++) {
        const act = randomValidActions(env, infos, rng);
        const r = env.step(act);
        expect(snapshotAll(env, r), `step ${t} after the bad input`).toEqual(snapshotAll(twin, twin.step(act)));
        infos = r.infos as DispatchInfos;
      }
      env.close();
      twin.close();
    };

    describe(`${backend}: RideDispatch-v0: bad actions leave the env usable`, () => {
      it('out-of-range action in a plain array (TypeScript) and in an Int32Array (addon) names env, vehicle and value', async () => {
        const { env, twin, rng } = dTwins();
        const bad = new Array<number>(ND).fill(0);
        bad[1 * V + 2] = NA;
        const e = caught(() => env.step(bad), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'RideDispatch-v0', 'env 1', 'agent 2', String(NA));
        expect(e.details).toMatchObject({ env: 1, agent: 2, value: NA });
        bad[1 * V + 2] = 0;
        bad[2 * V + 3] = -1;
        caught(() => env.step(bad), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 2', 'agent 3', '-1');
        // Typed arrays are checked by the addon before any env is stepped.
        const typed = new Int32Array(ND);
        typed[2 * V + 1] = 99;
        caught(() => env.step(typed), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'RideDispatch-v0', 'env 2', 'vehicle 1', '99', `[0, ${NA})`);
        env.actions.fill(0);
        env.actions[0] = -5;
        caught(() => env.step(), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 0', 'vehicle 0', '-5');
        env.actions[0] = 0;
        env.actions[ND - 1] = 2 ** 31 - 1;
        await caughtAsync(() => env.stepAsync(), InvalidActionError, 'ERR_MW_INVALID_ACTION', `env ${E - 1}`, `vehicle ${V - 1}`, String(2 ** 31 - 1));
        expectDStillTwins(env, twin, rng);
      });

      it('an out-of-range action found by the addon carries { env, agent, value } in details, like one found in TypeScript', () => {
        const { env, twin, rng } = dTwins();
        const typed = new Int32Array(ND);
        typed[2 * V + 1] = 99;
        const e = caught(() => env.step(typed), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 2', 'vehicle 1', '99');
        expect(e.details).toMatchObject({ env: 2, agent: 1, value: 99 });
        expectDStillTwins(env, twin, rng);
      });

      it('NaN, 2.5, Infinity and a string in a plain array; wrong length; wrong dtype; non-array', () => {
        const { env, twin, rng } = dTwins();
        for (const [v, shown] of [[NaN, 'NaN'], [2.5, '2.5'], [Infinity, 'Infinity'], ['1', '1']] as Array<[unknown, string]>) {
          const bad: unknown[] = new Array<number>(ND).fill(0);
          bad[V + 1] = v;
          caught(() => env.step(bad as number[]), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 1', 'agent 1', shown);
        }
        caught(() => env.step(new Int32Array(ND - 1)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'RideDispatch-v0', String(ND - 1), String(ND));
        caught(() => env.step(new Array<number>(ND + 1).fill(0)), InvalidActionError, 'ERR_MW_INVALID_ACTION', String(ND + 1));
        caught(() => env.step(new Float32Array(ND)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Float32Array');
        caught(() => env.step(new Uint8Array(ND)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Uint8Array');
        caught(() => env.step(new Float64Array(ND)), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'Float64Array');
        caught(() => env.step(3 as unknown as number[]), InvalidActionError, 'ERR_MW_INVALID_ACTION');
        expectDStillTwins(env, twin, rng);
      });

      it('parallelView: unknown agent name and out-of-range action', () => {
        const { env, twin, rng } = dTwins();
        const view = env.parallelView(0);
        view.agents = [...view.possibleAgents];
        const before = Array.from(env.actions);
        caught(() => view.step({ agent_0: 1 }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'agent_0');
        caught(() => view.step({ vehicle_1: NA }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 0', 'agent 1', String(NA));
        caught(() => view.step({ vehicle_1: 1.5 }), InvalidActionError, 'ERR_MW_INVALID_ACTION', 'env 0', 'agent 1', '1.5');
        expect(Array.from(env.actions), 'a refused view step stages nothing').toEqual(before);
        expectDStillTwins(env, twin, rng);
      });

      it('masked actions in range are accepted, flagged in infos.invalidAction, counted in the invalidActions metric, and act as no-ops', () => {
        // Reposition on; C 2 so that vehicles fill up; 7 steps per episode so that the metric shows.
        const opts: DispatchOptions = { seed: 3, config: { horizonSteps: 7, numSlots: 4, demandScale: 6 } };
        const K = 4, A = 1 + K + 4;
        const env = mkd(opts), twin = mkd(opts);
        let r = env.reset();
        twin.reset();
        const rng = new CounterRng(5);
        const kinds = new Set<string>();
        let flagged = 0, counted = 0;
        for (let t = 0; t < 28; t++) {
          const infos = r.infos as DispatchInfos;
          const act = randomValidActions(env, infos, rng, 0.3);
          const twinAct = act.slice();
          // Every vehicle with a masked action available takes one with probability 1/2; the twin no-ops there.
          const masked = new Set<number>();
          for (let i = 0; i < ND; i++) {
            const invalid: number[] = [];
            for (let a = 1; a < A; a++) if (!infos.actionMask[i * A + a]) invalid.push(a);
            if (invalid.length === 0 || rng.uniform() < 0.5) continue;
            const a = invalid[rng.below(invalid.length)];
            act[i] = a;
            twinAct[i] = 0;
            masked.add(i);
            const status = infos.vehicleStatus[i], bid = a <= K;
            kinds.add(bid ? (status === STATUS.toPickup ? 'bid while heading to a pickup' : (r.obs[i * env.obsSize + 12 + 7 * 2 + 9 * (a - 1)] ? 'bid on a full vehicle or too large party' : 'bid on an empty slot'))
              : (status === STATUS.idle ? 'reposition off the grid' : 'reposition while busy'));
          }
          r = env.step(act);
          const tr = twin.step(twinAct);
          const ri = r.infos as DispatchInfos;
          for (let i = 0; i < ND; i++) expect(ri.invalidAction[i], `t=${t} row ${i}`).toBe(masked.has(i) ? 1 : 0);
          flagged += masked.size;
          // Everything else is what the twin (no-ops) shows.
          const a = snapshotAll(env, r), b = snapshotAll(twin, tr);
          expect(b['infos.invalidAction'].every((x) => x === 0)).toBe(true);
          delete a['infos.invalidAction'];
          delete b['infos.invalidAction'];
          for (let e = 0; e < E; e++) {
            const key = `episode.metrics[${e}]`;
            if (!a[key]) continue;
            counted += a[key][16];
            expect(b[key][16]).toBe(0);
            a[key][16] = b[key][16] = 0;
          }
          expect(a, `t=${t + 1}`).toEqual(b);
        }
        expect(counted).toBe(flagged);
        expect(kinds.size).toBeGreaterThanOrEqual(4);
        env.close();
        twin.close();
      });
    });

    describe(`${backend}: RideDispatch-v0: closed and busy envs, bad configs`, () => {
      it('step() before any reset throws ResetNeededError naming the env', () => {
        const env = mkd({ numEnvs: 2 });
        try {
          caught(() => env.step(), ResetNeededError, 'ERR_MW_RESET_NEEDED', 'RideDispatch-v0', 'env 0');
          env.reset({ mask: [1, 0] });
          caught(() => env.step(), ResetNeededError, 'ERR_MW_RESET_NEEDED', 'env 1');
          env.reset({ mask: [0, 1] });
          expect(() => env.step()).not.toThrow();
        } finally {
          env.close();
        }
      });

      it('every call after close() throws EnvClosedError naming env and method', async () => {
        const env = mkd();
        env.reset();
        const view = env.parallelView(0);
        env.close();
        expect(() => env.close()).not.toThrow();
        caught(() => env.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'RideDispatch-v0', 'reset');
        caught(() => env.step(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'RideDispatch-v0', 'step');
        caught(() => env.step(new Int32Array(ND)), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'step');
        caught(() => env.parallelView(0), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'parallelView');
        await caughtAsync(() => env.stepAsync(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'RideDispatch-v0', 'stepAsync');
        caught(() => view.reset(), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'RideDispatch-v0');
        view.agents = [...view.possibleAgents];
        caught(() => view.step({}), EnvClosedError, 'ERR_MW_ENV_CLOSED', 'RideDispatch-v0');
      });

      it('step / reset / parallelView / stepAsync while stepAsync is in flight throw EnvBusyError and change nothing', async () => {
        const { env, twin, rng } = dTwins();
        const act = new Int32Array(ND).fill(0);
        act[1] = 1;
        const pending = env.stepAsync(act);
        const other = new Int32Array(ND).fill(2);
        caught(() => env.step(other), EnvBusyError, 'ERR_MW_ENV_BUSY', 'RideDispatch-v0', 'step');
        caught(() => env.reset({ seed: 1 }), EnvBusyError, 'ERR_MW_ENV_BUSY', 'reset');
        caught(() => env.parallelView(0), EnvBusyError, 'ERR_MW_ENV_BUSY', 'parallelView');
          await caughtAsync(() => env.stepAsync(other), EnvBusyError, 'ERR_MW_ENV_BUSY', 'stepAsync');
        caught(() => env.actions, EnvBusyError, 'ERR_MW_ENV_BUSY', 'RideDispatch-v0', "'actions' read");
        const r = await pending;
        expect(Array.from(env.actions)).toEqual(Array.from(act));
        expect(snapshotAll(env, r)).toEqual(snapshotAll(twin, twin.step(act)));
        expectDStillTwins(env, twin, rng);
      });

      it('close() while stepAsync is in flight closes at once and frees the batch when the step ends; that step rejects with EnvClosedError', async () => {
        await expectCloseDuringStepAsync(() => mkd(), 'RideDispatch-v0');
      });

      it('bad config fields: InvalidConfigError naming the field and value', () => {
        const bad = (config: Record<string, unknown>, field: string, ...mentions: string[]): void => {
          const e = caught(() => mkd({ numEnvs: 1, config: config as DispatchConfig }), InvalidConfigError, 'ERR_MW_INVALID_CONFIG', 'RideDispatch-v0', field, ...mentions);
          expect(String(e.details.field)).toContain(field.replace(/\[.*$/, ''));
        };
        bad({ capacity: 5 }, 'capacity', '5');
        bad({ capacity: 0 }, 'capacity', '0');
        bad({ numSlots: 0 }, 'numSlots', '0');
        bad({ numSlots: 1025 }, 'numSlots', '1025');
        bad({ numNeighbours: 9 }, 'numNeighbours', '9');
        bad({ numNeighbours: 3 }, 'numNeighbours', '3'); // a grid has 0, 4 or 8 neighbours
        bad({ numVehicles: 0 }, 'numVehicles', '0');
        bad({ numVehicles: 2.5 }, 'numVehicles', '2.5');
        bad({ horizonSteps: 0 }, 'horizonSteps', '0');
        bad({ maxWaitSteps: 0 }, 'maxWaitSteps', '0');
        bad({ startHour: 24 }, 'startHour', '24');
        bad({ partyMax: 3 }, 'partyMax', '3'); // > capacity 2
        bad({ demandScale: -1 }, 'demandScale', '-1');
        bad({ demandScale: NaN }, 'demandScale');
        bad({ ordersPerVehicleMinute: Infinity }, 'ordersPerVehicleMinute');
        bad({ cellKm: 0 }, 'cellKm', '0');
        bad({ fareBase: -2 }, 'fareBase', '-2');
        bad({ maxPickupMin: -1 }, 'maxPickupMin', '-1');
        bad({ conflictRule: 'closest' }, 'conflictRule', 'closest');
        bad({ routeObjective: 'tsp' }, 'routeObjective', 'tsp');
        bad({ rewardSharing: 'all' }, 'rewardSharing', 'all');
        bad({ reward: 'tripleBERT' }, 'reward', 'tripleBERT');
        bad({ reward: { wAssign: NaN } }, 'reward.wAssign');
        bad({ reward: { wAsign: 1 } }, 'reward.wAsign');
        bad({ reward: { thetaAdd: -1 } }, 'reward.thetaAdd', '-1');
        bad({ pairInsertionCost: 1 }, 'pairInsertionCost', '1');
        bad({ preset: 'manhattan' }, 'preset', 'manhattan');
        bad({ numVehicle: 3 }, 'numVehicle');
        // Rate tables: negative, NaN, wrong shapes; replay rows.
        const rates = (v: number): number[][] => [Array.from({ length: 16 }, (_, z) => (z === 3 ? v : 1))];
        bad({ demand: { rates: rates(-1) } }, 'demand.rates[0][3]', '-1');
        bad({ demand: { rates: rates(NaN) } }, 'demand.rates[0][3]');
        bad({ demand: { rates: [[1, 2, 3]] } }, 'demand.rates');
        bad({ demand: { rates: [rates(1)[0], rates(1)[0]] } }, 'demand.rates', '2 blocks');
        bad({ demand: { rates: rates(1), destinations: [Array.from({ length: 16 }, () => new Array(16).fill(-0.5))] } }, 'demand.destinations[0][0][0]', '-0.5');
        bad({ demand: { rates: rates(1), rate: 1 } }, 'demand.rate');
        bad({ demand: 'poisson' }, 'demand', 'poisson');
        bad({ demand: { replay: [{ step: 0, origin: 16, dest: 0 }] } }, 'demand.replay', 'origin', '16');
        bad({ demand: { replay: [{ step: 15, origin: 0, dest: 0 }] } }, 'demand.replay', 'step', '15');
        bad({ demand: { replay: [{ step: 0, origin: 0, dest: 1, party: 3 }] } }, 'demand.replay', 'party', '3');
        bad({ demand: { replay: [] }, cityPerEnv: true }, 'cityPerEnv');
        caught(() => makeDispatch({ backend, config: [] as unknown as DispatchConfig }), InvalidConfigError, 'ERR_MW_INVALID_CONFIG', 'object');
        // The limits themselves are fine.
        for (const config of [{ capacity: 4, partyMax: 4 }, { capacity: 1 }, { numSlots: 1 }, { numNeighbours: 8 }, { numNeighbours: 0 }, { maxWaitSteps: 1 }, { demandScale: 0 }] as DispatchConfig[]) {
          mkd({ numEnvs: 1, config }).close();
        }
      });

      it('malformed cities: InvalidMapError naming the entry (city file objects) or the table (city objects)', () => {
        const minutes = [[1, 2], [2, 1]], km = [[0, 1], [1, 0]];
        const file = matrixCity(minutes, km);
        const mkc = (config: DispatchConfig): VectorEnv => makeDispatch({ backend, config: { numVehicles: 2, numSlots: 4, ...config } });
        const map = (city: unknown, ...mentions: string[]): void => {
          caught(() => mkc({ city: city as CityFile, numNeighbours: 1 }), InvalidMapError, 'ERR_MW_INVALID_MAP', 'RideDispatch-v0', ...mentions);
        };
        map({ ...file, format: 'csv' }, 'format');
        map({ ...file, version: 2 }, 'version');
        map({ ...file, minutes: [[1, 2], [2, 0]] }, 'minutes[1][1]', '0');
        map({ ...file, minutes: [[1, 2], [2]] }, 'minutes[1]');
        map({ ...file, km: [[0, -1], [1, 0]] }, 'km[0][1]', '-1');
        map({ ...file, km: [[0, NaN], [1, 0]] }, 'km[0][1]');
        map({ ...file, zones: [{ name: 'a', x: 0, y: 0 }, { name: 'a', x: 1, y: 1 }] }, 'zones[1].name');
        map({ ...file, zones: [{ x: 0, y: 2 }, { x: 1, y: 1 }] }, 'zones[0].y');
        map({ ...file, originRates: [[1, -3]] }, 'originRates[0][1]', '-3');
        map({ ...file, speed: 3 }, 'speed');
        // A city object (as loadCityFile returns it) with a non-finite coordinate: refused by the addon's table check.
        const city = parseCityFile(file);
        map({ ...city, zoneXY: Float32Array.from([0, 0, NaN, 1]) }, 'zoneXY');
        map({ ...city, distKm: Float32Array.from([0, -1, 1, 0]) }, 'distKm');
        // Grid-only fields next to a city, and inconsistent table sizes, are config errors naming the field.
        caught(() => mkc({ city: file, gridWidth: 3 }), InvalidConfigError, 'ERR_MW_INVALID_CONFIG', 'gridWidth');
        caught(() => mkc({ city: { ...city, travelMin: new Int32Array(3).fill(1) } }), InvalidConfigError, 'ERR_MW_INVALID_CONFIG', 'city');
        // And well-formed ones work.
        mkc({ city: file, numNeighbours: 1 }).close();
        mkc({ city }).close();
      });

      it('keepFinalObs outside same-step autoreset, and a batch over maxBufferBytes', () => {
        for (const autoresetMode of ['next-step', 'disabled'] as const) {
          expect(() => mkd({ keepFinalObs: true, autoresetMode })).toThrow(InvalidConfigError);
        }
        caught(() => mkd({ numEnvs: 64, maxBufferBytes: 4096 }), AllocationError, 'ERR_MW_ALLOCATION', 'RideDispatch-v0', '64');
      });
    });
  }
}
