import fc from 'fast-check';

import { openFileReader } from '@rokks/file-reader';
import { type RawValue } from '@rokks/transform';

import { EtlError } from './etl.error';
import { readSample, resolveSampleLimits } from './file-sample';
import { openProfiledFile } from './profiled-file';

function csv(rows: number, width = 3): string {
  const header = Array.from({ length: width }, (_, index) => `c${index}`).join(',');
  const lines = Array.from({ length: rows }, (_, row) => Array.from({ length: width }, (_, index) => `v${row}_${index}`).join(','));

  return `${[header, ...lines].join('\n')}\n`;
}

function pieces(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const result: Buffer[] = [];

  for (let offset = 0; offset < bytes.length; offset += size) {
    result.push(bytes.subarray(offset, offset + size));
  }

  return result;
}

describe('readSample', () => {
  it('stops at maxRows and keeps the rest of the chunk', async () => {
    const reader = await openFileReader([csv(10)], { chunkRows: 4 });
    const sample = await readSample(reader[Symbol.asyncIterator](), { maxRows: 6, maxChars: 1_000_000 });

    expect(sample.rows).toHaveLength(6);
    expect(sample.chunks.map((chunk) => [chunk.firstRowNumber, chunk.rows.length])).toEqual([
      [2, 4],
      [6, 2],
    ]);
    expect(sample.remainder).toMatchObject({ firstRowNumber: 8, lineNumbers: [8, 9] });
    expect(sample.complete).toBe(false);
  });

  it('stops after the row that reaches maxChars', async () => {
    const reader = await openFileReader([csv(10)]);
    // Each row has 3 values of 4 or 5 characters plus one per value.
    const sample = await readSample(reader[Symbol.asyncIterator](), { maxRows: 100, maxChars: 40 });

    expect(sample.rows).toHaveLength(3);
  });

  it('is complete when the file ends inside the sample', async () => {
    const reader = await openFileReader([csv(3)]);
    const sample = await readSample(reader[Symbol.asyncIterator](), { maxRows: 3, maxChars: 1_000_000 });

    expect(sample.rows).toHaveLength(3);
    expect(sample.complete).toBe(true);
    expect(sample.remainder).toBeNull();
  });

  it('takes the same rows however the source is cut', async () => {
    const text = csv(50);
    const whole = await openFileReader([text], { chunkRows: 7 });
    const bytewise = await openFileReader(pieces(text, 1), { chunkRows: 7 });
    const limits = { maxRows: 20, maxChars: 300 };
    const first = await readSample(whole[Symbol.asyncIterator](), limits);
    const second = await readSample(bytewise[Symbol.asyncIterator](), limits);

    expect(second.rows).toEqual(first.rows);
    expect(first.rows.length).toBeLessThan(20);
  });

  it.each([
    [{ maxRows: 0 }, 'sample.maxRows must be a positive integer, got 0'],
    [{ maxChars: 1.5 }, 'sample.maxChars must be a positive integer, got 1.5'],
  ])('rejects limits %j', (limits, message) => {
    expect(() => resolveSampleLimits(limits)).toThrow(new EtlError('INVALID_OPTIONS', message));
  });
});

describe('openProfiledFile chunks', () => {
  it('yields every row once, in order, whatever the limits and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 64 }),
        async (rows, chunkRows, maxRows, pieceSize) => {
          const text = csv(rows);
          const file = await openProfiledFile(pieces(text, pieceSize), { read: { chunkRows }, sample: { maxRows } });
          const seen: RawValue[][] = [];
          const numbers: number[] = [];

          for await (const chunk of file.chunks()) {
            chunk.rows.forEach((row, index) => {
              seen.push(row);
              numbers.push(chunk.firstRowNumber + index);
            });
          }

          expect(seen.map((row) => row[0])).toEqual(Array.from({ length: rows }, (_, row) => `v${row}_0`));
          expect(numbers).toEqual(Array.from({ length: rows }, (_, row) => row + 2));
          expect(file.sample.rows).toHaveLength(Math.min(rows, maxRows));
        },
      ),
      { numRuns: 150 },
    );
  });
});
