import { Readable } from 'node:stream';

import { openFileReader } from './file-reader';
import { FileReaderError } from './file-reader.error';
import { readAll, splitBytes, utf8 } from './testing/read-all.util';

/** Creates a source of `count` pieces of CSV rows that counts the pieces taken and records whether it was closed. */
function countingSource(count: number, rowsPerPiece = 100): { source: AsyncGenerator<Uint8Array>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;

  async function* generate(): AsyncGenerator<Uint8Array> {
    try {
      yield utf8('id,name\n');

      for (let piece = 0; piece < count; piece += 1) {
        pulled += 1;
        const rows = Array.from({ length: rowsPerPiece }, (_, index) => `${piece * rowsPerPiece + index},name\n`);

        yield utf8(rows.join(''));
      }
    } finally {
      closed = true;
    }
  }

  return { source: generate(), pulled: () => pulled, closed: () => closed };
}

describe('openFileReader', () => {
  it('lists every invalid option', async () => {
    const problems = [
      'format "xml" is not one of csv, json, ndjson',
      'quote "\'\'" must be one character other than CR or LF',
      'delimiter "\\n" must be one character other than the quote, CR or LF',
      'chunkRows 0 must be a whole number of at least 1',
      'sampleBytes 1.5 must be a whole number of at least 1',
    ];

    await expect(
      openFileReader([utf8('a')], {
        format: 'xml' as 'csv',
        quote: "''",
        delimiter: '\n',
        chunkRows: 0,
        sampleBytes: 1.5,
      }),
    ).rejects.toThrow(new FileReaderError('INVALID_OPTIONS', `Invalid file reader options: ${problems.join('; ')}.`));
  });

  it('reads the source only as the consumer pulls', async () => {
    const { source, pulled } = countingSource(1000);
    const reader = await openFileReader(source, { chunkRows: 250, sampleBytes: 1024 });
    const afterOpen = pulled();
    const iterator = reader[Symbol.asyncIterator]();

    await iterator.next();
    const afterFirstChunk = pulled();

    await iterator.next();

    expect(afterOpen).toBeLessThanOrEqual(2);
    expect(afterFirstChunk).toBeLessThanOrEqual(4);
    expect(pulled()).toBeLessThanOrEqual(6);
    await reader.close();
  });

  it('closes the source when the consumer stops early', async () => {
    const { source, closed } = countingSource(1000);
    const reader = await openFileReader(source);

    for await (const chunk of reader) {
      expect(chunk.rows.length).toBeGreaterThan(0);
      break;
    }

    expect(closed()).toBe(true);
  });

  it('closes the source on close() before any chunk', async () => {
    const { source, closed } = countingSource(1000);
    const reader = await openFileReader(source);

    await reader.close();

    expect(closed()).toBe(true);
  });

  it('can be iterated once', async () => {
    const reader = await openFileReader([utf8('a\n1\n')]);

    for await (const _chunk of reader) {
      // Reads to the end.
    }

    expect(() => reader[Symbol.asyncIterator]()).toThrow(new FileReaderError('ALREADY_READ', 'The file reader can be iterated once: open the file again.'));
  });

  it('counts bytes, rows and row errors', async () => {
    const bytes = utf8('a,b\n1,2\n3\n4,5\n');
    const reader = await openFileReader(splitBytes(bytes, [3]));

    expect(reader.progress.rowsRead).toBe(0);

    for await (const _chunk of reader) {
      // Reads to the end.
    }

    expect(reader.progress).toEqual({ bytesRead: bytes.length, rowsRead: 3, rowErrors: 1 });
  });

  it('cuts chunks at chunkRows with consecutive row numbers', async () => {
    const { source } = countingSource(10, 100);
    const result = await readAll(source, { chunkRows: 300 });

    expect(result.chunks.map((chunk) => [chunk.firstRowNumber, chunk.rows.length])).toEqual([
      [2, 300],
      [302, 300],
      [602, 300],
      [902, 100],
    ]);
    expect(result.rows[999]).toEqual(['999', 'name']);
  });

  it('keeps error-only chunks within chunkRows', async () => {
    const text = `a,b\n${'1\n'.repeat(25)}2,3\n`;
    const result = await readAll([utf8(text)], { chunkRows: 10 });

    expect(result.chunks.map((chunk) => [chunk.firstRowNumber, chunk.rows.length, chunk.errors.length])).toEqual([
      [2, 0, 10],
      [12, 0, 10],
      [22, 0, 5],
      [27, 1, 0],
    ]);
  });

  it('reads an empty file as CSV without columns', async () => {
    const result = await readAll([]);

    expect(result.detected).toEqual({
      format: 'csv',
      encoding: 'utf-8',
      bom: false,
      delimiter: ',',
      quote: '"',
      header: true,
      columns: [],
      trailingDelimiter: false,
      lineEnding: 'none',
    });
    expect(result.chunks).toEqual([]);
  });

  it('reads a file with only a header', async () => {
    const result = await readAll([utf8('\ufeffa;b;c\r\n')]);

    expect(result.columns).toEqual(['a', 'b', 'c']);
    expect(result.detected.delimiter).toBe(';');
    expect(result.rows).toEqual([]);
  });

  it('names columns when there is no header', async () => {
    const result = await readAll([utf8('1,x\n2,y\n')], { header: false });

    expect(result.columns).toEqual(['column_1', 'column_2']);
    expect(result.rows).toEqual([
      ['1', 'x'],
      ['2', 'y'],
    ]);
    expect(result.rowNumbers).toEqual([1, 2]);
  });

  it('guesses the header with header auto', async () => {
    const numeric = await readAll([utf8('1,2.5\n2,3.5\n')], { header: 'auto' });
    const named = await readAll([utf8('id,price\n1,2.5\n')], { header: 'auto' });

    expect(numeric.detected.header).toBe(false);
    expect(numeric.rows).toHaveLength(2);
    expect(named.detected.header).toBe(true);
    expect(named.columns).toEqual(['id', 'price']);
  });

  it('takes the delimiter, quote and format from the options', async () => {
    const result = await readAll([utf8("a,b|'c|d'\n1,2|'3|4'\n")], { delimiter: '|', quote: "'", format: 'csv' });

    expect(result.columns).toEqual(['a,b', 'c|d']);
    expect(result.rows).toEqual([['1,2', '3|4']]);
  });

  it('reads CSV that starts with a brace', async () => {
    const guessed = await readAll(utf8('{} ,b\n1,2\n'));
    const named = await readAll(utf8('{"a"}\t"b"\n1\t2\n'), { delimiter: '\t' });

    expect(guessed.detected.format).toBe('csv');
    expect(guessed.columns).toEqual(['{} ', 'b']);
    expect(named.detected.format).toBe('csv');
    expect(named.columns).toEqual(['{"a"}', 'b']);
  });

  it('reads CSV that starts like a JSON array', async () => {
    const result = await readAll(utf8('[{"a"}],b\n1,2\n'));

    expect(result.detected.format).toBe('csv');
    expect(result.columns).toEqual(['[{"a"}]', 'b']);
    expect(result.rows).toEqual([['1', '2']]);
  });

  it('reads records that end in CR only', async () => {
    const result = await readAll(splitBytes(utf8('a,b\r1,2\r3,"x\ry"\r4,5'), [1]));

    expect(result.detected.lineEnding).toBe('cr');
    expect(result.rows).toEqual([
      ['1', '2'],
      ['3', 'x\ry'],
      ['4', '5'],
    ]);
    expect(result.lineNumbers).toEqual([2, 3, 5]);
  });

  it('skips blank lines and keeps line numbers', async () => {
    const result = await readAll([utf8('a,b\n\n1,2\n\n\n3,4\n\n')]);

    expect(result.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(result.rowNumbers).toEqual([2, 3]);
    expect(result.lineNumbers).toEqual([3, 6]);
  });

  it('numbers records and lines apart across quoted line breaks', async () => {
    const result = await readAll([utf8('id,note\n1,"a\nb\nc"\n2,x\n3,"\n"\n4,y\n')]);

    expect(result.rowNumbers).toEqual([2, 3, 4, 5]);
    expect(result.lineNumbers).toEqual([2, 5, 6, 8]);
  });

  it('reports an extra value after a trailing delimiter', async () => {
    // The sample ends before the records with extra values, which would otherwise show a real third column.
    const result = await readAll([utf8('a|b|\n1|2|\n3|4\n5|6|x\n7|8||\n')], { sampleBytes: 16 });

    expect(result.detected.trailingDelimiter).toBe(true);
    expect(result.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(result.errors.map((error) => error.message)).toEqual([
      "line 4: 3 fields, expected 2; extra value 'x'",
      'line 5: 3 fields, expected 2; extra value (empty)',
    ]);
  });

  it('keeps a blank last header when the records fill it', async () => {
    const result = await readAll([utf8('a,b,\n1,2,3\n4,5,\n')]);

    expect(result.detected.trailingDelimiter).toBe(false);
    expect(result.columns).toEqual(['a', 'b', '']);
    expect(result.rows).toEqual([
      ['1', '2', '3'],
      ['4', '5', null],
    ]);
  });

  it('reports badly quoted records with their raw text', async () => {
    const result = await readAll([utf8('a,b\n1,"x"y\n2,"open\n')]);

    expect(result.rows).toEqual([]);
    expect(result.errors).toEqual([
      {
        row: 2,
        line: 2,
        message: 'line 2: unexpected text after the closing quote of field 2',
        raw: '1,"x"y',
        values: ['1', 'xy'],
      },
      {
        row: 3,
        line: 3,
        message: 'line 3: the quoted field 2 is not closed before the end of the file',
        raw: '2,"open\n',
        values: ['2', 'open\n'],
      },
    ]);
  });

  it('reads a header longer than the sample', async () => {
    const names = Array.from({ length: 50 }, (_, index) => `column_name_${index}`);
    const result = await readAll([utf8(`${names.join(';')}\n${names.map((_, index) => index).join(';')}\n`)], {
      sampleBytes: 64,
    });

    expect(result.detected.delimiter).toBe(';');
    expect(result.columns).toEqual(names);
    expect(result.rows).toHaveLength(1);
  });

  it('raises when the first 16 MiB hold no record', async () => {
    const blankLines = new Uint8Array(17 * 1024 * 1024).fill(0x0a);

    await expect(readAll(splitBytes(blankLines, [1024 * 1024]))).rejects.toThrow(
      'The first 16,777,216 bytes of the file hold no complete record: check the format and the quotes.',
    );
  }, 60_000);

  it('reports CRLF when the sample ends between CR and LF', async () => {
    const text = 'a,b\r\n1,2\r\n3,4\r\n';
    const result = await readAll([utf8(text)], { sampleBytes: text.indexOf('\n', 5) });

    expect(result.detected.lineEnding).toBe('crlf');
  });

  it('reads Windows-1252 bytes', async () => {
    const bytes = new Uint8Array([
      ...Buffer.from('name;price\n', 'latin1'),
      ...[0x43, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x4e, 0x6f, 0x69, 0x72, 0x94, 0x3b, 0x80, 0x32, 0x0a],
    ]);
    const result = await readAll(splitBytes(bytes, [1]));

    expect(result.detected).toMatchObject({ encoding: 'windows-1252', bom: false, delimiter: ';' });
    expect(result.rows).toEqual([['Café “Noir”', '€2']]);
  });

  it('reads UTF-16BE with and without a byte order mark', async () => {
    const text = 'id,city\n1,Zürich\n2,東京\n';
    const withBom = new Uint8Array([0xfe, 0xff, ...Buffer.from(text, 'utf16le').swap16()]);
    const withoutBom = withBom.subarray(2);
    const first = await readAll(splitBytes(withBom, [3]));
    const second = await readAll([withoutBom]);

    expect(first.detected).toMatchObject({ encoding: 'utf-16be', bom: true });
    expect(second.detected).toMatchObject({ encoding: 'utf-16be', bom: false });

    for (const result of [first, second]) {
      expect(result.columns).toEqual(['id', 'city']);
      expect(result.rows).toEqual([
        ['1', 'Zürich'],
        ['2', '東京'],
      ]);
    }
  });

  it('raises on invalid UTF-8 after the sample', async () => {
    const head = utf8(`id,name\n${'1,plain ascii\n'.repeat(100)}`);
    const bytes = new Uint8Array([...head, 0x32, 0x2c, 0xe9, 0x0a]);
    const reader = await openFileReader([bytes], { sampleBytes: 256 });
    const read = async (): Promise<void> => {
      for await (const _chunk of reader) {
        // Reads to the end.
      }
    };

    expect(reader.detected.encoding).toBe('utf-8');
    await expect(read()).rejects.toThrow(`The file is not valid UTF-8 at byte ${head.length + 2}`);
  });

  it('rejects a binary file', async () => {
    // The first bytes of a PNG image: its signature, then an IHDR chunk length of 13.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48]);

    await expect(readAll([png])).rejects.toThrow(
      new FileReaderError(
        'UNSUPPORTED_FORMAT',
        'The file is not text: it contains a NUL byte at byte 8, as images, archives and spreadsheets do. ' +
          'Upload CSV, TSV, JSON or NDJSON text; save a spreadsheet as CSV first.',
      ),
    );
  });

  it('reads NUL bytes when the encoding is given', async () => {
    const result = await readAll([utf8('name\na\u0000b\n')], { encoding: 'utf-8' });

    expect(result.rows).toEqual([['a\u0000b']]);
  });

  it('reads the file as the encoding given', async () => {
    const bytes = new Uint8Array([...Buffer.from('name\n', 'latin1'), 0xe9, 0x0a]);
    const result = await readAll([bytes], { encoding: 'windows-1252' });

    expect(result.rows).toEqual([['é']]);
    await expect(readAll([bytes], { encoding: 'utf-8' })).rejects.toThrow('The file is not valid UTF-8 at byte 5');
  });

  it('reads a whole file given as bytes or text', async () => {
    const fromBytes = await readAll(utf8('a;b\n1;é\n'));
    const fromText = await readAll('a;b\n1;é\n');

    expect(fromBytes.rows).toEqual([['1', 'é']]);
    expect(fromText.rows).toEqual([['1', 'é']]);
    expect(fromText.detected.delimiter).toBe(';');
  });

  it('reads a Readable of strings', async () => {
    const result = await readAll(Readable.from(['a,b\n1,', 'é\n']));

    expect(result.rows).toEqual([['1', 'é']]);
  });

  it('passes on an error of the source', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield utf8('a,b\n1,2\n');
      throw new Error('disk read failed');
    }

    const reader = await openFileReader(failing(), { sampleBytes: 4 });
    const read = async (): Promise<void> => {
      for await (const _chunk of reader) {
        // Reads to the end.
      }
    };

    await expect(read()).rejects.toThrow('disk read failed');
  });

  it('reads a JSON array whose objects span lines', async () => {
    const result = await readAll([utf8('[\n  {\n    "a": 1,\n    "b": "x"\n  },\n  {\n    "a": 2\n  }\n]\n')]);

    expect(result.detected.format).toBe('json');
    expect(result.rows).toEqual([
      [1, 'x'],
      [2, null],
    ]);
    expect(result.lineNumbers).toEqual([2, 6]);
  });
});
