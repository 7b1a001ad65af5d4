import { setTimeout as sleep } from 'node:timers/promises';

import { type ErrorBody } from '../http/sql-gateway-exception.filter';
import { GatewayTestHarness, readJson, type TestBackend } from '../testing/gateway-test-harness';
import { type LoadStatus } from './load-sessions.service';

const BACKENDS: TestBackend[] = ['pglite', 'postgres'];
const IDLE_TIMEOUT_MS = 2000;
const COPY_HEADERS = { 'content-type': 'text/tab-separated-values' };

const COLUMNS = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'text' },
  { name: 'score', type: 'float' },
];

/** COPY text of rows `from` to `to - 1`: `id`, a name padded to `padding` characters, and a score. */
function copyRows(from: number, to: number, padding = 0): string {
  let text = '';

  for (let id = from; id < to; id += 1) {
    text += `${id}\tname ${id}${'x'.repeat(padding)}\t${id / 4}\n`;
  }

  return text;
}

/** Yields rows `first` to `end - 1` in chunks of `rowsPerChunk`, built only when the request pulls them. */
async function* streamRows(first: number, end: number, rowsPerChunk: number, padding: number): AsyncGenerator<Uint8Array> {
  for (let from = first; from < end; from += rowsPerChunk) {
    yield Buffer.from(copyRows(from, Math.min(end, from + rowsPerChunk), padding));
  }
}

