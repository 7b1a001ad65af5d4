import { runTransformation } from '.';
import { type InputColumn, type RawValue, type Step, type TransformResult } from '../types';

const WEATHER: InputColumn[] = [
  { name: 'date', type: 'date' },
  { name: 'temp_max', type: 'float' },
  { name: 'temp_min', type: 'float' },
  { name: 'weather', type: 'text' },
];

const WEATHER_ROWS: RawValue[][] = [
  ['2015-01-01', '12.5', '3', 'rain'],
  ['2015-01-02', '10', '-1.5', ' sun '],
  ['2015-01-03', '8', '2', null],
];

function transform(
  steps: Step[],
  rows: RawValue[][] = WEATHER_ROWS,
  columns: InputColumn[] = WEATHER,
): TransformResult {
  return runTransformation(rows, { steps, onError: 'reject-row' }, { columns });
}

function names(result: TransformResult): string[] {
  return result.columns.map((column) => column.name);
}

describe('select and drop', () => {
  it('select keeps the columns in the order given', () => {
    const result = transform([{ op: 'select', columns: ['weather', 'date'] }]);

    expect(result.columns).toEqual([
      { name: 'weather', type: 'text' },
      { name: 'date', type: 'date' },
    ]);
    expect(result.rows).toEqual([
      ['rain', '2015-01-01'],
      [' sun ', '2015-01-02'],
      [null, '2015-01-03'],
    ]);
  });

  it('drop removes the columns named', () => {
    const result = transform([{ op: 'drop', columns: ['temp_min', 'weather'] }]);

    expect(names(result)).toEqual(['date', 'temp_max']);
    expect(result.rows[0]).toEqual(['2015-01-01', 12.5]);
  });

  it('a dropped column is never converted, so its bad values raise nothing', () => {
    const rows = [['2015-01-01', 'not a number', '3', 'rain']];
    const result = transform([{ op: 'drop', columns: ['temp_max'] }], rows);

    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([['2015-01-01', 3, 'rain']]);
  });
});

describe('rename', () => {
  it('renames a column and later steps use the new name', () => {
    const result = transform([
      { op: 'rename', from: 'temp_max', to: 'max_temp' },
      { op: 'derive', column: 'range', expr: 'max_temp - temp_min' },
    ]);

    expect(names(result)).toEqual(['date', 'max_temp', 'temp_min', 'weather', 'range']);
    expect(result.rows.map((row) => row[4])).toEqual([9.5, 11.5, 6]);
  });

  it('swaps two names through a third', () => {
    const result = transform([
      { op: 'rename', from: 'temp_max', to: 'tmp' },
      { op: 'rename', from: 'temp_min', to: 'temp_max' },
      { op: 'rename', from: 'tmp', to: 'temp_min' },
      { op: 'select', columns: ['temp_min', 'temp_max'] },
    ]);

    expect(result.rows[0]).toEqual([12.5, 3]);
  });
});

