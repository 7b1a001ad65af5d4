import { type RawValue } from '@rokks/transform';

import { openFileReader } from '../file-reader';
import { FileReaderError } from '../file-reader.error';
import {
  type DetectedFormat,
  type FileChunk,
  type FileReaderOptions,
  type RowError,
} from '../file-reader.types';
import { splitBytes } from '../testing/read-all.util';
import {
  type BlockStart,
  CsvBlockReader,
  type CsvDialect,
  lineCutDialect,
} from './csv-block-reader';

/** A row or a row error, in the order the reader produced them. */
type Entry = { row: number; line: number; values: RawValue[] } | { error: RowError };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** A test file given as segments, each of which ends at a record start, so a block may end after any of them. */
interface SegmentedFile {
  name: string;
  segments: (string | number[])[];
  options?: FileReaderOptions;
  bom?: boolean;
}

const FILES: SegmentedFile[] = [
  {
    name: 'header and LF',
    segments: ['id,name,note\n', '1,ann,x\n', '2,bob,y\n', '3,cy,z\n'],
  },
  {
    name: 'no header and no final line feed',
    segments: ['1,ann,x\n', '2,bob,y\n', '3,cy,z\n', '4,dee,w'],
    options: { header: false },
  },
  {
    name: 'quoted fields with line breaks and doubled quotes',
    segments: [
      'id,text\n',
      '1,"line one\nline two"\n',
      '2,"say ""hi""\n""again"""\n',
      '3,"a,b"\n',
      '4,"\r\n"\n',
      '5,""\n',
    ],
  },
  {
    name: 'CRLF',
    segments: ['a,b\r\n', '1,2\r\n', '3,"x\r\ny"\r\n', '5,6\r\n'],
  },
  {
    name: 'mixed line ends',
    // A record ended by CR alone shares its segment with the next one: the next byte could be LF.
    segments: ['a,b\r\n', '1,2\n', '3,"x\r\ny\nz"\r\n', '5,6\r7,8\n', '9,10\r\n', '11,12'],
  },
  {
    name: 'blank lines',
    segments: ['a,b\n', '\n', '1,2\n', '\r\n', '\n', '3,4\n', '\n'],
  },
  {
    name: 'ragged rows',
    segments: ['a,b,c\n', '1,2\n', '1,2,3,4,5\n', 'x\n', '4,5,6\n', '7,8,9,\n'],
  },
  {
    name: 'trailing delimiter',
    segments: ['a,b,\n', '1,2,\n', '3,4,\n', '5,6,7,\n', '8,\n', '9,10,'],
  },
  {
    name: 'broken quoting',
    // An unclosed quote runs to the end of the file, so no block can end after it.
    segments: ['a,b,c\n', '1,"ab"c,3\n', '4,5,6\n', '7,"open\n8,9\n'],
  },
  {
    name: 'UTF-8 with a byte order mark',
    segments: ['id,ñame\n', '1,é\n', '2,"日本\n語"\n', '3,😀\n'],
    bom: true,
  },
  {
    name: 'Windows-1252',
    segments: [
      [...Buffer.from('id,name\n', 'latin1')],
      [...Buffer.from('1,caf\u00e9\n', 'latin1')],
      [0x32, 0x2c, 0x80, 0x0a],
      [0x33, 0x2c, 0x22, 0x93, 0x71, 0x94, 0x0a, 0xe9, 0x22, 0x0a],
    ],
  },
  {
    name: 'semicolon delimiter and empty fields',
    segments: ['a;b;c\n', ';;\n', '"";x;\n', 'é;;""\n'],
  },
];

