/**
 * MAPF grid maps: parsing (POGEMA strings, 0/1 arrays, MovingAI `.map` files) and helpers.
 *
 * Convention everywhere: coordinates are `(row, col)`, row 0 is the first map line, the cell
 * index is `row * width + col`, and `cells[i]` is 1 for an obstacle and 0 for a free cell.
 * Generators live in `generators.ts`, named maps in `named-maps.ts` and the MovingAI reader in
 * `movingai.ts`; all are re-exported here.
 * @module
 */

import { InvalidMapError, formatValue } from '../../errors.js';

export * from './generators.js';
export * from './named-maps.js';
export * from './movingai.js';

/** The 4-connected components of a map's free cells. */
export interface MapComponents {
  /** `[H*W]` component of each cell (numbered in row-major order of first cell), -1 for obstacles. */
  label: Int32Array;
  /** Cells in each component. */
  sizes: number[];
}

/** A rectangular grid of free (0) and obstacle (1) cells, stored row-major. */
export interface GridMap {
  /** Number of rows. */
  height: number;
  /** Number of columns. */
  width: number;
  /** `height * width` cells, index `row * width + col`; 1 = obstacle, 0 = free. */
  cells: Uint8Array;
}

/** A map parsed from a POGEMA string, with the agents and pools its letters and markers define. */
export interface ParsedMap extends GridMap {
  /** Agent starts `(row, col)` from the letters `a`–`z`, in letter order; null when none. */
  starts: Array<[number, number]> | null;
  /** Agent goals `(row, col)` from the letters `A`–`Z`, in letter order; null when none. */
  goals: Array<[number, number]> | null;
  /**
   * POGEMA's possible starts when the map marks pools (has an `@`, `$` or `!` cell): the `.` and
   * `@` cells as ascending cell indices `row * width + col`; null when the map marks none (or the
   * start pool is empty).
   */
  startPool?: Int32Array | null;
  /** POGEMA's possible targets when the map marks pools: the `.` and `$` cells, as `startPool`; else null. */
  goalPool?: Int32Array | null;
}

/** The longest side of a given map (string, 0/1 rows or `GridMap`): the engines' limit. */
export const MAX_GIVEN_MAP_SIDE = 4096;

const A_LOWER = 'a'.charCodeAt(0);
const Z_LOWER = 'z'.charCodeAt(0);
const A_UPPER = 'A'.charCodeAt(0);
const Z_UPPER = 'Z'.charCodeAt(0);

/** Records the cell of one letter, rejecting a letter seen before. */
function recordLetter(
  found: Map<string, [number, number]>, letter: string, row: number, col: number, kind: 'start' | 'goal',
): void {
  const previous = found.get(letter);
  if (previous !== undefined) {
    throw new InvalidMapError(
      `map string: ${kind} '${letter}' appears twice, at row ${previous[0]}, col ${previous[1]} and at row ${row}, col ${col}`,
      { letter, row, col },
    );
  }
  found.set(letter, [row, col]);
}

/**
 * Parses a POGEMA string map. The text is split on whitespace into rows, so an indented
 * multi-line template string works. `.` `!` `@` `$` are free, `#` is an obstacle, `a`–`z` are
 * agent starts and `A`–`Z` their goals (agents in letter order). As in POGEMA's
 * `str_map_to_list`, a map with any `@`, `$` or `!` cell marks pools: starts are drawn from its
 * `.` and `@` cells, goals from its `.` and `$` cells, and `!` is free but in neither pool.
 * @throws InvalidMapError on an empty map, an unknown character, ragged rows, a start without
 *   its goal (or the reverse), a letter used twice, or letters and pool marks in one map.
 */
