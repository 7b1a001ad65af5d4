export { formatSpecError, type SpecError, SpecValidationError } from './spec-error';
export { ON_ERROR_POLICIES, STEP_OPS } from './spec-shape';
export { validateSpec } from './validate-spec';
