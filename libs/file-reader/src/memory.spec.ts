import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { openFileReader } from './file-reader';

const TARGET_BYTES = 200 * 1024 * 1024;
const ROWS_PER_PIECE = 1000;
const MIB = 1024 * 1024;

// A context created after --expose-gc is set gets a `gc` global, which lets the test
// measure the live heap instead of garbage that V8 has not collected yet.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function liveHeapBytes(): number {
  collectGarbage();

  return process.memoryUsage().heapUsed;
}

/** Generates CSV in pieces of 1,000 rows until about 200 MiB are written, without holding them. */
async function* generateCsv(counter: { bytes: number; rows: number }): AsyncGenerator<Uint8Array> {
  const header = Buffer.from('id,name,amount,note,day\r\n');

  counter.bytes += header.length;
  yield header;

  while (counter.bytes < TARGET_BYTES) {
    const lines: string[] = [];

    for (let index = 0; index < ROWS_PER_PIECE; index += 1) {
      const id = counter.rows + index;

      lines.push(`${id},name_${id % 997},${(id * 0.37).toFixed(2)},"note, ""${id}""\nsecond line",2024-01-${(id % 28) + 1}\r\n`);
    }

    const piece = Buffer.from(lines.join(''));

    counter.rows += ROWS_PER_PIECE;
    counter.bytes += piece.length;
    yield piece;
  }
}

describe('memory', () => {
  it('stays flat while 200 MiB of CSV stream through', async () => {
    const counter = { bytes: 0, rows: 0 };
    const reader = await openFileReader(generateCsv(counter));
    const heapSamples: number[] = [];
    let rows = 0;

    for await (const chunk of reader) {
      rows += chunk.rows.length;

      // The live heap at 10 points of the stream, each taken with a chunk in hand.
      if (heapSamples.length < 10 && counter.bytes >= ((heapSamples.length + 1) * TARGET_BYTES) / 11) {
        heapSamples.push(liveHeapBytes());
      }
    }

    expect(reader.detected.columns).toEqual(['id', 'name', 'amount', 'note', 'day']);
    expect(counter.bytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    expect(reader.progress.bytesRead).toBe(counter.bytes);
    expect(rows).toBe(counter.rows);
    expect(reader.progress.rowErrors).toBe(0);
    expect(heapSamples).toHaveLength(10);
    // The floor of the live heap must not rise between the first and the last
    // three samples, about 130 MiB of input apart: keeping 7% of what was read
    // would raise it by more than this. Single samples vary with the chunk in
    // hand, so the minima are compared, not the extremes.
    // The resident set is not checked: on a loaded machine it swings with
    // garbage collection by more than a leak of this size would add.
    expect(Math.min(...heapSamples.slice(7)) - Math.min(...heapSamples.slice(0, 3))).toBeLessThan(8 * MIB);
  }, 300_000);
});
