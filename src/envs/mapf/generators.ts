/**
 * Deterministic MAPF map generators: i.i.d. random obstacles, mazes and warehouse layouts.
 *
 * Every generator is a pure function of its sizes, options, `seed` and `envIndex`. Random words
 * come from the counter RNG in one sequence per map: the `k`-th word (k = 0, 1, 2, …) is word
 * `k % 4` of `rngDraw(seed, RngStream.map, envIndex, 0, 0, floor(k / 4))`, i.e. the words of a
 * `CounterRng(seed, RngStream.map, envIndex)`. Each generator documents which words it uses.
 * @module
 */

import { InvalidConfigError, formatValue } from '../../errors.js';
import { CounterRng, RngStream, rngDraw } from '../../rng.js';
import type { GridMap } from './maps.js';

/** 2^32, the number of distinct 32-bit words. */
const TWO_POW_32 = 4294967296;

/**
 * I.i.d. Bernoulli obstacles (POGEMA's random map). Cell `i` (row-major) is an obstacle iff word
 * `i % 4` of draw `floor(i / 4)` (the `i`-th word of the map sequence) is below
 * `threshold = floor(density * 2^32)`, compared as exact integers (so `density = 1` gives
 * threshold 2^32 and all obstacles; a 32-bit port must compare in 64 bits).
 * @returns `height * width` cells, 1 = obstacle.
 */
export function randomMap(height: number, width: number, density: number, seed: number, envIndex: number): Uint8Array {
  const threshold = Math.min(Math.max(Math.floor(density * TWO_POW_32), 0), TWO_POW_32);
  const cells = new Uint8Array(height * width);
  const words = new Uint32Array(4);
  for (let i = 0; i < cells.length; i++) {
    if ((i & 3) === 0) rngDraw(seed, RngStream.map, envIndex, 0, 0, i >>> 2, words);
    cells[i] = words[i & 3] < threshold ? 1 : 0;
  }
  return cells;
}

/** Options of {@link mazeMap}. */
export interface MazeOptions {
  /**
   * Probability in [0, 1] that each wall separating two neighbouring maze rooms stays a wall
   * after the perfect maze is carved. 1 (the default) keeps a perfect maze (a tree, no loops);
   * lower values knock out walls and create loops.
   */
  wallDensity?: number;
}

/**
 * A maze on the even-coordinate lattice: rooms are the cells `(2i, 2j)`; every other cell starts
 * as a wall. A randomized depth-first search with an explicit stack, started at room `(0, 0)`,
 * carves a spanning tree: at each step with `m` unvisited neighbour rooms (tried in the order up,
 * down, left, right) it takes the next word `u` of the map sequence and opens neighbour
 * `rngBelow(u, m)`; steps with `m = 0` pop the stack and take no word. Then, when `wallDensity < 1`,
 * each remaining wall cell between two rooms, in row-major order, takes the next word and is
 * opened iff the word is at or above `floor(wallDensity * 2^32)`. Finally, when `height`
 * (`width`) is even, the last row (column) has no rooms: it copies the free cells of the row
 * (column) before it. All free cells are 4-connected.
 * @returns `height * width` cells, 1 = obstacle.
 */
