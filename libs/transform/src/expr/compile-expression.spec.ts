import {
  compileExpression,
  EvaluationError,
  ExpressionError,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
} from '.';
import { type ColumnType, type Value } from '../types';

const COLUMNS: { name: string; type: ColumnType; value: Value }[] = [
  { name: 'i', type: 'integer', value: 7n },
  { name: 'j', type: 'integer', value: -2n },
  { name: 'f', type: 'float', value: 2.5 },
  { name: 'n', type: 'numeric', value: '10.50' },
  { name: 't', type: 'text', value: 'Hello' },
  { name: 'b', type: 'boolean', value: true },
  { name: 'd', type: 'date', value: '2015-03-18' },
  { name: 'ts', type: 'timestamp', value: '2015-03-18T13:45:30.25' },
  { name: 'tz', type: 'timestamptz', value: '2015-03-18T13:45:30Z' },
  { name: 'js', type: 'json', value: '{"a":1}' },
  { name: 'ni', type: 'integer', value: null },
  { name: 'nf', type: 'float', value: null },
  { name: 'nt', type: 'text', value: null },
  { name: 'nb', type: 'boolean', value: null },
  { name: 'max temp', type: 'float', value: 12.5 },
  { name: 'constructor', type: 'text', value: 'ctor' },
  { name: '__proto__', type: 'text', value: 'proto' },
  { name: 'toString', type: 'integer', value: 3n },
  { name: 'prototype', type: 'integer', value: 4n },
  { name: 'say "hi"', type: 'text', value: 'quoted' },
  { name: 'and', type: 'integer', value: 1n },
];

const SCHEMA = COLUMNS.map((column, index) => ({ name: column.name, type: column.type, index }));
const ROW = COLUMNS.map((column) => column.value);

function run(text: string): { type: string; value: Value } {
  const compiled = compileExpression(text, SCHEMA);

  return { type: compiled.type, value: compiled.evaluate(ROW) };
}

function compileError(text: string): ExpressionError {
  try {
    compileExpression(text, SCHEMA);
  } catch (error) {
    if (error instanceof ExpressionError) {
      return error;
    }

    throw error;
  }

  throw new Error(`expected "${text}" to fail to compile`);
}

function evaluationError(text: string): string {
  const compiled = compileExpression(text, SCHEMA);

  try {
    compiled.evaluate(ROW);
  } catch (error) {
    if (error instanceof EvaluationError) {
      return error.message;
    }

    throw error;
  }

  throw new Error(`expected "${text}" to fail to evaluate`);
}

