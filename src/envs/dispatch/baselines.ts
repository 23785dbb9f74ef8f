/**
 * Host-side dispatch baselines for RideDispatch-v0 (RideGym `benchmark/baselines.py` semantics),
 * for examples and regression numbers. Both work on one env's step snapshot: the pickup ETA in
 * minutes of every (vehicle, order slot) pair, where a pair the vehicle cannot take (masked bid,
 * empty slot) is `Infinity`, `NaN` or negative. Both return, per vehicle, the slot it should bid
 * on or −1, never two vehicles on one slot, so the env's conflict resolution has nothing to do.
 * @module
 */

import { InvalidArgumentError } from '../../errors.js';

/** A `[V, K]` row-major pickup-ETA matrix (minutes). */
export interface PickupEtaMatrix {
  /** V. */
  numVehicles: number;
  /** K. */
  numSlots: number;
  /** `[V · K]` ETA of vehicle v to slot k at `v · K + k`; infeasible pairs are `Infinity`, `NaN` or < 0. */
  eta: ArrayLike<number>;
}

/** A pickup-ETA matrix, or one row per vehicle (`number[][]`, `Int32Array[]`, ...). */
export type PickupEtaInput = PickupEtaMatrix | ReadonlyArray<ArrayLike<number>>;

/** Options of the assignment functions. */
export interface AssignmentOptions {
  /** `[K]` slot validity (1/true = pending order); invalid slots are never assigned. Default: all valid. */
  validSlots?: ArrayLike<number | boolean>;
}

/** True when an ETA denotes a pair that can be assigned (finite and ≥ 0). */
export function isFeasibleEta(eta: number): boolean {
  return Number.isFinite(eta) && eta >= 0;
}

function normalise(input: PickupEtaInput, opts: AssignmentOptions): { v: number; k: number; cost: Float64Array } {
  let v: number, k: number, at: (i: number, j: number) => number;
  if (Array.isArray(input)) {
    const rows = input as ReadonlyArray<ArrayLike<number>>;
    v = rows.length;
    k = v > 0 ? rows[0].length : (opts.validSlots?.length ?? 0);
    rows.forEach((r, i) => {
      if (r.length !== k) throw new InvalidArgumentError(`pickup ETA row ${i} has ${r.length} entries, row 0 has ${k}`, { vehicle: i });
    });
    at = (i, j) => rows[i][j];
  } else {
    const m = input as PickupEtaMatrix;
    ({ numVehicles: v, numSlots: k } = m);
    if (!Number.isInteger(v) || !Number.isInteger(k) || v < 0 || k < 0 || m.eta.length !== v * k) {
      throw new InvalidArgumentError(`pickup ETA matrix must hold numVehicles × numSlots = ${v} × ${k} entries, it has ${m.eta.length}`);
    }
    at = (i, j) => m.eta[i * k + j];
  }
  const valid = opts.validSlots;
  if (valid && valid.length !== k) throw new InvalidArgumentError(`validSlots has ${valid.length} entries, expected ${k} slots`);
  const cost = new Float64Array(v * k);
  for (let i = 0; i < v; i++) {
    for (let j = 0; j < k; j++) {
      const e = Number(at(i, j));
      cost[i * k + j] = isFeasibleEta(e) && (!valid || valid[j]) ? e : Infinity;
    }
  }
  return { v, k, cost };
}

/**
 * Greedy nearest-pair dispatch, as RideGym's `NearestDistanceDispatch` with exact pairs
 * (`use_knn=False`) and one order per vehicle per step (its default `max_orders_per_driver=1`):
 * every feasible (vehicle, slot) pair is taken in ascending pickup ETA, closest pair first, and
 * kept when both its vehicle and its slot are still free. Ties go to the lower slot (as in
 * RideGym, whose stable sort keeps its pairs listed order by order), then to the lower vehicle
 * index (our rule: RideGym keeps the order its spatial index lists the drivers in).
 * @returns `[V]` slot per vehicle, −1 for none.
 */
export function greedyAssignment(eta: PickupEtaInput, opts: AssignmentOptions = {}): Int32Array {
  const { v, k, cost } = normalise(eta, opts);
  const out = new Int32Array(v).fill(-1);
  // Feasible pairs as slot-major ids j · V + i, so that equal ETAs keep slot, then vehicle, order.
  const pairs: number[] = [];
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < v; i++) if (cost[i * k + j] !== Infinity) pairs.push(j * v + i);
  }
  const etaOf = (p: number): number => cost[(p % v) * k + Math.floor(p / v)];
  pairs.sort((a, b) => etaOf(a) - etaOf(b) || a - b);
  const slotTaken = new Uint8Array(k);
  for (const p of pairs) {
    const i = p % v, j = Math.floor(p / v);
    if (out[i] === -1 && !slotTaken[j]) { out[i] = j; slotTaken[j] = 1; }
  }
  return out;
}

/**
 * Optimal batch dispatch: among the matchings of vehicles to slots over feasible pairs, one with
 * the most pairs and, among those, the least total pickup ETA (lexicographic objective). Solved
 * with the Hungarian (Kuhn–Munkres, potentials) algorithm in O(n² m) on the rectangular matrix of
 * useful vehicles and slots (n the smaller side), infeasible pairs costing a constant larger than
 * any feasible matching's total cost, and dropped from the result.
 * @returns `[V]` slot per vehicle, −1 for none.
 */
