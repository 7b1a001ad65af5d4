import { type ColumnType, type Value } from '../types';
import { createCaster } from '../values';
import { type ArithmeticOperator, type ComparisonOperator, type ExpressionNode } from './ast';
import { compareDateTime } from './datetime.util';
import { compareDecimal, formatDecimal, parseDecimal } from './decimal.util';
import { EvaluationError, ExpressionError } from './expression-error';
import { compileArithmetic } from './operators';
import { didYouMean } from './suggest.util';
import {
  asText,
  commonType,
  type Evaluator,
  type ExpressionType,
  isInt64,
  isNumericFamily,
  widen,
} from './type-rules';

/**
 * A column an expression may read: its name, its type and where its value
 * sits in the row array. Type `null` marks a column of unknown type (its
 * definition failed to compile), which type-checks against anything.
 */
export interface ExpressionColumn {
  name: string;
  type: ColumnType | 'null';
  index: number;
}

/** A compiled subexpression: its static type, its evaluator, and whether it reads no column. */
export interface Typed {
  type: ExpressionType;
  evaluate: Evaluator;
  constant: boolean;
  /** True when `evaluate` has no effect but its result and raises no EvaluationError; absent means it may. */
  cannotFail?: boolean;
}

export interface FunctionDefinition {
  minArgs: number;
  maxArgs: number;
  /** Checks the argument types and builds the call; `call` is the node, for error positions. */
  compile(
    args: Typed[],
    call: ExpressionNode & { kind: 'call' },
    compiler: ExpressionCompiler,
  ): Typed;
}

const NULL_EVALUATOR: Evaluator = () => null;

export function constantOf(type: ExpressionType, value: Value): Typed {
  return { type, evaluate: () => value, constant: true, cannotFail: true };
}

/** Returns the operand's evaluator widened to `type`; a constant is widened once, here. */
export function widenOperand(operand: Typed, type: ExpressionType): Evaluator {
  const evaluate = widen(operand.evaluate, operand.type, type);

  if (!operand.constant || evaluate === operand.evaluate) {
    return evaluate;
  }

  const value = evaluate([]);

  return () => value;
}

/** Compiles one expression tree against a fixed set of columns into closures. */
export class ExpressionCompiler {
  private readonly columns = new Map<string, ExpressionColumn>();
  /** Indexes of the columns read, in order of first use. */
  readonly reads: number[] = [];

  constructor(
    columns: readonly ExpressionColumn[],
    private readonly functions: ReadonlyMap<string, FunctionDefinition>,
  ) {
    for (const column of columns) {
      this.columns.set(column.name, column);
    }
  }

  compile(node: ExpressionNode): Typed {
    const typed = this.compileNode(node);

    if (
      !typed.constant ||
      node.kind === 'number' ||
      node.kind === 'string' ||
      node.kind === 'boolean'
    ) {
      return typed;
    }

    return this.fold(typed, node.position);
  }

  /** Evaluates a constant subexpression once, so `1 / 0` fails at compile time and rows skip the work. */
  private fold(typed: Typed, position: number): Typed {
    try {
      return constantOf(typed.type, typed.evaluate([]));
    } catch (error) {
      if (error instanceof EvaluationError) {
        throw new ExpressionError(error.message, position);
      }

      throw error;
    }
  }

  private compileNode(node: ExpressionNode): Typed {
    switch (node.kind) {
      case 'number':
        return compileNumber(node.text, false, node.position);
      case 'string':
        return constantOf('text', node.value);
      case 'boolean':
        return constantOf('boolean', node.value);
      case 'null':
        return { type: 'null', evaluate: NULL_EVALUATOR, constant: true, cannotFail: true };
      case 'column':
        return this.compileColumn(node.name, node.position);
      case 'unary':
        return this.compileUnary(node);
      case 'is-null':
        return this.compileIsNull(node);
      case 'binary':
        return this.compileBinary(node);
      case 'call':
        return this.compileCall(node);
    }
  }

