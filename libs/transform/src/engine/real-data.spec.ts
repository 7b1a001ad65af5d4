import { readFileSync } from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';

import { createTransformer, runTransformation } from '.';
import { inferSchema } from '../infer';
import { readDelimitedText } from '../testing/delimited-text.util';
import {
  type ColumnType,
  type InputColumn,
  type Step,
  type TransformResult,
  type Value,
} from '../types';

const REAL_DATA = path.resolve(__dirname, '../../../..', '../shared/data/real');

interface Case {
  file: string;
  types: Record<string, ColumnType>;
  steps: Step[];
  /** A check on the whole result beyond "no errors and the same in chunks". */
  check(result: TransformResult): void;
}

function column(result: TransformResult, name: string): Value[] {
  const index = result.columns.findIndex((candidate) => candidate.name === name);

  return result.rows.map((row) => row[index]);
}

/** One spec per data set: each casts, derives, filters and dedupes, using the quirks of its file. */
const CASES: Case[] = [
  {
    file: 'seattle-weather.csv',
    types: { precipitation: 'float', temp_max: 'float', temp_min: 'float', wind: 'float' },
    steps: [
      { op: 'cast', column: 'date', type: 'date' },
      { op: 'derive', column: 'range', expr: 'temp_max - temp_min' },
      { op: 'filter', expr: 'precipitation > 0' },
      { op: 'dedupe', keys: ['weather'], keep: 'last' },
    ],
    check(result) {
      expect(column(result, 'weather').sort()).toEqual(['rain', 'snow']);
      expect(
        column(result, 'date').every((day) => typeof day === 'string' && day >= '2012-01-01'),
      ).toBe(true);
    },
  },
  {
    file: 'stocks.csv',
    types: { price: 'float' },
    steps: [
      { op: 'cast', column: 'date', type: 'date', format: 'MMM d yyyy' },
      { op: 'derive', column: 'year', expr: "date_part('year', date)" },
      { op: 'filter', expr: 'price > 20' },
      { op: 'dedupe', keys: ['symbol', 'year'], keep: 'last' },
    ],
    check(result) {
      expect(result.rows.find((row) => row[0] === 'MSFT' && row[3] === 2000n)).toEqual([
        'MSFT',
        '2000-11-01',
        23.34,
        2000n,
      ]);
    },
  },
  {
    file: 'birdstrikes.csv',
    types: {
      'Flight Date': 'date',
      'Cost Other': 'integer',
      'Cost Repair': 'integer',
      'Cost Total $': 'integer',
      'Speed IAS in knots': 'integer',
    },
    steps: [
      { op: 'nulls', values: [''] },
      { op: 'cast', column: 'Cost Total $', type: 'numeric' },
      { op: 'derive', column: 'parts', expr: '"Cost Other" + "Cost Repair"' },
      { op: 'filter', expr: '"Speed IAS in knots" is not null and "Cost Total $" >= 0' },
      { op: 'dedupe', keys: ['Airport Name', 'Flight Date'], keep: 'first' },
    ],
    check(result) {
      const total = column(result, 'Cost Total $');
      const parts = column(result, 'parts');

      expect(result.rows.length).toBeGreaterThan(1000);
      expect(total.every((value, index) => BigInt(value as string) === parts[index])).toBe(true);
    },
  },
  {
    file: 'zipcodes.csv',
    types: { latitude: 'float', longitude: 'float' },
    steps: [
      { op: 'cast', column: 'zip_code', type: 'text' },
      { op: 'derive', column: 'region', expr: 'substr(zip_code, 1, 1)' },
      { op: 'filter', expr: 'latitude > 30 and length(zip_code) = 5' },
      { op: 'dedupe', keys: ['state'], keep: 'last' },
    ],
    check(result) {
      expect(
        column(result, 'zip_code').every((zip) => typeof zip === 'string' && /^\d{5}$/.test(zip)),
      ).toBe(true);
      expect(column(result, 'region')).toContain('0');
    },
  },
  {
    file: 'github.csv',
    types: { count: 'integer' },
    steps: [
      { op: 'cast', column: 'time', type: 'timestamp', format: 'yyyy/MM/dd HH:mm:ss' },
      { op: 'derive', column: 'day', expr: "date_trunc('day', time)" },
      { op: 'filter', expr: 'count > 0' },
      { op: 'dedupe', keys: ['day'], keep: 'last' },
    ],
    check(result) {
      expect(result.rows[0][0]).toMatch(/^2015-01-01T\d\d:00:00$/);
      expect(new Set(column(result, 'day')).size).toBe(result.rows.length);
    },
  },
  {
    file: 'disasters.csv',
    types: { Year: 'integer', Deaths: 'integer' },
    steps: [
      { op: 'cast', column: 'Deaths', type: 'integer' },
      { op: 'derive', column: 'decade', expr: 'Year / 10 * 10' },
      { op: 'filter', expr: 'Deaths > 1000' },
      { op: 'dedupe', keys: ['Entity', 'decade'], keep: 'first' },
    ],
    check(result) {
      expect(result.rows[0]).toEqual(['All natural disasters', 1900n, 1267360n, 1900n]);
    },
  },
  {
    file: 'unemployment.tsv',
    types: { id: 'integer' },
    steps: [
      { op: 'cast', column: 'rate', type: 'numeric' },
      { op: 'derive', column: 'percent', expr: 'rate * 100' },
      { op: 'filter', expr: 'rate > 0.05' },
      { op: 'dedupe', keys: ['rate'], keep: 'first' },
    ],
    check(result) {
      expect(result.rows[0]).toEqual([1001n, '0.097', '9.700']);
    },
  },
  {
    file: 'co2-concentration.csv',
    types: { Date: 'date', CO2: 'numeric', 'adjusted CO2': 'numeric' },
    steps: [
      { op: 'derive', column: 'seasonal', expr: 'CO2 - "adjusted CO2"' },
      { op: 'derive', column: 'year', expr: "date_trunc('year', Date)" },
      { op: 'cast', column: 'seasonal', type: 'float' },
      { op: 'filter', expr: 'abs(seasonal) < 10' },
      { op: 'dedupe', keys: ['year'], keep: 'last' },
    ],
    check(result) {
      expect(result.rows[0]).toEqual(['1958-12-01', '314.67', '315.43', -0.76, '1958-01-01']);
    },
  },
  {
    file: 'sp500-2000.csv',
    types: {
      date: 'date',
      open: 'float',
      high: 'float',
      low: 'float',
      close: 'float',
      adjclose: 'float',
    },
    steps: [
      { op: 'cast', column: 'volume', type: 'integer' },
      { op: 'derive', column: 'month', expr: "date_trunc('month', date)" },
      { op: 'derive', column: 'spread', type: 'numeric', expr: 'round(high - low, 2)' },
      { op: 'filter', expr: 'volume > 2147483647' },
      { op: 'dedupe', keys: ['month'], keep: 'last' },
    ],
    check(result) {
      expect(column(result, 'volume').every((volume) => (volume as bigint) > 2_147_483_647n)).toBe(
        true,
      );
    },
  },
];