describe('cast', () => {
  const columns: InputColumn[] = [
    { name: 'day', type: 'date', castOptions: {} },
    { name: 'amount' },
    { name: 'flag' },
  ];

  it('reads the raw text of a pending column with the step options', () => {
    const rows = [['18/03/2015', '1.234,50', 'ja']];
    const result = transform(
      [
        { op: 'cast', column: 'day', type: 'date', format: 'dd/MM/yyyy' },
        {
          op: 'cast',
          column: 'amount',
          type: 'numeric',
          decimalSeparator: ',',
          thousandsSeparator: '.',
        },
        { op: 'cast', column: 'flag', type: 'boolean', trueValues: ['ja'], falseValues: ['nein'] },
      ],
      rows,
      columns,
    );

    expect(result.columns.map((column) => column.type)).toEqual(['date', 'numeric', 'boolean']);
    expect(result.rows).toEqual([['2015-03-18', '1234.50', true]]);
  });

  it('converts an already typed value', () => {
    const result = transform([
      { op: 'derive', column: 'whole', expr: 'round(temp_max)' },
      { op: 'cast', column: 'whole', type: 'integer' },
      { op: 'cast', column: 'temp_min', type: 'text' },
      { op: 'select', columns: ['whole', 'temp_min'] },
    ]);

    expect(result.columns).toEqual([
      { name: 'whole', type: 'integer' },
      { name: 'temp_min', type: 'text' },
    ]);
    expect(result.rows).toEqual([
      [13n, '3'],
      [10n, '-1.5'],
      [8n, '2'],
    ]);
  });

  it('reads a timestamp in a zone and stores it as UTC', () => {
    const result = transform(
      [{ op: 'cast', column: 'at', type: 'timestamptz', timezone: 'Europe/Paris' }],
      [['2015-07-01 12:00:00']],
      [{ name: 'at' }],
    );

    expect(result.rows).toEqual([['2015-07-01T10:00:00Z']]);
  });

  it('sends a value it cannot read to the error policy', () => {
    const result = transform([{ op: 'cast', column: 'weather', type: 'integer' }]);

    expect(result.rows).toEqual([['2015-01-03', 8, 2, null]]);
    expect(result.errors).toEqual([
      {
        row: 2,
        column: 'weather',
        value: 'rain',
        message: expect.stringMatching(/^cannot read as integer: /),
      },
      {
        row: 3,
        column: 'weather',
        value: ' sun ',
        message: expect.stringMatching(/^cannot read as integer: /),
      },
    ]);
  });
});

describe('derive', () => {
  it.each<[string, string | undefined, string, unknown[]]>([
    ['temp_max - temp_min', undefined, 'float', [9.5, 11.5, 6]],
    ["upper(weather) || '!'", undefined, 'text', ['RAIN!', ' SUN !', null]],
    ["date_part('day', date)", undefined, 'integer', [1n, 2n, 3n]],
    ['temp_max > 9', undefined, 'boolean', [true, true, false]],
    ['null', undefined, 'text', [null, null, null]],
    ['round(temp_max)', 'integer', 'integer', [13n, 10n, 8n]],
    ['temp_max', 'text', 'text', ['12.5', '10', '8']],
    ['temp_max', 'numeric', 'numeric', ['12.5', '10', '8']],
    ["date_part('year', date)", 'float', 'float', [2015, 2015, 2015]],
  ])('%s as %s gives %s', (expr, type, expectedType, values) => {
    const step: Step =
      type === undefined
        ? { op: 'derive', column: 'x', expr }
        : { op: 'derive', column: 'x', expr, type: type as 'text' };
    const result = transform([step]);

    expect(result.columns.at(-1)).toEqual({ name: 'x', type: expectedType });
    expect(result.rows.map((row) => row.at(-1))).toEqual(values);
  });

  it('replaces an existing column where it stands', () => {
    const result = transform([{ op: 'derive', column: 'temp_max', expr: 'temp_max * 2' }]);

    expect(names(result)).toEqual(['date', 'temp_max', 'temp_min', 'weather']);
    expect(result.rows.map((row) => row[1])).toEqual([25, 20, 16]);
  });

  it('sends a failed evaluation to the error policy', () => {
    const result = transform([
      { op: 'derive', column: 'ratio', expr: 'temp_max / (temp_min - 2)' },
    ]);

    expect(result.rows).toHaveLength(2);
    expect(result.errors).toEqual([
      { row: 4, column: 'ratio', value: null, message: 'division by zero' },
    ]);
  });

  it('sends a result it cannot cast to the error policy', () => {
    const result = transform([{ op: 'derive', column: 'x', type: 'integer', expr: 'temp_min' }]);

    expect(result.rows.map((row) => row.at(-1))).toEqual([3n, 2n]);
    expect(result.errors).toEqual([
      {
        row: 3,
        column: 'x',
        value: '-1.5',
        message: 'cannot read as integer: not an integer (it has a fraction)',
      },
    ]);
  });
});

