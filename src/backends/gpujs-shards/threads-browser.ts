/**
 * The browser build of `threads.ts`: sharding a batch over worker threads is Node-only (it needs
 * `worker_threads` and `Atomics.wait` on the main thread), so it reports that and starts nothing.
 * Swapped in by scripts/build-browser.mjs.
 * @module
 * @internal
 */

import { BackendUnavailableError } from '../../errors.js';
import type { ShardMessage, ShardWorkerData } from './protocol.js';

/** Why shard threads cannot run here. @internal */
export const SHARD_THREADS_UNAVAILABLE: string | null =
  'sharding a gpujs batch over worker threads (numThreads > 1) is Node-only; a browser steps it on one thread';

/** Never constructed in a browser: it throws {@link BackendUnavailableError}. @internal */
export class ShardThread {
  /** The worker's uncaught error (none: no worker runs). */
  failure: Error | null = null;

  /** Throws: there are no worker threads in the browser build. */
  constructor(data: ShardWorkerData) {
    throw new BackendUnavailableError(`gpujs: ${SHARD_THREADS_UNAVAILABLE}`, { env: data.env });
  }

  /** No worker, no message. */
  receive(): ShardMessage | undefined {
    return undefined;
  }

  /** No worker to stop. */
  terminate(): void {}
}
