/**
 * Arguments found by a second fuzzing pass of the public API (every env and backend, each probe in
 * a child process, each refused call followed by steps compared with a twin): each must get a
 * typed error naming what was wrong, and a refused call must leave the env as it was. Covers
 * `make()` options given as null, a map generator type naming an inherited property, oversized
 * map strings, ParallelEnv actions that are not an object keyed by agent name, Symbol agent names,
 * the frame collectors' checks (made before they reset the env) and the renderers' arguments.
 */
import { describe, expect, it } from 'vitest';
import {
  AllocationError, CounterRng, InvalidActionError, InvalidArgumentError, InvalidConfigError, InvalidMapError, make, spaces,
  dispatchEpisodeMetrics, mapfEpisodeMetrics, volleyballEpisodeMetrics,
  collectDispatchFrames, collectVolleyballFrames, renderAscii, renderDispatchSvg, renderSvg, renderVolleyballSvg,
  type DispatchFrame, type MapfFrame, type VolleyballFrame,
} from '../../src/index.js';
import { mapfBackends, snapshot } from '../helpers/mapf.js';
import { refuses } from '../helpers/errors.js';

const mapf = { numAgents: 2, size: 6, density: 0.1, obsRadius: 1 };

describe.each(mapfBackends())('argument checks on %s', (backend) => {
  it('make(): an option given as null is refused, not read as its default', () => {
    for (const key of ['numEnvs', 'numThreads', 'autoresetMode', 'maxBufferBytes', 'backend', 'config', 'seed'] as const) {
      refuses(() => make('MAPF-v0', { backend, [key]: null } as never), InvalidConfigError, `${key} must not be null`);
    }
  });

  it('a map generator type naming an inherited property is an unknown type', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      refuses(() => make('MAPF-v0', { backend, config: { map: { type, height: 8, width: 8, density: 0.3 } as never } }),
        InvalidConfigError, "type must be 'random', 'maze' or 'warehouse'");
    }
  });

  it('a map string or 0/1 array with a side above 4096 is refused on every backend, naming the map', () => {
    refuses(() => make('MAPF-v0', { backend, config: { map: '.'.repeat(5000) } }), InvalidMapError, 'map is 1×5000');
    refuses(() => make('MAPF-v0', { backend, config: { map: Array.from({ length: 4097 }, () => [0]) } }), InvalidMapError, 'map is 4097×1');
  });

  it('ParallelEnv.step refuses actions that are not an object keyed by agent name, and the env is unchanged', () => {
    const env = make('MAPF-v0', { numEnvs: 2, seed: 9, backend, config: mapf });
    const twin = make('MAPF-v0', { numEnvs: 2, seed: 9, backend, config: mapf });
    env.reset();
    twin.reset();
    const view = env.parallelView(0), twinView = twin.parallelView(0);
    view.reset({ seed: 4 });
    twinView.reset({ seed: 4 });
    env.actions.set([1, 2, 3, 4]);
    twin.actions.set([1, 2, 3, 4]);
    const bad: unknown[] = [undefined, 5, true, [], null, 'agent_0', new Map([['agent_0', 3]]), new Int32Array(2)];
    for (const actions of bad) refuses(() => view.step(actions as never), InvalidActionError, 'an object keyed by agent name');
    expect(Array.from(env.actions)).toEqual([1, 2, 3, 4]);
    const acts = { agent_0: 4, agent_1: 2 };
    view.step(acts);
    twinView.step(acts);
    expect(snapshot(env.step())).toEqual(snapshot(twin.step()));
    env.close();
    twin.close();
  });

  it('a plain array is read once per entry: what is checked is what is staged', () => {
    const env = make('MAPF-v0', { numEnvs: 1, seed: 2, backend, config: mapf });
    env.reset();
    let reads = 0;
    const hostile = [0, 3];
    Object.defineProperty(hostile, 0, { get: () => (reads++ === 0 ? 1 : 2 ** 32 + 2) }); // 1, then a value that wraps to 2
    env.step(hostile);
    expect(reads).toBe(1);
    expect(Array.from(env.actions)).toEqual([1, 3]);
    env.close();
  });

  it('a Symbol or non-string agent name is an InvalidArgumentError', () => {
    const env = make('MAPF-v0', { numEnvs: 1, seed: 1, backend, config: mapf });
    refuses(() => env.observationSpaceOf(Symbol('a') as never), InvalidArgumentError, 'unknown agent Symbol(a)');
    refuses(() => env.actionSpaceOf(7 as never), InvalidArgumentError, 'unknown agent 7');
    refuses(() => env.parallelView(0).actionSpace(Symbol() as never), InvalidArgumentError, 'unknown agent');
    env.close();
  });
});