export function parseMapString(text: string): ParsedMap {
  const rows = text.split(/\s+/).filter((row) => row.length > 0);
  if (rows.length === 0) throw new InvalidMapError('map string is empty', {});
  const height = rows.length;
  const width = rows[0].length;
  if (height > MAX_GIVEN_MAP_SIDE || width > MAX_GIVEN_MAP_SIDE) {
    throw new InvalidMapError(`map string: the map is ${height}×${width}; each side must be at most ${MAX_GIVEN_MAP_SIDE} cells`, { height, width });
  }
  const cells = new Uint8Array(height * width);
  const startLetters = new Map<string, [number, number]>();
  const goalLetters = new Map<string, [number, number]>();
  const pooled = /[@$!]/.test(text); // pools only then: '.' cells are not listed for a plain map
  const startPool = new Int32Array(pooled ? height * width : 0);
  const goalPool = new Int32Array(pooled ? height * width : 0);
  let numStarts = 0, numGoals = 0;
  let marked: { ch: string; row: number; col: number } | null = null; // the first '@', '$' or '!' cell
  for (let row = 0; row < height; row++) {
    const line = rows[row];
    if (line.length !== width) {
      throw new InvalidMapError(
        `map string: row ${row} has width ${line.length}, but row 0 has width ${width}`,
        { row, width: line.length, expectedWidth: width },
      );
    }
    for (let col = 0; col < width; col++) {
      const ch = line[col];
      const code = ch.charCodeAt(0);
      if (ch === '#') cells[row * width + col] = 1;
      else if (ch === '.') {
        if (pooled) {
          startPool[numStarts++] = row * width + col;
          goalPool[numGoals++] = row * width + col;
        }
      } else if (ch === '@' || ch === '$' || ch === '!') {
        marked ??= { ch, row, col };
        if (ch === '@') startPool[numStarts++] = row * width + col;
        if (ch === '$') goalPool[numGoals++] = row * width + col;
      }
      else if (code >= A_LOWER && code <= Z_LOWER) recordLetter(startLetters, ch, row, col, 'start');
      else if (code >= A_UPPER && code <= Z_UPPER) recordLetter(goalLetters, ch.toLowerCase(), row, col, 'goal');
      else {
        throw new InvalidMapError(
          `map string: unknown character '${ch}' at row ${row}, col ${col} (allowed: . # ! @ $ a-z A-Z)`,
          { char: ch, row, col },
        );
      }
    }
  }
  for (const [letter, [row, col]] of startLetters) {
    if (!goalLetters.has(letter)) {
      throw new InvalidMapError(
        `map string: start '${letter}' at row ${row}, col ${col} has no goal '${letter.toUpperCase()}'`,
        { letter, row, col },
      );
    }
  }
  for (const [letter, [row, col]] of goalLetters) {
    if (!startLetters.has(letter)) {
      throw new InvalidMapError(
        `map string: goal '${letter.toUpperCase()}' at row ${row}, col ${col} has no start '${letter}'`,
        { letter: letter.toUpperCase(), row, col },
      );
    }
  }
  const letters = [...startLetters.keys()].sort();
  const hasAgents = letters.length > 0;
  if (hasAgents && marked) {
    throw new InvalidMapError(
      `map string: mark either precise starts and goals (letters) or possible ones ('@', '$', '!'), not both; '${marked.ch}' at row ${marked.row}, col ${marked.col}`,
      { char: marked.ch, row: marked.row, col: marked.col },
    );
  }
  return {
    height,
    width,
    cells,
    starts: hasAgents ? letters.map((l) => startLetters.get(l)!) : null,
    goals: hasAgents ? letters.map((l) => goalLetters.get(l)!) : null,
    startPool: marked && numStarts > 0 ? startPool.slice(0, numStarts) : null,
    goalPool: marked && numGoals > 0 ? goalPool.slice(0, numGoals) : null,
  };
}

/**
 * Builds a map from rows of 0/1 values (numbers or booleans; 1/true = obstacle).
 * @throws InvalidMapError on an empty input, ragged rows or any other value (naming row, col, value).
 */