export function mazeMap(height: number, width: number, seed: number, envIndex: number, opts: MazeOptions = {}): Uint8Array {
  const wallDensity = opts.wallDensity ?? 1;
  const cells = new Uint8Array(height * width).fill(1);
  const roomRows = Math.ceil(height / 2);
  const roomCols = Math.ceil(width / 2);
  const visited = new Uint8Array(roomRows * roomCols);
  const rng = new CounterRng(seed, RngStream.map, envIndex);
  const stack: number[] = [0];
  visited[0] = 1;
  cells[0] = 0;
  const candidates: number[] = [];
  while (stack.length > 0) {
    const room = stack[stack.length - 1];
    const roomRow = Math.floor(room / roomCols);
    const roomCol = room - roomRow * roomCols;
    candidates.length = 0;
    if (roomRow > 0 && visited[room - roomCols] === 0) candidates.push(room - roomCols);
    if (roomRow < roomRows - 1 && visited[room + roomCols] === 0) candidates.push(room + roomCols);
    if (roomCol > 0 && visited[room - 1] === 0) candidates.push(room - 1);
    if (roomCol < roomCols - 1 && visited[room + 1] === 0) candidates.push(room + 1);
    if (candidates.length === 0) {
      stack.pop();
      continue;
    }
    const next = candidates[rng.below(candidates.length)];
    const nextRow = Math.floor(next / roomCols);
    const nextCol = next - nextRow * roomCols;
    // Open the wall between the two rooms and the new room itself.
    cells[(roomRow + nextRow) * width + (roomCol + nextCol)] = 0;
    cells[2 * nextRow * width + 2 * nextCol] = 0;
    visited[next] = 1;
    stack.push(next);
  }
  if (wallDensity < 1) {
    const keepBelow = Math.floor(Math.max(wallDensity, 0) * TWO_POW_32);
    for (let row = 0; row < 2 * roomRows - 1; row++) {
      for (let col = 0; col < 2 * roomCols - 1; col++) {
        // Walls between two rooms sit where exactly one coordinate is odd.
        if ((row & 1) + (col & 1) !== 1) continue;
        const cell = row * width + col;
        if (cells[cell] === 1 && rng.nextU32() >= keepBelow) cells[cell] = 0;
      }
    }
  }
  if (width % 2 === 0) {
    for (let row = 0; row < height; row++) cells[row * width + width - 1] = cells[row * width + width - 2];
  }
  if (height % 2 === 0) {
    for (let col = 0; col < width; col++) cells[(height - 1) * width + col] = cells[(height - 2) * width + col];
  }
  return cells;
}

/** Options of {@link warehouseMap}; all lengths in cells. */
export interface WarehouseOptions {
  /** Columns per shelf (default 5). */
  shelfLength?: number;
  /** Rows per shelf block (default 1). */
  shelfDepth?: number;
  /** Free columns between two shelves of one block row (default 1). */
  shelfGap?: number;
  /** Free rows between two block rows (default 1). */
  aisleWidth?: number;
  /** Width of the free corridor along the four map edges (default 1, at least 1). */
  border?: number;
  /** Each shelf's length is `shelfLength + d`, `d` drawn uniformly in `[-jitter, jitter]` (default 0). */
  lengthJitter?: number;
}

/**
 * A warehouse: a free corridor of width `border` around the map; inside it, block rows of
 * `shelfDepth` rows separated by `aisleWidth` free rows; each block row is filled from the left
 * with shelves of `shelfLength` columns separated by `shelfGap` free columns (the last shelf is cut
 * at the corridor). With the default `lengthJitter = 0` the layout does not depend on the seed.
 * Otherwise each shelf, in row-major order of placement, takes the next word `u` of the map
 * sequence and gets length `max(1, shelfLength + rngBelow(u, 2 * jitter + 1) - jitter)` (`rngBelow` from `rng.ts`).
 * Every free cell is 4-connected (aisles and gaps all reach the corridor).
 * @returns `height * width` cells, 1 = obstacle.
 */
export function warehouseMap(
  height: number, width: number, seed: number, envIndex: number, opts: WarehouseOptions = {},
): Uint8Array {
  const shelfLength = opts.shelfLength ?? 5;
  const shelfDepth = opts.shelfDepth ?? 1;
  const shelfGap = opts.shelfGap ?? 1;
  const aisleWidth = opts.aisleWidth ?? 1;
  const border = opts.border ?? 1;
  const jitter = opts.lengthJitter ?? 0;
  const cells = new Uint8Array(height * width);
  const rng = new CounterRng(seed, RngStream.map, envIndex);
  const lastRow = height - 1 - border;
  const lastCol = width - 1 - border;
  for (let top = border; top + shelfDepth - 1 <= lastRow; top += shelfDepth + aisleWidth) {
    let left = border;
    while (left <= lastCol) {
      const length = jitter > 0 ? Math.max(1, shelfLength + rng.below(2 * jitter + 1) - jitter) : shelfLength;
      const right = Math.min(left + length - 1, lastCol);
      for (let row = top; row < top + shelfDepth; row++) cells.fill(1, row * width + left, row * width + right + 1);
      left = right + 1 + shelfGap;
    }
  }
  return cells;
}

/** What {@link generateMap} builds. Sizes are 1..1024 each. */
export type MapGeneratorSpec = RandomMapSpec | MazeMapSpec | WarehouseMapSpec;

