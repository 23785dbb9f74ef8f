/**
 * A shard worker thread: builds the range engine its `workerData` describes, then loops, blocked
 * in `Atomics.wait` until the main thread posts a command (protocol.ts), runs it on its env range
 * and reports. Started by threads.ts; never imported.
 * @module
 * @internal
 */

import { type MessagePort, workerData } from 'node:worker_threads';
import { Command, Control, type ShardMessage, type ShardWorkerData, serializeError } from './protocol.js';
import type { RangeEngine } from './range-engine.js';

const data = workerData as ShardWorkerData & { port: MessagePort };
const control = new Int32Array(data.control);
const maskOfBatch = new Uint8Array(data.mask);
const seedsOfBatch = new Uint32Array(data.seeds);
let posted = 0;
let kernelsSent = 0;

function post(message: ShardMessage): void {
  try {
    data.port.postMessage(message);
  } catch (err) {
    // Details that cannot be cloned: keep the error's class, code and message.
    const error = message.type === 'error' ? { ...message.error, details: undefined } : serializeError(err);
    data.port.postMessage({ type: 'error', rank: message.type === 'error' ? message.rank : 0, error });
  }
  posted++;
}

/** Publishes how many messages this command posted and counts this worker done. */
function finish(): void {
  Atomics.store(control, Control.RESULTS + data.index, posted);
  posted = 0;
  if (Atomics.sub(control, Control.PENDING, 1) === 1) Atomics.notify(control, Control.PENDING);
}

/** Posts the gpu.js kernel classes once more of them are known. */
function sendKernels(engine: RangeEngine): void {
  const kernels = engine.kernels();
  const count = Object.keys(kernels).length;
  if (count === kernelsSent) return;
  kernelsSent = count;
  post({ type: 'kernels', kernels: { ...kernels } });
}

function runCommand(engine: RangeEngine, command: number): void {
  const mask = Atomics.load(control, Control.MASKED) ? maskOfBatch.subarray(data.envBegin, data.envEnd) : null;
  const seeds = seedsOfBatch.subarray(data.envBegin, data.envEnd);
  switch (command) {
    case Command.CHECK: {
      const failed = engine.failedStepCheck();
      if (failed) post({ type: 'error', rank: failed.rank, error: serializeError(failed.error) });
      return;
    }
    case Command.STEP: engine.applyStep(); break;
    case Command.RESET: engine.reset(mask); break;
    case Command.PREPARE_RESEED: engine.prepareReseed(seeds, mask); return;
    case Command.COMMIT_RESEED: engine.commitReseed(seeds, mask); return;
    case Command.CLOSE: engine.close(); return;
    default: throw new Error(`gpujs shard worker: unknown command ${command}`);
  }
  sendKernels(engine);
}

async function main(): Promise<void> {
  // Read before reporting ready: the main thread may post the first command right after.
  let seen = Atomics.load(control, Control.SEQUENCE);
  let engine: RangeEngine | null = null;
  try {
    const { buildRangeEngine } = await import('./range-engine.js');
    engine = buildRangeEngine(data);
    sendKernels(engine);
  } catch (err) {
    post({ type: 'error', rank: 0, error: serializeError(err) });
  }
  finish();
  if (!engine) return;
  for (;;) {
    Atomics.wait(control, Control.SEQUENCE, seen);
    const sequence = Atomics.load(control, Control.SEQUENCE);
    if (sequence === seen) continue;
    seen = sequence;
    const command = Atomics.load(control, Control.COMMAND);
    try {
      runCommand(engine, command);
    } catch (err) {
      post({ type: 'error', rank: 0, error: serializeError(err) });
    } finally {
      finish();
    }
    if (command === Command.CLOSE) return;
  }
}

void main();
