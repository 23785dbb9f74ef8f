/**
 * The actions staging buffer of a batch: copies a step's actions in after checking their shape,
 * dtype and (for plain arrays) values, and keeps the previously staged actions so that a refused
 * step leaves the buffer as it was.
 * @module
 * @internal
 */

import { InvalidActionError, formatValue } from '../errors.js';
import { badActionError, firstBadAction, withArticle } from './rollout.js';

/** What {@link ActionStaging} needs to know of its batch. @internal */
export interface StagingShape {
  /** Env id, for messages. */
  readonly id: string;
  readonly numEnvs: number;
  readonly numAgents: number;
  /** Numbers per agent: 1 for Discrete actions, the Box size otherwise. */
  readonly actionSize: number;
  /** Actions of a Discrete space, or `null` for Box actions. */
  readonly numActions: number | null;
}

/** The staging buffer `[E, A]` or `[E, A, k]` and a saved copy of it, allocated on first use. @internal */
export class ActionStaging {
  /** The staged actions before the last copy into the buffer (see {@link save}). */
  private saved: Int32Array | Float32Array | null = null;
  /** A plain array's values, each read once, so that what is checked is what is copied. */
  private values: unknown[] | null = null;

  constructor(private readonly shape: StagingShape, private readonly buffer: Int32Array | Float32Array) {}

  /**
   * Copies `actions` into the buffer after saving what was staged; returns false when `actions`
   * is the buffer itself (nothing to copy or undo). A plain array is checked here first; a typed
   * array is checked by the backend as it steps.
   */
  stage(actions: ArrayLike<number>): boolean {
    const { id, numEnvs, numAgents, actionSize: k } = this.shape;
    const dst = this.buffer;
    const n = dst.length;
    const dtype = dst.constructor.name;
    if (actions === null || typeof actions !== 'object' || typeof actions.length !== 'number') {
      throw new InvalidActionError(`${id}: actions must be ${withArticle(dtype)} or an array of ${n} numbers, got ${typeof actions}`);
    }
    if (actions.length !== n) {
      const shape = k === 1 ? `${numEnvs} envs × ${numAgents} agents` : `${numEnvs} envs × ${numAgents} agents × ${k}`;
      throw new InvalidActionError(`${id}: expected ${n} actions (${shape}), got ${formatValue(actions.length)}`, { length: actions.length });
    }
    if (ArrayBuffer.isView(actions)) {
      if (!(actions instanceof dst.constructor)) {
        throw new InvalidActionError(`${id}: actions must be ${withArticle(dtype)}, got ${withArticle(actions.constructor.name)}`, { dtype: actions.constructor.name });
      }
      if (actions === dst) return false;
      this.save();
      dst.set(actions as Int32Array);
      return true;
    }
    const values = (this.values ??= new Array<unknown>(n));
    for (let i = 0; i < n; i++) values[i] = actions[i];
    this.check(values as number[]);
    this.save();
    for (let i = 0; i < n; i++) dst[i] = values[i] as number;
    return true;
  }

  /** Writes `row` at `offset` after saving what was staged (the caller has checked it). */
  stageRow(row: ArrayLike<number>, offset: number): void {
    this.save();
    this.buffer.set(row, offset);
  }

  /** Puts back what was staged before the last copy: a refused step leaves the buffer as it was. */
  restore(): void {
    (this.buffer as Int32Array).set(this.saved as Int32Array);
  }

  /**
   * Copies the staged actions aside, into one buffer allocated on first use (not per step), for
   * {@link restore}; `stage` and `stageRow` call it, and `rollout()` before its steps overwrite them.
   */
  save(): void {
    const dst = this.buffer;
    this.saved ??= new (dst.constructor as Int32ArrayConstructor)(dst.length);
    (this.saved as Int32Array).set(dst as Int32Array);
  }

  /** Throws {@link InvalidActionError} naming the first action outside the action space. */
  private check(actions: ArrayLike<number>): void {
    const { id, numAgents, actionSize, numActions } = this.shape;
    const i = firstBadAction(actions, numActions);
    if (i >= 0) throw badActionError(`${id}:`, actions, i, numAgents, actionSize, numActions);
  }
}
