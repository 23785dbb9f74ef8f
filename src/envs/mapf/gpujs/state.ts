/**
 * MAPF-v0 state of a gpujs batch: the TypeScript twin of the native `View`'s state fields
 * (`native/envs/mapf/mapf_types.h`), the installed maps and task, the per-step scratch of the
 * sequential phases, and the episode bookkeeping of `native/common/episodes.h`.
 * @module
 * @internal
 */

import type { MapfParams } from '../layout.js';
import type { MapTables } from '../install.js';

/** Collision systems, onTarget modes, placements, goal modes and autoreset modes as in `mapf_types.h`. @internal */
export const COLLISION_PRIORITY = 0, COLLISION_BLOCK_BOTH = 1, COLLISION_SOFT = 2;
/** @internal */
export const ON_TARGET_FINISH = 0, ON_TARGET_NOTHING = 1, ON_TARGET_RESTART = 2;
/** @internal */
export const PLACE_EXPLICIT = 0, PLACE_RANDOM = 1, PLACE_POOL = 2;
/** @internal */
export const GOALS_SEQUENCE = 0, GOALS_POOL = 2;
/** @internal */
export const AUTORESET_SAME_STEP = 0, AUTORESET_NEXT_STEP = 1, AUTORESET_DISABLED = 2;

/** Status bits per env (`StatusBit` in `mapf_types.h`). @internal */
export const STATUS_BAD_ACTION = 1, STATUS_PLACEMENT = 2, STATUS_STEPPED_DONE = 4;

/** Metric slots (`Metric` in `mapf_types.h`). @internal */
export const METRIC_ISR = 0, METRIC_CSR = 1, METRIC_EP_LENGTH = 2, METRIC_SOC = 3, METRIC_MAKESPAN = 4, METRIC_THROUGHPUT = 5;

/** Scratch of the sequential phases, kept at its idle value (0 or -1) between uses (`Scratch` in mapf.h). @internal */
export interface MapfScratch {
  /** `[PH*PW]` equal to `stamp` where an active agent stands during the current priority move. */
  occ: Int32Array;
  /** Stamp of the current priority move (incremented per env and step). */
  stamp: number;
  /** `[PH*PW]` blockBoth marks: 0 none, 1 wanted once, 2 blocked. */
  mark: Uint8Array;
  /** `[PH*PW]` agent standing here at step start, -1 none (soft). */
  occId: Int32Array;
  /** `[PH*PW]` first claimant of a cell, -1 none (soft). */
  head: Int32Array;
  /** `[PH*PW]` last claimant of a cell, -1 none (soft). */
  tail: Int32Array;
  /** `[A]` next claimant in the same cell's list (soft), -1 end. */
  next: Int32Array;
  /** `[A]` previous claimant (soft), -1 start. */
  prev: Int32Array;
  /** `[A]` padded cell each agent claims or targets. */
  target: Int32Array;
  /** `[A]` padded cell at step start (priority) or claimed first (soft). */
  orig: Int32Array;
  /** `[H*W]` random or pool placement: free or pool map cells being shuffled. */
  perm: Int32Array;
  /** `[H*W]` random placement: unreserved cells left per component. */
  remaining: Int32Array;
  /** `[H*W]` random placement: most recent start still waiting for a goal, -1 none. */
  pending: Int32Array;
  /** `[A]` random placement: the start pending before this one in its component. */
  pendNext: Int32Array;
}