/** Size of a generated map. */
export interface MapSize {
  /** Rows, 1..1024. */
  height: number;
  /** Columns, 1..1024. */
  width: number;
}

/** An i.i.d. random map (POGEMA's `map=None`), see {@link randomMap}. */
export interface RandomMapSpec extends MapSize {
  /** Generator name. */
  type: 'random';
  /** Obstacle probability of each cell, in [0, 1]. */
  density: number;
}

/** A maze, see {@link mazeMap}. */
export interface MazeMapSpec extends MapSize, MazeOptions {
  /** Generator name. */
  type: 'maze';
}

/** A warehouse of shelf blocks and aisles, see {@link warehouseMap}. */
export interface WarehouseMapSpec extends MapSize, WarehouseOptions {
  /** Generator name. */
  type: 'warehouse';
}

/** Largest allowed map side. */
export const MAX_MAP_SIDE = 1024;

/** Options each generator type takes besides type, height and width. */
const GENERATOR_KEYS = {
  random: ['density'],
  maze: ['wallDensity'],
  warehouse: ['shelfLength', 'shelfDepth', 'shelfGap', 'aisleWidth', 'border', 'lengthJitter'],
} as const;

/** Throws unless `value` is an integer in `[min, max]`. */
function checkInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(`map generator: ${field} must be an integer in [${min}, ${max}], got ${formatValue(value)}`, {
      field,
      value,
    });
  }
}

/** Throws unless `value` is a number in `[0, 1]`. */
function checkFraction(field: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidConfigError(`map generator: ${field} must be a number in [0, 1], got ${formatValue(value)}`, {
      field,
      value,
    });
  }
}

/**
 * Builds the map `spec` describes for environment `envIndex` (see {@link randomMap},
 * {@link mazeMap}, {@link warehouseMap} for the draws each uses).
 * @throws InvalidConfigError naming the field when a size is not an integer in 1..1024, a density
 *   is outside [0, 1], an option is out of range, or the type is unknown.
 */
export function generateMap(spec: MapGeneratorSpec, seed: number, envIndex: number): GridMap {
  checkInteger('height', spec.height, 1, MAX_MAP_SIDE);
  checkInteger('width', spec.width, 1, MAX_MAP_SIDE);
  const known = Object.hasOwn(GENERATOR_KEYS, spec.type) ? GENERATOR_KEYS[spec.type as keyof typeof GENERATOR_KEYS] : undefined;
  const unknown = known ? Object.keys(spec).find((k) => k !== 'type' && k !== 'height' && k !== 'width' && !(known as readonly string[]).includes(k)) : undefined;
  if (unknown !== undefined) {
    throw new InvalidConfigError(`map generator: unknown option '${unknown}' for type '${spec.type}'`, { field: unknown });
  }
  const { height, width } = spec;
  switch (spec.type) {
    case 'random':
      checkFraction('density', spec.density);
      return { height, width, cells: randomMap(height, width, spec.density, seed, envIndex) };
    case 'maze':
      if (spec.wallDensity !== undefined) checkFraction('wallDensity', spec.wallDensity);
      return { height, width, cells: mazeMap(height, width, seed, envIndex, { wallDensity: spec.wallDensity }) };
    case 'warehouse': {
      const options: WarehouseOptions = spec;
      checkInteger('shelfLength', options.shelfLength ?? 5, 1, MAX_MAP_SIDE);
      checkInteger('shelfDepth', options.shelfDepth ?? 1, 1, MAX_MAP_SIDE);
      checkInteger('shelfGap', options.shelfGap ?? 1, 1, MAX_MAP_SIDE);
      checkInteger('aisleWidth', options.aisleWidth ?? 1, 1, MAX_MAP_SIDE);
      checkInteger('border', options.border ?? 1, 1, MAX_MAP_SIDE);
      checkInteger('lengthJitter', options.lengthJitter ?? 0, 0, MAX_MAP_SIDE);
      return { height, width, cells: warehouseMap(height, width, seed, envIndex, options) };
    }
    default:
      throw new InvalidConfigError(
        `map generator: type must be 'random', 'maze' or 'warehouse', got '${String((spec as { type: unknown }).type)}'`,
        { field: 'type', value: (spec as { type: unknown }).type },
      );
  }
}