describe('filter', () => {
  it('keeps rows where the condition is true, and null counts as false', () => {
    const result = transform([{ op: 'filter', expr: "weather <> 'rain'" }]);

    expect(result.rows).toEqual([['2015-01-02', 10, -1.5, ' sun ']]);
    expect(result.stats).toEqual({ rowsIn: 3, rowsOut: 1, rowsRejected: 0, valuesNulled: 0 });
  });

  it('drops every row for a constant null condition', () => {
    expect(transform([{ op: 'filter', expr: 'null' }]).rows).toEqual([]);
  });

  it('rejects a row whose condition fails to evaluate', () => {
    const result = transform([{ op: 'filter', expr: 'temp_max / (temp_min - 2) > 1' }]);

    expect(result.rows).toEqual([['2015-01-01', 12.5, 3, 'rain']]);
    expect(result.errors).toEqual([
      { row: 4, column: null, value: null, message: 'division by zero' },
    ]);
    expect(result.stats.rowsRejected).toBe(1);
  });
});

describe('a filter after a derive', () => {
  // A filter runs before a derive that cannot fail and whose column it does
  // not read. These cases must give what running the steps in order gives.
  const FLIGHT_COLUMNS: InputColumn[] = [
    { name: 'delay', type: 'integer' },
    { name: 'origin', type: 'text' },
    { name: 'destination', type: 'text' },
  ];
  const FLIGHT_ROWS: RawValue[][] = [
    ['5', 'SFO', 'LAX'],
    ['-3', 'JFK', 'BOS'],
    ['0', 'ORD', null],
    [null, 'SEA', 'PDX'],
    ['12', 'a\tb', 'c\\d'],
    ['oops', 'DEN', 'PHX'],
  ];

  function flights(steps: Step[], onError: 'reject-row' | 'null' = 'reject-row'): TransformResult {
    return runTransformation(FLIGHT_ROWS, { steps, onError }, { columns: FLIGHT_COLUMNS });
  }

  it('derives kept rows, rejects dropped bad values', () => {
    const result = flights([
      { op: 'derive', column: 'route', expr: "origin || '-' || destination" },
      { op: 'filter', expr: 'delay > 0' },
    ]);

    expect(result.rows).toEqual([
      [5n, 'SFO', 'LAX', 'SFO-LAX'],
      [12n, 'a\tb', 'c\\d', 'a\tb-c\\d'],
    ]);
    expect(result.errors).toEqual([
      { row: 7, column: 'delay', value: 'oops', message: 'cannot read as integer: not an integer' },
    ]);
    expect(result.stats).toEqual({ rowsIn: 6, rowsOut: 2, rowsRejected: 1, valuesNulled: 0 });
  });

  it('still sees the derived column when the filter reads it', () => {
    const result = flights([
      { op: 'derive', column: 'route', expr: "origin || '-' || destination" },
      { op: 'filter', expr: "route = 'JFK-BOS' or route is null" },
    ]);

    expect(result.rows).toEqual([
      [-3n, 'JFK', 'BOS', 'JFK-BOS'],
      [0n, 'ORD', null, null],
    ]);
  });

  it('rejects a row the filter drops when a derive before it fails there', () => {
    const result = flights([
      { op: 'derive', column: 'ratio', expr: '10 / delay' },
      { op: 'filter', expr: "origin = 'SFO'" },
    ]);

    expect(result.rows).toEqual([[5n, 'SFO', 'LAX', 2n]]);
    expect(result.errors).toEqual([
      { row: 4, column: 'ratio', value: null, message: 'division by zero' },
      { row: 7, column: 'delay', value: 'oops', message: 'cannot read as integer: not an integer' },
    ]);
  });

  it('rejects dropped row on failing derive cast', () => {
    const result = flights([
      { op: 'derive', column: 'code', type: 'integer', expr: 'origin' },
      { op: 'filter', expr: 'delay > 100' },
    ]);

    expect(result.rows).toEqual([]);
    expect(result.errors.map((error) => [error.row, error.column])).toEqual([
      [2, 'code'],
      [3, 'code'],
      [4, 'code'],
      [5, 'code'],
      [6, 'code'],
      [7, 'code'],
    ]);
  });

  it('nulls dropped bad value under null policy', () => {
    const result = flights(
      [
        { op: 'derive', column: 'route', expr: "origin || '-' || destination" },
        { op: 'filter', expr: 'delay is null' },
      ],
      'null',
    );

    expect(result.rows).toEqual([
      [null, 'SEA', 'PDX', 'SEA-PDX'],
      [null, 'DEN', 'PHX', 'DEN-PHX'],
    ]);
    expect(result.stats.valuesNulled).toBe(1);
  });
});

