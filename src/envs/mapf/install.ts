/**
 * Writes maps and tasks into a MAPF-v0 arena: the padded obstacle grid, the 4-connected
 * components the placement and lifelong goals draw from, and the checks that every agent can
 * be placed and reach its goals.
 * @module
 * @internal
 */

import { InvalidMapError } from '../../errors.js';
import type { MapfArena } from './layout.js';
import { type GridMap, components } from './maps.js';
import type { ResolvedMapfConfig } from './config.js';

/**
 * Installs `map` as map slot `slot` of the arena, after checking that the configured task fits
 * it. `what` names the env(s) in errors.
 */
export function installMap(arena: MapfArena, cfg: ResolvedMapfConfig, slot: number, map: GridMap, what: string): void {
  const { height: h, width: w, obsRadius: r } = cfg;
  if (map.height !== h || map.width !== w) {
    throw new InvalidMapError(`MAPF-v0 ${what}: map is ${map.height}×${map.width}, expected ${h}×${w}`);
  }
  const pw = w + 2 * r, ph = h + 2 * r, hw = h * w;
  const ob = arena.obstacles.subarray(slot * ph * pw, (slot + 1) * ph * pw);
  ob.fill(0);
  for (let y = r - 1; y <= ph - r; y++) {
    for (let x = r - 1; x <= pw - r; x++) {
      const inside = y >= r && y < r + h && x >= r && x < r + w;
      ob[y * pw + x] = inside ? map.cells[(y - r) * w + (x - r)] : 1;
    }
  }
  const { label, sizes } = components(map);
  const start = arena.compStart.subarray(slot * (hw + 1), (slot + 1) * (hw + 1));
  start.fill(0);
  let free = 0;
  for (let c = 0; c < sizes.length; c++) {
    start[c] = free;
    free += sizes[c];
  }
  start[sizes.length] = free;
  const cells = arena.compCells.subarray(slot * hw, (slot + 1) * hw);
  const fillAt = Int32Array.from(start.subarray(0, sizes.length));
  for (let i = 0; i < hw; i++) if (label[i] >= 0) cells[fillAt[label[i]]++] = i;
  arena.compLabel.set(label, slot * hw);
  arena.numComps[slot] = sizes.length;
  arena.numFree[slot] = free;
  checkTask(cfg, map, label, sizes, what);
}

function checkTask(cfg: ResolvedMapfConfig, map: GridMap, label: Int32Array, sizes: number[], what: string): void {
  const n = cfg.numAgents;
  const at = (cell: number): string => `(${Math.floor(cell / map.width)}, ${cell % map.width})`;
  if (cfg.startCells) {
    for (let a = 0; a < n; a++) {
      const s = cfg.startCells[a];
      if (map.cells[s]) throw new InvalidMapError(`MAPF-v0 ${what}: agent ${a}: start ${at(s)} is on an obstacle`, { agent: a });
      for (let k = 0; k < cfg.goalSeqLen; k++) {
        const g = cfg.goalSeq![a * cfg.goalSeqLen + k];
        if (map.cells[g]) throw new InvalidMapError(`MAPF-v0 ${what}: agent ${a}: goal ${at(g)} is on an obstacle`, { agent: a });
        if (label[g] !== label[s]) {
          throw new InvalidMapError(`MAPF-v0 ${what}: agent ${a}: goal ${at(g)} is unreachable from start ${at(s)}`, { agent: a });
        }
      }
    }
    return;
  }
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
