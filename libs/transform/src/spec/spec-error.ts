/** One problem in a spec: a JSON path such as `steps[2].column` (empty for the spec itself) and what is wrong. */
export interface SpecError {
  path: string;
  message: string;
}

export function formatSpecError(error: SpecError): string {
  return error.path === '' ? error.message : `${error.path}: ${error.message}`;
}

/** Thrown by createTransformer and runTransformation when the spec is invalid for the input columns. */
export class SpecValidationError extends Error {
  override readonly name = 'SpecValidationError';

  constructor(readonly errors: readonly SpecError[]) {
    super(`invalid transformation spec: ${errors.map(formatSpecError).join('; ')}`);
  }
}
