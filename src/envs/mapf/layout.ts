/**
 * MAPF-v0 batch layout: every buffer of a batch lives in one ArrayBuffer (the arena), which the
 * native addon borrows. The field list mirrors `list_fields` in `native/envs/mapf/mapf_layout.h`
 * (same names, same order); the addon re-checks every size and offset.
 * @module
 * @internal
 */

import { AllocationError } from '../../errors.js';

/** Integer parameters of a batch, as the native `MapfBatch` reads them. @internal */
export interface MapfParams {
  numEnvs: number;
  numAgents: number;
  height: number;
  width: number;
  radius: number;
  collision: number;
  onTarget: number;
  maxSteps: number;
  autoreset: number;
  obsU8: number;
  keepFinalObs: number;
  extras: number;
  placement: number;
  goalMode: number;
  goalSeqLen: number;
  mapPerEnv: number;
}

type Kind = 'u8' | 'i32' | 'u32' | 'f32' | 'obs';

/** Number of metric slots per env (ISR, CSR, ep_length, SoC, makespan, avg_throughput). */
export const NUM_METRIC_SLOTS = 6;

function fieldList(p: MapfParams): Array<[string, Kind, number]> {
  const e = p.numEnvs, a = p.numAgents, ea = e * a;
  const m = p.mapPerEnv ? e : 1;
  const hw = p.height * p.width;
  const padded = (p.height + 2 * p.radius) * (p.width + 2 * p.radius);
  const d = 2 * p.radius + 1;
  const obs = ea * 3 * d * d;
  const extras = p.extras ? ea * 2 : 0;
  return [
    ['obstacles', 'u8', m * padded], ['compLabel', 'i32', m * hw], ['compCells', 'i32', m * hw],
    ['compStart', 'i32', m * (hw + 1)], ['numComps', 'i32', m], ['numFree', 'i32', m],
    ['startCells', 'i32', a], ['goalSeq', 'i32', a * p.goalSeqLen], ['goalLens', 'i32', a], ['actions', 'i32', ea],
    ['seeds', 'u32', e], ['episode', 'u32', e], ['steps', 'i32', e], ['needsReset', 'u8', e],
    ['pos', 'i32', ea], ['goal', 'i32', ea], ['start', 'i32', ea], ['arrivals', 'i32', ea],
    ['active', 'u8', ea], ['epReturn', 'f32', ea], ['solveStep', 'i32', ea], ['onGoalTotal', 'i32', e],
    ['obs', 'obs', obs], ['rewards', 'f32', ea], ['terminations', 'u8', ea], ['truncations', 'u8', ea],
    ['outPos', 'i32', ea * 2], ['outGoal', 'i32', ea * 2], ['outXYRel', 'i32', extras],
    ['outTargetRel', 'i32', extras], ['episodeDone', 'u8', e], ['finalReturn', 'f32', ea],
    ['finalLength', 'i32', e], ['finalMetrics', 'f32', e * NUM_METRIC_SLOTS],
    ['finalObs', 'obs', p.keepFinalObs ? obs : 0], ['status', 'u32', e],
  ];
}

/** Typed-array views of every field of one batch arena. @internal */
export interface MapfArena {
  buffer: ArrayBuffer;
  offsets: Float64Array;
  obstacles: Uint8Array; compLabel: Int32Array; compCells: Int32Array; compStart: Int32Array;
  numComps: Int32Array; numFree: Int32Array; startCells: Int32Array; goalSeq: Int32Array; goalLens: Int32Array;
  actions: Int32Array; seeds: Uint32Array; episode: Uint32Array; steps: Int32Array;
  needsReset: Uint8Array; pos: Int32Array; goal: Int32Array; start: Int32Array; arrivals: Int32Array;
  active: Uint8Array; epReturn: Float32Array; solveStep: Int32Array; onGoalTotal: Int32Array;
  obs: Float32Array | Uint8Array; rewards: Float32Array; terminations: Uint8Array; truncations: Uint8Array;
  outPos: Int32Array; outGoal: Int32Array; outXYRel: Int32Array; outTargetRel: Int32Array;
  episodeDone: Uint8Array; finalReturn: Float32Array; finalLength: Int32Array; finalMetrics: Float32Array;
  finalObs: Float32Array | Uint8Array; status: Uint32Array;
}

const ALIGN = 64;

/** Bytes the arena of a batch needs (computed without allocating). @internal */
export function arenaBytes(p: MapfParams): number {
  let total = 0;
  for (const [, kind, count] of fieldList(p)) {
    total = Math.ceil(total / ALIGN) * ALIGN + count * elemSize(kind, p);
  }
  return total;
}

function elemSize(kind: Kind, p: MapfParams): number {
  if (kind === 'u8') return 1;
  if (kind === 'obs') return p.obsU8 ? 1 : 4;
  return 4;
}

/** Throws {@link AllocationError} when the arena of a batch would exceed `maxBytes`. @internal */
export function checkArenaSize(p: MapfParams, maxBytes: number, what: string): number {
  const bytes = arenaBytes(p);
  if (!Number.isSafeInteger(bytes) || bytes > maxBytes) {
    throw new AllocationError(
      `${what}: the batch needs ${(bytes / 2 ** 30).toFixed(2)} GiB of buffers, more than the limit of ` +
        `${(maxBytes / 2 ** 30).toFixed(2)} GiB (numEnvs ${p.numEnvs}, numAgents ${p.numAgents}); lower numEnvs, numAgents or obsRadius`,
      { bytes, maxBytes, numEnvs: p.numEnvs },
    );
  }
  return bytes;
}

/**
 * Allocates the arena of a batch, refusing before allocation when it would exceed `maxBytes`.
 * @internal
 */
export function allocateArena(p: MapfParams, maxBytes: number, what: string): MapfArena {
  const bytes = checkArenaSize(p, maxBytes, what);
  let buffer: ArrayBuffer;
  try {
    buffer = new ArrayBuffer(bytes);
  } catch (err) {
    throw new AllocationError(`${what}: cannot allocate ${bytes} bytes of batch buffers: ${(err as Error).message}`, { bytes });
  }
  const fields = fieldList(p);
  const offsets = new Float64Array(fields.length);
  const views: Record<string, ArrayBufferView> = {};
  let at = 0;
  fields.forEach(([name, kind, count], i) => {
    at = Math.ceil(at / ALIGN) * ALIGN;
    offsets[i] = at;
    views[name] = makeView(buffer, kind, p, at, count);
    at += count * elemSize(kind, p);
  });
  return { buffer, offsets, ...views } as unknown as MapfArena;
}

function makeView(buffer: ArrayBuffer, kind: Kind, p: MapfParams, at: number, count: number): ArrayBufferView {
  switch (kind) {
    case 'u8': return new Uint8Array(buffer, at, count);
    case 'i32': return new Int32Array(buffer, at, count);
    case 'u32': return new Uint32Array(buffer, at, count);
    case 'f32': return new Float32Array(buffer, at, count);
    case 'obs': return p.obsU8 ? new Uint8Array(buffer, at, count) : new Float32Array(buffer, at, count);
  }
}
