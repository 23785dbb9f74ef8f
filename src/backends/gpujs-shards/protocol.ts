/**
 * What the main thread and the shard workers of a sharded gpujs batch share: the layout of the
 * control words in shared memory, the commands, how a batch is cut into contiguous env ranges,
 * and how errors cross threads (serialized as name, code, message and details, rebuilt as the
 * same class of `src/errors.ts`).
 *
 * Handshake: the main thread writes a command's arguments, stores {@link Control.PENDING} = the
 * number of workers, stores the command and bumps {@link Control.SEQUENCE} (notifying it). Each
 * worker, blocked in `Atomics.wait` on the sequence, runs the command on its range, posts its
 * messages (errors, kernel classes) on its port, stores how many in its result word and decrements
 * the pending count; the last one notifies it. The main thread waits for the count to reach 0
 * (`Atomics.wait`, or `Atomics.waitAsync` under `stepAsync()`) and reads the messages with
 * `receiveMessageOnPort`.
 * @module
 * @internal
 */

import {
  AllocationError, BackendUnavailableError, InvalidActionError, InvalidArgumentError, InvalidConfigError,
  InvalidMapError, ManyWorldsError, NativeError, ResetNeededError,
} from '../../errors.js';
import type { ErrorCode } from '../../errors.js';

/** Indices of the control words (an Int32Array over a SharedArrayBuffer). @internal */
export const Control = {
  /** Bumped by the main thread for each command; workers wait on it. */
  SEQUENCE: 0,
  /** The command (a {@link Command}). */
  COMMAND: 1,
  /** 1 when the command's env mask (the shared mask buffer) applies, else 0. */
  MASKED: 2,
  /** Workers that have not finished the current command; the main thread waits on it. */
  PENDING: 4,
  /** First of the per-worker result words: the number of messages the worker posted. */
  RESULTS: 8,
} as const;

/** Control words for `workers` workers. @internal */
export function controlLength(workers: number): number {
  return Control.RESULTS + workers;
}

/** Commands a shard worker runs on its range. @internal */
export const Command = {
  /** Run the checks made before a step; report the first that fails. Changes nothing. */
  CHECK: 1,
  /** Step (after every worker's CHECK passed). */
  STEP: 2,
  /** Reset the range's envs (masked: those with mask 1). */
  RESET: 3,
  /** Build the maps for new seeds and keep them; report a failure. Changes nothing. */
  PREPARE_RESEED: 4,
  /** Install the prepared maps and seeds. */
  COMMIT_RESEED: 5,
  /** Free the engine and end the worker. */
  CLOSE: 6,
} as const;

/** An error as it crosses threads. @internal */
export interface SerializedError {
  name: string;
  code?: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** A message a shard worker posts to the main thread on its port. @internal */
export type ShardMessage =
  | { type: 'error'; rank: number; error: SerializedError }
  | { type: 'kernels'; kernels: Record<string, string> };

/** What the main thread gives a shard worker (`workerData`, structured-cloned). @internal */
export interface ShardWorkerData {
  /** Which range engine to build (`'MAPF-v0'`). */
  env: string;
  /** This worker's index: its result word is `Control.RESULTS + index`. */
  index: number;
  /** The control words. */
  control: SharedArrayBuffer;
  /** `[E]` uint32 seeds of the whole batch (read for the worker's range). */
  seeds: SharedArrayBuffer;
  /** `[E]` uint8 env mask of the whole batch (read for the worker's range when masked). */
  mask: SharedArrayBuffer;
  /** The batch's io arena. */
  io: SharedArrayBuffer;
  /** First env of the range. */
  envBegin: number;
  /** One past the last env of the range. */
  envEnd: number;
  /** Env-specific construction data (the raw user config, the make options, the gpu.js choice). */
  build: Record<string, unknown>;
}

/** Splits `numEnvs` envs into `parts` contiguous ranges `[begin, end)` of near-equal size. @internal */
export function envRanges(numEnvs: number, parts: number): Array<[number, number]> {
  const n = Math.max(1, Math.min(parts, numEnvs));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) out.push([Math.floor((i * numEnvs) / n), Math.floor(((i + 1) * numEnvs) / n)]);
  return out;
}

/** Serializes an error for posting across threads. @internal */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const e = err as Error & { code?: ErrorCode; details?: Record<string, unknown> };
    return { name: e.name, code: e.code, message: e.message, details: e.details ? { ...e.details } : undefined };
  }
  return { name: 'Error', message: String(err) };
}

type MessageErrorClass = new (message: string, details?: Record<string, unknown>) => ManyWorldsError;

/** The error classes a MAPF engine throws, by name; each takes `(message, details)`. */
const ERROR_CLASSES: Record<string, MessageErrorClass> = {
  InvalidConfigError, InvalidMapError, InvalidActionError, InvalidArgumentError, BackendUnavailableError,
  AllocationError, ResetNeededError, NativeError,
};

/**
 * Rebuilds a serialized error: the same class of `src/errors.ts` with the same code, message and
 * details; an error of another kind becomes an `Error` of the same name and message. @internal
 */
export function rebuildError(s: SerializedError): Error {
  const Class = ERROR_CLASSES[s.name];
  if (!Class) {
    const err = new Error(s.message);
    err.name = s.name;
    return err;
  }
  const err = new Class(s.message, s.details ?? {});
  if (s.code !== undefined && err.code !== s.code) (err as { code: ErrorCode }).code = s.code;
  return err;
}

/** The env an error names in its details, or Infinity. @internal */
export function errorEnv(s: SerializedError): number {
  const env = s.details?.env;
  return typeof env === 'number' ? env : Infinity;
}
