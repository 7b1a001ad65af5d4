import fc from 'fast-check';

import { type TextEncodingName } from './file-reader.types';
import { readAll, splitBytes } from './testing/read-all.util';

type Field = string | null;

const TERMINATORS = ['\n', '\r\n', '\r'] as const;

interface GeneratedCsv {
  text: string;
  header: string[];
  rows: Field[][];
  /** The physical line on which each data record starts. */
  lines: number[];
}

const fieldText = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', ' ', ',', ';', '"', '\n', '\r', 'é', '€', '東', '😀', '\t'),
  maxLength: 8,
});
const field: fc.Arbitrary<Field> = fc.oneof(fieldText, fc.constant(null), fc.constant(''));

function needsQuotes(value: string, delimiter: string): boolean {
  return value === '' || value.includes(delimiter) || /["\r\n]/.test(value);
}

function writeField(value: Field, delimiter: string, forceQuotes: boolean): string {
  if (value === null) {
    return '';
  }

  return forceQuotes || needsQuotes(value, delimiter) ? `"${value.replace(/"/g, '""')}"` : value;
}

function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/** Writes a table as CSV with a random terminator after each record and random extra quoting. */
function writeCsv(
  header: string[],
  rows: Field[][],
  delimiter: string,
  terminators: number[],
  quoting: boolean[],
): GeneratedCsv {
  const records = [header, ...rows];
  let text = '';
  const lines: number[] = [];

  records.forEach((record, index) => {
    if (index > 0) {
      lines.push(1 + countLineBreaks(text));
    }

    text += record.map((value, column) => writeField(value, delimiter, quoting[(index + column) % quoting.length])).join(delimiter);
    text += TERMINATORS[terminators[index % terminators.length]];
  });

  return { text, header, rows, lines };
}

const generatedCsv = fc
  .integer({ min: 2, max: 5 })
  .chain((width) =>
    fc.record({
      header: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(field, { minLength: width, maxLength: width }), { maxLength: 30 }),
      delimiter: fc.constantFrom(',', ';', '\t', '|'),
      terminators: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
      quoting: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
      pieces: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
      encoding: fc.constantFrom<TextEncodingName>('utf-8', 'utf-16le', 'utf-16be'),
      bom: fc.boolean(),
    }),
  )
  .map((input) => ({ ...input, csv: writeCsv(input.header, input.rows, input.delimiter, input.terminators, input.quoting) }));

function encode(text: string, encoding: TextEncodingName, bom: boolean): Uint8Array {
  const withBom = bom ? `\ufeff${text}` : text;

  switch (encoding) {
    case 'utf-8':
      return new Uint8Array(Buffer.from(withBom, 'utf8'));
    case 'utf-16le':
      return new Uint8Array(Buffer.from(withBom, 'utf16le'));
    case 'utf-16be':
      return new Uint8Array(Buffer.from(withBom, 'utf16le').swap16());
    case 'windows-1252':
      return new Uint8Array(Buffer.from(withBom, 'latin1'));
  }
}

describe('chunk boundaries', () => {
  it('gives the written table for any pieces, terminators and encoding', async () => {
    await fc.assert(
      fc.asyncProperty(generatedCsv, async ({ csv, delimiter, pieces, encoding, bom }) => {
        const bytes = encode(csv.text, encoding, bom);
        // UTF-16 without a byte order mark is detected only from ASCII-heavy text, so it is named here.
        const options = { delimiter, header: true, chunkRows: 7, encoding: bom ? undefined : encoding };
        const result = await readAll(splitBytes(bytes, pieces), options);

        expect(result.detected.encoding).toBe(encoding);
        expect(result.columns).toEqual(csv.header);
        expect(result.errors).toEqual([]);
        expect(result.rows).toEqual(csv.rows);
        expect(result.rowNumbers).toEqual(csv.rows.map((_, index) => index + 2));
        expect(result.lineNumbers).toEqual(csv.lines);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('detects the same format in 1-byte pieces as whole', async () => {
    await fc.assert(
      fc.asyncProperty(generatedCsv, async ({ csv }) => {
        const bytes = encode(csv.text, 'utf-8', false);
        const whole = await readAll([bytes]);
        const bytewise = await readAll(splitBytes(bytes, [1]));

        expect(bytewise.detected).toEqual(whole.detected);
        expect(bytewise.rows).toEqual(whole.rows);
        expect(bytewise.errors).toEqual(whole.errors);
        expect(bytewise.lineNumbers).toEqual(whole.lineNumbers);
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});
