/**
 * Browser stand-in for `node:crypto`: the Web Crypto object.
 * @module
 * @internal
 */

/** `globalThis.crypto` (random default seeds). @internal */
export const webcrypto = (globalThis as unknown as { crypto: { getRandomValues<T extends ArrayBufferView>(a: T): T } }).crypto;
