import { type Value } from '../types';
import { createCaster } from '../values';
import { type ExpressionNode } from './ast';
import { type FunctionDefinition, requireType, type Typed, widenOperand } from './compiler';
import {
  DATE_PARTS,
  type DatePart,
  datePart,
  dateTrunc,
  TRUNC_UNITS,
  type TruncUnit,
} from './datetime.util';
import { floatToDecimal, formatDecimal, parseDecimal, roundDecimal } from './decimal.util';
import { EvaluationError, ExpressionError } from './expression-error';
import { didYouMean } from './suggest.util';
import {
  commonType,
  type Evaluator,
  type ExpressionType,
  isInt64,
  isNumericFamily,
  isTemporal,
} from './type-rules';

type CallNode = ExpressionNode & { kind: 'call' };

function argPosition(call: CallNode, index: number): number {
  return call.args[index].position;
}

/** Wraps a one-argument function so null in gives null out. */
function unary(typed: Typed, type: ExpressionType, apply: (value: Value) => Value): Typed {
  const { evaluate } = typed;

  return {
    type,
    evaluate: (row) => {
      const value = evaluate(row);

      return value === null ? null : apply(value);
    },
    constant: typed.constant,
  };
}

function textFunction(
  name: string,
  apply: (value: string) => Value,
  type: ExpressionType,
): FunctionDefinition {
  return {
    minArgs: 1,
    maxArgs: 1,
    compile(args, call) {
      requireType(
        args[0],
        ['text'],
        `${name}() needs a text argument, got ${args[0].type}`,
        argPosition(call, 0),
      );

      return unary(args[0], type, (value) => apply(value as string));
    },
  };
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Counts characters as Unicode code points, as PostgreSQL's length() does. */
function codePointLength(text: string): number {
  if (!SURROGATE.test(text)) {
    return text.length;
  }

  let count = 0;

  for (const _ of text) {
    count += 1;
  }

  return count;
}

/** PostgreSQL's substr: 1-based start, which may be below 1; the count ends at start + count. */
function substring(text: string, start: number, count: number | null): string {
  if (count !== null && count < 0) {
    throw new EvaluationError('negative substring length');
  }

  const characters = SURROGATE.test(text) ? Array.from(text) : null;
  const length = characters === null ? text.length : characters.length;
  const from = Math.max(start, 1);
  const to = count === null ? length + 1 : Math.min(start + count, length + 1);

  if (to <= from) {
    return '';
  }

  return characters === null
    ? text.slice(from - 1, to - 1)
    : characters.slice(from - 1, to - 1).join('');
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function toPosition(value: Value): number {
  const big = value as bigint;

  // Positions beyond any string's length act alike, so clamping keeps them exact enough.
  if (big > MAX_SAFE) {
    return Number.MAX_SAFE_INTEGER;
  }

  if (big < -MAX_SAFE) {
    return -Number.MAX_SAFE_INTEGER;
  }

  return Number(big);
}

const substr: FunctionDefinition = {
  minArgs: 2,
  maxArgs: 3,
  compile(args, call) {
    requireType(
      args[0],
      ['text'],
      `substr() needs a text first argument, got ${args[0].type}`,
      argPosition(call, 0),
    );

    for (let index = 1; index < args.length; index += 1) {
      requireType(
        args[index],
        ['integer'],
        `substr() needs integer positions, got ${args[index].type}`,
        argPosition(call, index),
      );
    }

    const text = args[0].evaluate;
    const start = args[1].evaluate;
    const count = args.length === 3 ? args[2].evaluate : null;

    return {
      type: 'text',
      evaluate: (row) => {
        const value = text(row);
        const from = start(row);
        const take = count === null ? null : count(row);

        if (value === null || from === null || (count !== null && take === null)) {
          return null;
        }

        return substring(
          value as string,
          toPosition(from),
          take === null ? null : toPosition(take),
        );
      },
      constant: args.every((arg) => arg.constant),
    };
  },
};

/** Finds the type all arguments widen to, or throws at the first one that does not fit. */
function unify(args: Typed[], call: CallNode, label: string): ExpressionType {
  let type: ExpressionType = 'null';

  args.forEach((arg, index) => {
    const next = commonType(type, arg.type);

    if (next === null) {
      throw new ExpressionError(`${label} mix ${type} and ${arg.type}`, argPosition(call, index));
    }

    type = next;
  });

  return type;
}

const coalesce: FunctionDefinition = {
  minArgs: 1,
  maxArgs: Number.POSITIVE_INFINITY,
  compile(args, call) {
    const type = unify(args, call, 'coalesce() arguments');
    const evaluators = args.map((arg) => widenOperand(arg, type));

    return {
      type,
      evaluate: (row) => {
        for (const evaluate of evaluators) {
          const value = evaluate(row);

          if (value !== null) {
            return value;
          }
        }

        return null;
      },
      constant: args.every((arg) => arg.constant),
    };
  },
};

const conditional: FunctionDefinition = {
  minArgs: 3,
  maxArgs: 3,
  compile(args, call) {
    requireType(
      args[0],
      ['boolean'],
      `if() needs a boolean condition, got ${args[0].type}`,
      argPosition(call, 0),
    );

    const type = unify(args.slice(1), { ...call, args: call.args.slice(1) }, 'if() branches');
    const condition = args[0].evaluate;
    const whenTrue = widenOperand(args[1], type);
    const whenFalse = widenOperand(args[2], type);

    return {
      type,
      // A null condition counts as false, as in a filter.
      evaluate: (row) => (condition(row) === true ? whenTrue(row) : whenFalse(row)),
      constant: args.every((arg) => arg.constant),
    };
  },
};

function checkedInteger(value: bigint): bigint {
  if (!isInt64(value)) {
    throw new EvaluationError('integer out of range');
  }

  return value;
}

function roundFloat(value: number, digits: number): number {
  if (!Number.isFinite(value)) {
    return value;
  }

  if (digits === 0) {
    return Math.sign(value) * Math.round(Math.abs(value));
  }

  return Number(formatDecimal(roundDecimal(floatToDecimal(value), digits)));
}

const round: FunctionDefinition = {
  minArgs: 1,
  maxArgs: 2,
  compile(args, call) {
    const [value, digitsArg] = args;

    if (!isNumericFamily(value.type) && value.type !== 'null') {
      throw new ExpressionError(`round() needs a number, got ${value.type}`, argPosition(call, 0));
    }

    if (digitsArg !== undefined) {
      requireType(
        digitsArg,
        ['integer'],
        `round() needs integer digits, got ${digitsArg.type}`,
        argPosition(call, 1),
      );
    }

    const evaluateValue = value.evaluate;
    const evaluateDigits: Evaluator = digitsArg === undefined ? () => 0n : digitsArg.evaluate;
    const apply = (x: Value, digits: number): Value => {
      switch (value.type) {
        case 'integer':
          return digits >= 0
            ? x
            : checkedInteger(roundDecimal({ unscaled: x as bigint, scale: 0 }, digits).unscaled);
        case 'float':
          return roundFloat(x as number, digits);
        default:
          return formatDecimal(roundDecimal(parseDecimal(x as string), digits));
      }
    };

    return {
      type: value.type,
      evaluate: (row) => {
        const x = evaluateValue(row);
        const digits = evaluateDigits(row);

        return x === null || digits === null ? null : apply(x, toPosition(digits));
      },
      constant: args.every((arg) => arg.constant),
    };
  },
};

const abs: FunctionDefinition = {
  minArgs: 1,
  maxArgs: 1,
  compile(args, call) {
    const [value] = args;

    switch (value.type) {
      case 'integer':
        return unary(value, 'integer', (x) =>
          checkedInteger((x as bigint) < 0n ? -(x as bigint) : (x as bigint)),
        );
      case 'float':
        return unary(value, 'float', (x) => Math.abs(x as number));
      case 'numeric':
        return unary(value, 'numeric', (x) =>
          (x as string).startsWith('-') ? (x as string).slice(1) : x,
        );
      case 'null':
        return value;
      default:
        throw new ExpressionError(`abs() needs a number, got ${value.type}`, argPosition(call, 0));
    }
  },
};

/** Reads a function's first argument as a constant keyword such as `'year'`. */
function keywordArgument<T extends string>(
  args: Typed[],
  call: CallNode,
  allowed: readonly T[],
  label: string,
): T {
  const [arg] = args;
  const value = arg.constant && arg.type === 'text' ? arg.evaluate([]) : null;

  if (typeof value !== 'string') {
    throw new ExpressionError(
      `${call.name}() needs the ${label} as a string literal such as '${allowed[0]}'`,
      argPosition(call, 0),
    );
  }

  const lower = value.toLowerCase();
  const match = allowed.find((candidate) => candidate === lower);

  if (match === undefined) {
    throw new ExpressionError(
      `unknown ${label} '${value}'${didYouMean(lower, allowed)} (expected one of ${allowed.join(', ')})`,
      argPosition(call, 0),
    );
  }

  return match;
}

function requireTemporal(arg: Typed, call: CallNode, index: number): void {
  if (!isTemporal(arg.type) && arg.type !== 'null') {
    throw new ExpressionError(
      `${call.name}() needs a date, timestamp or timestamptz, got ${arg.type}`,
      argPosition(call, index),
    );
  }
}

const datePartFunction: FunctionDefinition = {
  minArgs: 2,
  maxArgs: 2,
  compile(args, call) {
    const part: DatePart = keywordArgument(args, call, DATE_PARTS, 'date part');

    requireTemporal(args[1], call, 1);

    const type = part === 'second' || part === 'epoch' ? 'float' : 'integer';

    return unary(args[1], type, (value) => datePart(part, value as string));
  },
};

const dateTruncFunction: FunctionDefinition = {
  minArgs: 2,
  maxArgs: 2,
  compile(args, call) {
    const unit: TruncUnit = keywordArgument(args, call, TRUNC_UNITS, 'unit');

    requireTemporal(args[1], call, 1);

    const type = args[1].type;

    if (type === 'null') {
      return args[1];
    }

    const kind = type as 'date' | 'timestamp' | 'timestamptz';

    return unary(args[1], kind, (value) => dateTrunc(unit, value as string, kind));
  },
};

const toDate: FunctionDefinition = {
  minArgs: 1,
  maxArgs: 2,
  compile(args, call) {
    const [value, formatArg] = args;

    if (value.type !== 'text' && value.type !== 'null' && !isTemporal(value.type)) {
      throw new ExpressionError(
        `to_date() needs text or a date-time, got ${value.type}`,
        argPosition(call, 0),
      );
    }

    let format: string | undefined;

    if (formatArg !== undefined) {
      const literal =
        formatArg.constant && formatArg.type === 'text' ? formatArg.evaluate([]) : null;

      if (typeof literal !== 'string' || value.type !== 'text') {
        throw new ExpressionError(
          `to_date() takes a format only as a string literal after a text value, such as to_date(day, 'dd/MM/yyyy')`,
          argPosition(call, 1),
        );
      }

      format = literal;
    }

    if (value.type !== 'text') {
      // A date-time's date is the part before the `T`, in UTC for timestamptz.
      return unary(value, 'date', (x) => {
        const text = x as string;
        const separator = text.indexOf('T');

        return separator < 0 ? text : text.slice(0, separator);
      });
    }

    let caster: ReturnType<typeof createCaster>;

    try {
      caster = createCaster('date', format === undefined ? {} : { format });
    } catch (error) {
      throw new ExpressionError(
        `invalid date format: ${(error as Error).message}`,
        argPosition(call, 1),
      );
    }

    return unary(value, 'date', (x) => {
      const result = caster(x);

      if (!result.ok) {
        throw new EvaluationError(result.reason);
      }

      return result.value;
    });
  },
};

/** The fixed function table: the only functions an expression can call. */
export const FUNCTIONS: ReadonlyMap<string, FunctionDefinition> = new Map<
  string,
  FunctionDefinition
>([
  ['lower', textFunction('lower', (value) => value.toLowerCase(), 'text')],
  ['upper', textFunction('upper', (value) => value.toUpperCase(), 'text')],
  ['trim', textFunction('trim', (value) => value.trim(), 'text')],
  ['length', textFunction('length', (value) => BigInt(codePointLength(value)), 'integer')],
  ['substr', substr],
  ['coalesce', coalesce],
  ['round', round],
  ['abs', abs],
  ['date_part', datePartFunction],
  ['date_trunc', dateTruncFunction],
  ['to_date', toDate],
  ['if', conditional],
]);
