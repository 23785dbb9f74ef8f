/**
 * Browser stand-in for `node:fs`: a page has no file system, so file-based inputs (MovingAI map
 * files, city files) must be passed as data (`map` rows, `parseCityFile(text)`).
 * @module
 * @internal
 */

import { InvalidConfigError, formatValue } from '../errors.js';

/** Always throws {@link InvalidConfigError} naming the path. @internal */
export function readFileSync(path: string): never {
  throw new InvalidConfigError(`cannot read ${formatValue(path)}: a browser has no file system; pass the file's contents instead`, { field: 'path', value: path });
}
