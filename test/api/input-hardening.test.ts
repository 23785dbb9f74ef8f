/**
 * Inputs found by fuzzing the public API (random and malformed options, configs and actions, in
 * child processes): each must get a typed error and leave the env as it was. Covers the staging
 * buffer (a refused step must not change it, nor a step already running), values a message cannot
 * JSON-encode (bigints), malformed maps, goals and cities, options that were silently coerced or
 * ignored, float32 overflow, and batches too large for an output arena.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AllocationError, EnvBusyError, InvalidActionError, InvalidArgumentError, InvalidConfigError, InvalidMapError, ResetNeededError,
  gridCity, make, type MakeOptions,
} from '../../src/index.js';
import { mapfBackends, snapshot } from '../helpers/mapf.js';
import { vbBackends } from '../helpers/volleyball.js';
import { dispatchBackends } from '../helpers/dispatch.js';
import { refuses } from '../helpers/errors.js';

/** make() that closes what it made (for configurations expected to fail). */
function tryMake(id: string, o: MakeOptions<unknown>): void {
  make(id, o).close();
}

describe.each(mapfBackends())('staging buffer on %s', (backend) => {
  it('a step refused because a stepAsync is in flight leaves the running step and the staged actions alone', async () => {
    const twin = (): ReturnType<typeof make> => make('MAPF-v0', { numEnvs: 64, seed: 3, backend, config: { numAgents: 8, size: 16, obsRadius: 2 } });
    const env = twin(), clean = twin();
    env.reset();
    clean.reset();
    const view = env.parallelView(63);
    view.reset();
    clean.parallelView(63).reset();
    const actions = Int32Array.from({ length: env.actions.length }, (_, i) => (i * 7) % 5);
    env.actions.set(actions);
    clean.actions.set(actions);
    const running = env.stepAsync();
    refuses(() => view.step(Object.fromEntries(view.possibleAgents.map((a) => [a, 4]))), EnvBusyError, 'step');
    refuses(() => env.step(new Int32Array(env.actions.length)), EnvBusyError, 'step');
    const done = await running;
    expect(Array.from(env.actions)).toEqual(Array.from(actions));
    expect(snapshot(done)).toEqual(snapshot(clean.step()));
    env.close();
    clean.close();
  });

  it('a refused typed array leaves the staged actions as they were', () => {
    const env = make('MAPF-v0', { numEnvs: 1, seed: 1, backend, config: { numAgents: 2, size: 4, obsRadius: 1 } });
    env.reset();
    env.actions.set([1, 2]);
    refuses(() => env.step(Int32Array.from([99, 0])), InvalidActionError, 'action 99');
    expect(Array.from(env.actions)).toEqual([1, 2]);
    env.step(); // the staged actions still step
    env.close();
  });
});

describe.each(vbBackends('Volleyball-1v1-v0'))('float32 actions on %s', (backend) => {
  it('an action beyond float32 range is refused by value, not stored as Infinity', () => {
    const env = make('Volleyball-1v1-v0', { numEnvs: 1, seed: 1, backend });
    env.reset();
    const before = Array.from(env.actions);
    const huge = Array.from({ length: env.actions.length }, (_, i) => (i === 0 ? 1e300 : 0));
    refuses(() => env.step(huge), InvalidActionError, '1e+300 is not a finite number within float32 range');
    expect(Array.from(env.actions)).toEqual(before);
    const view = env.parallelView(0);
    view.reset();
    refuses(() => view.step({ [view.possibleAgents[0]]: [1e39, 0, 0, 0] }), InvalidActionError, 'float32 range');
    env.close();
  });
});