/** Every array the sequential phases read and write, sized once per batch. @internal */
export class MapfState {
  readonly p: MapfParams;
  /** Padded map height and width (map plus r on every side). */
  readonly ph: number;
  readonly pw: number;
  /** `[M]` installed map tables per slot (M = numEnvs with per-env maps, else 1). */
  readonly maps: Array<MapTables | null>;
  /** Explicit task: `[A]` start map cells, `[A, G]` goal sequences, `[A]` sequence lengths. */
  startCells: Int32Array | null = null;
  goalSeq: Int32Array | null = null;
  goalLens: Int32Array | null = null;
  /** Pools: `[Ps]` start and `[Pg]` goal map cells, strictly ascending, or null. */
  startPool: Int32Array | null = null;
  goalPool: Int32Array | null = null;
  /** `[E]` RNG seed, episode counter, steps in the episode, 1 once an episode ended unreset. */
  readonly seeds: Uint32Array;
  readonly episode: Uint32Array;
  readonly steps: Int32Array;
  readonly needsReset: Uint8Array;
  /** `[E, A]` padded cell, goal cell, start cell, arrivals, activity, return, solve step. */
  readonly pos: Int32Array;
  readonly goal: Int32Array;
  readonly start: Int32Array;
  readonly arrivals: Int32Array;
  readonly active: Uint8Array;
  readonly epReturn: Float32Array;
  readonly solveStep: Int32Array;
  /** `[E]` (agent, step) pairs on goal after moving, this episode. */
  readonly onGoalTotal: Float64Array;
  /** `[E]` status bits of the last call. */
  readonly status: Uint32Array;
  readonly scratch: MapfScratch;
  /** Row of each padded cell (a table instead of a division per lookup). */
  readonly rowOf: Int32Array;

  constructor(p: MapfParams) {
    this.p = p;
    this.ph = p.height + 2 * p.radius;
    this.pw = p.width + 2 * p.radius;
    const e = p.numEnvs, a = p.numAgents, ea = e * a, cells = this.ph * this.pw, hw = p.height * p.width;
    this.maps = new Array<MapTables | null>(p.mapPerEnv ? e : 1).fill(null);
    this.seeds = new Uint32Array(e);
    this.episode = new Uint32Array(e);
    this.steps = new Int32Array(e);
    this.needsReset = new Uint8Array(e);
    this.pos = new Int32Array(ea);
    this.goal = new Int32Array(ea);
    this.start = new Int32Array(ea);
    this.arrivals = new Int32Array(ea);
    this.active = new Uint8Array(ea);
    this.epReturn = new Float32Array(ea);
    this.solveStep = new Int32Array(ea);
    this.onGoalTotal = new Float64Array(e);
    this.status = new Uint32Array(e);
    const soft = p.collision === COLLISION_SOFT;
    const placing = p.placement !== PLACE_EXPLICIT;
    this.scratch = {
      occ: new Int32Array(cells),
      stamp: 0,
      mark: new Uint8Array(p.collision === COLLISION_BLOCK_BOTH ? cells : 0),
      occId: new Int32Array(soft ? cells : 0).fill(-1),
      head: new Int32Array(soft ? cells : 0).fill(-1),
      tail: new Int32Array(soft ? cells : 0).fill(-1),
      next: new Int32Array(a),
      prev: new Int32Array(a),
      target: new Int32Array(a),
      orig: new Int32Array(a),
      perm: new Int32Array(placing ? hw : 0),
      remaining: new Int32Array(placing ? hw : 0),
      pending: new Int32Array(placing ? hw : 0),
      pendNext: new Int32Array(a),
    };
    this.rowOf = new Int32Array(cells);
    for (let c = 0; c < cells; c++) this.rowOf[c] = Math.floor(c / this.pw);
  }

  /** Map slot env `env` plays on. */
  mapSlot(env: number): number {
    return this.p.mapPerEnv ? env : 0;
  }

  /** The installed map of env `env` (every slot is installed before the first reset). */
  mapOf(env: number): MapTables {
    return this.maps[this.mapSlot(env)] as MapTables;
  }

  /** Padded cell of a map cell (`padded_of_map`). */
  paddedOfMap(mapCell: number): number {
    const w = this.p.width, r = this.p.radius;
    const row = Math.floor(mapCell / w);
    return (row + r) * this.pw + (mapCell - row * w) + r;
  }

  /** Map cell of a padded cell (`map_of_padded`). */
  mapOfPadded(cell: number): number {
    const row = this.rowOf[cell];
    return (row - this.p.radius) * this.p.width + (cell - row * this.pw) - this.p.radius;
  }
}
