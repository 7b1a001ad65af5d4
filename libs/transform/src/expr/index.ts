import { ExpressionCompiler, type ExpressionColumn } from './compiler';
import { FUNCTIONS } from './functions';
import { parseExpression } from './parser';
import { type Evaluator, type ExpressionType } from './type-rules';

export { EvaluationError, ExpressionError } from './expression-error';
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH } from './parser';
export type { ExpressionColumn } from './compiler';
export type { Evaluator, ExpressionType } from './type-rules';

export interface CompiledExpression {
  /** The static result type; `null` only when the expression is the bare literal `null` or built from it. */
  type: ExpressionType;
  /** Computes the value for one row; throws EvaluationError for a value it cannot compute. */
  evaluate: Evaluator;
  /** `index` of each column the expression reads, in order of first use. */
  reads: number[];
  /**
   * True when the expression is built only from column reads, constants and
   * `||`, so `evaluate` raises no EvaluationError and has no other effect.
   * NOTE: `||` can still throw V8's RangeError for a result longer than its
   * string length limit (about 2^29 characters).
   */
  cannotFail: boolean;
}

/** The names of the functions expressions may call. */
export const FUNCTION_NAMES: readonly string[] = [...FUNCTIONS.keys()];

/**
 * Parses, type-checks and compiles an expression against the given columns.
 * Throws ExpressionError (with a 1-based position) for any syntax or type error.
 */
export function compileExpression(
  text: string,
  columns: readonly ExpressionColumn[],
): CompiledExpression {
  const tree = parseExpression(text);
  const compiler = new ExpressionCompiler(columns, FUNCTIONS);
  const typed = compiler.compile(tree);

  return {
    type: typed.type,
    evaluate: typed.evaluate,
    reads: compiler.reads,
    cannotFail: typed.cannotFail === true,
  };
}
