/**
 * The Node side of sharding: one `worker_threads` Worker per env range, running `worker.js` with a
 * MessagePort for its replies. The browser bundle swaps this module for `threads-browser.ts`.
 * @module
 * @internal
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { BackendUnavailableError, InvalidConfigError } from '../../errors.js';
import type { ShardMessage, ShardWorkerData } from './protocol.js';

/** Why shard threads cannot run here, or null where they can (Node: always). @internal */
export const SHARD_THREADS_UNAVAILABLE: string | null = null;

/**
 * The compiled worker script. From the sources (run by a TypeScript loader such as vitest's), the
 * compiled file of the same module under `dist/` is used: a worker thread runs plain JavaScript.
 */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return here.replace(/threads\.js$/, 'worker.js');
  return here.replace(/([\\/])src([\\/]backends[\\/]gpujs-shards[\\/])threads\.ts$/, '$1dist$1src$2worker.js');
}

/** One shard worker thread and the port its replies arrive on. @internal */
export class ShardThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** The worker's uncaught error, if it had one. */
  failure: Error | null = null;

  /** Starts the worker (unref'd: it does not keep the process alive). */
  constructor(data: ShardWorkerData) {
    const script = workerScript();
    if (!existsSync(script)) {
      throw new BackendUnavailableError(`gpujs: the shard worker script ${script} is missing (run \`npm run build:ts\`)`, { script });
    }
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // execArgv []: the worker runs compiled JavaScript, whatever loader flags the parent was started with.
    try {
      this.worker = new Worker(script, { workerData: { ...data, port: port2 }, transferList: [port2], execArgv: [] });
    } catch (err) {
      port1.close();
      // The env config travels to the worker by structured clone: functions, symbols and the like cannot.
      if ((err as { name?: string }).name === 'DataCloneError') {
        throw new InvalidConfigError(`gpujs: the env config must be plain data (numbers, strings, arrays, objects, typed arrays) to reach the shard workers: ${(err as Error).message}`, { field: 'config' });
      }
      throw err;
    }
    this.worker.on('error', (err) => { this.failure = err; });
    this.worker.unref();
    this.port.unref();
  }

  /** The next message the worker posted, read synchronously, or undefined. */
  receive(): ShardMessage | undefined {
    return receiveMessageOnPort(this.port)?.message as ShardMessage | undefined;
  }

  /** Stops the worker now. */
  terminate(): void {
    this.port.close();
    void this.worker.terminate();
  }
}
