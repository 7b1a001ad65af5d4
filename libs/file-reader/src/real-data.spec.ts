import { createReadStream } from 'node:fs';
import path from 'node:path';

import { readAll, readSharedFile, SHARED_DATA, splitBytes } from './testing/read-all.util';

// Row counts checked against Python's csv module. The last record of
// birdstrikes, disasters and sp500-2000 has no line end, so `wc -l` counts one less.
const REAL_FILES = [
  { file: 'seattle-weather.csv', rows: 1461, delimiter: ',', columns: 6 },
  { file: 'stocks.csv', rows: 560, delimiter: ',', columns: 3 },
  { file: 'birdstrikes.csv', rows: 10000, delimiter: ',', columns: 14 },
  { file: 'zipcodes.csv', rows: 42049, delimiter: ',', columns: 6 },
  { file: 'github.csv', rows: 955, delimiter: ',', columns: 2 },
  { file: 'disasters.csv', rows: 803, delimiter: ',', columns: 3 },
  { file: 'unemployment.tsv', rows: 3218, delimiter: '\t', columns: 2 },
  { file: 'co2-concentration.csv', rows: 741, delimiter: ',', columns: 3 },
  { file: 'sp500-2000.csv', rows: 5105, delimiter: ',', columns: 7 },
];

describe('real data sets', () => {
  it.each(REAL_FILES)('$file has $rows rows', async ({ file, rows, delimiter, columns }) => {
    const result = await readAll(createReadStream(path.join(SHARED_DATA, 'real', file)));

    expect(result.detected.format).toBe('csv');
    expect(result.detected.encoding).toBe('utf-8');
    expect(result.detected.delimiter).toBe(delimiter);
    expect(result.columns).toHaveLength(columns);
    expect(result.rows).toHaveLength(rows);
    expect(result.errors).toEqual([]);
    expect(result.rowNumbers[rows - 1]).toBe(rows + 1);
  });

  it('zipcodes keep their leading zeros', async () => {
    const result = await readAll([readSharedFile('real', 'zipcodes.csv')]);

    expect(result.columns).toEqual(['zip_code', 'latitude', 'longitude', 'city', 'state', 'county']);
    expect(result.rows[0]).toEqual(['00501', '40.922326', '-72.637078', 'Holtsville', 'NY', 'Suffolk']);
  });

  it('birdstrikes keep spaces and $ in headers', async () => {
    const result = await readAll([readSharedFile('real', 'birdstrikes.csv')]);

    expect(result.detected.lineEnding).toBe('crlf');
    expect(result.columns).toContain('Cost Total $');
    expect(result.columns).toContain('Speed IAS in knots');
    expect(result.rows[0].slice(0, 4)).toEqual(['BARKSDALE AIR FORCE BASE ARPT', 'T-38A', 'None', '1990-01-08']);
    expect(result.rows[9999].slice(0, 2)).toEqual(['GREATER PITTSBURGH', 'EMB-145']);
  });

  it('unemployment keeps decimals as written', async () => {
    const result = await readAll([readSharedFile('real', 'unemployment.tsv')]);

    expect(result.columns).toEqual(['id', 'rate']);
    expect(result.rows[0]).toEqual(['1001', '.097']);
  });

  it('stocks, co2 and sp500 keep their values', async () => {
    const stocks = await readAll([readSharedFile('real', 'stocks.csv')]);
    const co2 = await readAll([readSharedFile('real', 'co2-concentration.csv')]);
    const sp500 = await readAll([readSharedFile('real', 'sp500-2000.csv')]);

    expect(stocks.rows[0]).toEqual(['MSFT', 'Jan 1 2000', '39.81']);
    expect(co2.columns).toEqual(['Date', 'CO2', 'adjusted CO2']);
    expect(sp500.rows[5104]).toEqual([
      '2020-04-17',
      '2842.429932',
      '2879.219971',
      '2830.879883',
      '2874.560059',
      '2874.560059',
      '5792140000',
    ]);
  });

  it('zipcodes read the same in random pieces and small chunks', async () => {
    const bytes = readSharedFile('real', 'zipcodes.csv');
    const whole = await readAll([bytes]);
    const pieces = await readAll(splitBytes(bytes, [1, 7, 4093, 3, 65_537, 100]), { chunkRows: 777 });

    expect(pieces.rows).toEqual(whole.rows);
    expect(pieces.rowNumbers).toEqual(whole.rowNumbers);
    expect(pieces.lineNumbers).toEqual(whole.lineNumbers);
    expect(pieces.chunks.every((chunk) => chunk.rows.length <= 777)).toBe(true);
  }, 60_000);
});