describe('output rows', () => {
  it('gives each row its own array', () => {
    const result = transform([]);

    expect(result.rows).toEqual([
      ['2015-01-01', 12.5, 3, 'rain'],
      ['2015-01-02', 10, -1.5, ' sun '],
      ['2015-01-03', 8, 2, null],
    ]);
    expect(new Set(result.rows).size).toBe(3);
  });

  it('leaves out a dropped last column and a derived column after it', () => {
    const result = transform([
      { op: 'derive', column: 'spread', expr: 'temp_max - temp_min' },
      { op: 'drop', columns: ['weather', 'spread'] },
    ]);

    expect(result.rows).toEqual([
      ['2015-01-01', 12.5, 3],
      ['2015-01-02', 10, -1.5],
      ['2015-01-03', 8, 2],
    ]);
  });

  it('takes the columns in select order when it differs from input order', () => {
    const result = transform([{ op: 'select', columns: ['temp_min', 'date'] }]);

    expect(result.rows).toEqual([
      [3, '2015-01-01'],
      [-1.5, '2015-01-02'],
      [2, '2015-01-03'],
    ]);
  });

  it('keeps a keep-last dedupe holding rows back until finish', () => {
    const rows: RawValue[][] = [
      ['2015-01-01', '1', '0', 'rain'],
      ['2015-01-02', '2', '0', 'sun'],
      ['2015-01-03', '3', '0', 'rain'],
    ];
    const result = transform(
      [
        { op: 'dedupe', keys: ['weather'], keep: 'last' },
        { op: 'filter', expr: 'temp_max > 1' },
      ],
      rows,
    );

    expect(result.rows).toEqual([
      ['2015-01-02', 2, 0, 'sun'],
      ['2015-01-03', 3, 0, 'rain'],
    ]);
  });
});

describe('fill', () => {
  const columns: InputColumn[] = [{ name: 'station' }, { name: 'reading', type: 'integer' }];
  const rows = [
    ['a', '1'],
    [null, null],
    ['b', null],
    [null, '4'],
  ];

  it('constant replaces nulls with the value read as the column type', () => {
    const result = transform(
      [
        { op: 'fill', column: 'station', method: 'constant', value: 'unknown' },
        { op: 'fill', column: 'reading', method: 'constant', value: 0 },
      ],
      rows,
      columns,
    );

    expect(result.rows).toEqual([
      ['a', 1n],
      ['unknown', 0n],
      ['b', 0n],
      ['unknown', 4n],
    ]);
  });

  it('previous carries the last non-null value down', () => {
    const result = transform(
      [
        { op: 'fill', column: 'station', method: 'previous' },
        { op: 'fill', column: 'reading', method: 'previous' },
      ],
      rows,
      columns,
    );

    expect(result.rows).toEqual([
      ['a', 1n],
      ['a', 1n],
      ['b', 1n],
      ['b', 4n],
    ]);
  });

  it('previous leaves leading nulls as they are', () => {
    const result = transform(
      [{ op: 'fill', column: 'station', method: 'previous' }],
      [
        [null, '1'],
        ['x', '2'],
      ],
      columns,
    );

    expect(result.rows.map((row) => row[0])).toEqual([null, 'x']);
  });

  it('previous sees values that became null under the null policy', () => {
    const result = runTransformation(
      [
        ['a', '1'],
        ['b', 'oops'],
        ['c', '3'],
      ],
      { steps: [{ op: 'fill', column: 'reading', method: 'previous' }], onError: 'null' },
      { columns },
    );

    expect(result.rows.map((row) => row[1])).toEqual([1n, 1n, 3n]);
    expect(result.stats.valuesNulled).toBe(1);
  });
});

