/**
 * Turns a map into the tables the native core steps on (the padded obstacle grid and the
 * 4-connected components that random placement and lifelong goals draw from), after checking that
 * the configured task fits it: every agent can be placed and can reach its goals.
 * @module
 * @internal
 */

import { InvalidMapError } from '../../errors.js';
import { type GridMap, components } from './maps.js';
import type { ResolvedMapfConfig } from './config.js';

/** The tables of one map, as the addon's `setMap` takes them. @internal */
export interface MapTables {
  /** `[PH*PW]` 1 = obstacle; the ring around the map 1, beyond it 0. */
  obstacles: Uint8Array;
  /** `[H*W]` component of each map cell, -1 for obstacles. */
  label: Int32Array;
  /** `[H*W]` free cells grouped by component, row-major inside a component. */
  cells: Int32Array;
  /** `[H*W+1]` offset of each component's run in `cells`. */
  start: Int32Array;
  numComps: number;
  numFree: number;
}

/** Builds the tables of `map` after checking the task against it; `what` names the env(s) in errors. */
export function mapTables(cfg: ResolvedMapfConfig, map: GridMap, what: string): MapTables {
  const { height: h, width: w, obsRadius: r } = cfg;
  if (map.height !== h || map.width !== w) {
    throw new InvalidMapError(`MAPF-v0 ${what}: map is ${map.height}×${map.width}, expected ${h}×${w}`);
  }
  const pw = w + 2 * r, ph = h + 2 * r, hw = h * w;
  const obstacles = new Uint8Array(ph * pw);
  for (let y = r - 1; y <= ph - r; y++) {
    for (let x = r - 1; x <= pw - r; x++) {
      const inside = y >= r && y < r + h && x >= r && x < r + w;
      obstacles[y * pw + x] = inside ? map.cells[(y - r) * w + (x - r)] : 1;
    }
  }
  const { label, sizes } = components(map);
  const start = new Int32Array(hw + 1);
  let free = 0;
  for (let c = 0; c < sizes.length; c++) {
    start[c] = free;
    free += sizes[c];
  }
  start[sizes.length] = free;
  const cells = new Int32Array(hw);
  const fillAt = Int32Array.from(start.subarray(0, sizes.length));
  for (let i = 0; i < hw; i++) if (label[i] >= 0) cells[fillAt[label[i]]++] = i;
  checkTask(cfg, map, label, sizes, what);
  checkPools(cfg, map, label, what);
  return { obstacles, label, cells, start, numComps: sizes.length, numFree: free };
}

function checkTask(cfg: ResolvedMapfConfig, map: GridMap, label: Int32Array, sizes: number[], what: string): void {
  const n = cfg.numAgents;
  const at = (cell: number): string => `(${Math.floor(cell / map.width)}, ${cell % map.width})`;
  if (cfg.startCells && cfg.goalSeq && cfg.goalLens) {
    for (let a = 0; a < n; a++) {
      const s = cfg.startCells[a];
      if (map.cells[s]) throw new InvalidMapError(`MAPF-v0 ${what}: agent ${a}: start ${at(s)} is on an obstacle`, { agent: a });
      for (let k = 0; k < cfg.goalLens[a]; k++) {
        const g = cfg.goalSeq[a * cfg.goalSeqLen + k];
        if (map.cells[g]) throw new InvalidMapError(`MAPF-v0 ${what}: agent ${a}: goal ${at(g)} is on an obstacle`, { agent: a });
        if (label[g] !== label[s]) {
          throw new InvalidMapError(`MAPF-v0 ${what}: agent ${a}: goal ${at(g)} is unreachable from start ${at(s)}`, { agent: a });
        }
      }
    }
    return;
  }
  if (cfg.placement === 'pools') return;
  let capacity = 0;
  for (const s of sizes) capacity += Math.floor(s / 2);
  if (capacity < n) {
    const free = sizes.reduce((x, y) => x + y, 0);
    throw new InvalidMapError(
      `MAPF-v0 ${what}: cannot place ${n} agents with distinct starts and reachable goals: the map has ${free} free cells ` +
        `in ${sizes.length} components, room for ${capacity} agents`, { numAgents: n, capacity },
    );
  }
}

/** Pool cells are free on this map and lie in one component, which holds every explicit start too. */
function checkPools(cfg: ResolvedMapfConfig, map: GridMap, label: Int32Array, what: string): void {
  const at = (cell: number): string => `(${Math.floor(cell / map.width)}, ${cell % map.width})`;
  let first = -1;
  for (const [name, pool] of [['possibleAgentsXY', cfg.startPool], ['possibleTargetsXY', cfg.goalPool]] as const) {
    for (const cell of pool ?? []) {
      if (map.cells[cell]) throw new InvalidMapError(`MAPF-v0 ${what}: ${name} cell ${at(cell)} is on an obstacle`, { field: name });
      if (first < 0) first = cell;
      if (label[cell] !== label[first]) {
        throw new InvalidMapError(`MAPF-v0 ${what}: ${name} cell ${at(cell)} is unreachable from pool cell ${at(first)}`, { field: name });
      }
    }
  }
  if (cfg.laterGoals !== 'pool' || !cfg.startCells) return;
  for (let a = 0; a < cfg.numAgents; a++) {
    const s = cfg.startCells[a];
    if (label[s] !== label[first]) {
      throw new InvalidMapError(`MAPF-v0 ${what}: agent ${a}: the goal pool is unreachable from its start ${at(s)}`, { agent: a, field: 'possibleTargetsXY' });
    }
  }
}
