import { toCopyRow, type Value } from '@rokks/transform';

import { CopyWriter, toCopyLines } from './copy-writer';
import { EtlError } from './etl.error';
import { type LoadTargetWriter } from './etl.types';

/** A writer whose writes stay pending until the test settles them. */
class ManualWriter implements LoadTargetWriter {
  readonly texts: string[] = [];
  readonly settle: { resolve: () => void; reject: (error: Error) => void }[] = [];

  write(copyText: string | Uint8Array): Promise<void> {
    this.texts.push(
      typeof copyText === 'string' ? copyText : Buffer.from(copyText).toString('utf8'),
    );

    return new Promise((resolve, reject) => this.settle.push({ resolve, reject }));
  }

  commit(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

const rows = (count: number, from = 0): Value[][] =>
  Array.from({ length: count }, (_, index) => [BigInt(from + index), `name ${from + index}`, null]);

describe('CopyWriter', () => {
  it('writes COPY text in batches and keeps one write pending', async () => {
    const writer = new ManualWriter();
    // Each row below is 12 bytes of COPY text.
    const copy = new CopyWriter(writer, undefined, 48);

    await copy.add(rows(2));
    expect(writer.texts).toEqual([]);

    await copy.add(rows(2, 2));
    // The batch is full, so it is written.
    expect(writer.texts).toEqual([
      '0\tname 0\t\\N\n1\tname 1\t\\N\n2\tname 2\t\\N\n3\tname 3\t\\N\n',
    ]);

    await copy.add(rows(3, 4));
    expect(writer.texts).toHaveLength(1);

    let added = false;
    const adding = copy.add(rows(2, 7)).then(() => {
      added = true;
    });

    await new Promise((resolve) => setImmediate(resolve));
    // Two more rows do not fit beside three, so the batch of three is written next, after the first write.
    expect(added).toBe(false);
    expect(writer.texts).toHaveLength(1);

    writer.settle[0].resolve();
    await adding;
    expect(writer.texts).toHaveLength(2);
    expect(writer.texts[1]).toBe('4\tname 4\t\\N\n5\tname 5\t\\N\n6\tname 6\t\\N\n');
    expect(copy.rowsWritten).toBe(4);

    const ending = copy.end();

    await new Promise((resolve) => setImmediate(resolve));
    writer.settle[1].resolve();
    await new Promise((resolve) => setImmediate(resolve));
    writer.settle[2].resolve();
    await ending;
    expect(copy.rowsWritten).toBe(9);
    expect(writer.texts).toHaveLength(3);
    expect(writer.texts[2]).toBe('7\tname 7\t\\N\n8\tname 8\t\\N\n');
  });

  it('encodes UTF-8 and oversized chunks', async () => {
    const writer = new ManualWriter();
    const copy = new CopyWriter(writer, undefined, 16);
    const wide: Value[][] = [
      [1n, 'Zürich 東京 🚀', null],
      [2n, 'tab\there', true],
    ];

    await copy.add([[0n, 'é', false]]);
    expect(writer.texts).toEqual([]);

    // 7 bytes are in the batch and the next chunk takes 40, so the batch is written first.
    const adding = copy.add(wide);

    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.texts).toEqual(['0\té\tf\n']);
    writer.settle[0].resolve();
    await adding;

    const ending = copy.end();

    await new Promise((resolve) => setImmediate(resolve));
    writer.settle[1].resolve();
    await ending;
    expect(writer.texts).toEqual(['0\té\tf\n', '1\tZürich 東京 🚀\t\\N\n2\ttab\\there\tt\n']);
    expect(copy.rowsWritten).toBe(3);
  });

  it('raises a failed write as LOAD_FAILED at the next batch', async () => {
    const writer = new ManualWriter();
    const copy = new CopyWriter(writer, undefined, 1);

    await copy.add(rows(1));
    writer.settle[0].reject(new Error('connection lost'));

    const error = await copy.add(rows(1, 1)).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(EtlError);
    expect(error).toMatchObject({
      code: 'LOAD_FAILED',
      message: 'the load target rejected a write: Error: connection lost',
    });
  });

  it('stops waiting for a write when the run is aborted', async () => {
    const writer = new ManualWriter();
    const controller = new AbortController();
    const copy = new CopyWriter(writer, controller.signal, 1);

    await copy.add(rows(1));

    const ending = copy.end().catch((thrown: unknown) => thrown);

    controller.abort();
    expect(await ending).toMatchObject({ code: 'ABORTED' });
  });
});

describe('toCopyLines', () => {
  it.each<[bigint, string]>([
    [0n, '0'],
    [7n, '7'],
    [-7n, '-7'],
    [65_535n, '65535'],
    [-65_535n, '-65535'],
    [65_536n, '65536'],
    [-65_536n, '-65536'],
    [9_007_199_254_740_993n, '9007199254740993'],
    [9_223_372_036_854_775_807n, '9223372036854775807'],
    [-9_223_372_036_854_775_808n, '-9223372036854775808'],
  ])('writes the integer %s as %s', (value, text) => {
    expect(toCopyLines([[value]])).toBe(`${text}\n`);
  });

  it('writes each small integer the same on a repeat', () => {
    expect(
      toCopyLines([
        [12n, -12n],
        [12n, -12n],
      ]),
    ).toBe('12\t-12\n12\t-12\n');
  });

  it('escapes text and writes nulls, booleans and floats as toCopyText does', () => {
    const row: Value[] = [
      'a\tb',
      'line\nbreak',
      'back\\slash',
      'cr\rhere',
      null,
      true,
      false,
      1.5,
      '2015-01-01T10:00:00',
      'plain',
    ];

    expect(toCopyLines([row])).toBe(
      'a\\tb\tline\\nbreak\tback\\\\slash\tcr\\rhere\t\\N\tt\tf\t1.5\t2015-01-01T10:00:00\tplain\n',
    );
    expect(toCopyLines([row])).toBe(toCopyRow(row));
  });
});
