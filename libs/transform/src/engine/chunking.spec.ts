import fc from 'fast-check';

import { createTransformer, runTransformation, TransformFailedError } from '.';
import {
  type InputColumn,
  type OnErrorPolicy,
  type RawValue,
  type Step,
  type TransformResult,
} from '../types';

const COLUMNS: InputColumn[] = [
  { name: 'key' },
  { name: 'count', type: 'integer' },
  { name: 'amount', type: 'float' },
  { name: 'day', type: 'date' },
  { name: 'label' },
];

/** Every step, with fill and dedupe state that must survive chunk borders. */
const SPECS: Step[][] = [
  [
    { op: 'nulls', values: ['NA'] },
    { op: 'trim' },
    { op: 'fill', column: 'count', method: 'previous' },
    { op: 'derive', column: 'double', expr: 'count * 2 + coalesce(amount, 0)' },
    { op: 'filter', expr: "amount is null or amount > -50 or key = 'a'" },
    { op: 'dedupe', keys: ['key', 'day'], keep: 'first' },
  ],
  [
    { op: 'replace', column: 'label', find: '[-_]', replace: ' ', regex: true },
    { op: 'split', column: 'label', separator: ' ', into: ['first', 'second'] },
    { op: 'cast', column: 'day', type: 'date' },
    { op: 'dedupe', keys: ['key'], keep: 'last' },
    { op: 'fill', column: 'amount', method: 'previous' },
    { op: 'derive', column: 'month', expr: "date_part('month', day)" },
    { op: 'rename', from: 'key', to: 'k' },
    { op: 'select', columns: ['k', 'month', 'amount', 'first', 'second', 'count'] },
  ],
  [
    { op: 'dedupe', keys: ['label'], keep: 'last' },
    { op: 'fill', column: 'key', method: 'constant', value: 'none' },
    { op: 'derive', column: 'ratio', type: 'numeric', expr: 'amount / count' },
    { op: 'dedupe', keys: ['count'], keep: 'last' },
    { op: 'drop', columns: ['day'] },
  ],
];

const maybeBad = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<T | string | null> =>
  fc.oneof(
    { weight: 8, arbitrary: good },
    { weight: 1, arbitrary: fc.constantFrom('NA', 'oops', ' ', '') },
    {
      weight: 1,
      arbitrary: fc.constant(null),
    },
  );

const rowArbitrary: fc.Arbitrary<RawValue[]> = fc.tuple(
  maybeBad(fc.constantFrom('a', 'b', 'c', ' d ')),
  maybeBad(fc.integer({ min: -5, max: 5 }).map(String)),
  maybeBad(fc.double({ min: -100, max: 100, noNaN: true }).map(String)),
  maybeBad(
    fc
      .date({ min: new Date('2015-01-01'), max: new Date('2015-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10)),
  ),
  maybeBad(fc.constantFrom('x y', 'x-y', 'x_y_z', 'solo', '')),
);

/** Some rows with a missing or an extra value, which are errors too. */
const raggedArbitrary: fc.Arbitrary<RawValue[]> = fc.oneof(
  { weight: 20, arbitrary: rowArbitrary },
  { weight: 1, arbitrary: rowArbitrary.map((row) => row.slice(1)) },
  { weight: 1, arbitrary: rowArbitrary.map((row) => [...row, 'extra']) },
);

type Outcome = { result: TransformResult } | { failure: unknown };

function runWhole(rows: RawValue[][], steps: Step[], onError: OnErrorPolicy): Outcome {
  try {
    return {
      result: runTransformation(rows, { steps, onError }, { columns: COLUMNS, maxErrors: 5 }),
    };
  } catch (error) {
    return { failure: error instanceof TransformFailedError ? error.error : error };
  }
}

function runChunked(
  rows: RawValue[][],
  sizes: number[],
  steps: Step[],
  onError: OnErrorPolicy,
): Outcome {
  const transformer = createTransformer({ steps, onError }, COLUMNS, { maxErrors: 5 });
  const result: TransformResult = {
    columns: [...transformer.columns],
    rows: [],
    errors: [],
    stats: transformer.stats,
  };

  try {
    let start = 0;
    let size = 0;

    while (start < rows.length) {
      const chunkSize = sizes[size % sizes.length];
      const chunk = transformer.push(rows.slice(start, start + chunkSize));

      result.rows.push(...chunk.rows);
      result.errors.push(...chunk.errors);
      start += chunkSize;
      size += 1;
    }

    const last = transformer.finish();

    result.rows.push(...last.rows);
    result.errors.push(...last.errors);
  } catch (error) {
    return { failure: error instanceof TransformFailedError ? error.error : error };
  }

  result.stats = transformer.stats;

  return { result };
}

describe('createTransformer over chunks', () => {
  it.each(SPECS.map((steps, index) => [index, steps] as const))(
    'equals runTransformation for spec %i',
    (_index, steps) => {
      fc.assert(
        fc.property(
          fc.array(raggedArbitrary, { maxLength: 60 }),
          fc
            .array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 })
            .filter((sizes) => sizes.some((size) => size > 0)),
          fc.constantFrom<OnErrorPolicy>('fail', 'reject-row', 'null'),
          (rows, sizes, onError) => {
            expect(runChunked(rows, sizes, steps, onError)).toEqual(runWhole(rows, steps, onError));
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('gives one-row chunks the same result as one chunk', () => {
    const rows = fc.sample(rowArbitrary, { numRuns: 200, seed: 42 });

    for (const steps of SPECS) {
      expect(runChunked(rows, [1], steps, 'null')).toEqual(runWhole(rows, steps, 'null'));
    }
  });
});
