/**
 * Browser build of `backends/native/load.ts`: no Node-API addon can load in a browser.
 * @module
 * @internal
 */

import type { AddonLoad } from '../backends/native/load.js';

export type { AddonLoad, BatchAddon, NativeAddon } from '../backends/native/load.js';

/** The package root is meaningless in a browser. @internal */
export function packageRoot(): string {
  return '.';
}

/** Always unavailable, with the reason. @internal */
export function loadNativeAddon(): AddonLoad {
  return { ok: false, reason: 'a browser cannot load Node-API addons' };
}