  private compileColumn(name: string, position: number): Typed {
    const column = this.columns.get(name);

    if (column === undefined) {
      throw new ExpressionError(
        `unknown column "${name}"${didYouMean(name, this.columns.keys())}`,
        position,
      );
    }

    const { index } = column;

    if (!this.reads.includes(index)) {
      this.reads.push(index);
    }

    return {
      type: column.type,
      evaluate: (row) => row[index] as Value,
      constant: false,
      cannotFail: true,
    };
  }

  private compileUnary(node: ExpressionNode & { kind: 'unary' }): Typed {
    if (node.operator === '-' && node.operand.kind === 'number') {
      return compileNumber(node.operand.text, true, node.position);
    }

    const operand = this.compile(node.operand);
    const { evaluate } = operand;

    if (node.operator === 'not') {
      requireType(
        operand,
        ['boolean'],
        `"not" needs a boolean operand, got ${operand.type}`,
        node.position,
      );

      return {
        type: 'boolean',
        evaluate: (row) => {
          const value = evaluate(row);

          return value === null ? null : !(value as boolean);
        },
        constant: operand.constant,
      };
    }

    if (!isNumericFamily(operand.type) && operand.type !== 'null') {
      throw new ExpressionError(
        `cannot apply unary "${node.operator}" to ${operand.type}`,
        node.position,
      );
    }

    if (node.operator === '+') {
      return operand;
    }

    return {
      type: operand.type,
      evaluate: negate(evaluate, operand.type),
      constant: operand.constant,
    };
  }

  private compileIsNull(node: ExpressionNode & { kind: 'is-null' }): Typed {
    const operand = this.compile(node.operand);
    const { evaluate } = operand;
    const isNull: Evaluator = node.negated
      ? (row) => evaluate(row) !== null
      : (row) => evaluate(row) === null;

    return { type: 'boolean', evaluate: isNull, constant: operand.constant };
  }

  private compileBinary(node: ExpressionNode & { kind: 'binary' }): Typed {
    const { operator } = node;

    switch (operator) {
      case 'and':
      case 'or':
        return this.compileLogic(operator, node);
      case '||':
        return this.compileConcat(node);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        return this.compileArithmeticNode(operator, node);
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.compileComparison(operator, node);
    }
  }

  private compileLogic(operator: 'and' | 'or', node: ExpressionNode & { kind: 'binary' }): Typed {
    const left = this.compile(node.left);
    const right = this.compile(node.right);

    for (const side of [left, right]) {
      requireType(
        side,
        ['boolean'],
        `"${operator}" needs boolean operands, got ${side.type}`,
        node.position,
      );
    }

    const a = left.evaluate;
    const b = right.evaluate;
    // Three-valued logic: false and null is false, true or null is true, else null wins.
    const evaluate: Evaluator =
      operator === 'and'
        ? (row) => {
            const x = a(row);

            if (x === false) {
              return false;
            }

            const y = b(row);

            if (y === false) {
              return false;
            }

            return x === null || y === null ? null : true;
          }
        : (row) => {
            const x = a(row);

            if (x === true) {
              return true;
            }

            const y = b(row);

            if (y === true) {
              return true;
            }

            return x === null || y === null ? null : false;
          };

    return { type: 'boolean', evaluate, constant: left.constant && right.constant };
  }

  private compileConcat(node: ExpressionNode & { kind: 'binary' }): Typed {
    const left = this.compile(node.left);
    const right = this.compile(node.right);
    const a = asText(left.evaluate, left.type);
    const b = asText(right.evaluate, right.type);

    return {
      type: 'text',
      evaluate: (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null ? null : (x as string) + (y as string);
      },
      constant: left.constant && right.constant,
      // Joining texts, and writing a number or boolean as text, cannot fail.
      cannotFail: left.cannotFail === true && right.cannotFail === true,
    };
  }

