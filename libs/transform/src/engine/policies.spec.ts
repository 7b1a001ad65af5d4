import { createTransformer, runTransformation, TransformFailedError } from '.';
import { type InputColumn, type OnErrorPolicy, type RawValue, type TransformSpec } from '../types';

const COLUMNS: InputColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'amount', type: 'float' },
];
const ROWS: RawValue[][] = [
  ['1', '1.5'],
  ['2', 'n/a'],
  ['3', '3.5'],
  ['x', 'bad'],
  ['5', '5.5'],
];

function spec(onError?: OnErrorPolicy): TransformSpec {
  return onError === undefined ? { steps: [] } : { steps: [], onError };
}

describe('onError policies', () => {
  it('fail throws at the first bad value', () => {
    let caught: unknown;

    try {
      runTransformation(ROWS, spec('fail'), { columns: COLUMNS });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(TransformFailedError);
    expect((caught as TransformFailedError).error).toEqual({
      row: 3,
      column: 'amount',
      value: 'n/a',
      message: 'cannot read as float: not a number',
    });
    expect((caught as Error).message).toBe(
      'transformation failed at row 3, column "amount": cannot read as float: not a number',
    );
  });

  it('fail is the default', () => {
    expect(() => runTransformation(ROWS, spec(), { columns: COLUMNS })).toThrow(
      TransformFailedError,
    );
  });

  it('fail emits nothing from the failing chunk and refuses later calls', () => {
    const transformer = createTransformer(spec('fail'), COLUMNS);

    expect(transformer.push([ROWS[0]]).rows).toEqual([[1n, 1.5]]);
    expect(() => transformer.push(ROWS.slice(1))).toThrow(TransformFailedError);
    expect(() => transformer.push([ROWS[0]])).toThrow(
      'cannot call push() on a transformer that has failed',
    );
    expect(() => transformer.finish()).toThrow(
      'cannot call finish() on a transformer that has failed',
    );
  });

  it('reject-row moves the row to the errors with the first bad value', () => {
    const result = runTransformation(ROWS, spec('reject-row'), { columns: COLUMNS });

    expect(result.rows).toEqual([
      [1n, 1.5],
      [3n, 3.5],
      [5n, 5.5],
    ]);
    expect(result.errors).toEqual([
      { row: 3, column: 'amount', value: 'n/a', message: 'cannot read as float: not a number' },
      { row: 5, column: 'id', value: 'x', message: 'cannot read as integer: not an integer' },
    ]);
    expect(result.stats).toEqual({ rowsIn: 5, rowsOut: 3, rowsRejected: 2, valuesNulled: 0 });
  });

  it('null puts null in place of each bad value and reports every one', () => {
    const result = runTransformation(ROWS, spec('null'), { columns: COLUMNS });

    expect(result.rows).toEqual([
      [1n, 1.5],
      [2n, null],
      [3n, 3.5],
      [null, null],
      [5n, 5.5],
    ]);
    expect(result.errors.map((error) => [error.row, error.column, error.value])).toEqual([
      [3, 'amount', 'n/a'],
      [5, 'id', 'x'],
      [5, 'amount', 'bad'],
    ]);
    expect(result.stats).toEqual({ rowsIn: 5, rowsOut: 5, rowsRejected: 0, valuesNulled: 3 });
  });

  it('null caps the errors reported at maxErrors but counts them all', () => {
    const rows = Array.from({ length: 50 }, () => ['x', 'y']);
    const result = runTransformation(rows, spec('null'), { columns: COLUMNS, maxErrors: 7 });

    expect(result.errors).toHaveLength(7);
    expect(result.stats.valuesNulled).toBe(100);
  });

  it('reject-row reports every rejected row without a cap', () => {
    const rows = Array.from({ length: 50 }, () => ['x', '1']);
    const result = runTransformation(rows, spec('reject-row'), { columns: COLUMNS, maxErrors: 7 });

    expect(result.errors).toHaveLength(50);
  });
});

describe('ragged rows', () => {
  const ragged: RawValue[][] = [['1', '1.5'], ['2'], ['3', '3.5', 'extra']];

  it('fail stops at a row with the wrong number of values', () => {
    expect(() => runTransformation(ragged, spec('fail'), { columns: COLUMNS })).toThrow(
      'transformation failed at row 3: row has 1 values, expected 2',
    );
  });

  it('reject-row rejects such rows', () => {
    const result = runTransformation(ragged, spec('reject-row'), { columns: COLUMNS });

    expect(result.rows).toEqual([[1n, 1.5]]);
    expect(result.errors).toEqual([
      { row: 3, column: null, value: null, message: 'row has 1 values, expected 2' },
      { row: 4, column: null, value: null, message: 'row has 3 values, expected 2' },
    ]);
  });

  it('null pads short rows with null and drops extra values', () => {
    const result = runTransformation(ragged, spec('null'), { columns: COLUMNS });

    expect(result.rows).toEqual([
      [1n, 1.5],
      [2n, null],
      [3n, 3.5],
    ]);
    expect(result.stats.valuesNulled).toBe(2);
  });
});

describe('row numbers', () => {
  const bad: RawValue[][] = [
    ['1', 'x'],
    ['2', 'y'],
  ];

  it('start at 2, the first record after the header', () => {
    const result = runTransformation(bad, spec('reject-row'), { columns: COLUMNS });

    expect(result.errors.map((error) => error.row)).toEqual([2, 3]);
  });

  it('start at firstRowNumber when given', () => {
    const result = runTransformation(bad, spec('reject-row'), {
      columns: COLUMNS,
      firstRowNumber: 1,
    });

    expect(result.errors.map((error) => error.row)).toEqual([1, 2]);
  });

  it('continue across chunks, or restart where a chunk says', () => {
    const transformer = createTransformer(spec('reject-row'), COLUMNS);

    expect(transformer.push(bad).errors.map((error) => error.row)).toEqual([2, 3]);
    expect(transformer.push(bad).errors.map((error) => error.row)).toEqual([4, 5]);
    expect(transformer.push(bad, 100).errors.map((error) => error.row)).toEqual([100, 101]);
    expect(transformer.push(bad).errors.map((error) => error.row)).toEqual([102, 103]);
  });

  it('keep the source row number for rows held by a keep-last dedupe', () => {
    const transformer = createTransformer(
      {
        steps: [
          { op: 'dedupe', keys: ['id'], keep: 'last' },
          { op: 'derive', column: 'q', expr: '1 / (id - 2)' },
        ],
        onError: 'reject-row',
      },
      COLUMNS,
    );

    transformer.push([
      ['1', '1'],
      ['2', '2'],
    ]);
    transformer.push([
      ['3', '3'],
      ['2', '4'],
    ]);

    const finished = transformer.finish();

    expect(finished.rows).toEqual([
      [1n, 1, -1n],
      [3n, 3, 1n],
    ]);
    expect(finished.errors).toEqual([
      { row: 5, column: 'q', value: null, message: 'division by zero' },
    ]);
  });
});

describe('transformer', () => {
  it('exposes the output columns before any row', () => {
    const transformer = createTransformer(
      { steps: [{ op: 'derive', column: 'double', expr: 'amount * 2' }] },
      COLUMNS,
    );

    expect(transformer.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'amount', type: 'float' },
      { name: 'double', type: 'float' },
    ]);
  });

  it('keeps counting stats across chunks', () => {
    const transformer = createTransformer(spec('reject-row'), COLUMNS);

    transformer.push(ROWS.slice(0, 2));
    transformer.push(ROWS.slice(2));
    transformer.finish();

    expect(transformer.stats).toEqual({ rowsIn: 5, rowsOut: 3, rowsRejected: 2, valuesNulled: 0 });
  });

  it('takes no rows after finish', () => {
    const transformer = createTransformer(spec(), COLUMNS);

    transformer.finish();

    expect(() => transformer.push([])).toThrow(
      'cannot call push() on a transformer that has finished',
    );
  });

  it('returns fresh output rows that later chunks do not change', () => {
    const transformer = createTransformer(spec(), COLUMNS);
    const first = transformer.push([['1', '1']]).rows;

    transformer.push([['2', '2']]);

    expect(first).toEqual([[1n, 1]]);
  });

  it('reads undefined in a sparse row as null', () => {
    const transformer = createTransformer(spec(), COLUMNS);
    const row: RawValue[] = new Array<RawValue>(2);

    row[0] = '1';

    expect(transformer.push([row]).rows).toEqual([[1n, null]]);
  });
});