describe('trim', () => {
  it('trims every text column, and raw columns, when columns is absent', () => {
    const result = transform([{ op: 'trim' }], [[' 2015-01-01 ', ' 12.5 ', '3', '  rain\t']]);

    expect(result.rows).toEqual([['2015-01-01', 12.5, 3, 'rain']]);
  });

  it('trims only the columns named', () => {
    const result = transform([
      { op: 'trim', columns: ['weather'] },
      { op: 'derive', column: 'w', expr: "'[' || weather || ']'" },
    ]);

    expect(result.rows.map((row) => row.at(-1))).toEqual(['[rain]', '[sun]', null]);
  });

  it('trims Unicode white space', () => {
    const result = transform([{ op: 'trim' }], [['2015-01-01', '1', '1', '\u00a0rain\u2003']]);

    expect(result.rows[0][3]).toBe('rain');
  });
});

describe('replace', () => {
  const columns: InputColumn[] = [{ name: 'text' }, { name: 'amount', type: 'integer' }];

  it.each<[string, string, boolean | undefined, string, string]>([
    ['a.b.c', '.', undefined, '-', 'a-b-c'],
    ['a.b.c', '.', false, '$&', 'a$&b$&c'],
    ['cost $5', '$', undefined, 'USD ', 'cost USD 5'],
    ['aXbXc', 'X', undefined, '', 'abc'],
    ['2015-03-18', '(\\d+)-(\\d+)-(\\d+)', true, '$3/$2/$1', '18/03/2015'],
    ['a1b22c333', '\\d+', true, '#', 'a#b#c#'],
    ['café', 'é', true, 'e', 'cafe'],
    ['x', 'y', true, 'z', 'x'],
  ])('%s: %s → %s', (input, find, regex, replace, expected) => {
    const step: Step = {
      op: 'replace',
      column: 'text',
      find,
      replace,
      ...(regex === undefined ? {} : { regex }),
    };
    const result = transform([step], [[input, '1']], columns);

    expect(result.rows[0][0]).toBe(expected);
  });

  it('acts on the raw text of a pending column before it is typed', () => {
    const result = transform(
      [{ op: 'replace', column: 'amount', find: ',', replace: '' }],
      [['x', '1,234,567']],
      columns,
    );

    expect(result.columns[1]).toEqual({ name: 'amount', type: 'integer' });
    expect(result.rows[0][1]).toBe(1234567n);
  });

  it('leaves null as null', () => {
    const result = transform(
      [{ op: 'replace', column: 'text', find: 'a', replace: 'b' }],
      [[null, '1']],
      columns,
    );

    expect(result.rows[0][0]).toBeNull();
  });
});

describe('split', () => {
  const columns: InputColumn[] = [
    { name: 'id', type: 'integer' },
    { name: 'name' },
    { name: 'tail' },
  ];

  it('splits into the named columns in place of the source', () => {
    const result = transform(
      [{ op: 'split', column: 'name', separator: ' ', into: ['first', 'last'] }],
      [['1', 'Ada Lovelace', 'x']],
      columns,
    );

    expect(result.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'first', type: 'text' },
      { name: 'last', type: 'text' },
      { name: 'tail', type: 'text' },
    ]);
    expect(result.rows).toEqual([[1n, 'Ada', 'Lovelace', 'x']]);
  });

  it('gives null for missing parts and for a null source', () => {
    const result = transform(
      [{ op: 'split', column: 'name', separator: ', ', into: ['a', 'b', 'c'] }],
      [
        ['1', 'x, y', ''],
        ['2', null, ''],
      ],
      columns,
    );

    expect(result.rows).toEqual([
      [1n, 'x', 'y', null, ''],
      [2n, null, null, null, ''],
    ]);
  });

  it('may reuse the source name as a part', () => {
    const result = transform(
      [{ op: 'split', column: 'name', separator: '-', into: ['name', 'suffix'] }],
      [['1', 'a-b', '']],
      columns,
    );

    expect(names(result)).toEqual(['id', 'name', 'suffix', 'tail']);
    expect(result.rows[0]).toEqual([1n, 'a', 'b', '']);
  });

  it('sends extra parts to the error policy', () => {
    const result = transform(
      [{ op: 'split', column: 'name', separator: ' ', into: ['first', 'last'] }],
      [['1', 'Ada King Lovelace', '']],
      columns,
    );

    expect(result.rows).toEqual([]);
    expect(result.errors).toEqual([
      {
        row: 2,
        column: 'name',
        value: 'Ada King Lovelace',
        message: 'split gives 3 parts, but "into" names 2 columns',
      },
    ]);
  });

  it('nulls every part under the null policy when there are extra parts', () => {
    const result = runTransformation(
      [['1', 'a b c', '']],
      {
        steps: [{ op: 'split', column: 'name', separator: ' ', into: ['p', 'q'] }],
        onError: 'null',
      },
      { columns },
    );

    expect(result.rows).toEqual([[1n, null, null, '']]);
    expect(result.stats.valuesNulled).toBe(1);
  });
});

