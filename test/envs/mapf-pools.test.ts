/**
 * MAPF-v0 starts and goals from pools (POGEMA's `possible_agents_xy` / `possible_targets_xy`, and
 * a map string marking pools: as in POGEMA's `GridConfig.str_map_to_list`, a map with any `@`, `$`
 * or `!` cell draws starts from its `.` and `@` cells and goals from its `.` and `$` cells, `!`
 * being free but in neither pool), checked against the rules of shared/reference/pogema.md §1 and §4:
 * each pool is shuffled on its own and agent a takes the a-th cell of each, so starts are
 * distinct, first goals are distinct, and a goal may be its agent's start; lifelong goals are
 * drawn from the goal pool, never the agent's current cell. Expected values come from those rules
 * (and, for the two-cell pool, are forced by them), not from the engine.
 */
import { describe, expect, it } from 'vitest';
import { make, type MapfConfig, type MapfInfos } from '../../src/index.js';
import { makeMapf, mapfBackends, pairs, snapshot, type RC } from '../helpers/mapf.js';

const backends = mapfBackends();
const S = 0, U = 1, D = 2, L = 3, R = 4; // actions
const key = ([r, c]: RC): string => `${r},${c}`;

/** A 5×6 open map: `@` on row 0, `$` on rows 3-4, `!` (free, in neither pool) elsewhere. */
const POOL_MAP = `
  @@@@!!
  !!!!!!
  !!!!!!
  !!!!$$
  !!$$$$
`;
const START_POOL = new Set(['0,0', '0,1', '0,2', '0,3']);
const GOAL_POOL = new Set(['3,4', '3,5', '4,2', '4,3', '4,4', '4,5']);

/** Throws unless `fn` raises an error with `code` whose message contains `text`. */
function expectCode(fn: () => unknown, code: string, text: string | RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).not.toBeNull();
  expect((caught as { code: string }).code).toBe(code);
  if (typeof text === 'string') expect((caught as Error).message).toContain(text);
  else expect((caught as Error).message).toMatch(text);
}