describe('values and options that used to escape as untyped errors or be accepted', () => {
  const backend = mapfBackends()[0];

  it('bigints in options and configs get typed errors', () => {
    refuses(() => tryMake('MAPF-v0', { autoresetMode: 1n as never }), InvalidConfigError, '1n');
    refuses(() => tryMake('MAPF-v0', { backend: 1n as never }), InvalidConfigError, '1n');
    refuses(() => tryMake('MAPF-v0', { config: { collisionSystem: 1n as never } }), InvalidConfigError, 'collisionSystem');
    refuses(() => tryMake('Volleyball-3v3-v0', { config: { actionMode: 1n as never } }), InvalidConfigError, 'actionMode');
    refuses(() => tryMake('RideDispatch-v0', { config: { reward: { wAssign: 1n as never } } }), InvalidConfigError, 'wAssign');
  });

  it('reset(null) is an argument error, on the batch and on a view', () => {
    const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend });
    refuses(() => env.reset(null as never), InvalidArgumentError, 'reset options must be an object');
    refuses(() => env.parallelView(0).reset(null as never), InvalidArgumentError, 'reset options must be an object');
    env.reset();
    env.close();
  });

  it('malformed MAPF maps and goal lists are map and config errors', () => {
    refuses(() => tryMake('MAPF-v0', { config: { map: [null] as never } }), InvalidMapError, 'row 0 must be an array');
    refuses(() => tryMake('MAPF-v0', { config: { map: [[0, 0], null] as never } }), InvalidMapError, 'row 1 must be an array');
    refuses(() => tryMake('MAPF-v0', { config: { map: [5] as never } }), InvalidMapError, 'row 0 must be an array');
    refuses(() => tryMake('MAPF-v0', { config: { map: '...', agentsXY: [[0, 0]], targetsXY: 'ab' as never } }), InvalidConfigError, 'targetsXY must be an array');
    refuses(() => tryMake('MAPF-v0', { config: { map: { type: 'maze', height: 9, width: 9, walls: 1 } as never } }), InvalidConfigError, "unknown option 'walls'");
  });

  it('a hand-built city whose tables are not arrays is a config error', () => {
    const city = gridCity({ width: 2, height: 2, cellKm: 1, speedKmh: 30, intraZoneMin: 1 });
    const bad = { ...city, travelMin: { length: city.travelMin.length } };
    refuses(() => tryMake('RideDispatch-v0', { config: { city: bad as never } }), InvalidConfigError, 'inconsistent table sizes');
  });

  it('options are checked, not coerced or ignored', () => {
    refuses(() => tryMake('MAPF-v0', { numenvs: 3 } as never), InvalidConfigError, "unknown option 'numenvs'");
    refuses(() => tryMake('MAPF-v0', { keepFinalObs: 'no' as never }), InvalidConfigError, 'keepFinalObs must be true or false');
    refuses(() => tryMake('MAPF-v0', { gpujs: [] as never }), InvalidConfigError, 'gpujs must be a plain object');
    refuses(() => tryMake('MAPF-v0', { gpujs: { allowSoftwareGpu: 'yes' } as never }), InvalidConfigError, 'allowSoftwareGpu');
    refuses(() => tryMake('MAPF-v0', { config: { mapPerEnv: 'false' as never } }), InvalidConfigError, 'mapPerEnv must be true or false');
    refuses(() => tryMake('MAPF-v0', { config: { pomapfExtras: 'no' as never } }), InvalidConfigError, 'pomapfExtras must be true or false');
    refuses(() => tryMake('MAPF-v0', { config: { map: '....', mapName: 'bogus' } }), InvalidConfigError, 'either map or mapName');
    // A hole in a pool is a missing cell, not cell (0, 0).
    // eslint-disable-next-line no-sparse-arrays
    refuses(() => tryMake('MAPF-v0', { config: { map: '....\n....', possibleAgentsXY: [, [0, 1]] as never, possibleTargetsXY: [[1, 1]] } }), InvalidConfigError, 'possibleAgentsXY[0]');
  });

  it.each(dispatchBackends())('RideDispatch on %s refuses fares and reward weights beyond float32', (b) => {
    refuses(() => tryMake('RideDispatch-v0', { backend: b, config: { fareBase: 1e39 } }), InvalidConfigError, 'fareBase');
    refuses(() => tryMake('RideDispatch-v0', { backend: b, config: { reward: { wAssign: 1e300 } } }), InvalidConfigError, 'reward.wAssign');
  });

  it('a RideDispatch batch larger than an output arena is refused before anything is built', () => {
    refuses(() => tryMake('RideDispatch-v0', { numEnvs: 2 ** 24, maxBufferBytes: 1e18 }), AllocationError, 'an output arena can hold');
  });

  it('a sharded gpujs config that cannot reach the workers is a config error', () => {
    if (!mapfBackends().includes('gpujs')) return;
    // A GridMap with a method: usable in this thread, but the config cannot be structured-cloned.
    const config = { map: { height: 2, width: 3, cells: new Uint8Array(6), describe() { return 'mine'; } }, numAgents: 1, obsRadius: 1 } as never;
    refuses(() => tryMake('MAPF-v0', { numEnvs: 4, numThreads: 2, backend: 'gpujs', config }), InvalidConfigError, 'plain data');
  });
});