export function mapFromArray(rows: ArrayLike<ArrayLike<number | boolean>>): GridMap {
  const height = rows.length;
  const isRow = (line: unknown): line is ArrayLike<unknown> =>
    line !== null && typeof line === 'object' && Number.isInteger((line as ArrayLike<unknown>).length);
  if (height === 0 || !isRow(rows[0]) || rows[0].length === 0) {
    throw new InvalidMapError(height === 0 || isRow(rows[0]) ? 'map array is empty' : `map array: row 0 must be an array of 0/1 values, got ${formatValue(rows[0])}`, { height });
  }
  const width = rows[0].length;
  if (height > MAX_GIVEN_MAP_SIDE || width > MAX_GIVEN_MAP_SIDE) {
    throw new InvalidMapError(`map array: the map is ${height}×${width}; each side must be at most ${MAX_GIVEN_MAP_SIDE} cells`, { height, width });
  }
  const cells = new Uint8Array(height * width);
  for (let row = 0; row < height; row++) {
    const line = rows[row];
    if (!isRow(line)) {
      throw new InvalidMapError(`map array: row ${row} must be an array of 0/1 values, got ${formatValue(line)}`, { row });
    }
    if (line.length !== width) {
      throw new InvalidMapError(
        `map array: row ${row} has width ${line.length}, but row 0 has width ${width}`,
        { row, width: line.length, expectedWidth: width },
      );
    }
    for (let col = 0; col < width; col++) {
      const value = line[col];
      if (value === 1 || value === true) cells[row * width + col] = 1;
      else if (value !== 0 && value !== false) {
        throw new InvalidMapError(
          `map array: value ${formatValue(value)} at row ${row}, col ${col} is not 0/1 or a boolean`,
          { row, col, value },
        );
      }
    }
  }
  return { height, width, cells };
}

/**
 * Labels the 4-connected components of the free cells by breadth-first search.
 * @returns `label[i]` = component of cell i (-1 for obstacles), components numbered in
 *   row-major order of their first cell; `sizes[k]` = number of cells of component k.
 */
export function components(map: GridMap): MapComponents {
  const { height, width, cells } = map;
  const label = new Int32Array(height * width).fill(-1);
  const sizes: number[] = [];
  const queue = new Int32Array(height * width);
  for (let seed = 0; seed < cells.length; seed++) {
    if (cells[seed] !== 0 || label[seed] !== -1) continue;
    const id = sizes.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    label[seed] = id;
    while (head < tail) {
      const cell = queue[head++];
      const row = Math.floor(cell / width);
      const col = cell - row * width;
      // Up, down, left, right (no closure: this loop runs once per free cell of every map).
      let next = cell - width;
      if (row > 0 && cells[next] === 0 && label[next] === -1) { label[next] = id; queue[tail++] = next; }
      next = cell + width;
      if (row < height - 1 && cells[next] === 0 && label[next] === -1) { label[next] = id; queue[tail++] = next; }
      next = cell - 1;
      if (col > 0 && cells[next] === 0 && label[next] === -1) { label[next] = id; queue[tail++] = next; }
      next = cell + 1;
      if (col < width - 1 && cells[next] === 0 && label[next] === -1) { label[next] = id; queue[tail++] = next; }
    }
    sizes.push(tail);
  }
  return { label, sizes };
}

/** Number of free (0) cells of the map. */
export function freeCellCount(map: GridMap): number {
  let free = 0;
  for (let i = 0; i < map.cells.length; i++) if (map.cells[i] === 0) free++;
  return free;
}

/** Renders the map as POGEMA string rows (`.` free, `#` obstacle) joined by `\n`. */
export function mapToString(map: GridMap): string {
  const rows: string[] = [];
  for (let row = 0; row < map.height; row++) {
    let line = '';
    for (let col = 0; col < map.width; col++) line += map.cells[row * map.width + col] === 1 ? '#' : '.';
    rows.push(line);
  }
  return rows.join('\n');
}
