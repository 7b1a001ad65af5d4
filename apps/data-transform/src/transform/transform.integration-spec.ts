import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';
import { type Response } from 'undici';

import { workspaceRoot } from '@rokks/testing';

import { TransformTestHarness } from '../testing/transform-test-harness';

const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const MAX_INLINE_CSV_BYTES = 4096;
// The doc gateway's blob limit, below this service's default upload limit of 2 GiB.
const BLOB_STORE_LIMIT = 4 * 1024 * 1024;
const REAL_DATA = path.join(workspaceRoot(), '..', 'shared', 'data', 'real');
const WEATHER = readFileSync(path.join(REAL_DATA, 'seattle-weather.csv'));

interface ErrorResponse {
  statusCode: number;
  error: string;
  message: string;
  details?: { code?: string; field?: string; specErrors?: { path: string; message: string }[] };
}

interface PreviewResponse {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  errors: { row: number; line: number | null; column: string | null; value: string | null; message: string }[];
  stats: { rowsIn: number; rowsOut: number; rowsRejected: number };
  failed: boolean;
  complete: boolean;
}

interface JobView {
  id: string;
  type: string;
  status: string;
  error: string | null;
  result: { table: string; rowsLoaded: number; rowsRejected: number } | null;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ ...POSTGRES, database: 'postgres' });

  await client.connect();

  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();

  expect({ status: response.status, text }).toEqual({ status, text: expect.any(String) });

  return JSON.parse(text) as T;
}

// Requests pass through several services in this process, so a loaded machine may need more than 5 s.
jest.setTimeout(30_000);

