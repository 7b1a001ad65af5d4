import { type Value } from '@rokks/transform';

import { CopyWriter } from './copy-writer';
import { EtlError } from './etl.error';
import { type LoadTargetWriter } from './etl.types';

/** A writer whose writes stay pending until the test settles them. */
class ManualWriter implements LoadTargetWriter {
  readonly texts: string[] = [];
  readonly settle: { resolve: () => void; reject: (error: Error) => void }[] = [];

  write(copyText: string): Promise<void> {
    this.texts.push(copyText);

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
    const copy = new CopyWriter(writer, undefined, 40);

    await copy.add(rows(2));
    expect(writer.texts).toEqual([]);

    await copy.add(rows(2, 2));
    expect(writer.texts).toEqual(['0\tname 0\t\\N\n1\tname 1\t\\N\n2\tname 2\t\\N\n3\tname 3\t\\N\n']);

    let added = false;
    const adding = copy.add(rows(4, 4)).then(() => {
      added = true;
    });

    await new Promise((resolve) => setImmediate(resolve));
    // The second batch waits for the first write.
    expect(added).toBe(false);
    expect(writer.texts).toHaveLength(1);

    writer.settle[0].resolve();
    await adding;
    expect(writer.texts).toHaveLength(2);
    expect(copy.rowsWritten).toBe(4);

    const ending = copy.end();

    await new Promise((resolve) => setImmediate(resolve));
    writer.settle[1].resolve();
    await ending;
    expect(copy.rowsWritten).toBe(8);
    expect(writer.texts).toHaveLength(2);
  });

  it('raises a failed write as LOAD_FAILED at the next batch', async () => {
    const writer = new ManualWriter();
    const copy = new CopyWriter(writer, undefined, 1);

    await copy.add(rows(1));
    writer.settle[0].reject(new Error('connection lost'));

    const error = await copy.add(rows(1, 1)).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(EtlError);
    expect(error).toMatchObject({ code: 'LOAD_FAILED', message: 'the load target rejected a write: Error: connection lost' });
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