describe('refused steps leave the staging buffer as it was', () => {
  const backend = mapfBackends()[0];
  const finished = (): ReturnType<typeof make> => {
    // Two envs whose one-step episodes end at once; with autoreset disabled the next step is refused.
    const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend, autoresetMode: 'disabled', config: { map: '....\n....', numAgents: 2, maxEpisodeSteps: 1 } });
    env.reset();
    env.actions.fill(0);
    env.step();
    return env;
  };

  it('a plain array refused by the backend (reset needed) is not left staged', () => {
    const env = finished();
    refuses(() => env.step([1, 2, 3, 4]), ResetNeededError, 'call reset() first');
    expect(Array.from(env.actions)).toEqual([0, 0, 0, 0]);
    env.close();
  });

  it("a ParallelEnv step refused because another env needs a reset leaves the batch's staging alone", () => {
    const env = finished();
    env.reset({ mask: [1, 0] });
    const view = env.parallelView(0);
    view.reset();
    refuses(() => view.step({ agent_0: 3, agent_1: 3 }), ResetNeededError, 'env 1');
    expect(Array.from(env.actions)).toEqual([0, 0, 0, 0]);
    env.close();
  });

  it('values that cannot be converted to a string still get typed errors', () => {
    const bare = Object.create(null) as never;
    const env = make('MAPF-v0', { numEnvs: 1, seed: 1, backend, config: { map: '....', numAgents: 2 } });
    env.reset();
    refuses(() => env.step([bare, 0]), InvalidActionError, 'action {}');
    env.close();
    refuses(() => tryMake('MAPF-v0', { numEnvs: bare }), InvalidConfigError, 'numEnvs');
    refuses(() => tryMake('MAPF-v0', { config: { numAgents: bare } }), InvalidConfigError, 'numAgents');
    refuses(() => tryMake('MAPF-v0', { config: { map: [[bare]] } }), InvalidMapError, 'value {}');
    refuses(() => tryMake('RideDispatch-v0', { config: { gridWidth: Symbol('w') as never } }), InvalidConfigError, 'Symbol(w)');
  });
});

describe('second fuzz round', () => {
  const backend = mapfBackends()[0];

  it('values a message cannot show, and very long ones, still give typed errors with short messages', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    refuses(() => tryMake('MAPF-v0', { config: { onTarget: proxy as never } }), InvalidConfigError, 'cannot be shown');
    refuses(() => tryMake('MAPF-v0', { seed: proxy as never }), InvalidConfigError, 'seed');
    const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend });
    refuses(() => env.parallelView(Symbol('s') as never), InvalidArgumentError, 'parallelView(Symbol(s))');
    env.close();
    let message = '';
    try {
      tryMake('MAPF-v0', { config: { onTarget: 'x'.repeat(1e6) as never } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('1000002 characters');
  });

  it('reset options are checked: mask entries are 0/1/booleans and unknown keys are errors', () => {
    const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend });
    refuses(() => env.reset({ mask: ['false', 'false'] as never }), InvalidArgumentError, 'reset mask[0] must be 0, 1, true or false');
    refuses(() => env.reset({ sed: 123 } as never), InvalidArgumentError, "unknown reset option 'sed'");
    refuses(() => env.parallelView(0).reset({ mask: [0, 1] } as never), InvalidArgumentError, "unknown reset option 'mask'");
    env.reset({ mask: [true, 0] });
    env.close();
  });

  it("a random map's size and density are checked even when a map is given, and null is not a default", () => {
    refuses(() => tryMake('MAPF-v0', { config: { map: '....', density: -5 } }), InvalidConfigError, 'density must be a number in [0, 1]');
    refuses(() => tryMake('MAPF-v0', { config: { mapName: 'mapf-default-16', size: -5 } }), InvalidConfigError, 'size must be an integer');
    refuses(() => tryMake('MAPF-v0', { config: { mapPerEnv: null as never } }), InvalidConfigError, 'mapPerEnv must not be null');
    refuses(() => tryMake('Volleyball-1v1-v0', { config: { randomServe: null as never } }), InvalidConfigError, 'randomServe must not be null');
    refuses(() => tryMake('RideDispatch-v0', { config: { allowIntraZone: null as never } }), InvalidConfigError, 'allowIntraZone must not be null');
  });
});

describe('awaited stepAsync keeps Node alive', () => {
  it('on sharded gpujs, a script that only awaits stepAsync runs to its end', () => {
    if (!mapfBackends().includes('gpujs')) return;
    // The shard workers are unref'd; with nothing else pending, Node used to exit mid-await.
    const lib = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));
    const script = `import { make } from ${JSON.stringify(lib)};
const env = make('MAPF-v0', { numEnvs: 3, seed: 4, backend: 'gpujs', numThreads: 2 });
env.reset();
for (let i = 0; i < 20; i++) await env.stepAsync();
env.close();
console.log('resolved');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('resolved');
  });
});
