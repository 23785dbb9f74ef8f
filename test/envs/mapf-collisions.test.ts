/**
 * MAPF-v0 movement, collisions, on-target modes, truncation and observation padding, on tiny
 * hand-worked maps. Expected values are worked out by hand from the rules in
 * shared/reference/pogema.md §2–§5 (POGEMA 2.0.0a's code), never read back from the engine.
 */
import { describe, expect, it } from 'vitest';
import { mapfEpisodeMetrics, type CollisionSystem, type MapfConfig, type MapfInfos, type OnTarget, type VectorEnv } from '../../src/index.js';
import { makeMapf, mapfBackends, obsOf, pairs, type RC } from '../helpers/mapf.js';

const SYSTEMS: CollisionSystem[] = ['priority', 'blockBoth', 'soft'];
const S = 0, U = 1, D = 2, L = 3, R = 4; // actions
const backends = mapfBackends();

interface Run {
  env: VectorEnv;
  /** Positions after reset (index 0) and after every step. */
  pos: RC[][];
  goals: RC[][];
  rewards: number[][];
  term: number[][];
  trunc: number[][];
  active: number[][];
  done: number[];
}

function run(backend: string, config: MapfConfig, actions: number[][], keepOpen = false): Run {
  const env = makeMapf(config, { backend: backend as 'native' });
  const n = env.numAgents;
  const { infos } = env.reset();
  const mi = infos as MapfInfos;
  const out: Run = {
    env, pos: [pairs(mi.positions, 0, n)], goals: [pairs(mi.goals, 0, n)], rewards: [], term: [], trunc: [],
    active: [Array.from(mi.agentMask)], done: [],
  };
  for (const a of actions) {
    const r = env.step(a);
    const i = r.infos as MapfInfos;
    out.pos.push(pairs(i.positions, 0, n));
    out.goals.push(pairs(i.goals, 0, n));
    out.rewards.push(Array.from(r.rewards));
    out.term.push(Array.from(r.terminations));
    out.trunc.push(Array.from(r.truncations));
    out.active.push(Array.from(i.agentMask));
    out.done.push(i.episode.done[0]);
  }
  if (!keepOpen) env.close();
  return out;
}

/** Positions after one step of `actions` from `starts` (goals parked far away in a corner row). */
function oneStep(backend: string, system: CollisionSystem, rows: string[], starts: RC[], goals: RC[], actions: number[]): RC[] {
  const r = run(backend, { map: rows.join('\n'), agentsXY: starts, targetsXY: goals, collisionSystem: system, obsRadius: 1 }, [actions]);
  return r.pos[1];
}

const OPEN5 = ['.....', '.....', '.....', '.....', '.....'];
/** Distinct goals in row 4 that no scenario below touches in one step. */
/** The episode's metrics for `mode`; read without the mode (non-NaN slots), they must be the same. */
function metricsOf(infos: MapfInfos, mode: OnTarget): Record<string, number> {
  const named = mapfEpisodeMetrics(infos, 0, mode);
  expect(mapfEpisodeMetrics(infos, 0)).toEqual(named);
  return named;
}

const far = (n: number): RC[] => Array.from({ length: n }, (_, i) => (i < 5 ? [4, i] : [3, i - 5]) as RC);

