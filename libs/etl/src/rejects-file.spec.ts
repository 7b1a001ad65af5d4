import { openFileReader } from '@rokks/file-reader';

import { EtlError } from './etl.error';
import { type RejectsWriter, type RowProblem } from './etl.types';
import { formatRejectLine, RejectsFile } from './rejects-file';
import { MemoryRejects } from './testing/memory-rejects';

const problem = (partial: Partial<RowProblem>): RowProblem => ({
  row: 2,
  line: 2,
  column: 'amount',
  value: 'abc',
  message: 'not a number',
  record: null,
  ...partial,
});

describe('formatRejectLine', () => {
  it.each([
    [problem({}), '2,2,amount,abc,not a number,\n'],
    [problem({ value: '' }), '2,2,amount,"",not a number,\n'],
    [problem({ value: null, line: null }), ',2,amount,,not a number,\n'],
    [problem({ value: 'a "b", c' }), '2,2,amount,"a ""b"", c",not a number,\n'],
    [problem({ column: null, value: null, record: 'x,"y\nz"' }), '2,2,,,not a number,"x,""y\nz"""\n'],
  ])('writes %j', (input, line) => {
    expect(formatRejectLine(input)).toBe(line);
  });

  it('reads back as the values it wrote', async () => {
    const problems = [
      problem({ value: '', record: null }),
      problem({ value: 'line\r\nbreak', record: '1,"line\r\nbreak"' }),
      problem({ column: null, value: null, line: 9, row: 8, record: '  spaced , "quoted"' }),
    ];
    const reader = await openFileReader([`line,row,column,value,reason,record\n${problems.map(formatRejectLine).join('')}`]);
    const rows: unknown[][] = [];

    for await (const chunk of reader) {
      rows.push(...chunk.rows);
    }

    expect(rows).toEqual(
      problems.map((entry) => [
        entry.line === null ? null : String(entry.line),
        String(entry.row),
        entry.column,
        entry.value,
        entry.message,
        entry.record,
      ]),
    );
  });
});

describe('RejectsFile', () => {
  it('opens the file on the first reject only', async () => {
    const sink = new MemoryRejects();
    const file = new RejectsFile(sink);

    await file.add([]);
    expect(sink.opened).toBe(0);
    expect(await file.close()).toBeUndefined();
  });

  it('writes the header once and returns the id', async () => {
    const sink = new MemoryRejects();
    const file = new RejectsFile(sink);

    await file.add([problem({ row: 3, line: 3 })]);
    await file.add([problem({ row: 4, line: 5 })]);

    expect(await file.close()).toBe('rejects-1');
    expect(sink.files.get('rejects-1')).toBe(
      'line,row,column,value,reason,record\n3,3,amount,abc,not a number,\n5,4,amount,abc,not a number,\n',
    );
  });

  it('discards an open file and nothing after close', async () => {
    const sink = new MemoryRejects();
    const file = new RejectsFile(sink);

    await file.add([problem({})]);
    await file.abort();
    await file.abort();
    expect(sink.aborted).toBe(1);
  });

  it('reports a failed write as REJECTS_FAILED', async () => {
    const failing: RejectsWriter = {
      write: () => Promise.reject(new Error('disk full')),
      close: () => Promise.resolve('never'),
      abort: () => Promise.resolve(),
    };
    const file = new RejectsFile({ open: () => Promise.resolve(failing) });
    const error = await file.add([problem({})]).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(EtlError);
    expect(error).toMatchObject({ code: 'REJECTS_FAILED', message: 'the rejects file could not be written: Error: disk full' });
  });
});