describe('preview and runs', () => {
  const database = `rokks_transform_test_${randomBytes(6).toString('hex')}`;
  let harness: TransformTestHarness;
  let weatherId: string;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${database}`);
    harness = await TransformTestHarness.start({
      env: { TRANSFORM_MAX_INLINE_CSV_BYTES: String(MAX_INLINE_CSV_BYTES), TRANSFORM_MAX_PREVIEW_ROWS: '500' },
      backends: ['doc-gateway', 'sql-gateway', 'worker'],
      backendEnv: {
        'doc-gateway': { DOC_MAX_BLOB_BYTES: String(BLOB_STORE_LIMIT) },
        'sql-gateway': { DATABASE_URL: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${database}` },
        worker: { SERVICE_DISCOVERY_INTERVAL_MS: '500' },
      },
    });
    weatherId = await upload('seattle-weather.csv', WEATHER);
  }, 180_000);

  afterAll(async () => {
    await harness?.dispose();
    // Workspace roles belong to the whole server, so they go with the database.
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }, 60_000);

  async function upload(name: string, body: Buffer | string): Promise<string> {
    const response = await harness.call('POST', `/api/transform/files?name=${encodeURIComponent(name)}`, { body });

    return (await json<{ fileId: string }>(response, 201)).fileId;
  }

  function preview(body: unknown, token?: string): Promise<Response> {
    return harness.call('POST', '/api/transform/preview', { json: body, token: token ?? harness.viewer });
  }

  function run(body: unknown, token?: string): Promise<Response> {
    return harness.call('POST', '/api/transform/runs', { json: body, token });
  }

  /** Polls the worker's jobs API until the job has finished. */
  async function finished(jobId: string): Promise<JobView> {
    const deadline = Date.now() + 90_000;

    for (;;) {
      const job = await json<JobView>(await harness.callBackend('worker', 'GET', `/api/jobs/${jobId}`), 200);

      if (['succeeded', 'failed', 'cancelled'].includes(job.status) || Date.now() > deadline) {
        return job;
      }

      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('passes on the blob store limit', async () => {
    const listBlobs = async (): Promise<string[]> => {
      const listing = await json<{ blobs: { path: string }[] }>(
        await harness.callBackend('doc-gateway', 'GET', '/api/doc/blobs'),
        200,
      );

      return listing.blobs.map((blob) => blob.path);
    };

    const before = await listBlobs();
    const response = await harness.call('POST', '/api/transform/files?name=big.csv', {
      body: Buffer.alloc(BLOB_STORE_LIMIT + 1, 0x61),
    });
    const error = await json<ErrorResponse>(response, 413);

    expect(error.details?.code).toBe('TOO_LARGE');
    expect(error.message).toContain(String(BLOB_STORE_LIMIT));
    expect(await listBlobs()).toEqual(before);
  });

  describe('preview', () => {
    it('transforms inline csv', async () => {
      const csv = 'city,temp_max,temp_min\nOslo,12.5,3\nRome,25,14.5\nLima,19,\n';
      const result = await json<PreviewResponse>(
        await preview({
          csv,
          spec: {
            steps: [
              { op: 'rename', from: 'temp_max', to: 'max_temp' },
              { op: 'derive', column: 'range', type: 'float', expr: 'max_temp - temp_min' },
              { op: 'filter', expr: 'range > 10' },
            ],
          },
        }),
        200,
      );

      expect(result.columns).toEqual([
        { name: 'city', type: 'text' },
        { name: 'max_temp', type: 'float' },
        { name: 'temp_min', type: 'float' },
        { name: 'range', type: 'float' },
      ]);
      expect(result.rows).toEqual([['Rome', 25, 14.5, 10.5]]);
      expect(result.errors).toEqual([]);
      expect(result.stats).toEqual({ rowsIn: 3, rowsOut: 1, rowsRejected: 0 });
      expect(result.failed).toBe(false);
      expect(result.complete).toBe(true);
    });

    it('names the rejected row', async () => {
      const fileId = await upload('readings.csv', 'day,reading\n2024-01-01,5\n2024-01-02,n/a\n2024-01-03,7\n');
      const result = await json<PreviewResponse>(
        await preview({
          fileId,
          spec: { steps: [{ op: 'cast', column: 'reading', type: 'integer' }], onError: 'reject-row' },
        }),
        200,
      );

      expect(result.rows).toEqual([
        ['2024-01-01', 5],
        ['2024-01-03', 7],
      ]);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ row: 3, line: 3, column: 'reading', value: 'n/a' });
      expect(result.errors[0].message).toEqual(expect.any(String));
      expect(result.stats).toEqual({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
    });

    it('stops at first error under fail', async () => {
      const result = await json<PreviewResponse>(
        await preview({ csv: 'n\n1\nx\n3\n', spec: { steps: [{ op: 'cast', column: 'n', type: 'integer' }] } }),
        200,
      );

      expect(result.failed).toBe(true);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ row: 3, column: 'n', value: 'x' });
    });

    it('previews an uploaded file', async () => {
      const result = await json<PreviewResponse>(
        await preview({
          fileId: weatherId,
          spec: { steps: [{ op: 'filter', expr: 'precipitation > 20' }, { op: 'select', columns: ['date', 'precipitation'] }] },
          limit: 3,
        }),
        200,
      );

      expect(result.columns).toEqual([
        { name: 'date', type: 'date' },
        { name: 'precipitation', type: 'float' },
      ]);
      expect(result.rows).toEqual([
        ['2012-01-04', 20.3],
        ['2012-01-29', 27.7],
        ['2012-03-15', 23.9],
      ]);
      expect(result.stats.rowsIn).toBe(1461);
      expect(result.complete).toBe(true);
    });

    it('keeps leading zeros of zip codes', async () => {
      const fileId = await upload('zipcodes.csv', readFileSync(path.join(REAL_DATA, 'zipcodes.csv')));
      const result = await json<PreviewResponse>(await preview({ fileId, spec: { steps: [] }, limit: 2 }), 200);

      expect(result.columns[0]).toEqual({ name: 'zip_code', type: 'text' });
      expect(result.rows[0][0]).toBe('00501');
      expect(result.rows[0][3]).toBe('Holtsville');
      expect(result.complete).toBe(false);
    });

    it('names the invalid spec step', async () => {
      const error = await json<ErrorResponse>(
        await preview({ csv: 'a\n1\n', spec: { steps: [{ op: 'cast', column: 'a', type: 'integr' }] } }),
        400,
      );

      expect(error.details?.code).toBe('INVALID_SPEC');
      expect(error.details?.specErrors?.[0].path).toBe('steps[0].type');
      expect(error.message).toContain('steps[0].type');
    });

    it('names an unknown column', async () => {
      const error = await json<ErrorResponse>(
        await preview({ csv: 'a\n1\n', spec: { steps: [{ op: 'drop', columns: ['b'] }] } }),
        400,
      );

      expect(error.details?.code).toBe('INVALID_SPEC');
      expect(error.message).toContain('steps[0]');
      expect(error.message).toContain('"b"');
    });

    it('returns 404 for unknown file', async () => {
      const error = await json<ErrorResponse>(
        await preview({ fileId: `file_${'a'.repeat(32)}`, spec: { steps: [] } }),
        404,
      );

      expect(error.details?.code).toBe('NOT_FOUND');
    });

    it('rejects inline csv over limit', async () => {
      const csv = `a\n${'1\n'.repeat(MAX_INLINE_CSV_BYTES)}`;
      const error = await json<ErrorResponse>(await preview({ csv, spec: { steps: [] } }), 413);

      expect(error.details?.field).toBe('csv');
      expect(error.message).toContain(String(MAX_INLINE_CSV_BYTES));
    });

    it('needs exactly one input', async () => {
      const both = await json<ErrorResponse>(await preview({ fileId: weatherId, csv: 'a\n1\n', spec: { steps: [] } }), 400);
      const neither = await json<ErrorResponse>(await preview({ spec: { steps: [] } }), 400);

      expect(both.details?.field).toBe('csv');
      expect(neither.details?.field).toBe('fileId');
    });

    it('checks limit and spec fields', async () => {
      const tooMany = await json<ErrorResponse>(await preview({ csv: 'a\n1\n', spec: { steps: [] }, limit: 501 }), 400);
      const noSpec = await json<ErrorResponse>(await preview({ csv: 'a\n1\n' }), 400);
      const badId = await json<ErrorResponse>(await preview({ fileId: 'weather.csv', spec: { steps: [] } }), 400);

      expect(tooMany.details?.field).toBe('limit');
      expect(noSpec.details?.field).toBe('spec');
      expect(badId.details?.field).toBe('fileId');
    });

    it('rejects a non-JSON body', async () => {
      const response = await harness.call('POST', '/api/transform/preview', {
        body: 'a\n1\n',
        headers: { 'content-type': 'text/csv' },
        token: harness.viewer,
      });
      const error = await json<ErrorResponse>(response, 415);

      expect(error.message).toContain('application/json');
    });

    it('requires a token', async () => {
      const response = await harness.call('POST', '/api/transform/preview', {
        json: { csv: 'a\n1\n', spec: { steps: [] } },
        token: null,
      });

      expect(response.status).toBe(401);
      await response.body?.cancel();
    });
  });

  describe('runs', () => {
    it('loads a file end to end', async () => {
      const accepted = await json<{ jobId: string }>(
        await run({
          fileId: weatherId,
          spec: { steps: [{ op: 'filter', expr: "weather = 'sun'" }] },
          target: { table: 'sunny_days', mode: 'create' },
        }),
        202,
      );

      expect(Object.keys(accepted)).toEqual(['jobId']);

      const job = await finished(accepted.jobId);

      expect(job.type).toBe('ETL');
      expect(job.error).toBeNull();
      expect(job.status).toBe('succeeded');
      expect(job.result?.table).toBe('sunny_days');
      expect(job.result?.rowsLoaded).toBe(WEATHER.toString('utf8').split('\n').filter((line) => line.endsWith(',sun')).length);

      const query = await json<{ rows: unknown[][] }>(
        await harness.callBackend('sql-gateway', 'POST', '/api/sql/query', {
          json: { sql: "select count(*) as n from sunny_days where weather <> 'sun'" },
          token: harness.viewer,
        }),
        200,
      );

      expect(query.rows).toEqual([[0]]);
    }, 120_000);

    it('scopes the job to the workspace', async () => {
      const { jobId } = await json<{ jobId: string }>(
        await run({ fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_copy', mode: 'replace' } }),
        202,
      );
      const stranger = await harness.sign({ roles: ['admin'], workspace: 'other', subject: 'stranger' });
      const own = await harness.callBackend('worker', 'GET', `/api/jobs/${jobId}`, { token: harness.viewer });
      const foreign = await harness.callBackend('worker', 'GET', `/api/jobs/${jobId}`, { token: stranger });

      expect((await json<JobView>(own, 200)).id).toBe(jobId);
      expect(foreign.status).toBe(404);
      await foreign.body?.cancel();
      await finished(jobId);
    }, 120_000);

    it('returns the first job per idempotency key', async () => {
      const body = { fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_twice', mode: 'replace' } };
      const first = await json<{ jobId: string }>(
        await harness.call('POST', '/api/transform/runs', { json: body, headers: { 'idempotency-key': 'k-1' } }),
        202,
      );
      const second = await json<{ jobId: string }>(
        await harness.call('POST', '/api/transform/runs', { json: body, headers: { 'idempotency-key': 'k-1' } }),
        202,
      );

      expect(second.jobId).toBe(first.jobId);
      await finished(first.jobId);
    }, 120_000);

    it('upserts into an existing table', async () => {
      const created = await json<{ jobId: string }>(
        await run({ fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_keyed', mode: 'create' } }),
        202,
      );

      expect((await finished(created.jobId)).status).toBe('succeeded');

      const conflict = await json<ErrorResponse>(
        await run({ fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_keyed', mode: 'create' } }),
        409,
      );

      expect(conflict.details?.code).toBe('CONFLICT');
      expect(conflict.message).toContain('weather_keyed');

      // The checks of a create run at once, but their errors keep the order file, table, spec.
      const conflictFirst = await run({
        fileId: weatherId,
        spec: { steps: [{ op: 'cast', column: 'no_such_column', type: 'integer' }] },
        target: { table: 'weather_keyed', mode: 'create' },
      });

      expect(conflictFirst.status).toBe(409);
      await conflictFirst.body?.cancel();

      const missingFirst = await run({
        fileId: `file_${'0'.repeat(32)}`,
        spec: { steps: [] },
        target: { table: 'weather_keyed', mode: 'create' },
      });

      expect(missingFirst.status).toBe(404);
      await missingFirst.body?.cancel();

      const badKey = await json<ErrorResponse>(
        await run({ fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_keyed', mode: 'upsert', key: ['day'] } }),
        400,
      );

      expect(badKey.details?.field).toBe('target.key');
      expect(badKey.message).toContain('"day"');

      const upserted = await json<{ jobId: string }>(
        await run({ fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_keyed', mode: 'upsert', key: ['date'] } }),
        202,
      );
      const job = await finished(upserted.jobId);

      expect(job.error).toBeNull();
      expect(job.status).toBe('succeeded');

      const query = await json<{ rows: unknown[][] }>(
        await harness.callBackend('sql-gateway', 'POST', '/api/sql/query', {
          json: { sql: 'select count(*) as n from weather_keyed' },
          token: harness.viewer,
        }),
        200,
      );

      expect(query.rows).toEqual([[1461]]);
    }, 120_000);

    it('names columns as the table does', async () => {
      const created = await json<{ jobId: string }>(
        await run({ fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_renamed', mode: 'create' } }),
        202,
      );

      expect((await finished(created.jobId)).status).toBe('succeeded');

      const tables = await json<{ id: string; name: string; columns: { id: string; name: string }[] }[]>(
        await harness.callBackend('sql-gateway', 'GET', '/api/sql/tables', { token: harness.viewer }),
        200,
      );
      const table = tables.find((candidate) => candidate.name === 'weather_renamed')!;
      const column = table.columns.find((candidate) => candidate.name === 'temp_max')!;
      const renamed = await harness.callBackend('sql-gateway', 'PATCH', `/api/sql/tables/${table.id}`, {
        json: { columns: { [column.id]: 'max_temp' } },
      });

      expect(renamed.status).toBe(200);
      await renamed.body?.cancel();

      const stale = await json<ErrorResponse>(
        await run({
          fileId: weatherId,
          spec: { steps: [{ op: 'filter', expr: 'temp_max > 30' }] },
          target: { table: 'weather_renamed', mode: 'append' },
        }),
        400,
      );

      expect(stale.details?.code).toBe('INVALID_SPEC');
      expect(stale.message).toContain('temp_max');

      const current = await run({
        fileId: weatherId,
        spec: { steps: [{ op: 'filter', expr: 'max_temp > 30' }] },
        target: { table: 'weather_renamed', mode: 'append' },
      });
      const job = await finished((await json<{ jobId: string }>(current, 202)).jobId);

      expect(job.error).toBeNull();
      expect(job.result?.rowsLoaded).toBe(
        WEATHER.toString('utf8')
          .split('\n')
          .slice(1)
          .filter((line) => Number(line.split(',')[2]) > 30).length,
      );
    }, 120_000);

    it('returns 404 for unknown file', async () => {
      const error = await json<ErrorResponse>(
        await run({ fileId: `file_${'b'.repeat(32)}`, spec: { steps: [] }, target: { table: 't', mode: 'create' } }),
        404,
      );

      expect(error.details?.code).toBe('NOT_FOUND');
    });

    it.each([
      ['an unknown mode', { table: 't', mode: 'merge' }, 'target.mode'],
      ['upsert without key', { table: 't', mode: 'upsert' }, 'target.key'],
      ['a key outside upsert', { table: 't', mode: 'append', key: ['date'] }, 'target.key'],
      ['a table name with spaces', { table: 'Weather Data', mode: 'create' }, 'target.table'],
      ['a missing table', { mode: 'create' }, 'target.table'],
    ])('rejects %s', async (_case, target, field) => {
      const error = await json<ErrorResponse>(await run({ fileId: weatherId, spec: { steps: [] }, target }), 400);

      expect(error.details?.field).toBe(field);
      expect(error.message).toContain(field);
    });

    it('rejects a spec naming unknown columns', async () => {
      const error = await json<ErrorResponse>(
        await run({
          fileId: weatherId,
          spec: { steps: [{ op: 'cast', column: 'temperature', type: 'float' }] },
          target: { table: 'weather_bad', mode: 'create' },
        }),
        400,
      );

      expect(error.details?.code).toBe('INVALID_SPEC');
      expect(error.message).toContain('steps[0].column');
    });

    it('rejects a malformed spec', async () => {
      const error = await json<ErrorResponse>(
        await run({ fileId: weatherId, spec: { steps: {} }, target: { table: 'weather_bad', mode: 'append' } }),
        400,
      );

      expect(error.details?.code).toBe('INVALID_SPEC');
      expect(error.details?.specErrors?.[0].path).toBe('steps');
    });

    it('requires the editor role', async () => {
      const response = await run(
        { fileId: weatherId, spec: { steps: [] }, target: { table: 'weather_viewer', mode: 'create' } },
        harness.viewer,
      );

      expect(response.status).toBe(403);
      await response.body?.cancel();
    });
  });
});