describe('frame collectors check their arguments before resetting the env', () => {
  it('a MAPF env given to the volleyball collector, or a policy that is not a function, leaves the env as it was', () => {
    const backend = mapfBackends()[0];
    const env = make('MAPF-v0', { numEnvs: 1, seed: 3, backend, autoresetMode: 'next-step', config: mapf });
    const twin = make('MAPF-v0', { numEnvs: 1, seed: 3, backend, autoresetMode: 'next-step', config: mapf });
    env.reset();
    twin.reset();
    env.step([1, 4]);
    twin.step([1, 4]);
    refuses(() => collectVolleyballFrames(env, 0, 2, () => {}), InvalidArgumentError, 'MAPF-v0 is not a volleyball env');
    refuses(() => collectDispatchFrames(env, 0, 2, () => {}), InvalidArgumentError, 'is not a RideDispatch-v0 env');
    expect(snapshot(env.step([2, 3]))).toEqual(snapshot(twin.step([2, 3])));
    env.close();
    twin.close();
  });

  it('a policy that is not a function is refused before the reset', () => {
    for (const [id, collect] of [['Volleyball-HitBall-v0', collectVolleyballFrames], ['RideDispatch-v0', collectDispatchFrames]] as const) {
      const env = make(id, { numEnvs: 1, seed: 1, autoresetMode: 'next-step' });
      const twin = make(id, { numEnvs: 1, seed: 1, autoresetMode: 'next-step' });
      env.reset();
      twin.reset();
      env.step();
      twin.step();
      refuses(() => collect(env, 0, 2, null as never), InvalidArgumentError, 'policy must be a function');
      refuses(() => collect(env, 0, 2, 'greedy' as never), InvalidArgumentError, 'policy must be a function');
      expect(Array.from(env.step().obs)).toEqual(Array.from(twin.step().obs)); // mid-episode on both: no reset ran
      env.close();
      twin.close();
    }
  });
});

