import { type Value } from '../types';
import { type ArithmeticOperator } from './ast';
import {
  addDecimal,
  type Decimal,
  divideDecimal,
  formatDecimal,
  multiplyDecimal,
  parseDecimal,
  remainderDecimal,
  subtractDecimal,
} from './decimal.util';
import { EvaluationError } from './expression-error';
import { type Evaluator, type ExpressionType, isInt64 } from './type-rules';

/**
 * Builds a null-propagating arithmetic evaluator over operands already widened
 * to `type`. Integer arithmetic is exact 64-bit and fails on overflow, and its
 * `/` truncates toward zero as in SQL. Float arithmetic fails when finite
 * operands give an infinite result. Numeric arithmetic is exact decimal.
 * Division and remainder by zero fail for every type.
 */
export function compileArithmetic(
  operator: ArithmeticOperator,
  type: ExpressionType,
  a: Evaluator,
  b: Evaluator,
): Evaluator {
  switch (type) {
    case 'integer':
      return compileInteger(operator, a, b);
    case 'float':
      return compileFloat(operator, a, b);
    default:
      return compileNumeric(operator, a, b);
  }
}

function checkInteger(value: bigint): bigint {
  if (!isInt64(value)) {
    throw new EvaluationError('integer out of range');
  }

  return value;
}

function checkFloat(result: number, x: number, y: number): number {
  if (!Number.isFinite(result) && Number.isFinite(x) && Number.isFinite(y)) {
    throw new EvaluationError('float out of range');
  }

  return result;
}

function compileInteger(operator: ArithmeticOperator, a: Evaluator, b: Evaluator): Evaluator {
  const apply = INTEGER_OPERATIONS[operator];

  return (row) => {
    const x = a(row);

    if (x === null) {
      return null;
    }

    const y = b(row);

    return y === null ? null : apply(x as bigint, y as bigint);
  };
}

const INTEGER_OPERATIONS: Record<ArithmeticOperator, (x: bigint, y: bigint) => bigint> = {
  '+': (x, y) => checkInteger(x + y),
  '-': (x, y) => checkInteger(x - y),
  '*': (x, y) => checkInteger(x * y),
  '/': (x, y) => {
    if (y === 0n) {
      throw new EvaluationError('division by zero');
    }

    return checkInteger(x / y);
  },
  '%': (x, y) => {
    if (y === 0n) {
      throw new EvaluationError('division by zero');
    }

    return x % y;
  },
};

function compileFloat(operator: ArithmeticOperator, a: Evaluator, b: Evaluator): Evaluator {
  // One closure per operator, so the hot path has no call through a table.
  switch (operator) {
    case '+':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null
          ? null
          : checkFloat((x as number) + (y as number), x as number, y as number);
      };

    case '-':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null
          ? null
          : checkFloat((x as number) - (y as number), x as number, y as number);
      };

    case '*':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null
          ? null
          : checkFloat((x as number) * (y as number), x as number, y as number);
      };

    case '/':
    case '%':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        if (y === null) {
          return null;
        }

        if (y === 0) {
          throw new EvaluationError('division by zero');
        }

        const result =
          operator === '/' ? (x as number) / (y as number) : (x as number) % (y as number);

        return checkFloat(result, x as number, y as number);
      };
  }
}

const NUMERIC_OPERATIONS: Record<ArithmeticOperator, (x: Decimal, y: Decimal) => Decimal> = {
  '+': addDecimal,
  '-': subtractDecimal,
  '*': multiplyDecimal,
  '/': divideDecimal,
  '%': remainderDecimal,
};

function compileNumeric(operator: ArithmeticOperator, a: Evaluator, b: Evaluator): Evaluator {
  const apply = NUMERIC_OPERATIONS[operator];

  return (row): Value => {
    const x = a(row);

    if (x === null) {
      return null;
    }

    const y = b(row);

    return y === null
      ? null
      : formatDecimal(apply(parseDecimal(x as string), parseDecimal(y as string)));
  };
}
