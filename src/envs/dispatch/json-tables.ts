/**
 * Validation of nested JSON number tables (city files, rate tables given in a config): every error
 * names the exact entry (`minutes[0][3][5]`) and the offending value.
 * @module
 * @internal
 */

import { type InvalidConfigError, formatValue } from '../../errors.js';

/** Time-block counts a table may have: constant, 4-hour blocks, hourly. @internal */
export const TIME_BLOCKS: readonly number[] = [1, 6, 24];

/** Reads nested arrays of numbers, throwing `ErrorClass` with a precise path. @internal */
export class JsonReader {
  constructor(
    readonly label: string,
    readonly ErrorClass: new (message: string, details?: Record<string, unknown>) => InvalidConfigError,
    readonly details: Record<string, unknown> = {},
  ) {}

  /** Throws: `RideDispatch-v0: <label>: <path> <message>, got <value>` (no label part when `label` is empty). */
  fail(path: string, message: string, value?: unknown, index?: number[]): never {
    const shown = value === undefined ? '' : `, got ${formatValue(value)}`;
    throw new this.ErrorClass(`RideDispatch-v0: ${this.label ? `${this.label}: ` : ''}${path} ${message}${shown}`, {
      ...this.details, field: path.replace(/\[.*$/, ''), ...(index ? { index } : {}), ...(value === undefined ? {} : { value }),
    });
  }

  /** Checks that `v` is an array (of `len` entries when given). */
  array(v: unknown, path: string, len?: number): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'must be an array', typeof v === 'object' && v !== null ? '(an object)' : v);
    if (len !== undefined && v.length !== len) this.fail(path, `must have ${len} entries, it has ${v.length}`);
    return v;
  }

  /** Reads a table of `shape` row-major into `out`, checking `ok` on every entry (`rule` describes it). */
  table(v: unknown, path: string, shape: readonly number[], ok: (x: number) => boolean, rule: string, out: Float64Array): void {
    const idx: number[] = [];
    let at = 0;
    const walk = (node: unknown, depth: number): void => {
      if (depth === shape.length) {
        if (typeof node !== 'number' || !ok(node)) this.fail(path + idx.map((i) => `[${i}]`).join(''), `must be ${rule}`, node, [...idx]);
        out[at++] = node;
        return;
      }
      const arr = this.array(node, path + idx.map((i) => `[${i}]`).join(''), shape[depth]);
      for (let i = 0; i < arr.length; i++) {
        idx.push(i);
        walk(arr[i], depth + 1);
        idx.pop();
      }
    };
    walk(v, 0);
  }

  /**
   * Number of time blocks (1, 6 or 24) of a table `depth` arrays deep whose outer dimension is the
   * block; with `optional`, a table one level shallower has no block dimension and gives 0.
   */
  blocks(v: unknown, path: string, depth: number, optional: boolean): number {
    const outer = this.array(v, path);
    let node: unknown = v;
    let d = 0;
    while (Array.isArray(node) && node.length > 0) { node = node[0]; d++; }
    if (optional && d === depth - 1) return 0;
    if (d !== depth) this.fail(path, `must be nested ${depth} arrays deep ([blocks]${'[Z]'.repeat(depth - 1)})`);
    if (!TIME_BLOCKS.includes(outer.length)) this.fail(path, 'must have 1, 6 or 24 time blocks', `${outer.length} blocks`);
    return outer.length;
  }
}

/** Reads an optional time-blocked table `[blocks, ...inner]` of non-negative finite numbers. @internal */
export function readBlockedTable(
  r: JsonReader, v: unknown, path: string, inner: readonly number[], rule = 'a finite number ≥ 0',
): { blocks: 1 | 6 | 24; data: Float64Array } {
  const blocks = r.blocks(v, path, inner.length + 1, false) as 1 | 6 | 24;
  let size = blocks;
  for (const n of inner) size *= n;
  const data = new Float64Array(size);
  r.table(v, path, [blocks, ...inner], (x) => Number.isFinite(x) && x >= 0, rule, data);
  return { blocks, data };
}
