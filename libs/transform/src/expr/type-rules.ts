import { type ColumnType, type Value } from '../types';

/** The static type of an expression: a column type, or `null` for the bare literal `null`. */
export type ExpressionType = ColumnType | 'null';

/** Computes an expression's value from a row of typed values, at the indexes the compiled columns give. */
export type Evaluator = (row: readonly unknown[]) => Value;

const NUMERIC_RANK: Partial<Record<ExpressionType, number>> = { integer: 1, numeric: 2, float: 3 };

export function isNumericFamily(type: ExpressionType): boolean {
  return NUMERIC_RANK[type] !== undefined;
}

export function isTemporal(type: ExpressionType): type is 'date' | 'timestamp' | 'timestamptz' {
  return type === 'date' || type === 'timestamp' || type === 'timestamptz';
}

/**
 * Returns the type two operands are converted to before they meet, or null
 * when they cannot meet. Numbers widen integer → numeric → float, a date
 * widens to a timestamp, and the `null` literal takes the other side's type.
 */
export function commonType(left: ExpressionType, right: ExpressionType): ExpressionType | null {
  if (left === right) {
    return left;
  }

  if (left === 'null') {
    return right;
  }

  if (right === 'null') {
    return left;
  }

  const leftRank = NUMERIC_RANK[left];
  const rightRank = NUMERIC_RANK[right];

  if (leftRank !== undefined && rightRank !== undefined) {
    return leftRank > rightRank ? left : right;
  }

  if ((left === 'date' && right === 'timestamp') || (left === 'timestamp' && right === 'date')) {
    return 'timestamp';
  }

  return null;
}

/** Wraps an evaluator so its non-null values are converted from one type to a wider one. */
export function widen(evaluate: Evaluator, from: ExpressionType, to: ExpressionType): Evaluator {
  if (from === to || from === 'null') {
    return evaluate;
  }

  if (from === 'integer' && to === 'numeric') {
    return (row) => {
      const value = evaluate(row);

      return value === null ? null : (value as bigint).toString();
    };
  }

  if ((from === 'integer' || from === 'numeric') && to === 'float') {
    return (row) => {
      const value = evaluate(row);

      return value === null ? null : Number(value);
    };
  }

  if (from === 'date' && to === 'timestamp') {
    return (row) => {
      const value = evaluate(row);

      return value === null ? null : `${value as string}T00:00:00`;
    };
  }

  throw new Error(`no widening from ${from} to ${to}`);
}

/** Wraps an evaluator so its non-null values become their text form, as `||` writes them. */
export function asText(evaluate: Evaluator, from: ExpressionType): Evaluator {
  switch (from) {
    case 'integer':
    case 'float':
    case 'boolean':
      return (row) => {
        const value = evaluate(row);

        return value === null ? null : String(value);
      };

    case 'text':
    case 'numeric':
    case 'date':
    case 'timestamp':
    case 'timestamptz':
    case 'json':
    case 'null':
      return evaluate;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}
