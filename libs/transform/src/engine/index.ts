export { runTransformation, type RunTransformationOptions } from './run-transformation';
export { TransformFailedError } from './transform-failed.error';
export {
  type ChunkResult,
  createTransformer,
  DEFAULT_MAX_ERRORS,
  type Transformer,
  type TransformerOptions,
} from './transformer';
