/**
 * Gymnasium-style spaces: {@link Discrete}, {@link Box}, {@link MultiDiscrete}, {@link Dict}, and
 * {@link batchSpace} for the spaces of batched (vector) envs.
 * @module
 */

export {
  Space, DTYPE_INFO, createTypedArray, isDtype, isTypedArrayOf, shapeSize, uniformInt,
  type Dtype, type DtypeArrayMap, type DtypeInfo, type TypedArrayOf, type SpaceValue,
  type SpaceJSON, type DiscreteJSON, type BoxJSON, type MultiDiscreteJSON, type DictJSON, type JSONBound,
} from './space.js';
export { Discrete } from './discrete.js';
export { Box, type BoxBounds } from './box.js';
export { MultiDiscrete } from './multi-discrete.js';
export { Dict, type DictValue, type SpaceRecord } from './dict.js';
export { batchSpace, type BatchedSpace } from './batch.js';