describe('dedupe', () => {
  const columns: InputColumn[] = [
    { name: 'key' },
    { name: 'n', type: 'integer' },
    { name: 'amount', type: 'numeric' },
  ];
  const rows = [
    ['a', '1', '1.5'],
    ['b', '2', '2'],
    ['a', '3', '1.50'],
    [null, '4', '0'],
    ['c', '5', '2.0'],
    [null, '6', '0'],
    ['b', '7', '2'],
  ];

  it('keep first keeps the first row of each key, in input order', () => {
    const result = transform([{ op: 'dedupe', keys: ['key'], keep: 'first' }], rows, columns);

    expect(result.rows.map((row) => row[1])).toEqual([1n, 2n, 4n, 5n]);
  });

  it('keep last keeps last occurrences in order', () => {
    const result = transform([{ op: 'dedupe', keys: ['key'], keep: 'last' }], rows, columns);

    expect(result.rows.map((row) => row[1])).toEqual([3n, 5n, 6n, 7n]);
  });

  it('compares numeric keys by value, so 1.5 and 1.50 are one key', () => {
    const result = transform([{ op: 'dedupe', keys: ['amount'], keep: 'first' }], rows, columns);

    expect(result.rows.map((row) => row[1])).toEqual([1n, 2n, 4n]);
  });

  it('compares several keys together', () => {
    const result = transform(
      [{ op: 'dedupe', keys: ['key', 'amount'], keep: 'first' }],
      rows,
      columns,
    );

    expect(result.rows.map((row) => row[1])).toEqual([1n, 2n, 4n, 5n]);
  });

  it('does not confuse keys whose joined text is equal', () => {
    const result = transform(
      [{ op: 'dedupe', keys: ['key', 'other'], keep: 'first' }],
      [
        ['a:b', 'c'],
        ['a', 'b:c'],
        ['1:a', '1'],
        ['1', ':a1'],
      ],
      [{ name: 'key' }, { name: 'other' }],
    );

    expect(result.rows).toHaveLength(4);
  });

  it('runs the steps after a keep-last dedupe on the kept rows only', () => {
    const result = transform(
      [
        { op: 'dedupe', keys: ['key'], keep: 'last' },
        { op: 'derive', column: 'seen', expr: 'n * 10' },
        { op: 'filter', expr: 'n > 3' },
      ],
      rows,
      columns,
    );

    expect(result.rows.map((row) => row[3])).toEqual([50n, 60n, 70n]);
    expect(result.stats.rowsOut).toBe(3);
  });
});

describe('nulls', () => {
  const columns: InputColumn[] = [{ name: 'a' }, { name: 'b', type: 'integer' }];

  it('reads the listed values as null in every text-level column', () => {
    const result = transform(
      [{ op: 'nulls', values: ['NA', '', '-'] }],
      [
        ['NA', 'NA'],
        ['', '5'],
        ['x', '-'],
        ['na', ''],
      ],
      columns,
    );

    expect(result.rows).toEqual([
      [null, null],
      [null, 5n],
      ['x', null],
      ['na', null],
    ]);
  });

  it('acts only on the columns named', () => {
    const result = transform(
      [{ op: 'nulls', values: ['x'], columns: ['a'] }],
      [['x', '1']],
      columns,
    );

    expect(result.rows).toEqual([[null, 1n]]);
  });

  it('matches the text of raw values that are not strings', () => {
    const result = transform([{ op: 'nulls', values: ['-999'] }], [['a', -999]], columns);

    expect(result.rows).toEqual([['a', null]]);
  });

  it('keeps a quoted empty string in a text column without a nulls step', () => {
    const result = transform(
      [],
      [
        ['', '1'],
        [null, '2'],
      ],
      columns,
    );

    expect(result.rows).toEqual([
      ['', 1n],
      [null, 2n],
    ]);
  });
});

