export { type DateOrder } from './date-inference.util';
export { type InferOptions, inferSchema, type InferSample } from './infer-schema';
export { FLOAT_SIGNIFICANT_DIGITS } from './number-inference.util';