describe('compileExpression', () => {
  describe('literals and columns', () => {
    it.each<[string, string, Value]>([
      ['42', 'integer', 42n],
      ['-9223372036854775808', 'integer', -(2n ** 63n)],
      ['9223372036854775807', 'integer', 2n ** 63n - 1n],
      ['9223372036854775808', 'numeric', '9223372036854775808'],
      ['-9223372036854775809', 'numeric', '-9223372036854775809'],
      ['1.50', 'numeric', '1.50'],
      ['.5', 'numeric', '0.5'],
      ['-0.25', 'numeric', '-0.25'],
      ['1e3', 'float', 1000],
      ['2.5E-1', 'float', 0.25],
      ["'it''s'", 'text', "it's"],
      ["''", 'text', ''],
      ['true', 'boolean', true],
      ['FALSE', 'boolean', false],
      ['null', 'null', null],
      ['i', 'integer', 7n],
      ['"max temp"', 'float', 12.5],
      ['"say ""hi"""', 'text', 'quoted'],
      ['"and"', 'integer', 1n],
      ['tz', 'timestamptz', '2015-03-18T13:45:30Z'],
    ])('%s', (text, type, value) => {
      expect(run(text)).toEqual({ type, value });
    });
  });

  describe('arithmetic', () => {
    it.each<[string, string, Value]>([
      ['i + j', 'integer', 5n],
      ['i - j', 'integer', 9n],
      ['i * j', 'integer', -14n],
      ['i / j', 'integer', -3n],
      ['-7 / 2', 'integer', -3n],
      ['i % 4', 'integer', 3n],
      ['-7 % 4', 'integer', -3n],
      ['i + f', 'float', 9.5],
      ['f * 2', 'float', 5],
      ['f / 2', 'float', 1.25],
      ['f % 1', 'float', 0.5],
      ['f - 0.5', 'float', 2],
      ['n + 1', 'numeric', '11.50'],
      ['n - 0.505', 'numeric', '9.995'],
      ['n * 2', 'numeric', '21.00'],
      ['n * 0.1', 'numeric', '1.050'],
      ['0.1 + 0.2', 'numeric', '0.3'],
      ['n / 4', 'numeric', '2.625'],
      ['n / 3', 'numeric', '3.50'],
      ['n / 7', 'numeric', '1.50'],
      ['1 / 3.0', 'numeric', '0.3333333333333333'],
      ['1.0 / 300000000000000000000', 'numeric', '0.000000000000000000003333333333333333'],
      ['1.0 / 3', 'numeric', '0.3333333333333333'],
      ['2.0 / 3', 'numeric', '0.6666666666666667'],
      ['100000.0 / 3', 'numeric', '33333.33333333333'],
      ['n % 4', 'numeric', '2.50'],
      ['n + f', 'float', 13],
      ['-i', 'integer', -7n],
      ['-f', 'float', -2.5],
      ['-n', 'numeric', '-10.50'],
      ['+i', 'integer', 7n],
      ['- -i', 'integer', 7n],
      ['1 + 2 * 3', 'integer', 7n],
      ['(1 + 2) * 3', 'integer', 9n],
      ['10 - 4 - 3', 'integer', 3n],
      ['2 * -3', 'integer', -6n],
      ['ni + 1', 'integer', null],
      ['nf * f', 'float', null],
      ['null + 1', 'integer', null],
      ['1 - null', 'integer', null],
      ['"max temp" - f', 'float', 10],
      ['toString + prototype', 'integer', 7n],
    ])('%s', (text, type, value) => {
      expect(run(text)).toEqual({ type, value });
    });

    it.each<[string, string]>([
      ['i / 0', 'division by zero'],
      ['i % (j + 2)', 'division by zero'],
      ['f / (f - 2.5)', 'division by zero'],
      ['n / (i - 7)', 'division by zero'],
      ['i * 9223372036854775807', 'integer out of range'],
      ['-(i - 7 - 9223372036854775807 - 1)', 'integer out of range'],
      ['f * 1e308', 'float out of range'],
    ])('%s fails with %s', (text, message) => {
      expect(evaluationError(text)).toBe(message);
    });

    it('folds a constant division by zero into a compile error', () => {
      const error = compileError('1 / 0');

      expect(error.reason).toBe('division by zero');
      expect(error.position).toBe(3);
    });
  });

  describe('comparison', () => {
    it.each<[string, Value]>([
      ['i = 7', true],
      ['i != 7', false],
      ['i <> 8', true],
      ['i < 8', true],
      ['i <= 7', true],
      ['i > 7', false],
      ['i >= 8', false],
      ['i = 7.0', true],
      ['i < f * 3', true],
      ['f = 2.5', true],
      ['n = 10.5', true],
      ['n > 10.49', true],
      ['n < i', false],
      ["t = 'Hello'", true],
      ["t < 'Help'", true],
      ["t > 'Hello'", false],
      ['b = true', true],
      ['false < true', true],
      ["d = '2015-03-18'", true],
      ["d > '2015-03-01'", true],
      ["d < '2015-12-01'", true],
      ["ts > '2015-03-18 13:45:30'", true],
      ["ts = '2015-03-18T13:45:30.250'", true],
      ['d < ts', true],
      ["tz = '2015-03-18T15:45:30+02:00'", true],
      ['ni = 1', null],
      ['nt < t', null],
      ['i = 7 and t = nt', null],
    ])('%s', (text, value) => {
      expect(run(text)).toEqual({ type: 'boolean', value });
    });
  });

  describe('logic and null tests', () => {
    it.each<[string, Value]>([
      ['true and true', true],
      ['true and false', false],
      ['true and nb', null],
      ['false and nb', false],
      ['nb and false', false],
      ['nb and nb', null],
      ['true or nb', true],
      ['nb or true', true],
      ['false or nb', null],
      ['false or false', false],
      ['not b', false],
      ['not nb', null],
      ['not i = 8', true],
      ['not b and b', false],
      ['b or b and false', true],
      ['ni is null', true],
      ['i is null', false],
      ['i IS NOT NULL', true],
      ['nt is not null', false],
      ['i + ni is null', true],
      ['i = 7 is not null', true],
    ])('%s', (text, value) => {
      expect(run(text)).toEqual({ type: 'boolean', value });
    });
  });

  describe('concatenation', () => {
    it.each<[string, Value]>([
      ["t || ' world'", 'Hello world'],
      ["t || '-' || i", 'Hello-7'],
      ["'f=' || f", 'f=2.5'],
      ["'n=' || n", 'n=10.50'],
      ["b || ''", 'true'],
      ["d || ''", '2015-03-18'],
      ['t || nt', null],
      ["'x' || 1 + 2", 'x3'],
    ])('%s', (text, value) => {
      expect(run(text)).toEqual({ type: 'text', value });
    });
  });

  describe('functions', () => {
    it.each<[string, string, Value]>([
      ['lower(t)', 'text', 'hello'],
      ['UPPER(t)', 'text', 'HELLO'],
      ["trim('  x y ')", 'text', 'x y'],
      ['length(t)', 'integer', 5n],
      ["length('naïve 😀')", 'integer', 7n],
      ['length(nt)', 'integer', null],
      ['substr(t, 2)', 'text', 'ello'],
      ['substr(t, 2, 3)', 'text', 'ell'],
      ['substr(t, 0, 2)', 'text', 'H'],
      ['substr(t, -5, 7)', 'text', 'H'],
      ['substr(t, 9)', 'text', ''],
      ["substr('a😀b', 2, 1)", 'text', '😀'],
      ['substr(t, ni)', 'text', null],
      ['coalesce(ni, i)', 'integer', 7n],
      ['coalesce(ni, nf, 1)', 'float', 1],
      ['coalesce(nt, nt)', 'text', null],
      ["coalesce(nt, t, 'x')", 'text', 'Hello'],
      ['coalesce(null, d)', 'date', '2015-03-18'],
      ['round(f)', 'float', 3],
      ['round(-f)', 'float', -3],
      ['round(1.005e0, 2)', 'float', 1.01],
      ['round(1234.5678e0, -2)', 'float', 1200],
      ['round(n)', 'numeric', '11'],
      ['round(n, 1)', 'numeric', '10.5'],
      ['round(-2.345, 2)', 'numeric', '-2.35'],
      ['round(n, 3)', 'numeric', '10.500'],
      ['round(1250, -2)', 'integer', 1300n],
      ['round(-1250, -2)', 'integer', -1300n],
      ['round(i, 2)', 'integer', 7n],
      ['round(nf)', 'float', null],
      ['abs(j)', 'integer', 2n],
      ['abs(-f)', 'float', 2.5],
      ['abs(-n)', 'numeric', '10.50'],
      ["date_part('year', d)", 'integer', 2015n],
      ["date_part('quarter', d)", 'integer', 1n],
      ["date_part('month', d)", 'integer', 3n],
      ["date_part('week', d)", 'integer', 12n],
      ["date_part('week', to_date('2016-01-01'))", 'integer', 53n],
      ["date_part('day', d)", 'integer', 18n],
      ["date_part('dow', d)", 'integer', 3n],
      ["date_part('isodow', to_date('2015-03-22'))", 'integer', 7n],
      ["date_part('doy', d)", 'integer', 77n],
      ["date_part('HOUR', ts)", 'integer', 13n],
      ["date_part('minute', ts)", 'integer', 45n],
      ["date_part('second', ts)", 'float', 30.25],
      ["date_part('hour', d)", 'integer', 0n],
      ["date_part('epoch', tz)", 'float', 1426686330],
      ["date_part('epoch', d)", 'float', 1426636800],
      ["date_trunc('month', d)", 'date', '2015-03-01'],
      ["date_trunc('year', d)", 'date', '2015-01-01'],
      ["date_trunc('quarter', to_date('2015-08-17'))", 'date', '2015-07-01'],
      ["date_trunc('week', d)", 'date', '2015-03-16'],
      ["date_trunc('week', to_date('2015-03-01'))", 'date', '2015-02-23'],
      ["date_trunc('hour', ts)", 'timestamp', '2015-03-18T13:00:00'],
      ["date_trunc('second', ts)", 'timestamp', '2015-03-18T13:45:30'],
      ["date_trunc('day', tz)", 'timestamptz', '2015-03-18T00:00:00Z'],
      ["to_date('2015-03-18')", 'date', '2015-03-18'],
      ["to_date('18/03/2015', 'dd/MM/yyyy')", 'date', '2015-03-18'],
      ['to_date(ts)', 'date', '2015-03-18'],
      ['to_date(tz)', 'date', '2015-03-18'],
      ['to_date(d)', 'date', '2015-03-18'],
      ['to_date(nt)', 'date', null],
      ["if(i > 5, 'big', 'small')", 'text', 'big'],
      ["if(i > 50, 'big', 'small')", 'text', 'small'],
      ["if(nb, 'yes', 'no')", 'text', 'no'],
      ['if(b, i, f)', 'float', 7],
      ['if(b, null, i)', 'integer', null],
      ['if(b, d, ts)', 'timestamp', '2015-03-18T00:00:00'],
    ])('%s', (text, type, value) => {
      expect(run(text)).toEqual({ type, value });
    });

    it('evaluates only the branch if() takes', () => {
      expect(run('if(i > 0, i, i / (i - 7))').value).toBe(7n);
    });

    it('evaluates coalesce() lazily', () => {
      expect(run('coalesce(i, i / (i - 7))').value).toBe(7n);
    });

    it('reports a date to_date cannot read', () => {
      expect(evaluationError("to_date(t || '')")).toMatch(/ISO 8601/);
    });

    it('rejects a negative substr length', () => {
      expect(evaluationError('substr(t, 1, j)')).toBe('negative substring length');
    });
  });

  describe('compile errors', () => {
    it.each<[string, string, number]>([
      ["'a' + 1", 'cannot apply "+" to text and integer', 5],
      ['t * 2', 'cannot apply "*" to text and integer', 3],
      ['b - 1', 'cannot apply "-" to boolean and integer', 3],
      ['d + 1', 'cannot apply "+" to date and integer', 3],
      ['-t', 'cannot apply unary "-" to text', 1],
      ['not i', '"not" needs a boolean operand, got integer', 1],
      ['i and b', '"and" needs boolean operands, got integer', 3],
      ['t = 1', 'cannot compare text with integer', 3],
      [
        'ts < tz',
        'cannot compare timestamp with timestamptz; cast one of them with a cast step first',
        4,
      ],
      ['d = tz', 'cannot compare date with timestamptz', 3],
      ['js = js', 'cannot compare json with json', 4],
      ['i = null', 'a comparison with null is always null; write "is null" or "is not null"', 5],
      ['tmep', 'unknown column "tmep"', 1],
      ['1 + "Max Temp"', 'unknown column "Max Temp", did you mean "max temp"?', 5],
      ['lowr(t)', 'unknown function "lowr", did you mean "lower"?', 1],
      ['frobnicate(t)', 'unknown function "frobnicate"', 1],
      ['lower(t, t)', 'lower() takes 1 argument, got 2', 1],
      ['substr(t)', 'substr() takes 2 to 3 arguments, got 1', 1],
      ['coalesce()', 'coalesce() takes at least 1 argument, got 0', 1],
      ['if(b, 1)', 'if() takes 3 arguments, got 2', 1],
      ['lower(i)', 'lower() needs a text argument, got integer', 7],
      ['length(d)', 'length() needs a text argument, got date', 8],
      ['substr(t, 1.5)', 'substr() needs integer positions, got numeric', 11],
      ['coalesce(i, t)', 'coalesce() arguments mix integer and text', 13],
      ['if(i, 1, 2)', 'if() needs a boolean condition, got integer', 4],
      ["if(b, 1, 'x')", 'if() branches mix integer and text', 10],
      ['round(t)', 'round() needs a number, got text', 7],
      ['round(f, 1.5)', 'round() needs integer digits, got numeric', 10],
      ['abs(d)', 'abs() needs a number, got date', 5],
      [
        "date_part('yr', d)",
        'unknown date part \'yr\', did you mean "year"? (expected one of year, quarter, month, week, day, dow, isodow, doy, hour, minute, second, epoch)',
        11,
      ],
      ['date_part(t, d)', "date_part() needs the date part as a string literal such as 'year'", 11],
      ["date_part('year', t)", 'date_part() needs a date, timestamp or timestamptz, got text', 19],
      [
        "date_trunc('decade', d)",
        "unknown unit 'decade' (expected one of year, quarter, month, week, day, hour, minute, second)",
        12,
      ],
      ['to_date(i)', 'to_date() needs text or a date-time, got integer', 9],
      [
        'to_date(t, t)',
        "to_date() takes a format only as a string literal after a text value, such as to_date(day, 'dd/MM/yyyy')",
        12,
      ],
      ["d > '2015-13-45'", "cannot read '2015-13-45' as date", 5],
      ["i = 'seven'", "cannot read 'seven' as integer: not an integer", 5],
      ['1e999', 'number 1e999 is out of the float range', 1],
    ])('%s', (text, reason, position) => {
      const error = compileError(text);

      expect(error.reason).toContain(reason);
      expect(error.position).toBe(position);
    });
  });

  describe('syntax errors', () => {
    it.each<[string, string, number]>([
      ['', 'expression is empty', 1],
      ['   ', 'expression is empty', 1],
      ['1 +', 'unexpected end of expression', 4],
      ['(1 + 2', 'expected ")" to close the parenthesis, found the end of the expression', 7],
      ['1 + 2)', 'unexpected ")"', 6],
      [
        'lower(t',
        'expected ")" to close the arguments of lower(), found the end of the expression',
        8,
      ],
      ["'open", 'unterminated string', 1],
      ['"open', 'unterminated quoted column name', 1],
      ['""', 'empty quoted column name', 1],
      ['i # 2', 'unexpected character "#"', 3],
      ['i == 2', 'unexpected "="', 4],
      ['1 < i < 9', 'comparisons cannot be chained; combine them with "and"', 7],
      ['1e', 'invalid number: the exponent has no digits', 1],
      ['12abc', 'invalid number "12a"', 1],
      ['1.2.3', 'invalid number "1.2."', 1],
      ['i is 2', 'expected "null" after "is", found "2"', 6],
      ['and', 'unexpected keyword "and"; write a column with this name in double quotes', 1],
      ['t.length', 'unexpected character "."', 2],
      ['t[0]', 'unexpected character "["', 2],
      ['i, 2', 'unexpected ","', 2],
    ])('%j', (text, reason, position) => {
      const error = compileError(text);

      expect(error.reason).toBe(reason);
      expect(error.position).toBe(position);
    });
  });

  describe('hostile input', () => {
    it.each(['constructor', '__proto__', 'prototype', 'toString'])(
      'reads %s as a column',
      (name) => {
        const column = COLUMNS.find((candidate) => candidate.name === name)!;

        expect(run(name).value).toBe(column.value);
        expect(run(`"${name}"`).value).toBe(column.value);
      },
    );

    it.each(['hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'])(
      'treats %s as an unknown column',
      (name) => {
        expect(compileError(name).reason).toMatch(/^unknown column/);
      },
    );

    it.each(['constructor(t)', '__proto__(t)', 'toString(i)', 'eval(t)', 'Function(t)'])(
      'treats %s as an unknown function',
      (text) => {
        expect(compileError(text).reason).toMatch(/^unknown function/);
      },
    );

    it('rejects 10,000 nested parentheses without overflowing the stack', () => {
      const text = `${'('.repeat(10_000)}1${')'.repeat(10_000)}`;
      const error = compileError(text);

      expect(error.reason).toBe(
        `expression nests too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`,
      );
    });

    it('rejects 10,000 nested function calls', () => {
      const text = `${'abs('.repeat(10_000)}1${')'.repeat(10_000)}`;

      expect(compileError(text).reason).toMatch(/nests too deeply/);
    });

    it('rejects 10,000 prefix operators', () => {
      expect(compileError(`${'-'.repeat(10_000)}1`).reason).toMatch(/nests too deeply/);
      expect(compileError(`${'not '.repeat(10_000)}b`).reason).toMatch(/nests too deeply/);
    });

    it('rejects a long flat chain that would build a deep tree', () => {
      const text = Array.from({ length: 5_000 }, () => 'i').join(' + ');

      expect(compileError(text).reason).toMatch(/nests too deeply/);
    });

    it('accepts nesting up to the limit', () => {
      const depth = MAX_EXPRESSION_DEPTH - 2;
      const text = `${'('.repeat(depth)}i${')'.repeat(depth)}`;

      expect(run(text).value).toBe(7n);
    });

    it('accepts a chain just under the limit', () => {
      const text = Array.from({ length: MAX_EXPRESSION_DEPTH }, () => '1').join(' + ');

      expect(run(text).value).toBe(BigInt(MAX_EXPRESSION_DEPTH));
    });

    it('rejects 1 MB of input before parsing it', () => {
      const text = `'${'x'.repeat(1_000_000)}'`;

      expect(compileError(text).reason).toBe(
        `expression is too long (1000002 characters, the maximum is ${MAX_EXPRESSION_LENGTH})`,
      );
    });

    it('reads a string literal with code-like text as plain text', () => {
      expect(run("'${process.exit()}' || '\\x41'").value).toBe('${process.exit()}\\x41');
    });
  });

  it('reports the columns it reads, each once', () => {
    const compiled = compileExpression('i + i * f + length(t)', SCHEMA);

    expect(compiled.reads).toEqual([0, 2, 4]);
  });

  it.each([
    ['t', true],
    ["'a'", true],
    ['null', true],
    ["t || '-' || t", true],
    ['i || f || b', true],
    ["upper(t) || '-'", false],
    ['i + 1', false],
    ['i > 0', false],
    ["t || ('x' || i / j)", false],
  ])('marks %s as cannot fail: %s', (text, cannotFail) => {
    expect(compileExpression(text, SCHEMA).cannotFail).toBe(cannotFail);
  });

  it('looks columns up by index, not by position in the schema', () => {
    const compiled = compileExpression('a - b', [
      { name: 'a', type: 'integer', index: 5 },
      { name: 'b', type: 'integer', index: 1 },
    ]);

    expect(compiled.evaluate([null, 2n, null, null, null, 10n])).toBe(8n);
  });
});
