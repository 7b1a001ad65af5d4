import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { runEtl } from './run-etl';
import { generateCsv, newCounter } from './testing/generated-csv';
import { MemoryRejects } from './testing/memory-rejects';
import { createTestDatabase, PostgresLoadTarget, type TestDatabase } from './testing/postgres-load-target';

const ROWS = 1_000_000;
const MIB = 1024 * 1024;

// A context created after --expose-gc is set gets a `gc` global, which lets the test
// measure the live heap instead of garbage that V8 has not collected yet.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function liveHeapBytes(): number {
  collectGarbage();

  return process.memoryUsage().heapUsed;
}

describe('runEtl memory', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('stays flat while a million rows stream into PostgreSQL', async () => {
    const target = new PostgresLoadTarget(database.connection);
    const counter = newCounter();
    const heapSamples: number[] = [];
    const rssPeaks = [0, 0];
    const source = generateCsv({ rows: ROWS }, counter);

    // Samples memory as the pipeline pulls pieces, so every sample is taken mid-stream.
    async function* measured(): AsyncGenerator<Buffer> {
      for await (const piece of source) {
        const half = counter.rows < ROWS / 2 ? 0 : 1;

        rssPeaks[half] = Math.max(rssPeaks[half], process.memoryUsage().rss);

        if (heapSamples.length < 10 && counter.rows >= ((heapSamples.length + 1) * ROWS) / 11) {
          heapSamples.push(liveHeapBytes());
        }

        yield piece;
      }
    }

    const result = await runEtl({
      source: measured,
      spec: {
        steps: [
          { op: 'derive', column: 'double_amount', expr: 'amount * 2' },
          { op: 'filter', expr: 'id > 0' },
        ],
      },
      target: { table: 'million', mode: 'create' },
      loadTarget: target,
      loadId: 'million',
      rejects: new MemoryRejects(),
    });

    expect(result.rowsLoaded).toBe(ROWS);
    expect(await target.count('million')).toBe(ROWS);
    expect(heapSamples).toHaveLength(10);
    // The floor of the live heap must not rise between the first and the last
    // three samples: a pipeline that kept the rows it read would raise it far
    // beyond this. Single samples vary with the chunk and COPY batch in hand,
    // so the minima are compared, not the extremes.
    expect(Math.min(...heapSamples.slice(7)) - Math.min(...heapSamples.slice(0, 3))).toBeLessThan(16 * MIB);
    // The resident set may swing with garbage collection, but must not climb.
    expect(rssPeaks[1] - rssPeaks[0]).toBeLessThan(64 * MIB);
  }, 300_000);
});
