import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, InvalidMapError } from '../../src/errors.js';
import {
  components,
  freeCellCount,
  generateMap,
  loadMovingAIFile,
  mapFromArray,
  mapToString,
  mazeMap,
  NAMED_MAPS,
  namedMap,
  parseMapString,
  parseMovingAI,
  randomMap,
  warehouseMap,
  type GridMap,
} from '../../src/envs/mapf/maps.js';
import { CounterRng, RngStream } from '../../src/rng.js';

/** Runs `fn`, expecting an error with the given code; returns the error. */
function catchError(fn: () => unknown, code: string): Error & { code: string } {
  try {
    fn();
  } catch (err) {
    expect((err as { code: string }).code).toBe(code);
    return err as Error & { code: string };
  }
  throw new Error(`expected an error with code ${code}`);
}

function isConnected(map: GridMap): boolean {
  return components(map).sizes.length === 1;
}

describe('parseMapString', () => {
  it('parses obstacles and letters from an indented template string', () => {
    const parsed = parseMapString(`
      .a#B
      #...
      b.A.
    `);
    expect(parsed.height).toBe(3);
    expect(parsed.width).toBe(4);
    expect([...parsed.cells]).toEqual([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parsed.starts).toEqual([[0, 1], [2, 0]]);
    expect(parsed.goals).toEqual([[2, 2], [0, 3]]);
    expect(parsed.startPool).toBeNull();
    expect(parsed.goalPool).toBeNull();
  });

  it("builds POGEMA's pools once a map has an '@', '$' or '!' cell: '.' in both, '@' starts, '$' goals, '!' neither", () => {
    const parsed = parseMapString(`
      .!#@
      #..@
      $$.!
    `);
    expect([...parsed.cells]).toEqual([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parsed.starts).toBeNull();
    // Cell indices row · 4 + col: starts (0,0) (0,3) (1,1) (1,2) (1,3) (2,2), goals (0,0) (1,1) (1,2) (2,0) (2,1) (2,2).
    expect(Array.from(parsed.startPool!)).toEqual([0, 3, 5, 6, 7, 10]);
    expect(Array.from(parsed.goalPool!)).toEqual([0, 5, 6, 8, 9, 10]);
    expect(() => parseMapString(`${'.'.repeat(4097)}\n${'.'.repeat(4097)}`)).toThrow(/2×4097; each side must be at most 4096/);
    expect(() => mapFromArray([new Array(4097).fill(0)])).toThrow(/1×4097; each side must be at most 4096/);
    expect(parseMapString('..\n..').startPool).toBeNull(); // no marks: no pools (random placement)
    expect(() => parseMapString('aA\n.$')).toThrow(/not both; '\$' at row 1, col 1/);
  });

  it('orders agents by letter, not by position', () => {
    const parsed = parseMapString('cC.aA\nbB...');
    expect(parsed.starts).toEqual([[0, 3], [1, 0], [0, 0]]);
    expect(parsed.goals).toEqual([[0, 4], [1, 1], [0, 1]]);
  });

  it('gives null starts/goals without letters', () => {
    const parsed = parseMapString('..#\n#..');
    expect(parsed.starts).toBeNull();
    expect(parsed.goals).toBeNull();
    expect(mapToString(parsed)).toBe('..#\n#..');
  });

  it('rejects an unknown character naming it, its row and col', () => {
    const err = catchError(() => parseMapString('...\n.x.\n...'), 'ERR_MW_INVALID_MAP');
    expect(err).toBeInstanceOf(InvalidMapError);
    expect(err.message).toContain("'x'");
    expect(err.message).toContain('row 1');
    expect(err.message).toContain('col 1');
  });

  it('rejects ragged rows naming the row and both widths', () => {
    const err = catchError(() => parseMapString('....\n...\n....'), 'ERR_MW_INVALID_MAP');
    expect(err.message).toContain('row 1');
    expect(err.message).toContain('width 3');
    expect(err.message).toContain('width 4');
  });

  it('rejects empty maps, unpaired and duplicate letters', () => {
    catchError(() => parseMapString('  \n '), 'ERR_MW_INVALID_MAP');
    expect(catchError(() => parseMapString('a..'), 'ERR_MW_INVALID_MAP').message).toContain("'A'");
    expect(catchError(() => parseMapString('..B'), 'ERR_MW_INVALID_MAP').message).toContain("'b'");
    const dup = catchError(() => parseMapString('a.a\nA..'), 'ERR_MW_INVALID_MAP');
    expect(dup.message).toContain('row 0, col 0');
    expect(dup.message).toContain('row 0, col 2');
  });
});

describe('mapFromArray', () => {
  it('accepts 0/1 numbers and booleans', () => {
    const map = mapFromArray([[0, 1, 0], [true, false, 1]]);
    expect(map.height).toBe(2);
    expect(map.width).toBe(3);
    expect([...map.cells]).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('rejects other values naming row, col and value, and ragged rows', () => {
    const err = catchError(() => mapFromArray([[0, 0], [0, 2]]), 'ERR_MW_INVALID_MAP');
    expect(err.message).toContain('row 1');
    expect(err.message).toContain('col 1');
    expect(err.message).toContain('2');
    catchError(() => mapFromArray([[0, 0], [0]]), 'ERR_MW_INVALID_MAP');
    catchError(() => mapFromArray([]), 'ERR_MW_INVALID_MAP');
  });
});

const MOVINGAI_SAMPLE = [
  'type octile',
  'height 4',
  'width 5',
  'map',
  '..@@.',
  'G.T.S',
  'OOW..',
  '.....',
  '',
].join('\n');

describe('parseMovingAI', () => {
  it('maps passable and blocked terrain', () => {
    const map = parseMovingAI(MOVINGAI_SAMPLE);
    expect(map.height).toBe(4);
    expect(map.width).toBe(5);
    expect(mapToString(map)).toBe('..##.\n..#..\n###..\n.....');
  });

  it('loads from a file, with CRLF line ends', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-maps-'));
    const path = join(dir, 'sample.map');
    writeFileSync(path, MOVINGAI_SAMPLE.replace(/\n/g, '\r\n'));
    expect(mapToString(loadMovingAIFile(path))).toBe('..##.\n..#..\n###..\n.....');
  });

  it('rejects bad headers, line counts, widths and characters', () => {
    catchError(() => parseMovingAI(MOVINGAI_SAMPLE.replace('type octile', 'kind octile')), 'ERR_MW_INVALID_MAP');
    catchError(() => parseMovingAI(MOVINGAI_SAMPLE.replace('height 4', 'height x')), 'ERR_MW_INVALID_MAP');
    catchError(() => parseMovingAI(MOVINGAI_SAMPLE.replace('\nmap\n', '\ngrid\n')), 'ERR_MW_INVALID_MAP');
    const count = catchError(() => parseMovingAI(MOVINGAI_SAMPLE.replace('height 4', 'height 5')), 'ERR_MW_INVALID_MAP');
    expect(count.message).toContain('height 5');
    const width = catchError(() => parseMovingAI(MOVINGAI_SAMPLE.replace('G.T.S', 'G.T.')), 'ERR_MW_INVALID_MAP');
    expect(width.message).toContain('row 1');
    const char = catchError(() => parseMovingAI(MOVINGAI_SAMPLE.replace('G.T.S', 'G.T.?')), 'ERR_MW_INVALID_MAP');
    expect(char.message).toContain("'?' at row 1, col 4");
  });
});

describe('randomMap', () => {
  it('uses the i-th word of the map stream per cell', () => {
    const cells = randomMap(3, 5, 0.5, 42, 7);
    const rng = new CounterRng(42, RngStream.map, 7);
    for (let i = 0; i < 15; i++) expect(cells[i]).toBe(rng.nextU32() < 2 ** 31 ? 1 : 0);
  });

  it('has the requested density within statistical bounds on 256×256', () => {
    const n = 256 * 256;
    for (const density of [0.1, 0.3, 0.7]) {
      const cells = randomMap(256, 256, density, 1, 0);
      const obstacles = cells.reduce((sum, c) => sum + c, 0);
      const sigma = Math.sqrt(n * density * (1 - density));
      expect(Math.abs(obstacles - n * density)).toBeLessThan(5 * sigma);
    }
  });

  it('is all free at density 0 and all obstacles at density 1', () => {
    expect(randomMap(16, 16, 0, 3, 0).every((c) => c === 0)).toBe(true);
    expect(randomMap(16, 16, 1, 3, 0).every((c) => c === 1)).toBe(true);
  });

  it('is identical for the same (seed, env) and differs across envs and seeds', () => {
    const a = randomMap(64, 64, 0.3, 5, 2);
    expect(randomMap(64, 64, 0.3, 5, 2)).toEqual(a);
    expect(randomMap(64, 64, 0.3, 5, 3)).not.toEqual(a);
    expect(randomMap(64, 64, 0.3, 6, 2)).not.toEqual(a);
  });
});

describe('mazeMap', () => {
  it('is connected, has walls, and is deterministic per (seed, env)', () => {
    for (const [h, w] of [[17, 17], [16, 16], [15, 24], [1, 9], [2, 2], [31, 64]]) {
      for (const env of [0, 1, 2]) {
        const cells = mazeMap(h, w, 9, env);
        const map = { height: h, width: w, cells };
        expect(isConnected(map)).toBe(true);
        if (h >= 3 && w >= 3) expect(freeCellCount(map)).toBeLessThan(h * w);
        expect(mazeMap(h, w, 9, env)).toEqual(cells);
      }
    }
    expect(mazeMap(21, 21, 9, 0)).not.toEqual(mazeMap(21, 21, 9, 1));
  });

  it('is a perfect maze (a tree) by default and gains loops with lower wallDensity', () => {
    const countEdges = (map: GridMap): number => {
      let edges = 0;
      for (let r = 0; r < map.height; r++) {
        for (let c = 0; c < map.width; c++) {
          if (map.cells[r * map.width + c] !== 0) continue;
          if (c + 1 < map.width && map.cells[r * map.width + c + 1] === 0) edges++;
          if (r + 1 < map.height && map.cells[(r + 1) * map.width + c] === 0) edges++;
        }
      }
      return edges;
    };
    const perfect = { height: 21, width: 21, cells: mazeMap(21, 21, 4, 0) };
    expect(countEdges(perfect)).toBe(freeCellCount(perfect) - 1);
    const loopy = { height: 21, width: 21, cells: mazeMap(21, 21, 4, 0, { wallDensity: 0.5 }) };
    expect(isConnected(loopy)).toBe(true);
    expect(countEdges(loopy)).toBeGreaterThan(freeCellCount(loopy) - 1);
  });
});

describe('warehouseMap', () => {
  it('is connected with shelves and free borders, for several sizes and options', () => {
    const cases: Array<[number, number, Parameters<typeof warehouseMap>[4]]> = [
      [21, 33, {}],
      [32, 32, { shelfLength: 8, shelfDepth: 2, aisleWidth: 2, border: 2 }],
      [40, 50, { lengthJitter: 2, shelfGap: 2 }],
      [3, 3, {}],
    ];
    for (const [h, w, opts] of cases) {
      const map = { height: h, width: w, cells: warehouseMap(h, w, 1, 0, opts) };
      expect(isConnected(map)).toBe(true);
      expect(freeCellCount(map)).toBeLessThan(h * w);
      for (let c = 0; c < w; c++) expect(map.cells[c]).toBe(0);
      for (let r = 0; r < h; r++) expect(map.cells[r * w]).toBe(0);
    }
  });

  it('depends on the seed only through lengthJitter', () => {
    expect(warehouseMap(30, 30, 1, 0)).toEqual(warehouseMap(30, 30, 2, 5));
    const jittered = (env: number) => warehouseMap(30, 60, 1, env, { lengthJitter: 2 });
    expect(jittered(0)).toEqual(jittered(0));
    expect(jittered(0)).not.toEqual(jittered(1));
  });
});

describe('generateMap', () => {
  it('dispatches on the spec type', () => {
    const random = generateMap({ type: 'random', height: 8, width: 9, density: 0.2 }, 3, 1);
    expect(random.cells).toEqual(randomMap(8, 9, 0.2, 3, 1));
    const maze = generateMap({ type: 'maze', height: 9, width: 9 }, 3, 1);
    expect(maze.cells).toEqual(mazeMap(9, 9, 3, 1));
    const warehouse = generateMap({ type: 'warehouse', height: 12, width: 20, shelfLength: 4 }, 3, 1);
    expect(warehouse.cells).toEqual(warehouseMap(12, 20, 3, 1, { shelfLength: 4 }));
  });

  it('validates sizes and density with InvalidConfigError naming the field', () => {
    const bad: Array<[Parameters<typeof generateMap>[0], string]> = [
      [{ type: 'random', height: 0, width: 8, density: 0.2 }, 'height'],
      [{ type: 'random', height: 8, width: 1025, density: 0.2 }, 'width'],
      [{ type: 'random', height: 8.5, width: 8, density: 0.2 }, 'height'],
      [{ type: 'random', height: 8, width: 8, density: 1.5 }, 'density'],
      [{ type: 'random', height: 8, width: 8, density: Number.NaN }, 'density'],
      [{ type: 'maze', height: 8, width: 8, wallDensity: -0.1 }, 'wallDensity'],
      [{ type: 'warehouse', height: 8, width: 8, border: 0 }, 'border'],
      [{ type: 'hexagon', height: 8, width: 8 } as never, 'type'],
    ];
    for (const [spec, field] of bad) {
      const err = catchError(() => generateMap(spec, 0, 0), 'ERR_MW_INVALID_CONFIG');
      expect(err).toBeInstanceOf(InvalidConfigError);
      expect(err.message).toContain(field);
    }
  });
});

describe('named maps', () => {
  it('ships at least four maps, each parseable and one connected component', () => {
    const names = Object.keys(NAMED_MAPS);
    expect(names).toEqual(expect.arrayContaining(['mapf-default-16', 'warehouse-small', 'maze-small', 'corridors-32']));
    for (const name of names) {
      const map = namedMap(name);
      expect(isConnected(map), name).toBe(true);
      expect(freeCellCount(map), name).toBeLessThan(map.height * map.width);
    }
    expect([namedMap('mapf-default-16').height, namedMap('mapf-default-16').width]).toEqual([16, 16]);
    expect([namedMap('warehouse-small').height, namedMap('warehouse-small').width]).toEqual([21, 33]);
    expect([namedMap('maze-small').height, namedMap('maze-small').width]).toEqual([17, 17]);
    expect([namedMap('corridors-32').height, namedMap('corridors-32').width]).toEqual([32, 32]);
  });

  it('rejects an unknown name listing the known ones', () => {
    const err = catchError(() => namedMap('nowhere'), 'ERR_MW_INVALID_MAP');
    expect(err.message).toContain('nowhere');
    expect(err.message).toContain('mapf-default-16');
  });
});

describe('components', () => {
  it('labels components in row-major order of their first cell', () => {
    const map = parseMapString(`
      ..#.
      ###.
      .#..
    `);
    const { label, sizes } = components(map);
    expect([...label]).toEqual([0, 0, -1, 1, -1, -1, -1, 1, 2, -1, 1, 1]);
    expect(sizes).toEqual([2, 4, 1]);
    expect(freeCellCount(map)).toBe(7);
  });
});
