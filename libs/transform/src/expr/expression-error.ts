/**
 * An expression that cannot compile: a syntax error, a type error, an unknown
 * column or function, or a limit exceeded. `position` is the 1-based character
 * offset in the expression text where the problem starts.
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`);
  }
}

/**
 * A value that an expression cannot compute for one row (division by zero, an
 * integer overflow, a string that `to_date` cannot read). The engine applies
 * the spec's `onError` policy to it.
 */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}