  private compileArithmeticNode(
    operator: ArithmeticOperator,
    node: ExpressionNode & { kind: 'binary' },
  ): Typed {
    const left = this.compile(node.left);
    const right = this.compile(node.right);
    const type = commonType(left.type, right.type);
    const valid = (side: Typed): boolean => side.type === 'null' || isNumericFamily(side.type);

    if (type === null || !valid(left) || !valid(right)) {
      throw new ExpressionError(
        `cannot apply "${operator}" to ${left.type} and ${right.type}`,
        node.position,
      );
    }

    const constant = left.constant && right.constant;

    if (left.type === 'null' || right.type === 'null') {
      return { type, evaluate: NULL_EVALUATOR, constant: true };
    }

    const a = widenOperand(left, type);
    const b = widenOperand(right, type);

    return { type, evaluate: compileArithmetic(operator, type, a, b), constant };
  }

  private compileComparison(
    operator: ComparisonOperator,
    node: ExpressionNode & { kind: 'binary' },
  ): Typed {
    for (const side of [node.left, node.right]) {
      if (side.kind === 'null') {
        throw new ExpressionError(
          `a comparison with null is always null; write "is null" or "is not null"`,
          side.position,
        );
      }
    }

    let left = this.compile(node.left);
    let right = this.compile(node.right);

    // A string literal meets a typed column as a literal of that type: `day >= '2015-01-01'`.
    left = coerceLiteral(node.left, left, right.type);
    right = coerceLiteral(node.right, right, left.type);

    const type = commonType(left.type, right.type);

    if (type === null || type === 'json') {
      const hint =
        (left.type === 'timestamp' && right.type === 'timestamptz') ||
        (left.type === 'timestamptz' && right.type === 'timestamp')
          ? '; cast one of them with a cast step first'
          : '';

      throw new ExpressionError(
        `cannot compare ${left.type} with ${right.type}${hint}`,
        node.position,
      );
    }

    const constant = left.constant && right.constant;

    if (type === 'null') {
      return { type: 'boolean', evaluate: NULL_EVALUATOR, constant: true };
    }

    const a = widenOperand(left, type);
    const b = widenOperand(right, type);

    return { type: 'boolean', evaluate: compileComparisonOf(operator, type, a, b), constant };
  }

  private compileCall(node: ExpressionNode & { kind: 'call' }): Typed {
    const definition = this.functions.get(node.name);

    if (definition === undefined) {
      throw new ExpressionError(
        `unknown function "${node.name}"${didYouMean(node.name, this.functions.keys())}`,
        node.position,
      );
    }

    const count = node.args.length;

    if (count < definition.minArgs || count > definition.maxArgs) {
      throw new ExpressionError(
        `${node.name}() ${describeArity(definition)}, got ${count}`,
        node.position,
      );
    }

    const args = node.args.map((arg) => this.compile(arg));

    return definition.compile(args, node, this);
  }
}

function describeArity(definition: FunctionDefinition): string {
  const { minArgs, maxArgs } = definition;
  const plural = (count: number): string => (count === 1 ? 'argument' : 'arguments');

  if (minArgs === maxArgs) {
    return `takes ${minArgs} ${plural(minArgs)}`;
  }

  if (maxArgs === Number.POSITIVE_INFINITY) {
    return `takes at least ${minArgs} ${plural(minArgs)}`;
  }

  return `takes ${minArgs} to ${maxArgs} arguments`;
}

/** Throws unless the operand has one of the types (the `null` literal always passes). */
export function requireType(
  operand: Typed,
  types: readonly ExpressionType[],
  message: string,
  position: number,
): void {
  if (operand.type !== 'null' && !types.includes(operand.type)) {
    throw new ExpressionError(message, position);
  }
}