/** Polls `check` every 50 ms until it holds, failing after 30 s with `what`. */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;

  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}.`);
    }

    await sleep(50);
  }
}

describe.each(BACKENDS)('Load API on %s', (backend) => {
  let gateway: GatewayTestHarness;

  async function begin(loadId: string, table: string, mode = 'append', extra: Record<string, unknown> = {}): Promise<LoadStatus> {
    return readJson<LoadStatus>(
      await gateway.internal('POST', '/internal/loads', { body: { loadId, table, mode, columns: COLUMNS, ...extra } }),
      201,
    );
  }

  async function putRows(loadId: string, raw: string | AsyncIterable<Uint8Array>, query = ''): Promise<LoadStatus> {
    return readJson<LoadStatus>(
      await gateway.internal('PUT', `/internal/loads/${loadId}/rows${query}`, { raw, headers: COPY_HEADERS }),
      200,
    );
  }

  async function commit(loadId: string): Promise<LoadStatus> {
    return readJson<LoadStatus>(await gateway.internal('POST', `/internal/loads/${loadId}/commit`), 200);
  }

  async function rowCount(table: string): Promise<{ catalog: number; counted: string | null }> {
    const [[counted]] = await gateway.sql(`SELECT count(*)::text FROM ws_default.${table}`);
    const catalog = (await gateway.engine.getTable('default', table)).rowCount;

    return { catalog, counted };
  }

  /** Creates `table` with `rows` rows in one load. */
  async function seed(table: string, rows: number): Promise<void> {
    await begin(`seed-${table}`, table, 'create');
    await putRows(`seed-${table}`, copyRows(0, rows), '?commit=true');
  }

  beforeAll(async () => {
    gateway = await GatewayTestHarness.start(backend, { ROKKS_SQL_LOAD_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) });
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  it('streams 200k rows into the table', async () => {
    const rows = 200_000;
    const half = rows / 2;
    // About 330 bytes a row: a body of some 65 MB.
    const padding = 300;
    let resume: () => void = () => undefined;
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });

    /** Sends the first half, then waits for the test's signal before sending the rest. */
    async function* heldRows(): AsyncGenerator<Uint8Array> {
      yield* streamRows(0, half, 1000, padding);
      await resumed;
      yield* streamRows(half, rows, 1000, padding);
    }

    await begin('big-load', 'big', 'create');

    const loading = putRows('big-load', heldRows(), '?commit=true');

    try {
      if (backend === 'postgres') {
        // With the body half sent, PostgreSQL's own COPY progress shows the
        // first half already written: the gateway streams rather than
        // buffering the body. (PGlite runs in this process and has no such view.)
        await waitFor(async () => {
          const [[processed]] = await gateway.sql(
            'SELECT coalesce(max(tuples_processed), 0)::text FROM pg_stat_progress_copy WHERE datname = current_database()',
          );

          return Number(processed) >= half * 0.9;
        }, 'COPY progress past 90% of the first half');
      }
    } finally {
      resume();
    }

    const status = await loading;

    expect(status.bytesReceived).toBeGreaterThan(rows * padding);
    expect(status.result).toMatchObject({ rowsLoaded: rows, rowCount: rows, alreadyApplied: false });
    expect(await rowCount('big')).toEqual({ catalog: rows, counted: String(rows) });
    expect(await gateway.sql(`SELECT name FROM ws_default.big WHERE id = 123456`)).toEqual([[`name 123456${'x'.repeat(padding)}`]]);
  });

  it('rows may span requests and need no final newline', async () => {
    await begin('split-load', 'split', 'create');
    await putRows('split-load', '1\tfir');
    await putRows('split-load', 'st\t0.5\n2\tsecond\t');
    await putRows('split-load', '1.5');

    const status = await commit('split-load');

    expect(status.result).toMatchObject({ rowsLoaded: 2 });
    expect(await gateway.sql('SELECT id::text, name, score::text FROM ws_default.split ORDER BY id')).toEqual([
      ['1', 'first', '0.5'],
      ['2', 'second', '1.5'],
    ]);
  });

  it('abort halfway leaves the table unchanged', async () => {
    await seed('steady', 100);

    const before = await gateway.engine.getTable('default', 'steady');

    await begin('half-load', 'steady', 'replace');
    await putRows('half-load', copyRows(1000, 21_000));

    expect((await gateway.internal('DELETE', '/internal/loads/half-load')).status).toBe(204);
    await readJson(await gateway.internal('GET', '/internal/loads/half-load'), 404);
    expect(await rowCount('steady')).toEqual({ catalog: 100, counted: '100' });
    expect(await gateway.engine.getTable('default', 'steady')).toEqual(before);
  });

  it('body cut off aborts the load', async () => {
    await seed('cut', 10);

    const controller = new AbortController();

    async function* cutOff(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(copyRows(100, 5_000));
      await sleep(200);
      controller.abort();
      yield Buffer.from(copyRows(5_000, 6_000));
    }

    await begin('cut-load', 'cut');
    await expect(
      gateway.internal('PUT', '/internal/loads/cut-load/rows', { raw: cutOff(), headers: COPY_HEADERS, signal: controller.signal }),
    ).rejects.toThrow();

    // The gateway notices the reset connection a moment later.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if ((await gateway.internal('GET', '/internal/loads/cut-load')).status === 404) {
        break;
      }

      await sleep(100);
    }

    await readJson(await gateway.internal('GET', '/internal/loads/cut-load'), 404);
    expect(await rowCount('cut')).toEqual({ catalog: 10, counted: '10' });
  });

  it('retried load id adds nothing', async () => {
    await seed('retried', 5);
    await begin('append-once', 'retried');

    const first = await putRows('append-once', copyRows(5, 8), '?commit=true');

    expect(first.result).toMatchObject({ rowsLoaded: 3, rowCount: 8, alreadyApplied: false });

    // While the gateway still keeps the committed load, a retry returns its result.
    const again = await readJson<LoadStatus>(
      await gateway.internal('POST', '/internal/loads', { body: { loadId: 'append-once', table: 'retried', mode: 'append', columns: COLUMNS } }),
      200,
    );

    expect(again).toMatchObject({ state: 'committed', alreadyApplied: true, result: { rowsLoaded: 3, alreadyApplied: true } });
    expect(await putRows('append-once', copyRows(5, 8))).toMatchObject({ state: 'committed', alreadyApplied: true });
    expect((await commit('append-once')).result).toMatchObject({ rowsLoaded: 3, alreadyApplied: true });
    expect(await rowCount('retried')).toEqual({ catalog: 8, counted: '8' });

    // Once the gateway has dropped it, the engine's record of the load id returns the result.
    await sleep(IDLE_TIMEOUT_MS + 500);
    await readJson(await gateway.internal('GET', '/internal/loads/append-once'), 404);

    const replayed = await readJson<LoadStatus>(
      await gateway.internal('POST', '/internal/loads', { body: { loadId: 'append-once', table: 'retried', mode: 'append', columns: COLUMNS } }),
      200,
    );

    expect(replayed).toMatchObject({ state: 'committed', alreadyApplied: true, result: { alreadyApplied: true, rowsLoaded: 3 } });
    expect((await putRows('append-once', copyRows(5, 8), '?commit=true')).result).toMatchObject({ alreadyApplied: true });
    expect(await rowCount('retried')).toEqual({ catalog: 8, counted: '8' });
  });

  it('bad value is 422 naming row and column', async () => {
    await begin('bad-load', 'bad_values', 'create');

    const response = await gateway.internal('PUT', '/internal/loads/bad-load/rows?commit=true', {
      raw: `${copyRows(0, 2)}2\tthird\tnot a number\n`,
      headers: COPY_HEADERS,
    });
    const error = await readJson<ErrorBody>(response, 422);

    expect(error.details).toMatchObject({ code: 'INVALID_DATA', row: 3, column: 'score' });
    await readJson(await gateway.internal('GET', '/internal/loads/bad-load'), 404);
    await readJson(await gateway.call('GET', '/api/sql/tables/bad_values'), 404);
  });

  it('invalid UTF-8 is 422', async () => {
    await begin('latin1-load', 'latin1', 'create');

    const error = await readJson<ErrorBody>(
      await gateway.internal('PUT', '/internal/loads/latin1-load/rows', {
        raw: Buffer.concat([Buffer.from('1\tcaf'), Buffer.from([0xe9]), Buffer.from('\t1\n')]),
        headers: COPY_HEADERS,
      }),
      422,
    );

    expect(error.message).toContain('UTF-8');
    await readJson(await gateway.internal('GET', '/internal/loads/latin1-load'), 404);
  });

  it('idle load is aborted', async () => {
    await seed('idle', 3);
    await begin('idle-load', 'idle');
    await putRows('idle-load', copyRows(3, 10));
    await sleep(IDLE_TIMEOUT_MS + 500);

    await readJson(await gateway.internal('GET', '/internal/loads/idle-load'), 404);
    await readJson(await gateway.internal('POST', '/internal/loads/idle-load/commit'), 404);
    expect(await rowCount('idle')).toEqual({ catalog: 3, counted: '3' });
  });

  it('second request of a busy load is 409', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });

    async function* slowRows(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(copyRows(0, 10));
      await released;
      yield Buffer.from(copyRows(10, 20));
    }

    await begin('busy-load', 'busy', 'create');

    const streaming = gateway.internal('PUT', '/internal/loads/busy-load/rows', { raw: slowRows(), headers: COPY_HEADERS });

    await sleep(300);

    const second = await readJson<ErrorBody>(await gateway.internal('POST', '/internal/loads/busy-load/commit'), 409);

    release();
    expect(second.message).toContain('busy');
    expect((await readJson<LoadStatus>(await streaming, 200)).bytesReceived).toBeGreaterThan(0);
    expect((await commit('busy-load')).result).toMatchObject({ rowsLoaded: 20 });
  });

  it('too many open loads is 429', async () => {
    const limit = backend === 'pglite' ? 1 : 4;
    const loadIds = Array.from({ length: limit }, (_, index) => `parallel-${index}`);

    for (const loadId of loadIds) {
      await begin(loadId, `parallel_${loadId.slice(-1)}`, 'create');
    }

    const response = await gateway.internal('POST', '/internal/loads', {
      body: { loadId: 'one-too-many', table: 'overflow', mode: 'create', columns: COLUMNS },
    });

    expect(response.headers.get('retry-after')).toBe('1');
    await readJson(response, 429);

    for (const loadId of loadIds) {
      expect((await gateway.internal('DELETE', `/internal/loads/${loadId}`)).status).toBe(204);
    }
  });

  it('begin errors are 400, 404 and 409', async () => {
    const badMode = await readJson<ErrorBody>(
      await gateway.internal('POST', '/internal/loads', { body: { loadId: 'x', table: 't', mode: 'merge', columns: COLUMNS } }),
      400,
    );
    const noKey = await readJson<ErrorBody>(
      await gateway.internal('POST', '/internal/loads', { body: { loadId: 'x', table: 't', mode: 'upsert', columns: COLUMNS } }),
      400,
    );
    const exists = await readJson<ErrorBody>(
      await gateway.internal('POST', '/internal/loads', { body: { loadId: 'x', table: 'steady', mode: 'create', columns: COLUMNS } }),
      409,
    );
    const wrongType = await readJson<ErrorBody>(
      await gateway.internal('POST', '/internal/loads', {
        body: { loadId: 'x', table: 'steady', mode: 'append', columns: [{ name: 'id', type: 'text' }] },
      }),
      409,
    );
    const json = await readJson<ErrorBody>(
      await gateway.internal('PUT', '/internal/loads/x/rows', { body: { rows: [] } }),
      415,
    );

    expect(badMode.details).toMatchObject({ field: 'mode' });
    expect(noKey.message).toContain('key');
    expect(exists.details).toMatchObject({ code: 'CONFLICT' });
    expect(wrongType.details).toMatchObject({ code: 'CONFLICT', column: 'id' });
    expect(json.statusCode).toBe(415);
    await readJson(await gateway.internal('PUT', '/internal/loads/unknown/rows', { raw: '1\ta\t1\n', headers: COPY_HEADERS }), 404);
    await readJson(await gateway.internal('DELETE', '/internal/loads/unknown'), 404);
  });

  it('upsert replaces rows by key', async () => {
    await seed('keyed', 4);
    await begin('upsert-load', 'keyed', 'upsert', { key: ['id'] });

    const status = await putRows('upsert-load', '2\ttwo\t20\n9\tnine\t90\n2\ttwo again\t22\n', '?commit=true');

    expect(status.result).toMatchObject({ rowCount: 5 });
    expect(await gateway.sql('SELECT id::text, name FROM ws_default.keyed ORDER BY id')).toEqual([
      ['0', 'name 0'],
      ['1', 'name 1'],
      ['2', 'two again'],
      ['3', 'name 3'],
      ['9', 'nine'],
    ]);
  });
});