describe('renderer arguments', () => {
  const map = { height: 2, width: 3, cells: new Uint8Array(6) };
  const frame: MapfFrame = { positions: [0, 0], goals: [1, 2], active: [1] };

  it('MAPF: malformed maps, frames and options', () => {
    refuses(() => renderAscii(null as never, frame), InvalidArgumentError, 'map must be { height, width, cells }');
    refuses(() => renderAscii({ height: 2, width: 3, cells: new Uint8Array(5) }, frame), InvalidArgumentError, 'map.cells has 5 entries, expected 6');
    refuses(() => renderAscii(map, null as never), InvalidArgumentError, 'frame 0 must be an object');
    refuses(() => renderAscii(map, { ...frame, positions: null } as never), InvalidArgumentError, 'positions must be an array');
    refuses(() => renderAscii(map, { ...frame, positions: [0.5, 0] }), InvalidArgumentError, '(0.5, 0) is outside the 2×3 map');
    for (const frames of [null, 5, 'x', [], [null]]) refuses(() => renderSvg(map, frames as never), InvalidArgumentError, 'renderSvg');
    refuses(() => renderSvg(map, [frame], null as never), InvalidArgumentError, 'options must be an object');
    refuses(() => renderSvg(map, [frame], { cellSize: Infinity }), InvalidArgumentError, 'cellSize must be a positive finite number');
    refuses(() => renderSvg(map, [frame], { cellSize: '10' as never }), InvalidArgumentError, 'cellSize');
    refuses(() => renderSvg(map, [frame], { title: {} as never }), InvalidArgumentError, 'title must be a string');
    expect(renderSvg(map, [frame], { cellSize: 10, title: 'ok' })).toContain('<title>ok</title>');
  });

  it('RideDispatch: missing options and city, bad statuses', () => {
    const f: DispatchFrame = { positions: [0.5, 0.5], status: [0], load: [0], orders: new Array(9).fill(0), wonSlot: [-1], served: 0, expired: 0 };
    const city = { kind: 'grid' as const, numZones: 1, width: 1, height: 1, zoneXY: new Float32Array([0.5, 0.5]) };
    refuses(() => renderDispatchSvg([f], undefined as never), InvalidArgumentError, 'options must be an object');
    refuses(() => renderDispatchSvg([f], { city: null } as never), InvalidArgumentError, 'options.city');
    refuses(() => renderDispatchSvg(null as never, { city }), InvalidArgumentError, 'at least one frame');
    refuses(() => renderDispatchSvg([{ ...f, status: [9] }], { city }), InvalidArgumentError, 'vehicle 0 has status 9');
    refuses(() => renderDispatchSvg([{ ...f, load: null } as never], { city }), InvalidArgumentError, 'load must be an array');
    expect(renderDispatchSvg([f], { city })).toContain('<svg');
  });

  it('volleyball: missing options, court and teams', () => {
    const f: VolleyballFrame = { drones: new Array(13).fill(0), ball: new Array(6).fill(0), board: new Array(6).fill(0), hits: [0] };
    f.drones[3] = 1; // identity quaternion
    refuses(() => renderVolleyballSvg([f], undefined as never), InvalidArgumentError, 'options must be an object');
    refuses(() => renderVolleyballSvg([f], { court: null } as never), InvalidArgumentError, 'court must be an array');
    refuses(() => renderVolleyballSvg([f], { court: [9] } as never), InvalidArgumentError, 'court must be [length, width]');
    refuses(() => renderVolleyballSvg([f], { court: [9, 3], teams: [0, 1] }), InvalidArgumentError, 'teams must hold 1 entries');
    refuses(() => renderVolleyballSvg(null as never, { court: [9, 3] }), InvalidArgumentError, 'at least one frame');
    expect(renderVolleyballSvg([f], { court: [9, 3] })).toContain('<svg');
  });
});