describe.each(backends)('MAPF-v0 pools on %s', (backend) => {
  it("places agents on distinct '@' cells with distinct '$' goals, at every reset and autoreset", () => {
    const env = make('MAPF-v0', {
      numEnvs: 16, seed: 5, backend, numThreads: 2,
      config: { map: POOL_MAP, numAgents: 4, obsRadius: 1, maxEpisodeSteps: 3 },
    });
    const seenStarts = new Set<string>();
    const check = (infos: MapfInfos): void => {
      for (let e = 0; e < env.numEnvs; e++) {
        const starts = pairs(infos.positions, e, 4).map(key), goals = pairs(infos.goals, e, 4).map(key);
        for (const s of starts) expect(START_POOL.has(s), `start ${s}`).toBe(true);
        for (const g of goals) expect(GOAL_POOL.has(g), `goal ${g}`).toBe(true);
        expect(new Set(starts).size).toBe(4);
        expect(new Set(goals).size).toBe(4);
        starts.forEach((s, a) => seenStarts.add(`${a}:${s}`));
      }
    };
    check(env.reset().infos as MapfInfos);
    for (let t = 0; t < 9; t++) {
      env.actions.fill(S); // standing still: the positions after each truncation are the new episode's starts
      const r = env.step();
      if (t % 3 === 2) check(r.infos as MapfInfos);
    }
    // With 4 agents on 4 '@' cells, each agent is seen on every cell across 64 placements.
    expect(seenStarts.size).toBe(16);
    env.close();
  });

  it("'.' cells join both pools once a map marks pools, '!' cells neither (POGEMA str_map_to_list)", () => {
    // Start pool {(0,0) '@', (0,1) '.'}, goal pool {(0,1) '.', (0,2) '$'}: two agents take both
    // cells of each pool, so every env starts on (0,0) and (0,1) and aims at (0,1) and (0,2).
    const env = make('MAPF-v0', { numEnvs: 16, seed: 3, backend, config: { map: '@.$\n!#!', numAgents: 2, obsRadius: 1 } });
    const infos = env.reset().infos as MapfInfos;
    for (let e = 0; e < 16; e++) {
      expect(pairs(infos.positions, e, 2).map(key).sort()).toEqual(['0,0', '0,1']);
      expect(pairs(infos.goals, e, 2).map(key).sort()).toEqual(['0,1', '0,2']);
    }
    env.close();
    // A lone '!' makes the other cells pools; it is itself never a start or a goal.
    const bang = make('MAPF-v0', { numEnvs: 64, seed: 4, backend, config: { map: '!..\n...', numAgents: 1, obsRadius: 1 } });
    const b = bang.reset().infos as MapfInfos;
    const starts = new Set<string>();
    for (let e = 0; e < 64; e++) {
      starts.add(key(pairs(b.positions, e, 1)[0]));
      expect(key(pairs(b.goals, e, 1)[0])).not.toBe('0,0');
    }
    expect([...starts].sort()).toEqual(['0,1', '0,2', '1,0', '1,1', '1,2']);
    bang.close();
  });

  it('takes possibleAgentsXY / possibleTargetsXY over the map cells and equals the same pools given as @ and $', () => {
    const given: MapfConfig = {
      map: '......\n......\n......', numAgents: 2, obsRadius: 1,
      possibleAgentsXY: [[2, 5], [0, 0], [1, 3]], possibleTargetsXY: [[0, 5], [2, 0]],
    };
    const marked: MapfConfig = { map: '@!!!!$\n!!!@!!\n$!!!!@', numAgents: 2, obsRadius: 1 };
    const a = make('MAPF-v0', { numEnvs: 8, seed: 2, backend, config: given });
    const b = make('MAPF-v0', { numEnvs: 8, seed: 2, backend, config: marked });
    expect(snapshot(a.reset())).toEqual(snapshot(b.reset()));
    for (let t = 0; t < 20; t++) {
      for (let i = 0; i < a.actions.length; i++) a.actions[i] = b.actions[i] = (t * 3 + i) % 5;
      expect(snapshot(a.step())).toEqual(snapshot(b.step()));
    }
    a.close();
    b.close();
  });

  it('lets a goal coincide with its start, as POGEMA does: staying on it earns the reward at once', () => {
    // One agent, both pools the same two cells: in about half the episodes the goal is the start.
    const env = make('MAPF-v0', {
      numEnvs: 64, seed: 9, backend,
      config: { map: '...\n...', numAgents: 1, obsRadius: 1, possibleAgentsXY: [[0, 0], [1, 2]], possibleTargetsXY: [[0, 0], [1, 2]] },
    });
    const { infos } = env.reset();
    const mi = infos as MapfInfos;
    const same: boolean[] = [];
    for (let e = 0; e < 64; e++) same.push(key(pairs(mi.positions, e, 1)[0]) === key(pairs(mi.goals, e, 1)[0]));
    const count = same.filter(Boolean).length;
    expect(count).toBeGreaterThan(16); // binomial(64, 1/2): outside [17, 47] with probability < 1e-4
    expect(count).toBeLessThan(48);
    const r = env.step(new Int32Array(64).fill(S));
    for (let e = 0; e < 64; e++) {
      expect(r.rewards[e]).toBe(same[e] ? 1 : 0);
      expect(r.terminations[e]).toBe(same[e] ? 1 : 0);
    }
    env.close();
  });

  it('restart: a two-cell goal pool sends the agent back and forth, a new goal every arrival', () => {
    // Corridor 1×4, start pool (0, 1), goal pool both ends: the first goal is (0, 0) or (0, 3);
    // after each arrival the only other pool cell is the new goal.
    const env = makeMapf({
      map: '....', numAgents: 1, obsRadius: 1, onTarget: 'restart', maxEpisodeSteps: 40,
      possibleAgentsXY: [[0, 1]], possibleTargetsXY: [[0, 0], [0, 3]],
    }, { backend });
    // Outputs are views on buffers written in place, so the reset's infos show every later step.
    const infos = env.reset().infos as MapfInfos;
    let goal = pairs(infos.goals, 0, 1)[0];
    let arrivals = 0;
    for (let t = 0; t < 30; t++) {
      const r = env.step(new Int32Array([goal[1] === 0 ? L : R])).rewards[0];
      const pos = pairs(infos.positions, 0, 1)[0];
      const next = pairs(infos.goals, 0, 1)[0];
      if (key(pos) === key(goal)) {
        arrivals++;
        expect(r).toBe(1);
        expect(key(next)).toBe(goal[1] === 0 ? '0,3' : '0,0'); // the other pool cell, the same step
      } else {
        expect(r).toBe(0);
        expect(key(next)).toBe(key(goal));
      }
      goal = next;
    }
    // Walking the 3 cells between the ends takes 3 steps per goal after the first (1 or 2 steps).
    expect(arrivals).toBeGreaterThanOrEqual(9);
    env.close();
  });

  it('restart: explicit starts and goals with a goal pool draw every later goal from the pool', () => {
    const pool: RC[] = [[0, 0], [0, 4], [2, 0], [2, 4]];
    const env = makeMapf({
      map: '.....\n.....\n.....', numAgents: 2, obsRadius: 1, onTarget: 'restart', maxEpisodeSteps: 200,
      agentsXY: [[1, 1], [1, 3]], targetsXY: [[1, 2], [0, 3]], possibleTargetsXY: pool,
    }, { backend, seed: 4 });
    const poolKeys = new Set(pool.map(key));
    const infos = env.reset().infos as MapfInfos;
    let arrivals = 0;
    for (let t = 0; t < 150; t++) {
      const before = pairs(infos.goals, 0, 2);
      const pos0 = pairs(infos.positions, 0, 2);
      const acts = new Int32Array(2);
      for (let a = 0; a < 2; a++) {
        const [dr, dc] = [before[a][0] - pos0[a][0], before[a][1] - pos0[a][1]];
        // Greedy, rows first, with a sidestep every fifth step so that the two cannot lock up.
        acts[a] = (t + 2 * a) % 5 === 0 ? 1 + ((t + a) % 4) : dr < 0 ? U : dr > 0 ? D : dc < 0 ? L : dc > 0 ? R : S;
      }
      const r = env.step(acts);
      const goals = pairs((r.infos as MapfInfos).goals, 0, 2), pos = pairs((r.infos as MapfInfos).positions, 0, 2);
      for (let a = 0; a < 2; a++) {
        if (r.rewards[a] !== 1) continue;
        arrivals++;
        expect(poolKeys.has(key(goals[a])), `new goal ${key(goals[a])}`).toBe(true);
        expect(key(goals[a])).not.toBe(key(pos[a]));
      }
    }
    expect(arrivals).toBeGreaterThan(20);
    env.close();
  });
});