for (const backend of backends) {
  describe(`${backend}: collision systems`, () => {
    // [scenario, starts, actions, expected per system]
    const cases: Array<{ name: string; rows?: string[]; starts: RC[]; actions: number[]; expect: Record<CollisionSystem, RC[]> }> = [
      {
        name: 'vertex conflict (a0 from the left, a1 from the right): lower index wins except blockBoth',
        starts: [[1, 1], [1, 3]], actions: [R, L],
        expect: { priority: [[1, 2], [1, 3]], soft: [[1, 2], [1, 3]], blockBoth: [[1, 1], [1, 3]] },
      },
      {
        name: 'vertex conflict (a0 from the right, a1 from the left): still the lower index wins',
        starts: [[1, 3], [1, 1]], actions: [L, R],
        expect: { priority: [[1, 2], [1, 1]], soft: [[1, 2], [1, 1]], blockBoth: [[1, 3], [1, 1]] },
      },
      {
        name: 'vertex conflict of three agents (from left, right, above)',
        starts: [[1, 1], [1, 3], [0, 2]], actions: [R, L, D],
        expect: { priority: [[1, 2], [1, 3], [0, 2]], soft: [[1, 2], [1, 3], [0, 2]], blockBoth: [[1, 1], [1, 3], [0, 2]] },
      },
      {
        name: 'head-on swap: nobody moves',
        starts: [[1, 1], [1, 2]], actions: [R, L],
        expect: { priority: [[1, 1], [1, 2]], soft: [[1, 1], [1, 2]], blockBoth: [[1, 1], [1, 2]] },
      },
      {
        name: 'vertical head-on swap: nobody moves',
        starts: [[2, 2], [1, 2]], actions: [U, D],
        expect: { priority: [[2, 2], [1, 2]], soft: [[2, 2], [1, 2]], blockBoth: [[2, 2], [1, 2]] },
      },
      {
        name: 'follow: higher-index a1 follows lower-index leader a0',
        starts: [[1, 2], [1, 1]], actions: [R, R],
        expect: { priority: [[1, 3], [1, 2]], soft: [[1, 3], [1, 2]], blockBoth: [[1, 3], [1, 1]] },
      },
      {
        name: 'follow: lower-index a0 follows higher-index leader a1',
        starts: [[1, 1], [1, 2]], actions: [R, R],
        expect: { priority: [[1, 1], [1, 3]], soft: [[1, 2], [1, 3]], blockBoth: [[1, 1], [1, 3]] },
      },
      {
        name: 'chain of 3, leader a0 then a1 then a2',
        starts: [[1, 3], [1, 2], [1, 1]], actions: [R, R, R],
        expect: { priority: [[1, 4], [1, 3], [1, 2]], soft: [[1, 4], [1, 3], [1, 2]], blockBoth: [[1, 4], [1, 2], [1, 1]] },
      },
      {
        name: 'chain of 3, leader a2 then a1 then a0 (reverse order)',
        starts: [[1, 1], [1, 2], [1, 3]], actions: [R, R, R],
        expect: { priority: [[1, 1], [1, 2], [1, 4]], soft: [[1, 2], [1, 3], [1, 4]], blockBoth: [[1, 1], [1, 2], [1, 4]] },
      },
      {
        name: '4-agent clockwise rotation in a 2x2 block',
        // a0 (1,1)->R (1,2); a1 (1,2)->D (2,2); a2 (2,2)->L (2,1); a3 (2,1)->U (1,1)
        starts: [[1, 1], [1, 2], [2, 2], [2, 1]], actions: [R, D, L, U],
        expect: {
          priority: [[1, 1], [1, 2], [2, 2], [2, 1]], blockBoth: [[1, 1], [1, 2], [2, 2], [2, 1]],
          soft: [[1, 2], [2, 2], [2, 1], [1, 1]],
        },
      },
      {
        name: '4-agent counter-clockwise rotation in a 2x2 block',
        starts: [[1, 1], [2, 1], [2, 2], [1, 2]], actions: [D, R, U, L],
        expect: {
          priority: [[1, 1], [2, 1], [2, 2], [1, 2]], blockBoth: [[1, 1], [2, 1], [2, 2], [1, 2]],
          soft: [[2, 1], [2, 2], [1, 2], [1, 1]],
        },
      },
      {
        name: '6-agent rotation around a 2x3 ring',
        // ring (1,1)->(1,2)->(1,3)->(2,3)->(2,2)->(2,1)->(1,1)
        starts: [[1, 1], [1, 2], [1, 3], [2, 3], [2, 2], [2, 1]], actions: [R, R, D, L, L, U],
        expect: {
          priority: [[1, 1], [1, 2], [1, 3], [2, 3], [2, 2], [2, 1]], blockBoth: [[1, 1], [1, 2], [1, 3], [2, 3], [2, 2], [2, 1]],
          soft: [[1, 2], [1, 3], [2, 3], [2, 2], [2, 1], [1, 1]],
        },
      },
      {
        // A 3-cycle cannot exist on a 4-connected grid (it is bipartite): the 3-agent "rotation"
        // is 3 agents going round a 2x2 block with one empty cell, i.e. a chain into the gap.
        name: '3 agents rotating round a 2x2 block with a gap, leader has the highest index',
        // a0 (1,1)->R (1,2); a1 (1,2)->D (2,2); a2 (2,2)->L (2,1) empty
        starts: [[1, 1], [1, 2], [2, 2]], actions: [R, D, L],
        expect: {
          priority: [[1, 1], [1, 2], [2, 1]], blockBoth: [[1, 1], [1, 2], [2, 1]],
          soft: [[1, 2], [2, 2], [2, 1]],
        },
      },
      {
        name: '3 agents rotating round a 2x2 block with a gap, leader has the lowest index',
        // a0 (2,2)->L (2,1) empty; a1 (1,2)->D (2,2); a2 (1,1)->R (1,2)
        starts: [[2, 2], [1, 2], [1, 1]], actions: [L, D, R],
        expect: {
          priority: [[2, 1], [2, 2], [1, 2]], blockBoth: [[2, 1], [1, 2], [1, 1]],
          soft: [[2, 1], [2, 2], [1, 2]],
        },
      },
      {
        name: 'move into a staying agent (lower index moves into higher)',
        starts: [[1, 1], [1, 2]], actions: [R, S],
        expect: { priority: [[1, 1], [1, 2]], soft: [[1, 1], [1, 2]], blockBoth: [[1, 1], [1, 2]] },
      },
      {
        name: 'move into a staying agent (higher index moves into lower)',
        starts: [[1, 2], [1, 1]], actions: [S, R],
        expect: { priority: [[1, 2], [1, 1]], soft: [[1, 2], [1, 1]], blockBoth: [[1, 2], [1, 1]] },
      },
      {
        name: 'leader blocked by an obstacle blocks the whole chain',
        rows: ['.....', '...#.', '.....', '.....', '.....'],
        starts: [[1, 2], [1, 1], [1, 0]], actions: [R, R, R],
        expect: { priority: [[1, 2], [1, 1], [1, 0]], soft: [[1, 2], [1, 1], [1, 0]], blockBoth: [[1, 2], [1, 1], [1, 0]] },
      },
      {
        name: 'leader (highest index) blocked by the map edge blocks the chain',
        starts: [[1, 2], [1, 3], [1, 4]], actions: [R, R, R],
        expect: { priority: [[1, 2], [1, 3], [1, 4]], soft: [[1, 2], [1, 3], [1, 4]], blockBoth: [[1, 2], [1, 3], [1, 4]] },
      },
      {
        name: 'leader staying blocks the chain behind it',
        starts: [[1, 3], [1, 2], [1, 1]], actions: [S, R, R],
        expect: { priority: [[1, 3], [1, 2], [1, 1]], soft: [[1, 3], [1, 2], [1, 1]], blockBoth: [[1, 3], [1, 2], [1, 1]] },
      },
      {
        name: 'chain whose leader loses a vertex conflict is reverted behind it',
        // a0 (0,3)->D (1,3) wins (1,3); a1 (1,4)->L wants (1,3) too; a2 (1,5)? map is 5 wide:
        // a2 follows a1 from (2,4)->U into (1,4).
        starts: [[0, 3], [1, 4], [2, 4]], actions: [D, L, U],
        expect: { priority: [[1, 3], [1, 4], [2, 4]], soft: [[1, 3], [1, 4], [2, 4]], blockBoth: [[0, 3], [1, 4], [2, 4]] },
      },
      {
        name: 'blockBoth: a cell vacated this step cannot be entered, an untouched one can',
        // a0 (1,1)->R into a1's cell (1,2) that a1 vacates; a2 (3,1)->R into empty (3,2).
        starts: [[1, 1], [1, 2], [3, 1]], actions: [R, R, R],
        expect: { priority: [[1, 1], [1, 3], [3, 2]], soft: [[1, 2], [1, 3], [3, 2]], blockBoth: [[1, 1], [1, 3], [3, 2]] },
      },
      {
        name: 'swap plus a follower of one swapper (soft: the swap reverts the follower too)',
        // a0 (1,1)->R and a1 (1,2)->L swap; a2 (1,3)->L wants a1's cell.
        starts: [[1, 1], [1, 2], [1, 3]], actions: [R, L, L],
        expect: { priority: [[1, 1], [1, 2], [1, 3]], soft: [[1, 1], [1, 2], [1, 3]], blockBoth: [[1, 1], [1, 2], [1, 3]] },
      },
      {
        name: 'agent blocked by an obstacle reverts its follower; a second claimant of its cell is reverted too',
        rows: ['.....', '...#.', '.....', '.....', '.....'],
        // a1 (1,2)->R into the obstacle; a0 (1,1)->R and a2 (0,2)->D both want a1's cell.
        starts: [[1, 1], [1, 2], [0, 2]], actions: [R, R, D],
        expect: { priority: [[1, 1], [1, 2], [0, 2]], soft: [[1, 1], [1, 2], [0, 2]], blockBoth: [[1, 1], [1, 2], [0, 2]] },
      },
      {
        name: 'rotation plus an outsider (highest index) wanting into the ring: soft reverts the outsider first, the ring turns',
        // ring a0 (1,1)->R, a1 (1,2)->D, a2 (2,2)->L, a3 (2,1)->U; a4 (0,2)->D wants (1,2) like a0.
        starts: [[1, 1], [1, 2], [2, 2], [2, 1], [0, 2]], actions: [R, D, L, U, D],
        expect: {
          priority: [[1, 1], [1, 2], [2, 2], [2, 1], [0, 2]], blockBoth: [[1, 1], [1, 2], [2, 2], [2, 1], [0, 2]],
          soft: [[1, 2], [2, 2], [2, 1], [1, 1], [0, 2]],
        },
      },
      {
        name: 'rotation plus an outsider (lowest index) wanting into the ring: soft reverts the whole ring',
        // outsider a0 (0,2)->D; ring a1 (1,1)->R, a2 (1,2)->D, a3 (2,2)->L, a4 (2,1)->U. a1 and a0 both want (1,2).
        starts: [[0, 2], [1, 1], [1, 2], [2, 2], [2, 1]], actions: [D, R, D, L, U],
        expect: {
          priority: [[0, 2], [1, 1], [1, 2], [2, 2], [2, 1]], blockBoth: [[0, 2], [1, 1], [1, 2], [2, 2], [2, 1]],
          soft: [[0, 2], [1, 1], [1, 2], [2, 2], [2, 1]],
        },
      },
      {
        name: 'blockBoth: a staying agent does not block a neighbour moving elsewhere',
        starts: [[1, 1], [1, 2]], actions: [D, S],
        expect: { priority: [[2, 1], [1, 2]], soft: [[2, 1], [1, 2]], blockBoth: [[2, 1], [1, 2]] },
      },
    ];
    for (const c of cases) {
      for (const system of SYSTEMS) {
        it(`${system}: ${c.name}`, () => {
          expect(oneStep(backend, system, c.rows ?? OPEN5, c.starts, far(c.starts.length), c.actions)).toEqual(c.expect[system]);
        });
      }
    }

    it('moves into obstacles and off every map edge are no-ops (all systems)', () => {
      // 3x3 map with an obstacle in the middle; a lone agent probes every direction from each free cell.
      const rows = ['...', '.#.', '...'];
      for (const system of SYSTEMS) {
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < 3; c++) {
            if (r === 1 && c === 1) continue;
            const goal: RC = r === 0 && c === 0 ? [2, 2] : [0, 0];
            for (const [act, dr, dc] of [[U, -1, 0], [D, 1, 0], [L, 0, -1], [R, 0, 1], [S, 0, 0]] as const) {
              const tr = r + dr, tc = c + dc;
              const blocked = tr < 0 || tr > 2 || tc < 0 || tc > 2 || (tr === 1 && tc === 1);
              const want: RC = blocked ? [r, c] : [tr, tc];
              const got = oneStep(backend, system, rows, [[r, c]], [goal], [act]);
              expect(got[0], `${system} from (${r},${c}) action ${act}`).toEqual(want);
            }
          }
        }
      }
    });
  });

  describe(`${backend}: onTarget modes`, () => {
    for (const system of SYSTEMS) {
      it(`${system}: finish: arrival rewards 1 once, the agent disappears, ignores actions and its cell is free`, () => {
        // Row "......": a0 (0,1) -> goal (0,2); a1 (0,4) -> goal (0,0).
        const cfg: MapfConfig = {
          map: '.....', agentsXY: [[0, 1], [0, 4]], targetsXY: [[0, 2], [0, 0]], collisionSystem: system, onTarget: 'finish', obsRadius: 1, maxEpisodeSteps: 20,
        };
        const env = makeMapf(cfg, { backend: backend as 'native' });
        env.reset();
        // t1: a0 arrives at (0,2); a1 moves to (0,3), right next to it.
        let r = env.step([R, L]);
        let i = r.infos as MapfInfos;
        expect(pairs(i.positions, 0, 2)).toEqual([[0, 2], [0, 3]]);
        expect(Array.from(r.rewards)).toEqual([1, 0]);
        expect(Array.from(r.terminations)).toEqual([1, 0]);
        expect(Array.from(i.agentMask)).toEqual([0, 1]);
        expect(i.episode.done[0]).toBe(0);
        // a1's agents channel (r=1, window cols 2..4 of row 0): only itself; a0 is hidden.
        expect(obsOf(r.obs, 0, 1, 2, 1)[1]).toEqual([[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
        // t2: a0 is told to move left (ignored); a1 enters the finished agent's cell.
        r = env.step([L, L]);
        i = r.infos as MapfInfos;
        expect(pairs(i.positions, 0, 2)).toEqual([[0, 2], [0, 2]]);
        expect(Array.from(r.rewards)).toEqual([0, 0]);
        expect(Array.from(r.terminations)).toEqual([1, 0]);
        expect(Array.from(i.agentMask)).toEqual([0, 1]);
        // t3: a0 told to move right (ignored), a1 walks on.
        r = env.step([R, L]);
        i = r.infos as MapfInfos;
        expect(pairs(i.positions, 0, 2)).toEqual([[0, 2], [0, 1]]);
        // a1 at (0,1): a0 hidden at (0,2) is not in its ch1 either.
        expect(obsOf(r.obs, 0, 1, 2, 1)[1]).toEqual([[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
        // t4: a1 arrives: both terminated, the episode ends.
        r = env.step([D, L]);
        i = r.infos as MapfInfos;
        expect(pairs(i.positions, 0, 2)).toEqual([[0, 2], [0, 0]]);
        expect(Array.from(r.rewards)).toEqual([0, 1]);
        expect(Array.from(r.terminations)).toEqual([1, 1]);
        expect(Array.from(r.truncations)).toEqual([0, 0]);
        expect(i.episode.done[0]).toBe(1);
        expect(Array.from(i.episode.return)).toEqual([1, 1]);
        expect(i.episode.length[0]).toBe(4);
        // ISR 1, CSR 1, ep_length = mean(first-arrival step index + 1) = mean(1, 4) = 2.5
        expect(metricsOf(i, 'finish')).toEqual({ ISR: 1, CSR: 1, ep_length: 2.5 });
        env.close();
      });

      it(`${system}: finish: metrics of a truncated episode`, () => {
        // a0 (0,0) reaches (0,2) at step 2 (index 1); a1 never reaches (1,4). Truncated at step 4.
        const env = makeMapf({
          map: '.....\n.....', agentsXY: [[0, 0], [1, 0]], targetsXY: [[0, 2], [1, 4]], collisionSystem: system, obsRadius: 1, maxEpisodeSteps: 4,
        }, { backend: backend as 'native' });
        env.reset();
        env.step([R, S]);
        env.step([R, S]);
        env.step([S, S]);
        const r = env.step([S, S]);
        const i = r.infos as MapfInfos;
        expect(Array.from(r.terminations)).toEqual([1, 0]);
        expect(Array.from(r.truncations)).toEqual([1, 1]);
        expect(i.episode.done[0]).toBe(1);
        // ISR 1/2, CSR 0, ep_length = mean(1 [arrival index], 3 [last step index]) + 1 = 3.
        expect(metricsOf(i, 'finish')).toEqual({ ISR: 0.5, CSR: 0, ep_length: 3 });
        expect(Array.from(i.episode.return)).toEqual([1, 0]);
        env.close();
      });

      it(`${system}: finish: a finished agent cannot block a vertex claim or a follower`, () => {
        // a0 (0,0) -> goal (0,1) arrives at t1 and vanishes; at t2 a1 (1,1)->U enters (0,1) (blockBoth must not count the hidden agent).
        const r = run(backend, {
          map: '...\n...', agentsXY: [[0, 0], [1, 1]], targetsXY: [[0, 1], [1, 2]], collisionSystem: system, obsRadius: 1, maxEpisodeSteps: 10,
        }, [[R, S], [S, U]]);
        expect(r.pos[1]).toEqual([[0, 1], [1, 1]]);
        expect(r.active[1]).toEqual([0, 1]);
        expect(r.pos[2]).toEqual([[0, 1], [0, 1]]);
      });

      it(`${system}: nothing: reward 1 for all only when all stand on their goals at once`, () => {
        // a0 (0,0) goal (0,1); a1 (0,5) goal (0,3).
        const r = run(backend, {
          map: '......', agentsXY: [[0, 0], [0, 5]], targetsXY: [[0, 1], [0, 3]], collisionSystem: system, onTarget: 'nothing', obsRadius: 1, maxEpisodeSteps: 10,
        }, [[R, L], [R, L], [L, S]], true);
        // t1: a0 on goal, a1 at (0,4): nothing yet; a0 stays visible and active.
        expect(r.pos[1]).toEqual([[0, 1], [0, 4]]);
        expect(r.rewards[0]).toEqual([0, 0]);
        expect(r.term[0]).toEqual([0, 0]);
        expect(r.active[1]).toEqual([1, 1]);
        // t2: a0 steps off its goal; a1 arrives.
        expect(r.pos[2]).toEqual([[0, 2], [0, 3]]);
        expect(r.rewards[1]).toEqual([0, 0]);
        expect(r.term[1]).toEqual([0, 0]);
        // t3: a0 returns: both on goals at once.
        expect(r.pos[3]).toEqual([[0, 1], [0, 3]]);
        expect(r.rewards[2]).toEqual([1, 1]);
        expect(r.term[2]).toEqual([1, 1]);
        expect(r.trunc[2]).toEqual([0, 0]);
        expect(r.done).toEqual([0, 0, 1]);
        r.env.close();
      });

      it(`${system}: nothing: metrics of a solved episode (SoC counts the last arrival after which the agent stayed)`, () => {
        const env = makeMapf({
          map: '......', agentsXY: [[0, 0], [0, 5]], targetsXY: [[0, 1], [0, 3]], collisionSystem: system, onTarget: 'nothing', obsRadius: 1, maxEpisodeSteps: 10,
        }, { backend: backend as 'native' });
        env.reset();
        env.step([R, L]);
        env.step([R, L]);
        const { infos } = env.step([L, S]);
        const i = infos as MapfInfos;
        expect(i.episode.done[0]).toBe(1);
        // a0: last arrival at step 3; a1: arrived at step 2 and stayed. SoC 5, makespan 3.
        expect(metricsOf(i, 'nothing')).toEqual({ ISR: 1, CSR: 1, ep_length: 3, SoC: 5, makespan: 3 });
        expect(Array.from(i.episode.return)).toEqual([1, 1]);
        // Agents stay visible on their goals in ch1 (a1 at (0,3) sees nobody within r=1; a0 is at (0,1)).
        env.close();
      });

      it(`${system}: nothing: metrics of a truncated episode`, () => {
        // a0 (0,0) reaches (0,1) at t1 and stays; a1 never reaches (0,5). Truncated at t2.
        const env = makeMapf({
          map: '......', agentsXY: [[0, 0], [0, 3]], targetsXY: [[0, 1], [0, 5]], collisionSystem: system, onTarget: 'nothing', obsRadius: 1, maxEpisodeSteps: 2,
        }, { backend: backend as 'native' });
        env.reset();
        let r = env.step([R, S]);
        expect(Array.from(r.truncations)).toEqual([0, 0]);
        r = env.step([S, S]);
        const i = r.infos as MapfInfos;
        expect(Array.from(r.rewards)).toEqual([0, 0]);
        expect(Array.from(r.terminations)).toEqual([0, 0]);
        expect(Array.from(r.truncations)).toEqual([1, 1]);
        expect(i.episode.done[0]).toBe(1);
        // ISR 1/2, CSR 0, ep_length 2, SoC = 1 (a0) + 2 (a1, not on goal: episode length) = 3, makespan 2.
        expect(metricsOf(i, 'nothing')).toEqual({ ISR: 0.5, CSR: 0, ep_length: 2, SoC: 3, makespan: 2 });
        env.close();
      });
    }

    it('restart with explicit goal sequences: 1 per arrival, next goal shown the same step, cycling', () => {
      // a0 in row 0 cycles [(0,1), (0,0)] (length 2); a1 in row 2 cycles [(2,1), (2,2), (2,3)] (length 3).
      const cfg: MapfConfig = {
        map: '....\n####\n....', agentsXY: [[0, 0], [2, 0]],
        targetsXY: [[[0, 1], [0, 0]], [[2, 1], [2, 2], [2, 3]]], onTarget: 'restart', obsRadius: 1, maxEpisodeSteps: 7,
      };
      const env = makeMapf(cfg, { backend: backend as 'native' });
      let { infos, obs } = env.reset();
      expect(pairs((infos as MapfInfos).goals, 0, 2)).toEqual([[0, 1], [2, 1]]);
      expect(obsOf(obs, 0, 0, 2, 1)[2]).toEqual([[0, 0, 0], [0, 0, 1], [0, 0, 0]]);
      // a0 alternates R, L: arrives every step. a1 walks right: arrives every step for 3 steps, then stays.
      const plan: number[][] = [[R, R], [L, R], [R, R], [L, S], [R, S], [L, S], [S, S]];
      // Goals expected after each step (the new goal appears on the arrival step itself).
      const a0Goals: RC[] = [[0, 0], [0, 1], [0, 0], [0, 1], [0, 0], [0, 1], [0, 1]];
      const a1Goals: RC[] = [[2, 2], [2, 3], [2, 1], [2, 1], [2, 1], [2, 1], [2, 1]];
      const a0Rew = [1, 1, 1, 1, 1, 1, 0];
      const a1Rew = [1, 1, 1, 0, 0, 0, 0];
      let total = 0;
      for (let t = 0; t < plan.length; t++) {
        const r = env.step(plan[t]);
        infos = r.infos;
        obs = r.obs;
        const i = infos as MapfInfos;
        expect(pairs(i.goals, 0, 2), `goals after t=${t + 1}`).toEqual([a0Goals[t], a1Goals[t]]);
        expect(Array.from(r.rewards), `rewards t=${t + 1}`).toEqual([a0Rew[t], a1Rew[t]]);
        expect(Array.from(r.terminations)).toEqual([0, 0]);
        total += r.rewards[0] + r.rewards[1];
        // ch2 of a0 (r=1) shows its new goal one column to the left or right of the centre.
        const p0 = pairs(i.positions, 0, 2)[0];
        const g0 = a0Goals[t];
        const ch2 = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
        ch2[1 + Math.max(-1, Math.min(1, g0[0] - p0[0]))][1 + Math.max(-1, Math.min(1, g0[1] - p0[1]))] = 1;
        expect(obsOf(obs, 0, 0, 2, 1)[2], `a0 ch2 after t=${t + 1}`).toEqual(ch2);
        if (t < plan.length - 1) expect(Array.from(r.truncations)).toEqual([0, 0]);
      }
      const i = infos as MapfInfos;
      expect(i.episode.done[0]).toBe(1);
      expect(total).toBe(9);
      expect(metricsOf(i, 'restart')).toEqual({ avg_throughput: expect.closeTo(9 / 7, 6) });
      env.close();
    });

    it('restart with explicit goal sequences: a length-2 sequence cycles A,B,A,B when another agent has 3 goals', () => {
      // a0 cycles [(0,1), (0,0)]; a1 has a 3-goal sequence it never reaches (so a0's cycle is isolated).
      const env = makeMapf({
        map: '....\n####\n....', agentsXY: [[0, 0], [2, 0]],
        targetsXY: [[[0, 1], [0, 0]], [[2, 3], [2, 2], [2, 1]]], onTarget: 'restart', obsRadius: 1, maxEpisodeSteps: 20,
      }, { backend: backend as 'native' });
      env.reset();
      const seen: RC[] = [];
      for (const a of [R, L, R, L, R]) seen.push(pairs((env.step([a, S]).infos as MapfInfos).goals, 0, 2)[0]);
      // After k arrivals a0's goal is goal k % 2 of its own sequence.
      expect(seen).toEqual([[0, 0], [0, 1], [0, 0], [0, 1], [0, 0]]);
      env.close();
    });

    it('restart with random goals: each new goal is in the agent\'s component, never its current cell; avg_throughput = arrivals / maxEpisodeSteps', () => {
      // Two components: columns 0-1 (6 cells) and columns 3-4 (6 cells).
      const rows = ['..#..', '..#..', '..#..'];
      const left = new Set(['0,0', '0,1', '1,0', '1,1', '2,0', '2,1']);
      const right = new Set(['0,3', '0,4', '1,3', '1,4', '2,3', '2,4']);
      const maxSteps = 120;
      const seenGoals = [new Set<string>(), new Set<string>()];
      for (const seed of [1, 2, 3]) {
        const env = makeMapf({
          map: rows.join('\n'), agentsXY: [[0, 0], [2, 4]], targetsXY: [[2, 1], [0, 3]], onTarget: 'restart', obsRadius: 2, maxEpisodeSteps: maxSteps,
        }, { backend: backend as 'native', seed });
        let { infos } = env.reset();
        let arrivals = 0;
        for (let t = 0; t < maxSteps; t++) {
          const i0 = infos as MapfInfos;
          const pos = pairs(i0.positions, 0, 2);
          const goals = pairs(i0.goals, 0, 2);
          // Greedy walk: inside each 3x2 rectangle a Manhattan step never hits an obstacle.
          const act = pos.map(([r, c], a) => (goals[a][0] < r ? U : goals[a][0] > r ? D : goals[a][1] < c ? L : goals[a][1] > c ? R : S));
          const res = env.step(act);
          infos = res.infos;
          const i = infos as MapfInfos;
          const npos = pairs(i.positions, 0, 2);
          const ngoals = pairs(i.goals, 0, 2);
          for (let a = 0; a < 2; a++) {
            const comp = a === 0 ? left : right;
            expect(comp.has(npos[a].join(',')), `agent ${a} stays in its component`).toBe(true);
            expect(comp.has(ngoals[a].join(',')), `seed ${seed} t=${t + 1}: agent ${a} goal ${ngoals[a]} in its component`).toBe(true);
            const arrived = npos[a][0] === goals[a][0] && npos[a][1] === goals[a][1];
            expect(res.rewards[a], `seed ${seed} t=${t + 1} agent ${a} reward`).toBe(arrived ? 1 : 0);
            if (arrived) {
              arrivals++;
              // The new goal is already in this step's infos, and never the cell the agent stands on.
              expect(ngoals[a], `seed ${seed} t=${t + 1}: new goal differs from the current cell`).not.toEqual(npos[a]);
              seenGoals[a].add(ngoals[a].join(','));
              // ch2 of the agent (r=2 covers the whole component) has its 1 exactly at the new goal.
              const ch2 = obsOf(res.obs, 0, a, 2, 2)[2];
              expect(ch2[2 + ngoals[a][0] - npos[a][0]][2 + ngoals[a][1] - npos[a][1]]).toBe(1);
              expect(ch2.flat().reduce((x, y) => x + y, 0)).toBe(1);
            } else {
              expect(ngoals[a]).toEqual(goals[a]);
            }
            expect(res.terminations[a]).toBe(0);
          }
          expect(Array.from(res.truncations)).toEqual(t === maxSteps - 1 ? [1, 1] : [0, 0]);
        }
        const i = infos as MapfInfos;
        expect(i.episode.done[0]).toBe(1);
        expect(arrivals).toBeGreaterThan(10);
        expect(metricsOf(i, 'restart').avg_throughput).toBeCloseTo(arrivals / maxSteps, 6);
        env.close();
      }
      // Over ~3×120 steps every other cell of each component shows up as a goal.
      expect(seenGoals[0].size).toBe(6);
      expect(seenGoals[1].size).toBe(6);
    });

    it('restart with random placement on a two-component map: goals always reachable from positions', () => {
      const rows = ['..#..', '..#..', '..#..'];
      const compOf = (p: RC): number => (p[1] < 2 ? 0 : 1);
      for (const seed of [5, 6, 7, 8]) {
        const env = makeMapf({ map: rows.join('\n'), numAgents: 4, onTarget: 'restart', obsRadius: 1, maxEpisodeSteps: 40 }, { backend: backend as 'native', seed });
        let { infos } = env.reset();
        for (let t = 0; t <= 40; t++) {
          const i = infos as MapfInfos;
          const pos = pairs(i.positions, 0, 4), goals = pairs(i.goals, 0, 4);
          const cells = new Set(pos.map((p) => p.join(',')));
          expect(cells.size, 'distinct cells').toBe(4);
          for (let a = 0; a < 4; a++) {
            expect(rows[pos[a][0]][pos[a][1]]).toBe('.');
            expect(compOf(goals[a]), `seed ${seed} t=${t} agent ${a}`).toBe(compOf(pos[a]));
            if (t === 0) expect(goals[a]).not.toEqual(pos[a]);
          }
          if (t === 40) break;
          infos = env.step(pos.map((_, a) => ((t * 7 + a * 3 + seed) % 5))).infos;
        }
        env.close();
      }
    });

    for (const mode of ['finish', 'nothing', 'restart'] as OnTarget[]) {
      it(`${mode}: truncation for all agents exactly at maxEpisodeSteps`, () => {
        // a0 reaches its goal at t1 (finish: terminated and hidden); a1 never does.
        const steps = 4;
        const r = run(backend, {
          map: '.....', agentsXY: [[0, 0], [0, 4]], targetsXY: [[0, 1], [0, 2]], onTarget: mode, obsRadius: 1, maxEpisodeSteps: steps,
        }, [[R, S], [S, S], [S, S], [S, S]]);
        for (let t = 0; t < steps; t++) expect(r.trunc[t], `t=${t + 1}`).toEqual(t === steps - 1 ? [1, 1] : [0, 0]);
        expect(r.done).toEqual([0, 0, 0, 1]);
        if (mode === 'finish') expect(r.term[steps - 1]).toEqual([1, 0]);
        else expect(r.term[steps - 1]).toEqual([0, 0]);
      });
    }

    it('stepping past the end with autoreset disabled is refused', async () => {
      const { ResetNeededError } = await import('../../src/index.js');
      const r = run(backend, { map: '...', agentsXY: [[0, 0]], targetsXY: [[0, 2]], obsRadius: 1, maxEpisodeSteps: 1 }, [[S]], true);
      expect(r.trunc[0]).toEqual([1]);
      expect(() => r.env.step([S])).toThrow(ResetNeededError);
      r.env.close();
    });
  });

  describe(`${backend}: observation windows`, () => {
    it('padding: the one-cell ring around the map reads 1, everything beyond reads 0 (literal 7x7 window)', () => {
      // 3x3 free map, agent at (0,0), r = 3: window rows/cols -3..3.
      const r = run(backend, { map: '...\n...\n...', agentsXY: [[0, 0]], targetsXY: [[2, 2]], obsRadius: 3 }, [], true);
      const { obs } = r.env.reset();
      expect(obsOf(obs, 0, 0, 1, 3)[0]).toEqual([
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 1, 1, 1, 1, 1],
        [0, 0, 1, 0, 0, 0, 1],
        [0, 0, 1, 0, 0, 0, 1],
        [0, 0, 1, 0, 0, 0, 1],
        [0, 0, 1, 1, 1, 1, 1],
      ]);
      expect(obsOf(obs, 0, 0, 1, 3)[1][3][3]).toBe(1); // itself at the centre
      expect(obsOf(obs, 0, 0, 1, 3)[2][5][5]).toBe(1); // goal (2,2) at +2,+2
      r.env.close();
    });

    it('padding rule holds at every position of a map with obstacles, for uint8 too', () => {
      const rows = ['..#.', '#...', '..#.'];
      const H = 3, W = 4, rad = 2, d = 5;
      const cellAt = (y: number, x: number): number => {
        if (y >= 0 && y < H && x >= 0 && x < W) return rows[y][x] === '#' ? 1 : 0;
        return y >= -1 && y <= H && x >= -1 && x <= W ? 1 : 0;
      };
      for (const obsDtype of ['float32', 'uint8'] as const) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            if (rows[y][x] === '#') continue;
            const goal: RC = y === 0 && x === 0 ? [2, 3] : [0, 0];
            const r = run(backend, { map: rows.join('\n'), agentsXY: [[y, x]], targetsXY: [goal], obsRadius: rad, obsDtype }, [], true);
            const { obs } = r.env.reset();
            const want = Array.from({ length: d }, (_, wy) => Array.from({ length: d }, (_, wx) => cellAt(y + wy - rad, x + wx - rad)));
            expect(obsOf(obs, 0, 0, 1, rad)[0], `${obsDtype} agent at (${y},${x})`).toEqual(want);
            r.env.close();
          }
        }
      }
    });

    it('goal outside the window is clipped to the window edge on each axis separately', () => {
      // 12x12 free map, r = 2.
      const map = Array.from({ length: 12 }, () => '.'.repeat(12)).join('\n');
      const cases: Array<{ at: RC; goal: RC; cell: RC }> = [
        { at: [0, 0], goal: [10, 2], cell: [4, 4] },
        { at: [0, 0], goal: [10, 1], cell: [4, 3] },
        { at: [0, 0], goal: [1, 11], cell: [3, 4] },
        { at: [0, 0], goal: [11, 0], cell: [4, 2] },
        { at: [0, 0], goal: [1, 1], cell: [3, 3] },
        { at: [11, 11], goal: [0, 10], cell: [0, 1] },
        { at: [6, 6], goal: [0, 11], cell: [0, 4] },
        { at: [6, 6], goal: [11, 0], cell: [4, 0] },
        { at: [6, 6], goal: [6, 0], cell: [2, 0] },
        { at: [6, 6], goal: [8, 7], cell: [4, 3] },
      ];
      for (const c of cases) {
        const r = run(backend, { map, agentsXY: [c.at], targetsXY: [c.goal], obsRadius: 2 }, [], true);
        const { obs } = r.env.reset();
        const want = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
        want[c.cell[0]][c.cell[1]] = 1;
        expect(obsOf(obs, 0, 0, 1, 2)[2], `agent ${c.at} goal ${c.goal}`).toEqual(want);
        r.env.close();
      }
    });

    it('agents channel shows every active agent in the window, including itself at the centre', () => {
      // a0 (1,1) sees a1 (0,2) and a2 (2,0) at r=1, but not a3 (3,3).
      const r = run(backend, {
        map: '....\n....\n....\n....', agentsXY: [[1, 1], [0, 2], [2, 0], [3, 3]], targetsXY: [[3, 0], [3, 1], [3, 2], [0, 0]], obsRadius: 1,
      }, [], true);
      const { obs } = r.env.reset();
      expect(obsOf(obs, 0, 0, 4, 1)[1]).toEqual([[0, 0, 1], [0, 1, 0], [1, 0, 0]]);
      expect(obsOf(obs, 0, 3, 4, 1)[1]).toEqual([[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
      r.env.close();
    });
  });
}
