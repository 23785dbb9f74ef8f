/**
 * MAPF-v0 configuration end to end through make(): POGEMA's defaults (shared/reference/pogema.md
 * §6), random placement (§1: every start and goal a distinct cell), the nothing-mode SoC rule at
 * truncation (POGEMA's SumOfCostsAndMakespanMetric: an agent's arrival step is cleared when it is
 * off its goal, except on the finishing step), and every map source — maze, warehouse, named map
 * and MovingAI file — reaching each env's observations, checked against the map the generator or
 * parser gives on its own.
 */
import { describe, expect, it } from 'vitest';
import { make, mapfEpisodeMetrics, maps, type MapfConfig, type MapfInfos } from '../../src/index.js';
import { generateMap, type MapGeneratorSpec } from '../../src/envs/mapf/maps.js';
import { makeMapf, mapfBackends, pairs, snapshot } from '../helpers/mapf.js';

const backends = mapfBackends();
const S = 0, L = 3, R = 4; // actions

/**
 * Expected obstacle window (ch 0) of an agent at (row, col) with radius r: map cells inside the
 * map, 1 on the one-cell ring around it, 0 beyond (POGEMA's padding).
 */
function obstacleWindow(map: { height: number; width: number; cells: Uint8Array }, row: number, col: number, r: number): number[] {
  const out: number[] = [];
  for (let y = row - r; y <= row + r; y++) {
    for (let x = col - r; x <= col + r; x++) {
      const inside = y >= 0 && y < map.height && x >= 0 && x < map.width;
      const ring = y >= -1 && y <= map.height && x >= -1 && x <= map.width;
      out.push(inside ? map.cells[y * map.width + x] : ring ? 1 : 0);
    }
  }
  return out;
}