describe('runTransformation input', () => {
  it('reads object rows by column name, a missing key as null', () => {
    const result = runTransformation(
      [{ id: '1', amount: '2' }, { id: '2' }, { amount: '3', other: 'ignored' }],
      { steps: [] },
      { columns: COLUMNS },
    );

    expect(result.rows).toEqual([
      [1n, 2],
      [2n, null],
      [null, 3],
    ]);
  });

  it('reads only own properties, so constructor is an ordinary column', () => {
    const result = runTransformation(
      [{ a: '1' }, { constructor: 'x', a: '2' }],
      { steps: [] },
      {
        columns: ['constructor', 'toString', '__proto__'],
      },
    );

    expect(result.rows).toEqual([
      [null, null, null],
      ['x', null, null],
    ]);
  });

  it('takes the columns from the first object row by default', () => {
    const result = runTransformation([{ b: '1', a: '2' }], { steps: [] });

    expect(result.columns.map((column) => column.name)).toEqual(['b', 'a']);
  });

  it('needs columns for array rows', () => {
    expect(() => runTransformation([['1']], { steps: [] })).toThrow(
      'runTransformation needs options.columns',
    );
  });

  it('returns no rows for no input', () => {
    const result = runTransformation([], { steps: [] }, { columns: COLUMNS });

    expect(result.rows).toEqual([]);
    expect(result.columns).toHaveLength(2);
  });
});