describe('MAPF-v0 pools: placement statistics (native)', () => {
  it('draws each start-pool cell uniformly', () => {
    // 1 agent, 4 start cells, 4000 envs: each cell's count is binomial(4000, 1/4), sd ≈ 27.
    const env = make('MAPF-v0', {
      numEnvs: 4000, seed: 1, backend: backends[0],
      config: { map: '@!@\n!!!\n@$@', numAgents: 1, obsRadius: 1 },
    });
    const counts = new Map<string, number>();
    const mi = env.reset().infos as MapfInfos;
    for (let e = 0; e < 4000; e++) {
      const k = key(pairs(mi.positions, e, 1)[0]);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['0,0', '0,2', '2,0', '2,2']);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150); // > 5 sd
    env.close();
  });
});

describe('MAPF-v0 pools: bad configurations', () => {
  const open = '.....\n.....\n.....';
  const cases: Array<[string, MapfConfig, string, string]> = [
    ['a start pool without a goal pool', { map: open, possibleAgentsXY: [[0, 0]] }, 'ERR_MW_INVALID_CONFIG', 'needs possibleTargetsXY'],
    ["pool marks with no '.' or '$' cell (an empty goal pool)", { map: '@!!!!\n!!!!!' }, 'ERR_MW_INVALID_CONFIG', 'needs possibleTargetsXY'],
    ["pool marks with no '.' or '@' cell (an empty start pool)", { map: '$!!!!\n!!!$!' }, 'ERR_MW_INVALID_CONFIG', 'random starts'],
    ['pools with explicit starts', { map: open, agentsXY: [[0, 0]], targetsXY: [[0, 1]], possibleAgentsXY: [[1, 1]], possibleTargetsXY: [[2, 2]] }, 'ERR_MW_INVALID_CONFIG', 'cannot be combined'],
    ['map letters with @ cells', { map: 'aA@\n..$' }, 'ERR_MW_INVALID_MAP', "or possible ones ('@', '$', '!'), not both; '@' at row 0, col 2"],
    ['map letters with a ! cell', { map: 'aA.\n..!' }, 'ERR_MW_INVALID_MAP', "not both; '!' at row 1, col 2"],
    ['map letters and agentsXY/targetsXY', { map: 'aA.\n...', agentsXY: [[1, 0]], targetsXY: [[1, 2]] }, 'ERR_MW_INVALID_CONFIG', 'give starts and goals once'],
    ['a map with marked pools and agentsXY', { map: '...\n..!', agentsXY: [[1, 0]], targetsXY: [[1, 2]] }, 'ERR_MW_INVALID_CONFIG', 'cannot be combined'],
    ['a goal pool with random starts', { map: open, onTarget: 'restart', possibleTargetsXY: [[0, 0], [1, 1]] }, 'ERR_MW_INVALID_CONFIG', 'random starts'],
    ['an unused goal pool', { map: open, agentsXY: [[0, 0]], targetsXY: [[0, 1]], possibleTargetsXY: [[1, 1], [2, 2]] }, 'ERR_MW_INVALID_CONFIG', "only for onTarget 'restart'"],
    ['fewer start cells than agents', { map: open, numAgents: 3, possibleAgentsXY: [[0, 0], [0, 1]], possibleTargetsXY: [[2, 0], [2, 1], [2, 2]] }, 'ERR_MW_INVALID_MAP', 'fewer than the 3 agents'],
    ['a one-cell lifelong goal pool', { map: open, onTarget: 'restart', agentsXY: [[0, 0]], targetsXY: [[0, 1]], possibleTargetsXY: [[2, 2]] }, 'ERR_MW_INVALID_MAP', 'at least 2 cells'],
    ['a pool cell on an obstacle', { map: '..#\n...', possibleAgentsXY: [[0, 2]], possibleTargetsXY: [[1, 1]] }, 'ERR_MW_INVALID_MAP', 'possibleAgentsXY[0] (0, 2) is on an obstacle'],
    ['a pool cell outside the map', { map: open, possibleAgentsXY: [[0, 0]], possibleTargetsXY: [[3, 0]] }, 'ERR_MW_INVALID_MAP', 'outside the 3×5 map'],
    ['a cell listed twice', { map: open, possibleAgentsXY: [[0, 0], [0, 0]], possibleTargetsXY: [[1, 1]] }, 'ERR_MW_INVALID_CONFIG', 'lists (0, 0) twice'],
    ['a malformed cell', { map: open, possibleAgentsXY: [[0, 0.5]] as unknown as RC[], possibleTargetsXY: [[1, 1]] }, 'ERR_MW_INVALID_CONFIG', 'possibleAgentsXY[0] must be [row, col] integers'],
    ['an empty pool', { map: open, possibleAgentsXY: [], possibleTargetsXY: [[1, 1]] }, 'ERR_MW_INVALID_CONFIG', 'non-empty array'],
    ['pools in two components', { map: '@.#.$\n..#..' }, 'ERR_MW_INVALID_MAP', 'unreachable from pool cell'],
    ['a start cut off from the goal pool', { map: '..#..\n..#..', onTarget: 'restart', agentsXY: [[0, 0]], targetsXY: [[1, 1]], possibleTargetsXY: [[0, 3], [1, 4]] }, 'ERR_MW_INVALID_MAP', 'goal pool is unreachable'],
  ];
  for (const backend of backends) {
    it.each(cases)(`${backend}: refuses %s`, (_what, config, code, text) => {
      expectCode(() => make('MAPF-v0', { numEnvs: 2, backend, config: { obsRadius: 1, ...config } }).close(), code, text);
    });
  }

  it('checks pools against the generated maps of the batch', () => {
    // A start pool cell of (0, 0) is an obstacle on some 8×8 random maps of density 0.5.
    expectCode(() => make('MAPF-v0', {
      numEnvs: 32, seed: 0, backend: backends[0],
      config: { size: 8, density: 0.5, obsRadius: 1, possibleAgentsXY: [[0, 0]], possibleTargetsXY: [[7, 7]] },
    }).close(), 'ERR_MW_INVALID_MAP', /possible(Agents|Targets)XY/);
  });
});

describe('MAPF-v0 pools: backends agree', () => {
  it('gpujs, on one thread and on worker threads, equals native with pool placement and pool goals', () => {
    if (!backends.includes('native') || !backends.includes('gpujs')) return;
    const config: MapfConfig = {
      map: '@@@@....\n........\n..#..#..\n........\n....$$$$\n$$......', numAgents: 3, obsRadius: 2, onTarget: 'restart',
      maxEpisodeSteps: 25, collisionSystem: 'soft',
    };
    const run = (backend: 'native' | 'gpujs', numThreads: number): ReturnType<typeof snapshot>[] => {
      const env = make('MAPF-v0', { numEnvs: 8, seed: 77, backend, numThreads, config });
      const out = [snapshot(env.reset())];
      for (let t = 0; t < 80; t++) {
        for (let i = 0; i < env.actions.length; i++) env.actions[i] = (t * 5 + i * 3 + (t >> 2)) % 5;
        out.push(snapshot(env.step()));
      }
      env.close();
      return out;
    };
    const native = run('native', 2);
    expect(run('gpujs', 1)).toEqual(native);
    expect(run('gpujs', 2)).toEqual(native);
  });
});