describe('small helpers and messages found by a first-time-user walkthrough', () => {
  it("a shipped map's name given as a map string is refused with a pointer to mapName / { name }", () => {
    refuses(() => make('MAPF-v0', { config: { map: 'warehouse-small' } }), InvalidConfigError, "give it as mapName: 'warehouse-small' or map: { name: 'warehouse-small' }");
    // ...while the name itself works both ways, and a real one-row map string still parses.
    make('MAPF-v0', { numEnvs: 1, config: { mapName: 'warehouse-small', numAgents: 2 } }).close();
    make('MAPF-v0', { numEnvs: 1, config: { map: { name: 'warehouse-small' }, numAgents: 2 } }).close();
    make('MAPF-v0', { numEnvs: 1, config: { map: '..a..A', obsRadius: 1 } }).close();
  });

  it('more agents than the map has cells names the map size, not a global limit', () => {
    refuses(() => make('MAPF-v0', { config: { map: { name: 'mapf-default-16' }, numAgents: 300 } }), InvalidConfigError,
      'numAgents 300 is more than the 16×16 map has cells (256)');
    refuses(() => make('MAPF-v0', { config: { numAgents: 0 } }), InvalidConfigError, 'numAgents must be an integer in [1, 64]');
  });

  it('sample() without a CounterRng is an InvalidArgumentError saying what to pass', () => {
    const all = [new spaces.Discrete(3), new spaces.Box(-1, 1, [2]), new spaces.MultiDiscrete([2, 3]), new spaces.Dict({ a: new spaces.Discrete(2) })];
    for (const space of all) {
      refuses(() => (space.sample as (rng?: unknown) => unknown)(), InvalidArgumentError, 'rng must be a CounterRng, e.g. sample(new CounterRng(seed))');
      refuses(() => (space.sample as (rng?: unknown) => unknown)(Math.random), InvalidArgumentError, 'rng must be a CounterRng');
      expect(space.contains(space.sample(new CounterRng(1)))).toBe(true);
    }
  });

  it('CounterRng refuses seeds, streams and env indices outside uint32, and below(n) outside [1, 2^32)', () => {
    for (const args of [[-1], [1.5], [2 ** 32], [NaN], [1, -2], [1, 0, 0.5]] as const) {
      refuses(() => new CounterRng(...(args as unknown as [number])), InvalidArgumentError, 'must be an integer in [0, 2^32)');
    }
    const rng = new CounterRng(0xffffffff, 0xffffffff, 0xffffffff);
    for (const n of [0, -1, 2.5, NaN, 2 ** 32]) refuses(() => rng.below(n), InvalidArgumentError, 'n must be an integer in [1, 2^32)');
    expect(rng.below(1)).toBe(0);
    expect(rng.below(0xffffffff)).toBeLessThan(0xffffffff);
  });

  it('the episode-metric helpers refuse an env outside the batch and infos of another env family', () => {
    const m = make('MAPF-v0', { numEnvs: 2, config: { numAgents: 2, size: 6 } });
    const d = make('RideDispatch-v0', { numEnvs: 2 });
    const v = make('Volleyball-SoloBump-v0', { numEnvs: 2 });
    const mi = m.reset().infos, di = d.reset().infos, vi = v.reset().infos;
    for (const env of [-1, 2, 0.5, NaN]) {
      refuses(() => mapfEpisodeMetrics(mi, env), InvalidArgumentError, 'mapfEpisodeMetrics(infos, env): env must be an integer in [0, 2)');
      refuses(() => dispatchEpisodeMetrics(di, env), InvalidArgumentError, 'dispatchEpisodeMetrics(infos, env): env must be an integer in [0, 2)');
      refuses(() => volleyballEpisodeMetrics(vi, env), InvalidArgumentError, 'volleyballEpisodeMetrics(infos, env): env must be an integer in [0, 2)');
    }
    refuses(() => volleyballEpisodeMetrics(mi as never, 0), InvalidArgumentError, 'come from another env family');
    refuses(() => mapfEpisodeMetrics(di as never, 1), InvalidArgumentError, 'come from another env family');
    refuses(() => dispatchEpisodeMetrics(vi as never, 0), InvalidArgumentError, 'come from another env family');
    expect(Object.keys(dispatchEpisodeMetrics(di, 1))).toContain('serviceRate');
    for (const env of [m, d, v]) env.close();
  });

  it('a buffer limit below a MiB is shown in bytes or KiB, not as 0.00 GiB; action dtypes take the right article', () => {
    refuses(() => make('MAPF-v0', { numEnvs: 64, maxBufferBytes: 1000, config: { numAgents: 2, size: 6 } }), AllocationError, 'more than the limit of 1000 bytes');
    refuses(() => make('MAPF-v0', { numEnvs: 64, maxBufferBytes: 50_000, config: { numAgents: 2, size: 6 } }), AllocationError, 'the limit of 48.8 KiB');
    const env = make('MAPF-v0', { numEnvs: 1, config: { numAgents: 2, size: 6 } });
    refuses(() => env.step(new Float32Array(2)), InvalidActionError, 'actions must be an Int32Array, got a Float32Array');
    env.close();
    const vb = make('Volleyball-SoloBump-v0', { numEnvs: 1 });
    refuses(() => vb.step(new Int32Array(4)), InvalidActionError, 'actions must be a Float32Array, got an Int32Array');
    vb.close();
  });
});