function load(
  file: string,
  types: Record<string, ColumnType>,
): { columns: InputColumn[]; rows: (string | null)[][] } {
  const text = readFileSync(path.join(REAL_DATA, file), 'utf8');
  const table = readDelimitedText(text, file.endsWith('.tsv') ? '\t' : ',');
  const columns = table.columns.map((name) =>
    Object.hasOwn(types, name) ? { name, type: types[name] } : { name },
  );

  return { columns, rows: table.rows };
}

function runInChunks(
  rows: (string | null)[][],
  columns: InputColumn[],
  steps: Step[],
  sizes: number[],
): unknown {
  const transformer = createTransformer({ steps }, columns);
  const output: Value[][] = [];
  let start = 0;

  for (let index = 0; start < rows.length; index += 1) {
    const size = sizes[index % sizes.length];

    output.push(...transformer.push(rows.slice(start, start + size)).rows);
    start += size;
  }

  output.push(...transformer.finish().rows);

  return { rows: output, stats: transformer.stats };
}

describe.each(CASES)('real data: $file', ({ file, types, steps, check }) => {
  const { columns, rows } = load(file, types);
  const whole = runTransformation(rows, { steps }, { columns });

  it('transforms every row without errors', () => {
    expect(whole.errors).toEqual([]);
    expect(whole.stats.rowsIn).toBe(rows.length);
    expect(whole.rows.length).toBeGreaterThan(0);
    check(whole);
  });

  it('loads every row as profiling inferred it', () => {
    const inferred = inferSchema({ columns: columns.map((input) => input.name), rows });
    const inputs = inferred.map((profile) => ({
      name: profile.name,
      type: profile.inferredType,
      castOptions: profile.castOptions,
    }));
    const loaded = runTransformation(rows, { steps: [] }, { columns: inputs });

    expect(loaded.errors).toEqual([]);
    expect(loaded.columns.map((output) => output.type)).toEqual(
      inferred.map((profile) => profile.inferredType),
    );
    expect(runInChunks(rows, inputs, [], [777])).toEqual({
      rows: loaded.rows,
      stats: loaded.stats,
    });
  });

  it('gives the same rows in chunks of any size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }),
        (sizes) => {
          expect(runInChunks(rows, columns, steps, sizes)).toEqual({
            rows: whole.rows,
            stats: whole.stats,
          });
        },
      ),
      { numRuns: 5 },
    );
  });
});
