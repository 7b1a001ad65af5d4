import fs from 'node:fs';

import { readDelimitedText } from '../testing/delimited-text.util';
import { sharedDataPath } from '../testing/shared-data.util';
import { type CastOptions, type ColumnType, type InferredColumn } from '../types';
import { createCaster } from '../values/index';
import { inferSchema } from './index';

type Expected = Record<string, [ColumnType, CastOptions?]>;

const text: [ColumnType] = ['text'];
const integer: [ColumnType] = ['integer'];
const float: [ColumnType] = ['float'];
const isoDate: [ColumnType] = ['date'];

const FILES: [string, string, Expected][] = [
  [
    'birdstrikes.csv',
    ',',
    {
      'Airport Name': text,
      'Aircraft Make Model': text,
      'Effect Amount of damage': text,
      'Flight Date': isoDate,
      'Aircraft Airline Operator': text,
      'Origin State': text,
      'Phase of flight': text,
      'Wildlife Size': text,
      'Wildlife Species': text,
      'Time of day': text,
      'Cost Other': integer,
      'Cost Repair': integer,
      'Cost Total $': integer,
      'Speed IAS in knots': integer,
    },
  ],
  ['co2-concentration.csv', ',', { Date: isoDate, CO2: float, 'adjusted CO2': float }],
  ['disasters.csv', ',', { Entity: text, Year: integer, Deaths: integer }],
  ['github.csv', ',', { time: ['timestamp', { format: 'yyyy/MM/dd HH:mm:ss' }], count: integer }],
  [
    'seattle-weather.csv',
    ',',
    { date: isoDate, precipitation: float, temp_max: float, temp_min: float, wind: float, weather: text },
  ],
  [
    'sp500-2000.csv',
    ',',
    { date: isoDate, open: float, high: float, low: float, close: float, adjclose: float, volume: integer },
  ],
  ['stocks.csv', ',', { symbol: text, date: ['date', { format: 'MMM d yyyy' }], price: float }],
  ['unemployment.tsv', '\t', { id: integer, rate: float }],
  [
    'zipcodes.csv',
    ',',
    { zip_code: text, latitude: float, longitude: float, city: text, state: text, county: text },
  ],
];

function readRealFile(name: string, delimiter: string): ReturnType<typeof readDelimitedText> {
  const bytes = fs.readFileSync(sharedDataPath(__dirname, `real/${name}`));

  return readDelimitedText(new TextDecoder('utf-8').decode(bytes), delimiter);
}

describe.each(FILES)('profiling %s', (name, delimiter, expected) => {
  const table = readRealFile(name, delimiter);
  const profile = inferSchema(table);
  const byName = new Map(profile.map((column) => [column.name, column]));

  it('reads the header', () => {
    expect(table.columns).toEqual(Object.keys(expected));
  });

  it.each(Object.entries(expected))('infers %s', (column, [type, castOptions = {}]) => {
    const inferred = byName.get(column)!;

    expect([inferred.inferredType, inferred.castOptions]).toEqual([type, castOptions]);
    expect(inferred.ambiguous).toBe(false);
  });

  it('casts every value with the inferred options', () => {
    const failures: string[] = [];

    profile.forEach((column: InferredColumn, index) => {
      const caster = createCaster(column.inferredType, column.castOptions);

      for (const row of table.rows) {
        const result = caster(row[index]);

        if (!result.ok) {
          failures.push(`${column.name}: ${String(row[index])}: ${result.reason}`);
        }
      }
    });

    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe('profiled values', () => {
  function castColumn(name: string, delimiter: string, column: string): unknown[] {
    const table = readRealFile(name, delimiter);
    const inferred = inferSchema(table).find((candidate) => candidate.name === column)!;
    const index = table.columns.indexOf(column);
    const caster = createCaster(inferred.inferredType, inferred.castOptions);

    return table.rows.map((row) => {
      const result = caster(row[index]);

      return result.ok ? result.value : result.reason;
    });
  }

  it('reads stocks dates written Jan 1 2000', () => {
    expect(castColumn('stocks.csv', ',', 'date').slice(0, 3)).toEqual(['2000-01-01', '2000-02-01', '2000-03-01']);
  });

  it('reads github times as timestamps', () => {
    expect(castColumn('github.csv', ',', 'time')[0]).toBe('2015-01-01T01:00:00');
  });

  it('keeps zip codes with their leading zeros', () => {
    expect(castColumn('zipcodes.csv', ',', 'zip_code').slice(0, 2)).toEqual(['00501', '00544']);
  });

  it('reads volumes above 2^31 exactly', () => {
    const volumes = castColumn('sp500-2000.csv', ',', 'volume') as bigint[];

    expect(volumes[1]).toBe(1_009_000_000n);
    expect(volumes.some((volume) => volume > 2_147_483_647n)).toBe(true);
  });

  it('reads rates written .097', () => {
    expect(castColumn('unemployment.tsv', '\t', 'rate')[0]).toBe(0.097);
  });

  it('counts missing speeds as null', () => {
    const table = readRealFile('birdstrikes.csv', ',');
    const speed = inferSchema(table).find((column) => column.name === 'Speed IAS in knots')!;

    expect(speed.nullCount).toBe(2836);
  });
});