function bytesOf(segment: string | number[]): Uint8Array {
  return typeof segment === 'string'
    ? new Uint8Array(Buffer.from(segment, 'utf8'))
    : new Uint8Array(segment);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function entriesOf(chunks: FileChunk[]): Entry[] {
  const entries: Entry[] = [];

  for (const chunk of chunks) {
    chunk.rows.forEach((values, index) => {
      entries.push({ row: chunk.firstRowNumber + index, line: chunk.lineNumbers[index], values });
    });

    for (const error of chunk.errors) {
      entries.push({ error });
    }

    // The chunk builder numbers a chunk by its first entry, whether a row or an error.
    const first = chunk.rows.length > 0 ? chunk.firstRowNumber : chunk.errors[0]?.row;

    expect(chunk.firstRowNumber).toBe(first);
  }

  return entries;
}

async function readWhole(
  bytes: Uint8Array,
  options: FileReaderOptions,
): Promise<{ detected: DetectedFormat; entries: Entry[] }> {
  const reader = await openFileReader(bytes, options);
  const chunks: FileChunk[] = [];

  for await (const chunk of reader) {
    chunks.push(chunk);
  }

  return { detected: reader.detected, entries: entriesOf(chunks) };
}

/**
 * Reads `bytes` (the file after its byte order mark) as blocks that end at
 * `cuts`. The last block is pushed in pieces of `pieceSizes`, the others
 * whole. Each block's start comes from the reader of the block before it,
 * as the block pipeline computes it.
 */
function readBlocks(
  bytes: Uint8Array,
  dialect: CsvDialect,
  cuts: number[],
  pieceSizes: number[] | null,
): Entry[] {
  const ends = [...cuts, bytes.length];
  const entries: Entry[] = [];
  let start: BlockStart = { byteOffset: 0, recordsBefore: 0, linesBefore: 0 };

  ends.forEach((end, index) => {
    const last = index === ends.length - 1;
    const block = bytes.subarray(start.byteOffset, end);
    const reader = new CsvBlockReader(dialect, start);
    const pieces = pieceSizes === null ? [block] : splitBytes(block, pieceSizes);

    for (const piece of pieces) {
      reader.push(piece);
    }

    if (last) {
      reader.end();
    } else {
      expect({ cuts, end, atRecordStart: reader.atRecordStart }).toEqual({
        cuts,
        end,
        atRecordStart: true,
      });
      reader.flushRows();
    }

    entries.push(...entriesOf(reader.take()));
    start = {
      byteOffset: end,
      recordsBefore: reader.lastRecordNumber,
      linesBefore: reader.linesCompleted,
    };
  });

  return entries;
}

/** Awaits `promise` and returns the message of the FileReaderError it rejects with. */
async function rejectionMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FileReaderError);

    return (error as FileReaderError).message;
  }

  throw new Error('expected the read to fail with a FileReaderError, but it succeeded');
}

/** Returns every subset of `items`, in order. */
function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>(
    (all, item) => [...all, ...all.map((subset) => [...subset, item])],
    [[]],
  );
}

