import fs from 'node:fs';

import { readDelimitedText } from '../testing/delimited-text.util';
import { sharedDataPath } from '../testing/shared-data.util';
import { type InferredColumn, type Value } from '../types';
import { createCaster, toCopyText, toJsonValue } from '../values/index';
import { inferSchema } from './index';

interface ProfiledCase {
  columns: string[];
  profile: InferredColumn[];
  /** Cast values by column name, read with the inferred type and options. */
  values: Record<string, Value[]>;
  bytes: Uint8Array;
}

function readCaseBytes(name: string): Uint8Array {
  return fs.readFileSync(sharedDataPath(__dirname, `cases/${name}`));
}

/** Reads a case file, drops a trailing column with an empty header, profiles it and casts every value. */
function profileCase(name: string, delimiter = ',', encoding = 'utf-8'): ProfiledCase {
  const bytes = readCaseBytes(name);
  const table = readDelimitedText(new TextDecoder(encoding).decode(bytes), delimiter);

  if (table.columns.at(-1) === '' && table.rows.every((row) => row.at(-1) === null)) {
    table.columns.pop();
    table.rows.forEach((row) => row.pop());
  }

  const profile = inferSchema(table);
  const values: Record<string, Value[]> = {};

  profile.forEach((column, index) => {
    const caster = createCaster(column.inferredType, column.castOptions);

    values[column.name] = table.rows.map((row) => {
      const result = caster(row[index]);

      if (!result.ok) {
        throw new Error(`${name} ${column.name}: ${String(row[index])}: ${result.reason}`);
      }

      return result.value;
    });
  });

  return { columns: table.columns, profile, values, bytes };
}

function typeOf(profiled: ProfiledCase, column: string): string | undefined {
  return profiled.profile.find((candidate) => candidate.name === column)?.inferredType;
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (haystack[start + offset] !== needle[offset]) {
        continue outer;
      }
    }

    return true;
  }

  return false;
}

