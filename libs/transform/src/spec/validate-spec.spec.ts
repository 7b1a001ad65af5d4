import { formatSpecError, SpecValidationError, validateSpec } from '.';
import { createTransformer } from '../engine';
import { type InputColumn } from '../types';

const COLUMNS: InputColumn[] = [
  { name: 'date', type: 'date' },
  { name: 'temp_max', type: 'float' },
  { name: 'temp_min', type: 'float' },
  { name: 'weather' },
];

function errorsOf(spec: unknown, columns: readonly (string | InputColumn)[] = COLUMNS): string[] {
  return validateSpec(spec, columns).map(formatSpecError);
}

function shapeErrorsOf(spec: unknown): string[] {
  return validateSpec(spec).map(formatSpecError);
}

describe('validateSpec shape', () => {
  it.each<[string, unknown, string[]]>([
    ['not an object', [], ['the spec must be a JSON object with a "steps" array']],
    ['null', null, ['the spec must be a JSON object with a "steps" array']],
    ['missing steps', {}, ['steps: missing or not an array; write "steps": [] for no steps']],
    [
      'unknown top-level field',
      { steps: [], onEror: 'fail' },
      ['onEror: unknown field, did you mean "onError"?'],
    ],
    [
      'unknown policy',
      { steps: [], onError: 'skip' },
      ['onError: must be one of "fail", "reject-row", "null"'],
    ],
    [
      'step not an object',
      { steps: ['trim'] },
      ['steps[0]: a step must be a JSON object with an "op" field'],
    ],
    [
      'missing op',
      { steps: [{ column: 'x' }] },
      [
        'steps[0].op: missing "op" (expected one of select, drop, rename, cast, derive, filter, fill, trim, replace, split, dedupe, nulls)',
      ],
    ],
    [
      'unknown op',
      { steps: [{ op: 'derived', column: 'x', expr: '1' }] },
      [
        'steps[0].op: unknown op "derived", did you mean "derive"? (expected one of select, drop, rename, cast, derive, filter, fill, trim, replace, split, dedupe, nulls)',
      ],
    ],
    [
      'unknown field on a step',
      { steps: [{ op: 'rename', from: 'a', to: 'b', form: 'x' }] },
      ['steps[0].form: unknown field for "rename", did you mean "from"?'],
    ],
    ['missing field', { steps: [{ op: 'rename', from: 'a' }] }, ['steps[0].to: missing']],
    [
      'empty name',
      { steps: [{ op: 'rename', from: '', to: 'b' }] },
      ['steps[0].from: must be a non-empty string'],
    ],
    [
      'number for a name',
      { steps: [{ op: 'cast', column: 3, type: 'integer' }] },
      ['steps[0].column: must be a non-empty string'],
    ],
    [
      'unknown type',
      { steps: [{ op: 'cast', column: 'a', type: 'int' }] },
      [
        'steps[0].type: unknown type, did you mean "integer"? (expected one of text, integer, float, numeric, boolean, date, timestamp, timestamptz, json)',
      ],
    ],
    [
      'empty columns',
      { steps: [{ op: 'select', columns: [] }] },
      ['steps[0].columns: must be a non-empty array of column names'],
    ],
    [
      'column listed twice',
      { steps: [{ op: 'drop', columns: ['a', 'a'] }] },
      ['steps[0].columns[1]: column "a" is listed twice'],
    ],
    [
      'non-string column',
      { steps: [{ op: 'drop', columns: ['a', 7] }] },
      ['steps[0].columns[1]: must be a non-empty string'],
    ],
    [
      'fill method',
      { steps: [{ op: 'fill', column: 'a', method: 'mean' }] },
      ['steps[0].method: must be one of "constant", "previous"'],
    ],
    [
      'fill constant without value',
      { steps: [{ op: 'fill', column: 'a', method: 'constant' }] },
      ['steps[0].value: fill with method "constant" needs a non-null value'],
    ],
    [
      'fill constant with an object',
      { steps: [{ op: 'fill', column: 'a', method: 'constant', value: {} }] },
      ['steps[0].value: must be a string, number or boolean'],
    ],
    [
      'fill previous with a value',
      { steps: [{ op: 'fill', column: 'a', method: 'previous', value: 1 }] },
      ['steps[0].value: fill with method "previous" takes no value'],
    ],
    [
      'dedupe keep',
      { steps: [{ op: 'dedupe', keys: ['a'], keep: 'any' }] },
      ['steps[0].keep: must be one of "first", "last"'],
    ],
    [
      'replace empty find',
      { steps: [{ op: 'replace', column: 'a', find: '', replace: 'x' }] },
      ['steps[0].find: must be a non-empty string'],
    ],
    [
      'replace regex not boolean',
      { steps: [{ op: 'replace', column: 'a', find: 'a', replace: 'x', regex: 'yes' }] },
      ['steps[0].regex: must be true or false'],
    ],
    [
      'invalid regex',
      { steps: [{ op: 'replace', column: 'a', find: '(a', replace: 'x', regex: true }] },
      [
        'steps[0].find: invalid regular expression: Invalid regular expression: /(a/gu: Unterminated group',
      ],
    ],
    [
      'split empty separator',
      { steps: [{ op: 'split', column: 'a', separator: '', into: ['x'] }] },
      ['steps[0].separator: must be a non-empty string'],
    ],
    [
      'nulls values not strings',
      { steps: [{ op: 'nulls', values: [1] }] },
      ['steps[0].values: must be an array of strings'],
    ],
    [
      'expression syntax',
      { steps: [{ op: 'filter', expr: 'a >' }] },
      ['steps[0].expr: unexpected end of expression at position 4'],
    ],
    [
      'expression not a string',
      { steps: [{ op: 'filter', expr: 1 }] },
      ['steps[0].expr: must be a string'],
    ],
    [
      'several errors at once',
      { steps: [{ op: 'select' }, { op: 'derive', column: 'x' }], onError: 1 },
      [
        'onError: must be one of "fail", "reject-row", "null"',
        'steps[0].columns: missing',
        'steps[1].expr: missing',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(shapeErrorsOf(spec)).toEqual(expected);
  });

  it('accepts every step in its full form', () => {
    const spec = {
      steps: [
        { op: 'select', columns: ['a', 'b', 'c', 'd'] },
        { op: 'drop', columns: ['d'] },
        { op: 'rename', from: 'a', to: 'x' },
        {
          op: 'cast',
          column: 'b',
          type: 'date',
          format: 'dd/MM/yyyy',
          timezone: 'UTC',
        },
        { op: 'derive', column: 'y', type: 'text', expr: "x || '!'" },
        { op: 'filter', expr: 'y is not null' },
        { op: 'fill', column: 'y', method: 'constant', value: '?' },
        { op: 'fill', column: 'x', method: 'previous' },
        { op: 'trim' },
        { op: 'trim', columns: ['c'] },
        { op: 'replace', column: 'c', find: '\\s+', replace: ' ', regex: true },
        { op: 'split', column: 'c', separator: ',', into: ['c1', 'c2'] },
        { op: 'nulls', values: ['NA'], columns: ['c1'] },
        { op: 'dedupe', keys: ['x', 'y'], keep: 'last' },
      ],
      onError: 'null',
    };

    expect(shapeErrorsOf(spec)).toEqual([]);
    expect(errorsOf(spec, ['a', 'b', 'c', 'd'])).toEqual([]);
  });
});

describe('validateSpec against columns', () => {
  it.each<[string, unknown, string[]]>([
    [
      'unknown column with a suggestion',
      {
        steps: [
          { op: 'derive', column: 'x', expr: '1' },
          { op: 'cast', column: 'tmep_max', type: 'integer' },
        ],
      },
      ['steps[1].column: unknown column "tmep_max", did you mean "temp_max"?'],
    ],
    [
      'unknown column without a suggestion',
      { steps: [{ op: 'drop', columns: ['pressure'] }] },
      ['steps[0].columns[0]: unknown column "pressure"'],
    ],
    [
      'select of a dropped column',
      {
        steps: [
          { op: 'drop', columns: ['weather'] },
          { op: 'select', columns: ['weather'] },
        ],
      },
      ['steps[1].columns[0]: unknown column "weather"'],
    ],
    [
      'rename of an unknown column',
      { steps: [{ op: 'rename', from: 'Weather', to: 'w' }] },
      ['steps[0].from: unknown column "Weather", did you mean "weather"?'],
    ],
    [
      'fill of an unknown column',
      { steps: [{ op: 'fill', column: 'temp', method: 'previous' }] },
      ['steps[0].column: unknown column "temp", did you mean "temp_max"?'],
    ],
    [
      'replace of an unknown column',
      { steps: [{ op: 'replace', column: 'wether', find: 'a', replace: 'b' }] },
      ['steps[0].column: unknown column "wether", did you mean "weather"?'],
    ],
    [
      'split of an unknown column',
      { steps: [{ op: 'split', column: 'x', separator: ' ', into: ['a'] }] },
      ['steps[0].column: unknown column "x"'],
    ],
    [
      'dedupe on an unknown key',
      { steps: [{ op: 'dedupe', keys: ['date', 'tmin'], keep: 'first' }] },
      ['steps[0].keys[1]: unknown column "tmin"'],
    ],
    [
      'nulls on an unknown column',
      { steps: [{ op: 'nulls', values: ['NA'], columns: ['nope'] }] },
      ['steps[0].columns[0]: unknown column "nope"'],
    ],
    [
      'trim of a typed column by name',
      {
        steps: [
          { op: 'fill', column: 'date', method: 'previous' },
          { op: 'trim', columns: ['date'] },
        ],
      },
      [
        'steps[1].columns[0]: trim works on text, but column "date" is already date from steps[0] (fill) on; move this step before that one',
      ],
    ],
    [
      'derive with a declared type',
      { steps: [{ op: 'derive', column: 'x', type: 'json', expr: 'temp_max' }] },
      [],
    ],
    [
      'rename onto an existing name',
      { steps: [{ op: 'rename', from: 'temp_max', to: 'temp_min' }] },
      ['steps[0].to: column "temp_min" already exists; drop or rename it first'],
    ],
    [
      'rename of an old name',
      {
        steps: [
          { op: 'rename', from: 'temp_max', to: 'hi' },
          { op: 'filter', expr: 'temp_max > 1' },
        ],
      },
      ['steps[1].expr: unknown column "temp_max", did you mean "temp_min"? at position 1'],
    ],
    [
      'split onto an existing name',
      { steps: [{ op: 'split', column: 'weather', separator: ' ', into: ['a', 'date'] }] },
      ['steps[0].into[1]: column "date" already exists; drop or rename it first'],
    ],
    [
      'expression type error',
      { steps: [{ op: 'derive', column: 'x', expr: 'weather + 1' }] },
      ['steps[0].expr: cannot apply "+" to text and integer at position 9'],
    ],
    [
      'filter not boolean',
      { steps: [{ op: 'filter', expr: 'temp_max * 2' }] },
      ['steps[0].expr: a filter needs a boolean expression, but this one gives float'],
    ],
    [
      'fill constant of the wrong type',
      { steps: [{ op: 'fill', column: 'temp_max', method: 'constant', value: 'warm' }] },
      ['steps[0].value: cannot use "warm" as float: not a number'],
    ],
    [
      'fill constant that reads as null',
      { steps: [{ op: 'fill', column: 'temp_max', method: 'constant', value: ' ' }] },
      ['steps[0].value: cannot use " " as float: it reads as null'],
    ],
    [
      'cast option for another type',
      { steps: [{ op: 'cast', column: 'weather', type: 'integer', format: 'yyyy' }] },
      [
        'steps[0]: invalid cast options for integer: Cast option "format" does not apply to type integer; it applies to date, timestamp, timestamptz.',
      ],
    ],
    [
      'text step on a cast column',
      {
        steps: [
          { op: 'cast', column: 'weather', type: 'integer' },
          { op: 'trim', columns: ['weather'] },
        ],
      },
      [
        'steps[1].columns[0]: trim works on text, but column "weather" is already integer from steps[0] (cast) on; move this step before that one',
      ],
    ],
    [
      'text step on a column an expression typed',
      {
        steps: [
          { op: 'filter', expr: 'temp_max > 0' },
          { op: 'replace', column: 'temp_max', find: ',', replace: '.' },
        ],
      },
      [
        'steps[1].column: replace works on text, but column "temp_max" is already float from steps[0].expr ("temp_max > 0"), which reads it on; move this step before that one',
      ],
    ],
    [
      'text step on a derived column',
      {
        steps: [
          { op: 'derive', column: 'n', expr: '1' },
          { op: 'nulls', values: ['0'], columns: ['n'] },
        ],
      },
      [
        'steps[1].columns[0]: nulls works on text, but column "n" is already integer from steps[0] (derive) on; move this step before that one',
      ],
    ],
    [
      'split of a deduped key',
      {
        steps: [
          { op: 'dedupe', keys: ['date'], keep: 'first' },
          { op: 'split', column: 'date', separator: '-', into: ['y', 'm', 'd'] },
        ],
      },
      [
        'steps[1].column: split works on text, but column "date" is already date from steps[0] (dedupe) on; move this step before that one',
      ],
    ],
    [
      'errors in several steps',
      {
        steps: [
          { op: 'drop', columns: ['nope'] },
          { op: 'derive', column: 'x', expr: 'nada' },
          { op: 'filter', expr: 'x = 1' },
        ],
      },
      [
        'steps[0].columns[0]: unknown column "nope"',
        'steps[1].expr: unknown column "nada" at position 1',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(errorsOf(spec)).toEqual(expected);
  });

  it.each<[string, (string | InputColumn)[], string[]]>([
    ['duplicate input columns', ['a', 'b', 'a'], ['columns[2].name: duplicate input column "a"']],
    [
      'empty input column name',
      ['a', ''],
      ['columns[1].name: an input column needs a non-empty name'],
    ],
    [
      'unknown input type',
      [{ name: 'a', type: 'int' as 'integer' }],
      ['columns[0].type: unknown type, did you mean "integer"?'],
    ],
    [
      'bad input cast options',
      [{ name: 'a', type: 'date', castOptions: { timezone: 'Mars/Olympus' } }],
      [
        expect.stringMatching(
          /^columns\[0\]\.castOptions: invalid cast options for date: /,
        ) as unknown as string,
      ],
    ],
  ])('%s', (_name, columns, expected) => {
    expect(errorsOf({ steps: [] }, columns)).toEqual(expected);
  });

  it('allows trim without columns after other columns are typed', () => {
    const spec = { steps: [{ op: 'cast', column: 'temp_max', type: 'integer' }, { op: 'trim' }] };

    expect(errorsOf(spec)).toEqual([]);
  });
});

describe('createTransformer with an invalid spec', () => {
  it('throws SpecValidationError listing every error', () => {
    let caught: unknown;

    try {
      createTransformer({ steps: [{ op: 'drop', columns: ['nope', 'nada'] }] }, COLUMNS);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(SpecValidationError);
    expect((caught as SpecValidationError).errors).toEqual([
      { path: 'steps[0].columns[0]', message: 'unknown column "nope"' },
      { path: 'steps[0].columns[1]', message: 'unknown column "nada"' },
    ]);
    expect((caught as Error).message).toBe(
      'invalid transformation spec: steps[0].columns[0]: unknown column "nope"; steps[0].columns[1]: unknown column "nada"',
    );
  });

  it('throws for a spec of the wrong shape', () => {
    expect(() => createTransformer({ steps: 'all' }, COLUMNS)).toThrow(SpecValidationError);
  });
});