export function hungarianAssignment(eta: PickupEtaInput, opts: AssignmentOptions = {}): Int32Array {
  const { v, k, cost } = normalise(eta, opts);
  const out = new Int32Array(v).fill(-1);
  // Keep vehicles and slots with at least one feasible pair.
  const vehicles: number[] = [], slots: number[] = [];
  const slotUsed = new Uint8Array(k);
  let maxEta = 0;
  for (let i = 0; i < v; i++) {
    let any = false;
    for (let j = 0; j < k; j++) {
      const c = cost[i * k + j];
      if (c !== Infinity) { any = true; slotUsed[j] = 1; maxEta = Math.max(maxEta, c); }
    }
    if (any) vehicles.push(i);
  }
  for (let j = 0; j < k; j++) if (slotUsed[j]) slots.push(j);
  if (vehicles.length === 0) return out;
  const rowsAreSlots = slots.length < vehicles.length;
  const rows = rowsAreSlots ? slots : vehicles, cols = rowsAreSlots ? vehicles : slots;
  const n = rows.length, m = cols.length;
  // Any matching of one more feasible pair costs less than one fewer: big > n · maxEta.
  const big = (n + 1) * (maxEta + 1);
  const a = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < m; c++) {
      const e = rowsAreSlots ? cost[cols[c] * k + rows[r]] : cost[rows[r] * k + cols[c]];
      a[r * m + c] = e === Infinity ? big : e;
    }
  }
  const match = hungarian(a, n, m);
  for (let r = 0; r < n; r++) {
    const c = match[r];
    const vehicle = rowsAreSlots ? cols[c] : rows[r], slot = rowsAreSlots ? rows[r] : cols[c];
    if (cost[vehicle * k + slot] === Infinity) continue; // an infeasible pair filled a row
    out[vehicle] = slot;
  }
  return out;
}

/** Min-cost assignment of every row of an n × m matrix (n ≤ m) to a distinct column; returns the column of each row. */
function hungarian(a: Float64Array, n: number, m: number): Int32Array {
  const u = new Float64Array(n + 1), w = new Float64Array(m + 1);
  const p = new Int32Array(m + 1), way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a[(i0 - 1) * m + (j - 1)] - u[i0] - w[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) { u[p[j]] += delta; w[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const col = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (p[j] > 0) col[p[j] - 1] = j - 1;
  return col;
}

/** Size and cost of an assignment. */
export interface AssignmentCost {
  /** Vehicles with an order. */
  matched: number;
  /** Sum of their pickup ETAs, minutes. */
  cost: number;
}

/**
 * The number of matched vehicles and their total pickup ETA. Throws {@link InvalidArgumentError}
 * when the assignment has the wrong length, uses a slot twice, or uses an infeasible pair.
 */
export function assignmentCost(eta: PickupEtaInput, assignment: ArrayLike<number>, opts: AssignmentOptions = {}): AssignmentCost {
  const { v, k, cost } = normalise(eta, opts);
  if (assignment.length !== v) throw new InvalidArgumentError(`assignment has ${assignment.length} entries, expected ${v} vehicles`);
  const taken = new Int32Array(k).fill(-1);
  let matched = 0, total = 0;
  for (let i = 0; i < v; i++) {
    const j = assignment[i];
    if (j === -1) continue;
    if (!Number.isInteger(j) || j < 0 || j >= k) throw new InvalidArgumentError(`vehicle ${i}: slot ${j} is not in [0, ${k})`, { vehicle: i, slot: j });
    if (taken[j] >= 0) throw new InvalidArgumentError(`slot ${j} is assigned to vehicles ${taken[j]} and ${i}`, { vehicle: i, slot: j });
    if (cost[i * k + j] === Infinity) throw new InvalidArgumentError(`vehicle ${i} cannot take slot ${j} (infeasible pair)`, { vehicle: i, slot: j });
    taken[j] = i;
    matched++;
    total += cost[i * k + j];
  }
  return { matched, cost: total };
}

/**
 * Turns a per-vehicle assignment into env actions: `1 + slot` (bid on that slot) or 0 (no-op),
 * written to `out[offset .. offset + V)` (e.g. env e's row of a batch action buffer at `e · V`).
 */
export function assignmentToActions(assignment: ArrayLike<number>, out: Int32Array = new Int32Array(assignment.length), offset = 0): Int32Array {
  for (let i = 0; i < assignment.length; i++) out[offset + i] = assignment[i] >= 0 ? 1 + assignment[i] : 0;
  return out;
}

/**
 * Masks an ETA matrix with the env's action mask: the pair (v, k) becomes `Infinity` unless
 * bid action `1 + k` of vehicle v is allowed. `mask` is `[V, numActions]` from `maskOffset`
 * (env e's block of a batch mask starts at `e · V · numActions`).
 */
export function maskPickupEta(eta: PickupEtaMatrix, mask: ArrayLike<number>, numActions: number, maskOffset = 0): PickupEtaMatrix {
  const { numVehicles: v, numSlots: k } = eta;
  const out = new Float64Array(v * k);
  for (let i = 0; i < v; i++) {
    for (let j = 0; j < k; j++) out[i * k + j] = mask[maskOffset + i * numActions + 1 + j] ? eta.eta[i * k + j] : Infinity;
  }
  return { numVehicles: v, numSlots: k, eta: out };
}