describe('data cases', () => {
  it('reads a UTF-8 file with a byte order mark and CRLF', () => {
    const profiled = profileCase('01-utf8-bom-header.csv');

    expect(profiled.columns).toEqual(['order_id', 'customer', 'total']);
    expect(typeOf(profiled, 'order_id')).toBe('integer');
    expect(typeOf(profiled, 'total')).toBe('float');
    expect(profiled.values.order_id).toEqual([1001n, 1002n]);
    expect(profiled.values.customer).toEqual(['Ana Lima', 'Bo Chen']);
    expect(profiled.values.total).toEqual([19.9, 5]);
  });

  it('reads a UTF-16LE file with a byte order mark', () => {
    const profiled = profileCase('02-utf16le-bom.csv', ',', 'utf-16le');

    expect(profiled.columns).toEqual(['app_id', 'version', 'lang', 'rating', 'review']);
    expect(typeOf(profiled, 'version')).toBe('text');
    expect(profiled.values.version).toEqual(['3.6.0', '3.5.2']);
    expect(typeOf(profiled, 'rating')).toBe('integer');
    expect(profiled.values.rating).toEqual([5n, 4n]);
    expect(profiled.values.review[1]).toBe('Ótimo — rápido');
  });

  it('reads pipe-separated rows with a trailing delimiter', () => {
    const profiled = profileCase('07-trailing-delimiter.csv', '|');

    expect(profiled.columns).toEqual(['trade_date', 'symbol', 'qty']);
    expect(profiled.profile.map((column) => column.inferredType)).toEqual(['date', 'text', 'integer']);
    expect(profiled.values.trade_date).toEqual(['2022-01-03', '2022-01-04']);
    expect(profiled.values.qty).toEqual([100n, -50n]);
  });

  it('reads decimal commas', () => {
    const profiled = profileCase('12-semicolon-decimal-comma.csv', ';');

    for (const column of ['min', 'max', 'avg']) {
      expect([column, typeOf(profiled, column)]).toEqual([column, 'float']);
    }

    expect(profiled.profile[1].castOptions).toEqual({ decimalSeparator: ',' });
    expect(profiled.values.min).toEqual([1.1, 0.5, -7.25]);
    expect(profiled.values.max).toEqual([2.2, 10, 4.1]);
    expect(profiled.values.avg).toEqual([1.65, 5.25, -1.575]);
  });

  it('keeps codes with leading zeros and Japanese text exact', () => {
    const profiled = profileCase('15-leading-zero-codes.csv');
    const encoder = new TextEncoder();

    expect(profiled.profile.map((column) => column.inferredType)).toEqual(['text', 'text', 'text', 'text']);
    expect(profiled.values.postal_code).toEqual(['0600000', '0640941', '1000001']);
    expect(profiled.values.alt_zip).toEqual(['01569', '02134', '10001']);
    expect(profiled.values.prefecture).toEqual(['北海道', '北海道', '東京都']);

    for (const value of [...profiled.values.prefecture, ...profiled.values.city]) {
      expect([value, containsBytes(profiled.bytes, encoder.encode(String(value)))]).toEqual([value, true]);
    }
  });

  it('keeps integers above 2^53 exact', () => {
    const profiled = profileCase('16-bigint-with-blank.csv');

    expect(profiled.profile.map((column) => column.inferredType)).toEqual(['integer', 'integer', 'integer']);
    expect(profiled.values.event_id).toEqual([9_007_199_254_740_993n, 1_234_567_890_123_456_789n, null]);
    expect(profiled.values.parent_id).toEqual([null, 9_007_199_254_740_993n, 1_234_567_890_123_456_789n]);
    expect(profiled.values.event_id.map((value) => toJsonValue(value, 'integer'))).toEqual([
      '9007199254740993',
      '1234567890123456789',
      null,
    ]);
    expect(profiled.values.parent_id.map(toCopyText)).toEqual(['\\N', '9007199254740993', '1234567890123456789']);
  });

  it('reads boolean spellings', () => {
    const profiled = profileCase('19-boolean-spellings.csv');

    expect(typeOf(profiled, 'is_active')).toBe('boolean');
    expect(profiled.values.is_active).toEqual([true, false, true, false, true, false, true, false, null]);
  });

  it('tells blank cells from quoted empty strings', () => {
    const profiled = profileCase('21-blank-vs-null.csv');

    expect(profiled.profile.map((column) => [column.name, column.inferredType, column.nullCount])).toEqual([
      ['empty_col', 'text', 2],
      ['int_col', 'integer', 1],
      ['text_col', 'text', 1],
      ['quoted_empty', 'text', 0],
    ]);
    expect(profiled.values.empty_col).toEqual([null, null]);
    expect(profiled.values.int_col).toEqual([1n, null]);
    expect(profiled.values.text_col).toEqual([null, 'hello']);
    expect(profiled.values.quoted_empty).toEqual(['', 'x']);
  });

  it('infers day-first dates from the values that rule out month-first', () => {
    const profiled = profileCase('23-ddmmyyyy-dates.csv');
    const column = profiled.profile[1];

    expect([column.inferredType, column.castOptions, column.ambiguous]).toEqual(['date', { format: 'dd/MM/yyyy' }, false]);
    expect(profiled.values.order_date).toEqual(['2021-04-03', '2021-04-13', '2021-02-01', '2021-12-25', '2021-11-12']);
  });

  it('reads ISO timestamps with offsets into UTC', () => {
    const profiled = profileCase('25-iso-offset-timestamps.csv');

    expect(typeOf(profiled, 'created_at')).toBe('timestamptz');
    expect(profiled.values.created_at).toEqual([
      '2023-09-26T11:21:10.645527Z',
      '2023-11-06T17:05:00Z',
      '2023-11-06T17:05:00Z',
      '2023-11-06T17:05:00Z',
    ]);
  });

  it('offers Unix time for epoch columns and reads it', () => {
    const profiled = profileCase('26-epoch-seconds-millis.csv');
    const [, seconds, milliseconds] = profiled.profile;

    expect([seconds.inferredType, seconds.alternatives]).toEqual([
      'integer',
      [{ type: 'timestamptz', castOptions: { format: 'epoch_s' } }],
    ]);
    expect([milliseconds.inferredType, milliseconds.alternatives]).toEqual([
      'integer',
      [{ type: 'timestamptz', castOptions: { format: 'epoch_ms' } }],
    ]);

    const fromSeconds = createCaster('timestamptz', seconds.alternatives[0].castOptions);
    const fromMilliseconds = createCaster('timestamptz', milliseconds.alternatives[0].castOptions);

    expect(profiled.values.ts_s.map((value) => fromSeconds(value))).toEqual([
      { ok: true, value: '2018-03-19T16:05:00Z' },
      { ok: true, value: '2023-11-14T22:13:20Z' },
    ]);
    expect(profiled.values.ts_ms.map((value) => fromMilliseconds(value))).toEqual([
      { ok: true, value: '2018-03-19T16:05:00Z' },
      { ok: true, value: '2023-11-14T22:13:20.123Z' },
    ]);
  });
});
