import { readdirSync } from 'node:fs';
import path from 'node:path';

import { readAll, readSharedFile, SHARED_DATA, splitBytes, type ReadResult } from './testing/read-all.util';

const CASE_FILES = readdirSync(path.join(SHARED_DATA, 'cases')).filter((file) => file.endsWith('.csv'));

function readCase(file: string): Promise<ReadResult> {
  return readAll([readSharedFile('cases', file)]);
}

describe('importer case files', () => {
  it('finds the case files', () => {
    expect(CASE_FILES.length).toBeGreaterThanOrEqual(15);
  });

  it('01: drops the UTF-8 byte order mark and CRLF', async () => {
    const result = await readCase('01-utf8-bom-header.csv');

    expect(result.detected).toMatchObject({ encoding: 'utf-8', bom: true, delimiter: ',', lineEnding: 'crlf' });
    expect(result.columns).toEqual(['order_id', 'customer', 'total']);
    expect(result.rows).toEqual([
      ['1001', 'Ana Lima', '19.90'],
      ['1002', 'Bo Chen', '5.00'],
    ]);
    expect(JSON.stringify(result)).not.toMatch(/\\r|\ufeff/);
  });

  it('02: decodes UTF-16LE from its byte order mark', async () => {
    const result = await readCase('02-utf16le-bom.csv');

    expect(result.detected).toMatchObject({ encoding: 'utf-16le', bom: true, lineEnding: 'crlf' });
    expect(result.columns).toEqual(['app_id', 'version', 'lang', 'rating', 'review']);
    expect(result.rows).toEqual([
      ['com.example.notes', '3.6.0', 'en', '5', 'Great app. Very useful.'],
      ['com.example.notes', '3.5.2', 'pt', '4', 'Ótimo — rápido'],
    ]);
    expect(JSON.stringify(result.rows)).not.toContain('\\u0000');
  });

  it('05: keeps LF inside quoted fields of CRLF records', async () => {
    const result = await readCase('05-quoted-newlines-crlf.csv');

    expect(result.columns).toEqual(['id', 'comment']);
    expect(result.rows).toEqual([
      ['r1', 'Line "with quoted" text\n\nFoo bar baz'],
      ['r2', 'some other "quoted" text \n\nLine after empty'],
      ['r3', null],
    ]);
    expect(result.rowNumbers).toEqual([2, 3, 4]);
    expect(result.lineNumbers).toEqual([2, 5, 8]);
    expect(result.detected.lineEnding).toBe('crlf');
  });

  it('07: drops the empty field after a trailing delimiter', async () => {
    const result = await readCase('07-trailing-delimiter.csv');

    expect(result.detected).toMatchObject({ delimiter: '|', trailingDelimiter: true });
    expect(result.columns).toEqual(['trade_date', 'symbol', 'qty']);
    expect(result.rows).toEqual([
      ['2022-01-03', 'ABC', '100'],
      ['2022-01-04', 'XYZ', '-50'],
    ]);
    expect(result.errors).toEqual([]);
  });

  it('08: reports ragged lines 3 and 4 with their raw text', async () => {
    const result = await readCase('08-ragged-rows.csv');

    expect(result.columns).toEqual(['id', 'name', 'city']);
    expect(result.rows).toEqual([
      ['1', 'Ana', 'Lisbon'],
      ['4', 'Di', 'Rome'],
    ]);
    expect(result.rowNumbers).toEqual([2, 5]);
    expect(result.errors).toEqual([
      {
        row: 3,
        line: 3,
        message: "line 3: 4 fields, expected 3; extra value 'extra'",
        raw: '2,Bo,Oslo,extra',
        values: ['2', 'Bo', 'Oslo', 'extra'],
      },
      { row: 4, line: 4, message: 'line 4: 2 fields, expected 3', raw: '3,Cy', values: ['3', 'Cy'] },
    ]);
  });

  it('08: ends the chunk at the ragged rows', async () => {
    const result = await readCase('08-ragged-rows.csv');

    expect(result.chunks.map((chunk) => [chunk.firstRowNumber, chunk.rows.length, chunk.errors.length])).toEqual([
      [2, 1, 2],
      [5, 1, 0],
    ]);
  });

  it('09: keeps blank and duplicate headers as written', async () => {
    const result = await readCase('09-blank-duplicate-headers.csv');

    expect(result.columns).toEqual(['id', 'email', '', 'email', 'Email']);
    expect(result.rows).toEqual([
      ['1', 'a@example.com', 'x', 'b@example.com', 'c@example.com'],
      ['2', 'd@example.com', null, 'e@example.com', 'f@example.com'],
    ]);
  });

  it('10: keeps long and accented headers whole', async () => {
    const result = await readCase('10-long-column-names.csv');

    expect(result.columns).toEqual([
      'id',
      'quarterly_revenue_adjusted_for_inflation_and_currency_fluctuation_europe',
      'quarterly_revenue_adjusted_for_inflation_and_currency_fluctuation_americas',
      'durée_moyenne_de_séjour_des_clients_étrangers_en_hôtel_en_été',
    ]);
    expect(result.rows).toEqual([
      ['1', '1.5', '2.5', '3.5'],
      ['2', '10', '20', '4.25'],
    ]);
  });

  it('12: detects the semicolon and keeps decimal commas', async () => {
    const result = await readCase('12-semicolon-decimal-comma.csv');

    expect(result.detected.delimiter).toBe(';');
    expect(result.columns).toEqual(['sensor', 'min', 'max', 'avg']);
    expect(result.rows).toEqual([
      ['s1', '1,1', '2,2', '1,65'],
      ['s2', '0,5', '10', '5,25'],
      ['s3', '-7,25', '4,1', '-1,575'],
    ]);
  });

  it('15: keeps leading zeros and Japanese text byte for byte', async () => {
    const bytes = readSharedFile('cases', '15-leading-zero-codes.csv');
    const result = await readAll([bytes]);

    expect(result.columns).toEqual(['postal_code', 'prefecture', 'city', 'alt_zip']);
    expect(result.rows).toEqual([
      ['0600000', '北海道', '札幌市中央区', '01569'],
      ['0640941', '北海道', '札幌市中央区', '02134'],
      ['1000001', '東京都', '千代田区', '10001'],
    ]);

    const cities = Buffer.from(result.rows.map((row) => row[2]).join('\n'), 'utf8');
    const original = Buffer.from(bytes)
      .toString('utf8')
      .split('\n')
      .slice(1, 4)
      .map((line) => line.split(',')[2])
      .join('\n');

    expect(cities.equals(Buffer.from(original, 'utf8'))).toBe(true);
  });

  it('16: keeps integers above 2^53 as text and blanks as null', async () => {
    const result = await readCase('16-bigint-with-blank.csv');

    expect(result.rows).toEqual([
      ['9007199254740993', null, '100'],
      ['1234567890123456789', '9007199254740993', '250'],
      [null, '1234567890123456789', null],
    ]);
  });

  it('19: passes every boolean spelling through as text', async () => {
    const result = await readCase('19-boolean-spellings.csv');

    expect(result.rows.map((row) => row[1])).toEqual(['true', 'FALSE', '1', '0', 'yes', 'No', 'Y', 'n', null]);
  });

  it('21: tells blank, white space and quoted empty apart', async () => {
    const result = await readCase('21-blank-vs-null.csv');

    expect(result.columns).toEqual(['empty_col', 'int_col', 'text_col', 'quoted_empty']);
    expect(result.rows).toEqual([
      [null, '1', null, ''],
      [null, '    ', 'hello', 'x'],
    ]);
  });

  it('23: passes day-first dates through', async () => {
    const result = await readCase('23-ddmmyyyy-dates.csv');

    expect(result.rows.map((row) => row[1])).toEqual(['03/04/2021', '13/04/2021', '01/02/2021', '25/12/2021', '12/11/2021']);
  });

  it('25: keeps offsets and microseconds in timestamps', async () => {
    const result = await readCase('25-iso-offset-timestamps.csv');

    expect(result.rows).toEqual([
      ['1', '2023-09-26T04:21:10.645527-07:00'],
      ['2', '2023-11-06T09:05:00-08:00'],
      ['3', '2023-11-06T17:05:00Z'],
      ['4', '2023-11-06 18:05:00+01:00'],
    ]);
  });

  it('26: keeps epoch seconds and milliseconds as written', async () => {
    const result = await readCase('26-epoch-seconds-millis.csv');

    expect(result.columns).toEqual(['event', 'ts_s', 'ts_ms']);
    expect(result.rows).toEqual([
      ['a', '1521475500', '1521475500000'],
      ['b', '1700000000', '1700000000123'],
    ]);
  });

  it.each(CASE_FILES)('%s reads the same in 1-byte pieces', async (file) => {
    const bytes = readSharedFile('cases', file);
    const whole = await readAll([bytes]);
    const bytewise = await readAll(splitBytes(bytes, [1]));

    expect(bytewise.detected).toEqual(whole.detected);
    expect(bytewise.rows).toEqual(whole.rows);
    expect(bytewise.rowNumbers).toEqual(whole.rowNumbers);
    expect(bytewise.lineNumbers).toEqual(whole.lineNumbers);
    expect(bytewise.errors).toEqual(whole.errors);
  });
});
