import { FileReaderError } from '../file-reader.error';
import { CsvParser } from './csv-parser';

interface ParsedRecord {
  fields: (string | null)[];
  line: number;
  raw: string;
  problem?: string;
}

function parse(pieces: string[], options: { delimiter?: string; maxRecordLength?: number } = {}): ParsedRecord[] {
  const records: ParsedRecord[] = [];
  const parser: CsvParser = new CsvParser(
    { delimiter: options.delimiter ?? ',', quote: '"', maxRecordLength: options.maxRecordLength ?? 1000 },
    {
      record: (fields, line) => records.push({ fields, line, raw: parser.recordText() }),
      malformed: (fields, line, problem) => records.push({ fields, line, raw: parser.recordText(), problem }),
    },
  );

  for (const piece of pieces) {
    parser.push(piece);
  }

  parser.end();

  return records;
}

function fieldsOf(text: string): (string | null)[][] {
  return parse([text]).map((record) => record.fields);
}

describe('CsvParser', () => {
  it('reads null for empty unquoted and empty string for quoted', () => {
    expect(fieldsOf('a,"",,b\n')).toEqual([['a', '', null, 'b']]);
  });

  it('reads a trailing empty field as null', () => {
    expect(fieldsOf('a,b,\n')).toEqual([['a', 'b', null]]);
    expect(fieldsOf('a,b,')).toEqual([['a', 'b', null]]);
  });

  it('reads doubled quotes, delimiters and line breaks inside quotes', () => {
    expect(fieldsOf('"a ""q"", b","x\r\ny\rz\nw"\n')).toEqual([['a "q", b', 'x\r\ny\rz\nw']]);
  });

  it('ends records at LF, CRLF and CR alike', () => {
    const records = parse(['a,1\nb,2\r\nc,3\rd,4']);

    expect(records.map((record) => record.fields)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ]);
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4]);
  });

  it('counts terminators by kind', () => {
    const parser = new CsvParser({ delimiter: ',', quote: '"', maxRecordLength: 100 }, { record: () => undefined, malformed: () => undefined });

    parser.push('a\r\nb\nc\rd\r');
    parser.push('\ne\n');
    parser.end();

    expect(parser.terminators).toEqual({ crlf: 2, lf: 2, cr: 1 });
  });

  it('skips blank lines but counts them', () => {
    const records = parse(['\na,1\n\n\r\n\rb,2\n\n']);

    expect(records.map((record) => record.fields)).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(records.map((record) => record.line)).toEqual([2, 6]);
  });

  it('numbers lines past quoted line breaks', () => {
    const records = parse(['id,text\r\n1,"two\nlines"\r\n2,"three\r\n\r\nlines"\r\n3,x\r\n']);

    expect(records.map((record) => record.line)).toEqual([1, 2, 4, 7]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(fieldsOf('5" disk,x\n')).toEqual([['5" disk', 'x']]);
  });

  it('keeps white space around unquoted fields', () => {
    expect(fieldsOf('  a , b\t\n')).toEqual([['  a ', ' b\t']]);
  });

  it('returns the raw text of each record', () => {
    expect(parse(['a,"b\nc"\r\nd,e\n']).map((record) => record.raw)).toEqual(['a,"b\nc"', 'd,e']);
  });

  it('reports text after a closing quote and keeps it', () => {
    const [record] = parse(['"ab"c,d\n']);

    expect(record.fields).toEqual(['abc', 'd']);
    expect(record.problem).toBe('unexpected text after the closing quote of field 1');
    expect(record.raw).toBe('"ab"c,d');
  });

  it('reports a quote left open at the end of the file', () => {
    const records = parse(['a,b\n1,"open\n2,x\n']);

    expect(records[1]).toEqual({
      fields: ['1', 'open\n2,x\n'],
      line: 2,
      raw: '1,"open\n2,x\n',
      problem: 'the quoted field 2 is not closed before the end of the file',
    });
  });

  it('raises when an open record grows past the limit', () => {
    expect(() => parse(['a\n"', 'x'.repeat(60), 'y'.repeat(60)], { maxRecordLength: 100 })).toThrow(FileReaderError);
    expect(() => parse(['a\n"', 'x'.repeat(60), 'y'.repeat(60)], { maxRecordLength: 100 })).toThrow(
      'The record that starts on line 2 is longer than 100 characters',
    );
  });

  it('gives the same records in one-character pieces', () => {
    const text = 'h1;h2\r\n"a;\r\nb";""\r\r\n;"x""y"\rlast;';
    const whole = parse([text], { delimiter: ';' });
    const pieces = parse([...text], { delimiter: ';' });

    expect(pieces).toEqual(whole);
    expect(whole.map((record) => record.fields)).toEqual([
      ['h1', 'h2'],
      ['a;\r\nb', ''],
      [null, 'x"y'],
      ['last', null],
    ]);
    expect(whole.map((record) => record.line)).toEqual([1, 2, 5, 6]);
  });

  it('parses a long record a few times', () => {
    const fields: (string | null)[][] = [];
    const parser = new CsvParser(
      { delimiter: ',', quote: '"', maxRecordLength: 3_000_000 },
      { record: (record) => fields.push(record), malformed: () => undefined },
    );
    const parseSpy = jest.spyOn(parser as unknown as { parse: (text: string, final: boolean) => void }, 'parse');

    parser.push('id,text\n1,"');

    for (let piece = 0; piece < 2000; piece += 1) {
      parser.push('x'.repeat(1000));
    }

    parser.push('"\n');
    parser.end();

    expect(fields[1][1]).toHaveLength(2_000_000);
    // Parsing the record again for each of the 2,000 pieces would scan 2 GB in all.
    expect(parseSpy.mock.calls.length).toBeLessThan(20);
  });
});
