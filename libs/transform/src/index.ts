export * from './types';
export {
  type ChunkResult,
  createTransformer,
  DEFAULT_MAX_ERRORS,
  runTransformation,
  type RunTransformationOptions,
  TransformFailedError,
  type Transformer,
  type TransformerOptions,
} from './engine';
export {
  type CompiledExpression,
  compileExpression,
  EvaluationError,
  type ExpressionColumn,
  ExpressionError,
  type ExpressionType,
  FUNCTION_NAMES,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
} from './expr';
export {
  type DateOrder,
  FLOAT_SIGNIFICANT_DIGITS,
  type InferOptions,
  inferSchema,
  type InferSample,
} from './infer';
export {
  formatSpecError,
  ON_ERROR_POLICIES,
  type SpecError,
  SpecValidationError,
  STEP_OPS,
  validateSpec,
} from './spec';
export {
  createCaster,
  DEFAULT_FALSE_VALUES,
  DEFAULT_TRUE_VALUES,
  type JsonValue,
  toCopyRow,
  toCopyText,
  toJsonText,
  toJsonValue,
} from './values';