describe('a spec without steps', () => {
  it('loads every column as its inferred type', () => {
    const result = transform([]);

    expect(result.columns).toEqual(WEATHER.map(({ name, type }) => ({ name, type })));
    expect(result.rows[1]).toEqual(['2015-01-02', 10, -1.5, ' sun ']);
  });

  it('loads columns without a type as text', () => {
    const result = runTransformation([{ a: 1, b: true }], { steps: [] });

    expect(result.columns).toEqual([
      { name: 'a', type: 'text' },
      { name: 'b', type: 'text' },
    ]);
    expect(result.rows).toEqual([['1', 'true']]);
  });
});

describe('typing model', () => {
  const columns: InputColumn[] = [
    { name: 'day', type: 'date', castOptions: { format: 'dd/MM/yyyy' } },
    { name: 'price', type: 'numeric', castOptions: { decimalSeparator: ',' } },
  ];

  it('converts pending columns at the end with the inferred cast options', () => {
    const result = transform([], [['18/03/2015', '1,50']], columns);

    expect(result.columns).toEqual([
      { name: 'day', type: 'date' },
      { name: 'price', type: 'numeric' },
    ]);
    expect(result.rows).toEqual([['2015-03-18', '1.50']]);
  });

  it('gives an explicit cast the original text, not the inferred reading', () => {
    const result = transform(
      [{ op: 'cast', column: 'day', type: 'date', format: 'MM/dd/yyyy' }],
      [['03/18/2015', '1']],
      columns,
    );

    expect(result.rows).toEqual([['2015-03-18', '1']]);
  });

  it('converts a column when an expression first reads it', () => {
    const result = transform(
      [
        { op: 'filter', expr: "day >= '2015-03-01'" },
        { op: 'derive', column: 'gross', expr: 'price * 1.2' },
      ],
      [
        ['18/03/2015', '1,50'],
        ['18/02/2015', '2,00'],
      ],
      columns,
    );

    expect(result.rows).toEqual([['2015-03-18', '1.50', '1.800']]);
  });

  it('runs text steps on the raw text before the conversion', () => {
    const result = transform(
      [
        { op: 'nulls', values: ['unknown'] },
        { op: 'replace', column: 'day', find: '.', replace: '/' },
        { op: 'trim', columns: ['price'] },
      ],
      [
        ['18.03.2015', ' 3,25 '],
        ['unknown', 'unknown'],
      ],
      columns,
    );

    expect(result.rows).toEqual([
      ['2015-03-18', '3.25'],
      [null, null],
    ]);
  });

  it('reports a conversion error under the column name of the moment', () => {
    const result = transform(
      [{ op: 'rename', from: 'price', to: 'cost' }],
      [['18/03/2015', 'free']],
      columns,
    );

    expect(result.errors).toEqual([
      {
        row: 2,
        column: 'cost',
        value: 'free',
        message: expect.stringMatching(/^cannot read as numeric: /),
      },
    ]);
  });

  it('reads numbers and booleans from JSON rows as the pending type', () => {
    const result = runTransformation(
      [{ n: 12, f: 1.5, b: true, t: 7 }],
      { steps: [] },
      {
        columns: [
          { name: 'n', type: 'integer' },
          { name: 'f', type: 'float' },
          { name: 'b', type: 'boolean' },
          { name: 't' },
        ],
      },
    );

    expect(result.rows).toEqual([[12n, 1.5, true, '7']]);
  });
});