function compileNumber(text: string, negative: boolean, position: number): Typed {
  const signed = negative ? `-${text}` : text;

  if (/^\d+$/.test(text)) {
    const value = BigInt(signed);

    // As in PostgreSQL, a whole number beyond 64 bits is a numeric literal.
    return isInt64(value) ? constantOf('integer', value) : constantOf('numeric', value.toString());
  }

  if (/[eE]/.test(text)) {
    const value = Number(signed);

    if (!Number.isFinite(value)) {
      throw new ExpressionError(`number ${signed} is out of the float range`, position);
    }

    return constantOf('float', value);
  }

  return constantOf('numeric', formatDecimal(parseDecimal(signed)));
}

function negate(evaluate: Evaluator, type: ExpressionType): Evaluator {
  switch (type) {
    case 'integer':
      return (row) => {
        const value = evaluate(row);

        if (value === null) {
          return null;
        }

        const result = -(value as bigint);

        if (!isInt64(result)) {
          throw new EvaluationError('integer out of range');
        }

        return result;
      };

    case 'float':
      return (row) => {
        const value = evaluate(row);

        return value === null ? null : -(value as number);
      };

    case 'numeric':
      return (row) => {
        const value = evaluate(row);

        if (value === null) {
          return null;
        }

        const decimal = parseDecimal(value as string);

        return formatDecimal({ unscaled: -decimal.unscaled, scale: decimal.scale });
      };

    default:
      return NULL_EVALUATOR;
  }
}

/** Reads a string literal as the other operand's type at compile time; other operands pass through. */
function coerceLiteral(node: ExpressionNode, typed: Typed, otherType: ExpressionType): Typed {
  if (
    node.kind !== 'string' ||
    otherType === 'text' ||
    otherType === 'null' ||
    otherType === 'json'
  ) {
    return typed;
  }

  const result = createCaster(otherType)(node.value);

  if (!result.ok) {
    throw new ExpressionError(
      `cannot read '${node.value}' as ${otherType}: ${result.reason}`,
      node.position,
    );
  }

  return constantOf(otherType, result.value);
}

/** Builds a null-propagating comparison; integer, float, text, boolean and date compare with JS operators. */
function compileComparisonOf(
  operator: ComparisonOperator,
  type: ExpressionType,
  a: Evaluator,
  b: Evaluator,
): Evaluator {
  switch (type) {
    case 'numeric':
      return compareWith(operator, a, b, (x, y) =>
        compareDecimal(parseDecimal(x as string), parseDecimal(y as string)),
      );
    case 'timestamp':
    case 'timestamptz':
      return compareWith(operator, a, b, (x, y) => compareDateTime(x as string, y as string));
    default:
      return compareDirect(operator, a, b);
  }
}

function compareDirect(operator: ComparisonOperator, a: Evaluator, b: Evaluator): Evaluator {
  // Values of one type only: bigint with bigint, number with number, string with string.
  switch (operator) {
    case '=':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null ? null : x === y;
      };

    case '!=':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null ? null : x !== y;
      };

    case '<':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null ? null : (x as number) < (y as number);
      };

    case '<=':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null ? null : (x as number) <= (y as number);
      };

    case '>':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null ? null : (x as number) > (y as number);
      };

    case '>=':
      return (row) => {
        const x = a(row);

        if (x === null) {
          return null;
        }

        const y = b(row);

        return y === null ? null : (x as number) >= (y as number);
      };
  }
}

function compareWith(
  operator: ComparisonOperator,
  a: Evaluator,
  b: Evaluator,
  compare: (x: Value, y: Value) => number,
): Evaluator {
  const test = OUTCOME[operator];

  return (row) => {
    const x = a(row);

    if (x === null) {
      return null;
    }

    const y = b(row);

    return y === null ? null : test(compare(x, y));
  };
}

const OUTCOME: Record<ComparisonOperator, (order: number) => boolean> = {
  '=': (order) => order === 0,
  '!=': (order) => order !== 0,
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
};
