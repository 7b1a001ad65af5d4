import fc from 'fast-check';

import { CsvBlockReader, type CsvDialect } from '@rokks/file-reader';

import { findBlockCut } from './block-split';

const QUOTE = 0x22;

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

describe('findBlockCut', () => {
  it('returns -1 without a line feed', () => {
    expect(findBlockCut(bytes(''), QUOTE)).toBe(-1);
    expect(findBlockCut(bytes('a,b,c'), QUOTE)).toBe(-1);
    expect(findBlockCut(bytes('a,"b\rc"\r'), QUOTE)).toBe(-1);
  });

  it('cuts after the last line feed without quotes', () => {
    expect(findBlockCut(bytes('a,b\nc,d\ne'), QUOTE)).toBe(8);
    expect(findBlockCut(bytes('a,b\r\nc,d\r\n'), QUOTE)).toBe(10);
    expect(findBlockCut(bytes('\n'), QUOTE)).toBe(1);
  });

  it('cuts before the line of a quoted field with a line feed', () => {
    expect(findBlockCut(bytes('a,b\nc,"x\ny'), QUOTE)).toBe(4);
    expect(findBlockCut(bytes('a,b\nc,"x\ny\nz'), QUOTE)).toBe(4);
  });

  it('cuts after a closed quoted field with a line feed', () => {
    expect(findBlockCut(bytes('a,b\nc,"x\ny"\nd'), QUOTE)).toBe(12);
  });

  it('counts doubled quotes as text', () => {
    expect(findBlockCut(bytes('a,"say ""hi"""\nb,c'), QUOTE)).toBe(15);
    expect(findBlockCut(bytes('a,b\nc,"x""\ny'), QUOTE)).toBe(4);
    expect(findBlockCut(bytes('a,"x""\ny"\n'), QUOTE)).toBe(10);
  });

  it('handles a quote at byte 0', () => {
    expect(findBlockCut(bytes('"a\nb",c\nd'), QUOTE)).toBe(8);
    expect(findBlockCut(bytes('"a\nb'), QUOTE)).toBe(-1);
    expect(findBlockCut(bytes('"\n\n'), QUOTE)).toBe(-1);
  });

  it('returns -1 when every line feed is inside quotes', () => {
    expect(findBlockCut(bytes('x,"1\n2\n3'), QUOTE)).toBe(-1);
    expect(findBlockCut(bytes('x,"1\n""2""\n3'), QUOTE)).toBe(-1);
  });

  it('looks only at the given quote byte', () => {
    expect(findBlockCut(bytes('a,"b\nc'), 0x27)).toBe(5);
    expect(findBlockCut(bytes("a,'b\nc"), 0x27)).toBe(-1);
  });

  it('may cut inside a record when a quote is inside an unquoted field', () => {
    // The parser reads `a"b` as text, so the record is `a"b,"x\ny"`, and the cut after `x\n` is inside it.
    const block = bytes('a"b,"x\ny"\nz\n');
    const cut = findBlockCut(block, QUOTE);
    const reader = new CsvBlockReader(DIALECT, { byteOffset: 0, recordsBefore: 0, linesBefore: 0 });

    reader.push(block.subarray(0, cut));

    expect(cut).toBe(7);
    expect(reader.atRecordStart).toBe(false);
  });
});

const DIALECT: CsvDialect = {
  encoding: 'utf-8',
  delimiter: ',',
  quote: '"',
  header: false,
  width: 2,
  trailingDelimiter: false,
  maxRecordLength: 10_000,
  chunkRows: 100,
  byteOrderMarkBytes: 0,
};

const unquoted = fc.string({ unit: fc.constantFrom('a', 'b', '1', ' ', 'é'), maxLength: 4 });
const quoted = fc
  .string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '€'), maxLength: 6 })
  .map((value) => `"${value.replace(/"/g, '""')}"`);
const record = fc
  .tuple(fc.array(fc.oneof(unquoted, quoted), { minLength: 1, maxLength: 4 }), fc.constantFrom('\n', '\r\n', '\r'))
  .map(([fields, terminator]) => fields.join(',') + terminator);
/** A record's text with its terminator, or a blank line. */
const line = fc.oneof({ weight: 5, arbitrary: record }, { weight: 1, arbitrary: fc.constantFrom('\n', '\r\n') });

interface Prefix {
  block: Uint8Array;
  /** Byte offsets in `block` right after a line feed that ends a record or a blank line. */
  lineFeedEnds: number[];
  /** How many records (not blank lines) end at or before each offset of `lineFeedEnds`. */
  recordsBefore: number[];
}

/** Cuts the text of `lines` after `length` bytes and lists where its records end in line feeds. */
function prefixOf(lines: string[], length: number): Prefix {
  const block = bytes(lines.join('')).subarray(0, length);
  const lineFeedEnds: number[] = [];
  const recordsBefore: number[] = [];
  let offset = 0;
  let records = 0;

  for (const text of lines) {
    offset += Buffer.byteLength(text, 'utf8');

    // A line with no characters, such as a record of one empty unquoted field, is no record.
    if (text.replace(/\r?\n$|\r$/, '') !== '') {
      records += 1;
    }

    if (offset <= length && text.endsWith('\n')) {
      lineFeedEnds.push(offset);
      recordsBefore.push(records);
    }
  }

  return { block, lineFeedEnds, recordsBefore };
}

describe('findBlockCut on generated CSV', () => {
  const generated = fc
    .array(line, { minLength: 1, maxLength: 12 })
    .chain((lines) => fc.tuple(fc.constant(lines), fc.integer({ min: 0, max: Buffer.byteLength(lines.join(''), 'utf8') })));

  it('cuts after the last record that ends in a line feed', () => {
    fc.assert(
      fc.property(generated, ([lines, length]) => {
        const { block, lineFeedEnds } = prefixOf(lines, length);

        expect(findBlockCut(block, QUOTE)).toBe(lineFeedEnds.at(-1) ?? -1);
      }),
      { numRuns: 500 },
    );
  });

  it('cuts where the block reader ends at a record start', () => {
    fc.assert(
      fc.property(generated, ([lines, length]) => {
        const { block, lineFeedEnds, recordsBefore } = prefixOf(lines, length);
        const cut = findBlockCut(block, QUOTE);
        const reader = new CsvBlockReader(DIALECT, { byteOffset: 0, recordsBefore: 0, linesBefore: 0 });

        fc.pre(cut >= 0);
        reader.push(block.subarray(0, cut));

        expect(reader.atRecordStart).toBe(true);
        expect(reader.lastRecordNumber).toBe(recordsBefore[lineFeedEnds.indexOf(cut)]);
      }),
      { numRuns: 500 },
    );
  });
});