describe.each(backends)('MAPF-v0 configuration on %s', (backend) => {
  it("defaults are POGEMA's: 1 agent, 8×8 random map of density 0.3, r 5, priority, finish, 64 steps, float32", () => {
    const spelled: MapfConfig = {
      numAgents: 1, size: 8, density: 0.3, obsRadius: 5, collisionSystem: 'priority', onTarget: 'finish', maxEpisodeSteps: 64, obsDtype: 'float32',
    };
    const a = make('MAPF-v0', { numEnvs: 4, seed: 12, backend });
    const b = make('MAPF-v0', { numEnvs: 4, seed: 12, backend, config: spelled });
    expect(a.numAgents).toBe(1);
    expect(a.obsSize).toBe(3 * 11 * 11);
    const ra = a.reset();
    expect(ra.obs).toBeInstanceOf(Float32Array);
    expect(snapshot(ra)).toEqual(snapshot(b.reset()));
    // Standing still never reaches the goal (random placement never puts it on the start):
    // every env is truncated exactly at step 64.
    for (let t = 1; t <= 64; t++) {
      const r = a.step(new Int32Array(4).fill(S));
      b.step(new Int32Array(4).fill(S));
      expect(Array.from(r.truncations), `t=${t}`).toEqual(new Array(4).fill(t === 64 ? 1 : 0));
      expect(Array.from(r.terminations)).toEqual([0, 0, 0, 0]);
      for (const [row, col] of pairs((r.infos as MapfInfos).positions, 0, 4)) {
        expect(row).toBeLessThan(8);
        expect(col).toBeLessThan(8);
      }
    }
    // The same maps: a random policy gives identical outputs with the defaults spelled out.
    for (let t = 0; t < 40; t++) {
      const act = Int32Array.from({ length: 4 }, (_, i) => (t * 3 + i * 7) % 5);
      expect(snapshot(a.step(act))).toEqual(snapshot(b.step(act)));
    }
    a.close();
    b.close();
  });

  it('random placement puts every start and every goal on its own cell, near capacity', () => {
    // 5×5 with a wall column: components of 10 and 10 cells hold 5 agents each at most; 9 agents.
    const map = '..#..\n..#..\n..#..\n..#..\n..#..';
    const env = make('MAPF-v0', { numEnvs: 64, seed: 3, backend, config: { map, numAgents: 9, obsRadius: 1 } });
    const { infos } = env.reset();
    const mi = infos as MapfInfos;
    for (let e = 0; e < 64; e++) {
      const cells = [...pairs(mi.positions, e, 9), ...pairs(mi.goals, e, 9)].map(([r, c]) => `${r},${c}`);
      expect(new Set(cells).size, `env ${e}`).toBe(18);
    }
    env.close();
  });

  it("nothing: an agent leaving its goal on the truncation step keeps its arrival step in SoC", () => {
    // a0 (0,0) -> goal (0,1): arrives at step 0, leaves at step 2, the truncation step; POGEMA
    // clears an arrival only when the agent is off its goal on a step that does not finish the
    // episode, so a0 counts 0 + 1 = 1. a1 (0,4) never reaches (0,2): the last step, 2 + 1 = 3.
    // SoC = 4, makespan = 3; ISR and CSR look at the last step only: a0 is off its goal.
    const cfg: MapfConfig = { map: '.....', agentsXY: [[0, 0], [0, 4]], targetsXY: [[0, 1], [0, 2]], onTarget: 'nothing', obsRadius: 1, maxEpisodeSteps: 3 };
    const env = makeMapf(cfg, { backend });
    env.reset();
    env.step([R, S]);
    env.step([S, S]);
    const r = env.step([L, S]);
    expect(Array.from(r.truncations)).toEqual([1, 1]);
    expect(mapfEpisodeMetrics(r.infos as MapfInfos, 0, 'nothing')).toEqual({ ISR: 0, CSR: 0, ep_length: 3, SoC: 4, makespan: 3 });
    env.close();
    // Leaving one step earlier clears the arrival: a0 also counts the last step, SoC 3 + 3 = 6.
    const early = makeMapf(cfg, { backend });
    early.reset();
    early.step([R, S]);
    early.step([L, S]);
    const q = early.step([S, S]);
    expect(mapfEpisodeMetrics(q.infos as MapfInfos, 0, 'nothing')).toEqual({ ISR: 0, CSR: 0, ep_length: 3, SoC: 6, makespan: 3 });
    early.close();
  });

  const movingAI = ['type octile', 'height 6', 'width 7', 'map', '...@...', '.T..W..', '.......', '..@@@..', '.......', 'S......'].join('\n');
  const sources: Array<[string, MapfConfig, (seed: number) => { height: number; width: number; cells: Uint8Array }]> = [
    ['a maze generated per env', { map: { type: 'maze', height: 11, width: 13 } }, (s) => generateMap({ type: 'maze', height: 11, width: 13 } as MapGeneratorSpec, s, 0)],
    ['a warehouse generated per env', { map: { type: 'warehouse', height: 12, width: 14, lengthJitter: 2 } }, (s) => generateMap({ type: 'warehouse', height: 12, width: 14, lengthJitter: 2 } as MapGeneratorSpec, s, 0)],
    ['a named map', { mapName: Object.keys(maps.NAMED_MAPS)[0] }, () => maps.namedMap(Object.keys(maps.NAMED_MAPS)[0])],
    ['a MovingAI map', { map: maps.parseMovingAI(movingAI) }, () => maps.parseMovingAI(movingAI)],
  ];
  for (const [what, config, expected] of sources) {
    it(`${what} reaches every env's obstacle channel`, () => {
      const r = 2, numAgents = 3, d = 2 * r + 1;
      const env = make('MAPF-v0', { numEnvs: 3, seed: 40, backend, config: { numAgents, obsRadius: r, ...config } });
      const check = (obs: ArrayLike<number>, positions: Int32Array): void => {
        for (let e = 0; e < 3; e++) {
          const map = expected(40 + e); // env e plays on the map of seed + e
          pairs(positions, e, numAgents).forEach(([row, col], a) => {
            expect(map.cells[row * map.width + col], `env ${e} agent ${a} on an obstacle`).toBe(0);
            const base = (e * numAgents + a) * 3 * d * d;
            expect(Array.from(obs).slice(base, base + d * d), `env ${e} agent ${a}`).toEqual(obstacleWindow(map, row, col, r));
          });
        }
      };
      const first = env.reset();
      check(first.obs, (first.infos as MapfInfos).positions);
      for (let t = 0; t < 10; t++) {
        const s = env.step(Int32Array.from({ length: 3 * numAgents }, (_, i) => (t + i) % 5));
        check(s.obs, (s.infos as MapfInfos).positions);
      }
      env.close();
    });
  }
});