describe('CsvBlockReader', () => {
  describe.each(FILES)('on $name', ({ segments, options = {}, bom = false }) => {
    const parts = segments.map(bytesOf);
    const body = concat(parts);
    const file = bom ? concat([new Uint8Array(UTF8_BOM), body]) : body;
    // The byte offsets after each segment but the last, where a block may end.
    const boundaries = parts
      .slice(0, -1)
      .map((_, index) => parts.slice(0, index + 1).reduce((sum, part) => sum + part.length, 0));
    const readOptions: FileReaderOptions = { chunkRows: 2, ...options };

    it('reads the rows and errors of the whole file', async () => {
      const whole = await readWhole(file, readOptions);
      const dialect = lineCutDialect(whole.detected, readOptions);

      expect(dialect).not.toBeNull();
      expect(whole.detected.bom).toBe(bom);

      for (const cuts of subsets(boundaries)) {
        for (const pieceSizes of [null, [1], [3, 1, 4, 1, 5]]) {
          const blocks = readBlocks(body, dialect as CsvDialect, cuts, pieceSizes);

          expect({ cuts, pieceSizes, entries: blocks }).toEqual({
            cuts,
            pieceSizes,
            entries: whole.entries,
          });
        }
      }
    });
  });

  it('reads Windows-1252 text by its table', async () => {
    const file = concat(
      FILES.find((entry) => entry.name === 'Windows-1252')?.segments.map(bytesOf) ?? [],
    );
    const whole = await readWhole(file, {});
    const values = whole.entries.map((entry) =>
      'values' in entry ? entry.values : entry.error.values,
    );

    expect(whole.detected.encoding).toBe('windows-1252');
    expect(values).toEqual([
      ['1', 'café'],
      ['2', '€'],
      ['3', '“q”\né'],
    ]);
  });

  it('counts lines and records across blocks', async () => {
    const file = new Uint8Array(Buffer.from('a,b\n1,"x\ny"\n\n2,3\n', 'utf8'));
    const { detected } = await readWhole(file, {});
    const reader = new CsvBlockReader(lineCutDialect(detected) as CsvDialect, {
      byteOffset: 0,
      recordsBefore: 0,
      linesBefore: 0,
    });

    reader.push(file);

    expect(reader.lastRecordNumber).toBe(3);
    expect(reader.linesCompleted).toBe(5);
    expect(reader.atRecordStart).toBe(true);
  });

  describe('atRecordStart', () => {
    const dialect: CsvDialect = {
      encoding: 'utf-8',
      delimiter: ',',
      quote: '"',
      header: true,
      width: 2,
      trailingDelimiter: false,
      maxRecordLength: 1000,
      chunkRows: 10,
      byteOrderMarkBytes: 0,
    };
    const fileStart: BlockStart = { byteOffset: 0, recordsBefore: 0, linesBefore: 0 };

    function readerAfter(text: string): CsvBlockReader {
      const reader = new CsvBlockReader(dialect, fileStart);

      reader.push(new Uint8Array(Buffer.from(text, 'utf8')));

      return reader;
    }

    it('is true before any byte', () => {
      expect(new CsvBlockReader(dialect, fileStart).atRecordStart).toBe(true);
    });

    it('is true after a line feed outside quotes', () => {
      expect(readerAfter('a,b\n1,"x\ny"\n').atRecordStart).toBe(true);
    });

    it('is true after a record whose line feed comes alone', () => {
      const reader = new CsvBlockReader(dialect, fileStart);

      reader.push(new Uint8Array(Buffer.from('a,b\n1,long value', 'utf8')));
      reader.push(new Uint8Array(Buffer.from('\n', 'utf8')));

      expect(reader.atRecordStart).toBe(true);
    });

    it('is true after a record that ends in short pieces', () => {
      const reader = new CsvBlockReader(dialect, fileStart);

      for (const piece of splitBytes(
        new Uint8Array(Buffer.from('a,b\n1,long value\n', 'utf8')),
        [1],
      )) {
        reader.push(piece);
      }

      expect(reader.atRecordStart).toBe(true);
    });

    it('is false after a line feed inside a quoted field', () => {
      expect(readerAfter('a,b\n1,"open\n').atRecordStart).toBe(false);
    });

    it('is false inside a quoted field split into pieces', () => {
      const reader = new CsvBlockReader(dialect, fileStart);

      for (const piece of splitBytes(new Uint8Array(Buffer.from('a,b\n1,"x\ny\n', 'utf8')), [1])) {
        reader.push(piece);
      }

      expect(reader.atRecordStart).toBe(false);
    });

    it('is false in the middle of a line', () => {
      expect(readerAfter('a,b\n1,2').atRecordStart).toBe(false);
    });

    it('is false after a carriage return that a line feed may follow', () => {
      expect(readerAfter('a,b\n1,2\r').atRecordStart).toBe(false);
    });
  });

  it('keeps a byte order mark at a mid-file block start as text', async () => {
    const head = new Uint8Array(Buffer.from('a,b\n1,2\n', 'utf8'));
    const tail = new Uint8Array([...UTF8_BOM, ...Buffer.from('x,y\n', 'utf8')]);
    const file = concat([head, tail]);
    const whole = await readWhole(file, {});
    const blocks = readBlocks(
      file,
      lineCutDialect(whole.detected) as CsvDialect,
      [head.length],
      [1],
    );

    expect(blocks).toEqual([
      { row: 2, line: 2, values: ['1', '2'] },
      { row: 3, line: 3, values: ['\ufeffx', 'y'] },
    ]);
    expect(blocks).toEqual(whole.entries);
  });

  describe('invalid UTF-8 in a mid-file block', () => {
    const head = new Uint8Array(Buffer.from('id,name\n1,é\n', 'utf8'));
    const tail = new Uint8Array([
      ...Buffer.from('2,ab', 'utf8'),
      0xff,
      ...Buffer.from('\n3,x\n', 'utf8'),
    ]);
    const file = concat([head, tail]);
    // Given, so the invalid byte is not taken as a sign of Windows-1252.
    const options: FileReaderOptions = { encoding: 'utf-8' };

    it('names the byte offset from the file start', async () => {
      const message = await rejectionMessage(readWhole(file, options));
      const dialect = lineCutDialect(
        (await openFileReader(head, options)).detected,
        options,
      ) as CsvDialect;

      expect(message).toContain(`at byte ${head.length + 4}:`);

      for (const pieceSizes of [null, [1], [2, 3]]) {
        expect(() => readBlocks(file, dialect, [head.length], pieceSizes)).toThrow(message);
      }
    });
  });

  it('counts error offsets from the file start after a byte order mark', async () => {
    const head = new Uint8Array(Buffer.from('id,name\n1,x\n', 'utf8'));
    const tail = new Uint8Array([...Buffer.from('2,', 'utf8'), 0xff, 0x0a]);
    const body = concat([head, tail]);
    const options: FileReaderOptions = { encoding: 'utf-8' };
    const file = concat([new Uint8Array(UTF8_BOM), body]);
    const message = await rejectionMessage(readWhole(file, options));
    // Detected on the head only, whose sample has no invalid byte.
    const dialect = lineCutDialect(
      (await openFileReader(concat([new Uint8Array(UTF8_BOM), head]), options)).detected,
      options,
    ) as CsvDialect;

    expect(dialect.byteOrderMarkBytes).toBe(UTF8_BOM.length);

    expect(message).toContain(`at byte ${UTF8_BOM.length + head.length + 2}:`);
    expect(() => readBlocks(body, dialect, [head.length], null)).toThrow(message);
  });

  it('skips a header after blank lines in an earlier block', async () => {
    const file = new Uint8Array(Buffer.from('\n\nid,name\n1,x\n', 'utf8'));
    const whole = await readWhole(file, {});
    const blocks = readBlocks(file, lineCutDialect(whole.detected) as CsvDialect, [2], null);

    expect(whole.entries).toEqual([{ row: 2, line: 4, values: ['1', 'x'] }]);
    expect(blocks).toEqual(whole.entries);
  });

  describe('lineCutDialect', () => {
    async function detect(
      source: Uint8Array | string,
      options: FileReaderOptions = {},
    ): Promise<DetectedFormat> {
      const reader = await openFileReader(source, options);

      await reader.close();

      return reader.detected;
    }

    it('returns the dialect of a UTF-8 CSV file', async () => {
      const detected = await detect('a;b;\n1;2;\n');

      expect(lineCutDialect(detected, { chunkRows: 7, maxRecordLength: 99 })).toEqual({
        encoding: 'utf-8',
        delimiter: ';',
        quote: '"',
        header: true,
        width: 2,
        trailingDelimiter: true,
        maxRecordLength: 99,
        chunkRows: 7,
        byteOrderMarkBytes: 0,
      });
    });

    it('uses the default chunk and record sizes', async () => {
      const dialect = lineCutDialect(await detect('a,b\n1,2\n'));

      expect(dialect?.chunkRows).toBe(5_000);
      expect(dialect?.maxRecordLength).toBe(64 * 1024 * 1024);
    });

    it('returns null for JSON', async () => {
      expect(lineCutDialect(await detect('[{"a":1},{"a":2}]'))).toBeNull();
    });

    it('returns null for NDJSON', async () => {
      expect(lineCutDialect(await detect('{"a":1}\n{"a":2}\n'))).toBeNull();
    });

    it('returns null for UTF-16', async () => {
      const bytes = new Uint8Array([0xff, 0xfe, ...Buffer.from('a,b\n1,2\n', 'utf16le')]);
      const detected = await detect(bytes);

      expect(detected.encoding).toBe('utf-16le');
      expect(lineCutDialect(detected)).toBeNull();
    });

    it('returns null for a non-ASCII quote', async () => {
      const detected = await detect('a,b\n«x,y»,2\n', { quote: '«' });

      expect(detected.format).toBe('csv');
      expect(lineCutDialect(detected)).toBeNull();
    });
  });
});
