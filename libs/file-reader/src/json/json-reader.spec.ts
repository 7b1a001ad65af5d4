import { FileReaderError } from '../file-reader.error';
import { readAll, splitBytes, utf8 } from '../testing/read-all.util';

const ARRAY_TEXT = `[
  {"id": 1, "name": "Ana", "tags": ["a", "b"]},
  {"id": 9007199254740993, "name": null, "extra": {"x": 1}},
  {"name": "Cy", "note": "comma, \\"quote\\" and ] bracket"}
]
`;

describe('JSON array files', () => {
  it('reads objects as rows over the union of keys', async () => {
    const result = await readAll([utf8(ARRAY_TEXT)]);

    expect(result.detected).toMatchObject({
      format: 'json',
      encoding: 'utf-8',
      delimiter: null,
      quote: null,
      header: false,
      columns: ['id', 'name', 'tags', 'extra', 'note'],
    });
    expect(result.rows).toEqual([
      [1, 'Ana', ['a', 'b'], null, null],
      [9007199254740993n, null, null, { x: 1 }, null],
      [null, 'Cy', null, null, 'comma, "quote" and ] bracket'],
    ]);
    expect(result.rowNumbers).toEqual([1, 2, 3]);
    expect(result.lineNumbers).toEqual([2, 3, 4]);
  });

  it('reads the same in 1-byte pieces', async () => {
    const bytes = utf8(ARRAY_TEXT);
    const whole = await readAll([bytes]);
    const pieces = await readAll(splitBytes(bytes, [1]));

    expect(pieces.detected).toEqual(whole.detected);
    expect(pieces.rows).toEqual(whole.rows);
    expect(pieces.lineNumbers).toEqual(whole.lineNumbers);
  });

  it('reads an empty array', async () => {
    const result = await readAll([utf8(' [ ] ')]);

    expect(result.detected.format).toBe('json');
    expect(result.columns).toEqual([]);
    expect(result.rows).toEqual([]);
  });

  it('reports elements that are not objects and keeps going', async () => {
    const result = await readAll([utf8('[{"a": 1}, [1, 2], "text", 42, {"a": tru}, {"a": 2}]')]);

    expect(result.rows).toEqual([[1], [2]]);
    expect(result.rowNumbers).toEqual([1, 6]);
    expect(result.errors.map((error) => [error.row, error.raw, error.message])).toEqual([
      [2, '[1, 2]', 'line 1: the value is an array, not a JSON object'],
      [3, '"text"', 'line 1: the value is a string, not a JSON object'],
      [4, '42', 'line 1: the value is a number, not a JSON object'],
      [5, '{"a": tru}', expect.stringContaining('line 1: invalid JSON')],
    ]);
  });

  it('reports a key first seen after the sample', async () => {
    const objects = Array.from({ length: 200 }, (_, index) => JSON.stringify({ id: index, name: `n${index}` }));

    objects.push('{"id": 200, "late": "x"}');
    const result = await readAll([utf8(`[${objects.join(',\n')}]`)], { sampleBytes: 1024 });

    expect(result.columns).toEqual(['id', 'name']);
    expect(result.rows).toHaveLength(200);
    expect(result.errors).toEqual([
      {
        row: 201,
        line: 201,
        message: "line 201: key 'late' not among the columns found in the first 1,024 bytes; raise sampleBytes to include it",
        raw: '{"id": 200, "late": "x"}',
        values: [200, null, 'x'],
      },
    ]);
  });

  it.each([
    ['[{"a": 1} {"a": 2}]', "Invalid JSON on line 1: expected ',' or ']' after an array element, found '{'."],
    ['[{"a": 1},]', "Invalid JSON on line 1: unexpected ']' where an array element should start."],
    ['[{"a": 1}] x', 'Invalid JSON on line 1: unexpected text after the closing ] of the array.'],
    ['[{"a": 1},\n{"a": 2}', 'Invalid JSON on line 2: the file ends before the closing ] of the array.'],
  ])('raises on broken structure %p', async (text, message) => {
    await expect(readAll([utf8(text)], { format: 'json' })).rejects.toThrow(new FileReaderError('INVALID_JSON', message));
  });

  it('rejects a file that is not an array when JSON is asked for', async () => {
    await expect(readAll([utf8('{"a": 1}')], { format: 'json' })).rejects.toThrow(
      'Invalid JSON on line 1: expected the file to start with [ (an array of objects).',
    );
  });

  it('raises on an element longer than the limit', async () => {
    const text = `[{"a": "${'x'.repeat(500)}"}]`;

    await expect(readAll(splitBytes(utf8(text), [64]), { maxRecordLength: 100, sampleBytes: 64 })).rejects.toThrow(
      'The array element that starts on line 1 is longer than 100 characters',
    );
  });

  it('reads a UTF-16LE JSON file', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, ...Buffer.from('[{"name": "Ótimo"}]', 'utf16le')]);
    const result = await readAll([bytes]);

    expect(result.detected).toMatchObject({ format: 'json', encoding: 'utf-16le', bom: true });
    expect(result.rows).toEqual([['Ótimo']]);
  });
});

describe('NDJSON files', () => {
  const NDJSON_TEXT = '{"id": 1, "name": "Ana"}\r\n\r\n{"id": 1234567890123456789, "city": "Oslo"}\n  \n{"name": "Cy"}';

  it('reads one object per line and skips blank lines', async () => {
    const result = await readAll([utf8(NDJSON_TEXT)]);

    expect(result.detected).toMatchObject({ format: 'ndjson', columns: ['id', 'name', 'city'], lineEnding: 'mixed' });
    expect(result.rows).toEqual([
      [1, 'Ana', null],
      [1234567890123456789n, null, 'Oslo'],
      [null, 'Cy', null],
    ]);
    expect(result.rowNumbers).toEqual([1, 2, 3]);
    expect(result.lineNumbers).toEqual([1, 3, 5]);
  });

  it('reads the same in 1-byte pieces', async () => {
    const bytes = utf8(NDJSON_TEXT);
    const whole = await readAll([bytes]);
    const pieces = await readAll(splitBytes(bytes, [1]));

    expect(pieces.rows).toEqual(whole.rows);
    expect(pieces.lineNumbers).toEqual(whole.lineNumbers);
  });

  it('reports a line that is not a JSON object', async () => {
    const result = await readAll([utf8('{"a": 1}\n{"a": \n[1]\n{"a": 2}\n')]);

    expect(result.rows).toEqual([[1], [2]]);
    expect(result.errors.map((error) => [error.row, error.line, error.raw])).toEqual([
      [2, 2, '{"a": '],
      [3, 3, '[1]'],
    ]);
    expect(result.errors[0].message).toMatch(/^line 2: invalid JSON: /);
    expect(result.errors[1].message).toBe('line 3: the value is an array, not a JSON object');
  });

  it('rejects a single object written over several lines', async () => {
    await expect(readAll([utf8('{\n  "a": 1\n}\n')])).rejects.toThrow(
      'The file is a single JSON object written over several lines',
    );
  });

  it('raises on a line longer than the limit', async () => {
    const text = `{"a": 1}\n{"a": "${'x'.repeat(500)}"}\n`;

    await expect(readAll(splitBytes(utf8(text), [64]), { maxRecordLength: 100, sampleBytes: 64 })).rejects.toThrow(
      'Line 2 is longer than 100 characters',
    );
  });
});
