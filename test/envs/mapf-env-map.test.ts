/**
 * mapfEnvMap(env, i): the grid env i steps on, checked against what the env itself shows: every
 * agent's observation window (channel 0, obstacles; the map padded by r reads 1 on the ring
 * around the map and 0 further out) must equal the map read around the agent's position, for every
 * env and agent, on every backend, after make(), after reset({ seed }) of some envs, and for a
 * shared map.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, make, mapfEnvMap, maps } from '../../src/index.js';
import type { VectorEnv } from '../../src/index.js';

type GridMap = maps.GridMap;
import { mapfBackends } from '../helpers/mapf.js';

const R = 2, D = 2 * R + 1;

/** Checks every agent's obstacle window of every env against `mapOf(e)`; returns the cells compared. */
function expectWindowsMatch(env: VectorEnv, obs: Float32Array | Uint8Array, positions: Int32Array, mapOf: (e: number) => GridMap): number {
  const A = env.numAgents;
  let compared = 0;
  for (let e = 0; e < env.numEnvs; e++) {
    const m = mapOf(e);
    for (let a = 0; a < A; a++) {
      const i = e * A + a;
      const [row, col] = [positions[2 * i], positions[2 * i + 1]];
      const base = i * 3 * D * D;  // channel 0
      for (let dy = -R; dy <= R; dy++) {
        for (let dx = -R; dx <= R; dx++) {
          const y = row + dy, x = col + dx;
          const inside = y >= 0 && y < m.height && x >= 0 && x < m.width;
          const ring = !inside && y >= -1 && y <= m.height && x >= -1 && x <= m.width;
          const want = inside ? m.cells[y * m.width + x] : ring ? 1 : 0;
          expect(obs[base + (dy + R) * D + (dx + R)], `env ${e} agent ${a} (${dy}, ${dx})`).toBe(want);
          compared++;
        }
      }
    }
  }
  return compared;
}

describe.each(mapfBackends())('mapfEnvMap on %s', (backend) => {
  it('per-env generated maps: each env is seeded seed + i, then by reset({ seed }) of the masked envs', () => {
    const env = make('MAPF-v0', { numEnvs: 5, seed: 40, backend, config: { numAgents: 6, size: 9, density: 0.3, obsRadius: R } });
    let r = env.reset();
    const maps0 = Array.from({ length: 5 }, (_, e) => mapfEnvMap(env, e));
    expect(expectWindowsMatch(env, r.obs, r.infos.positions, (e) => maps0[e])).toBe(5 * 6 * D * D);
    expect(maps0[1].cells).not.toEqual(maps0[2].cells);  // envs really have their own maps
    expect(maps0[3].cells).toEqual(maps.randomMap(9, 9, 0.3, 43, 0));  // the documented generator, seed 40 + 3
    // Steps do not change the maps.
    for (let t = 0; t < 5; t++) r = env.step(new Int32Array(30).fill(t % 5));
    expectWindowsMatch(env, r.obs, r.infos.positions, (e) => maps0[e]);
    // Reseed envs 1 and 3 only: their maps follow the new seeds, the others keep theirs.
    r = env.reset({ seed: [7, 8, 9, 10, 11], mask: [0, 1, 0, 1, 0] });
    const maps1 = Array.from({ length: 5 }, (_, e) => mapfEnvMap(env, e));
    expect(maps1[0]).toEqual(maps0[0]);
    expect(maps1[1].cells).toEqual(maps.randomMap(9, 9, 0.3, 8, 0));
    expect(maps1[3].cells).toEqual(maps.randomMap(9, 9, 0.3, 10, 0));
    r = env.reset({ mask: [1, 0, 1, 0, 1] });
    expectWindowsMatch(env, r.obs, r.infos.positions, (e) => maps1[e]);
    // The caller gets a copy.
    maps1[0].cells.fill(1);
    expect(mapfEnvMap(env, 0)).toEqual(maps0[0]);
    env.close();
  });

  it('a shared map (mapPerEnv: false) and a named map: the same grid for every env', () => {
    const shared = make('MAPF-v0', { numEnvs: 3, seed: 5, backend, config: { numAgents: 4, size: 8, obsRadius: R, mapPerEnv: false } });
    let r = shared.reset({ seed: 77 });  // a reseed keeps the batch's map
    const m = mapfEnvMap(shared, 2);
    expect(m.cells).toEqual(maps.randomMap(8, 8, 0.3, 5, 0));
    expectWindowsMatch(shared, r.obs, r.infos.positions, () => m);
    shared.close();
    const named = make('MAPF-v0', { numEnvs: 2, backend, config: { numAgents: 3, mapName: 'maze-small', obsRadius: R } });
    r = named.reset();
    const grid = mapfEnvMap(named, 1);
    expect(grid.cells).toEqual(maps.namedMap('maze-small').cells);
    expectWindowsMatch(named, r.obs, r.infos.positions, () => grid);
    named.close();
  });
});

describe('mapfEnvMap arguments', () => {
  it('refuses another env family and an env index outside the batch', () => {
    const env = make('MAPF-v0', { numEnvs: 2, config: { numAgents: 2, size: 6 } });
    for (const i of [-1, 2, 0.5, NaN]) expect(() => mapfEnvMap(env, i)).toThrow(/envIndex must be an integer in \[0, 2\)/);
    const vb = make('Volleyball-SoloBump-v0', { numEnvs: 1 });
    expect(() => mapfEnvMap(vb, 0)).toThrow(InvalidArgumentError);
    expect(() => mapfEnvMap(vb, 0)).toThrow(/env must be a MAPF-v0 batch, got Volleyball-SoloBump-v0/);
    expect(() => mapfEnvMap({} as never, 0)).toThrow(/env must be a MAPF-v0 batch/);
    vb.close();
    env.close();
  });
});
