import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { type Response } from 'undici';

import { workspaceRoot } from '@rokks/testing';

import { readEvents } from '../testing/event-stream.util';
import { TransformTestHarness } from '../testing/transform-test-harness';

const MAX_UPLOAD_BYTES = 64 * 1024;
const REAL_DATA = path.join(workspaceRoot(), '..', 'shared', 'data', 'real');
const WEATHER = readFileSync(path.join(REAL_DATA, 'seattle-weather.csv'));

interface Upload {
  fileId: string;
  name: string;
  bytes: number;
  sha256: string;
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();

  expect({ status: response.status, text }).toEqual({ status, text: expect.any(String) });

  return JSON.parse(text) as T;
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Yields `total` bytes in pieces, so the request has no Content-Length. */
async function* pieces(total: number): AsyncGenerator<Uint8Array> {
  const piece = Buffer.alloc(8 * 1024, 0x61);

  for (let sent = 0; sent < total; sent += piece.length) {
    yield piece.subarray(0, Math.min(piece.length, total - sent));
  }
}

// Requests pass through several services in this process, so a loaded machine may need more than 5 s.
jest.setTimeout(30_000);

describe('files API', () => {
  let harness: TransformTestHarness;

  beforeAll(async () => {
    harness = await TransformTestHarness.start({ env: { TRANSFORM_MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
  }, 120_000);

  afterAll(async () => {
    await harness?.dispose();
  }, 60_000);

  async function upload(name: string, body: Buffer | string, token?: string): Promise<Upload> {
    return json<Upload>(
      await harness.call('POST', `/api/transform/files?name=${encodeURIComponent(name)}`, {
        body,
        token,
        headers: { 'content-type': 'text/csv' },
      }),
      201,
    );
  }

  /** Lists the workspace's blob paths under a prefix, through the doc gateway's API. */
  async function blobPaths(prefix: string): Promise<string[]> {
    const page = await json<{ blobs: { path: string }[] }>(
      await harness.callBackend('doc-gateway', 'GET', `/api/doc/blobs?prefix=${encodeURIComponent(prefix)}`),
      200,
    );

    return page.blobs.map((blob) => blob.path);
  }

  it('documents the routes in OpenAPI', async () => {
    const document = await json<{ paths: Record<string, Record<string, unknown>> }>(
      await harness.call('GET', '/docs-json', { token: null }),
      200,
    );

    expect(Object.keys(document.paths['/api/transform/files'] ?? {})).toEqual(['post']);
    expect(Object.keys(document.paths['/api/transform/files/{fileId}'] ?? {})).toEqual(['get']);
    expect(Object.keys(document.paths['/api/transform/files/{fileId}/profile'] ?? {})).toEqual(['get']);
    expect(Object.keys(document.paths['/api/transform/preview'] ?? {})).toEqual(['post']);
    expect(Object.keys(document.paths['/api/transform/runs'] ?? {})).toEqual(['post']);
  });

  describe('upload', () => {
    it('stores bytes with their sha256', async () => {
      const body = 'id,name\n1,Ada\n2,Grace\n';
      const file = await upload('people.csv', body);

      expect(file.fileId).toMatch(/^file_[0-9a-f]{32}$/u);
      expect(file.name).toBe('people.csv');
      expect(file.bytes).toBe(Buffer.byteLength(body));
      expect(file.sha256).toBe(sha256(body));

      const stored = await harness.callBackend('doc-gateway', 'GET', `/api/doc/blobs/uploads/${file.fileId}`);

      expect(stored.status).toBe(200);
      expect(await stored.text()).toBe(body);

      const metadata = await json<Record<string, unknown>>(
        await harness.call('GET', `/api/transform/files/${file.fileId}`, { token: harness.viewer }),
        200,
      );

      expect(metadata).toEqual({
        ...file,
        contentType: 'text/csv',
        uploadedBy: 'editor-1',
        uploadedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u),
      });
    });

    it('streams a body without length', async () => {
      const total = MAX_UPLOAD_BYTES - 100;
      const response = await harness.call('POST', '/api/transform/files?name=a.txt', { body: pieces(total) });
      const file = await json<Upload>(response, 201);

      expect(file.bytes).toBe(total);
      expect(file.sha256).toBe(sha256(Buffer.alloc(total, 0x61)));
    });

    it('stores JSON bodies unparsed', async () => {
      const body = '[{"a": 1}, {"a": 2'; // Cut off on purpose: the service must not parse it.
      const response = await harness.call('POST', '/api/transform/files?name=rows.json', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      const file = await json<Upload>(response, 201);

      expect(file.bytes).toBe(Buffer.byteLength(body));
      expect(file.sha256).toBe(sha256(body));
    });

    it('gives each upload its own id', async () => {
      const first = await upload('same.csv', 'a\n1\n');
      const second = await upload('same.csv', 'a\n1\n');

      expect(second.fileId).not.toBe(first.fileId);
      expect(second.sha256).toBe(first.sha256);
    });

    it('rejects a declared length over limit', async () => {
      const before = await blobPaths('uploads/');
      const response = await harness.call('POST', '/api/transform/files?name=big.csv', {
        body: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x62),
      });
      const error = await json<{ statusCode: number; message: string; details: { code: string } }>(response, 413);

      expect(error.statusCode).toBe(413);
      expect(error.details.code).toBe('TOO_LARGE');
      expect(error.message).toContain(String(MAX_UPLOAD_BYTES));
      expect(await blobPaths('uploads/')).toEqual(before);
    });

    it('rejects a streamed body over limit', async () => {
      const beforeUploads = await blobPaths('uploads/');
      const beforeInfo = await blobPaths('upload-info/');
      const response = await harness.call('POST', '/api/transform/files?name=big.bin', {
        body: pieces(MAX_UPLOAD_BYTES * 4),
      });
      const error = await json<{ details: { code: string } }>(response, 413);

      expect(error.details.code).toBe('TOO_LARGE');
      expect(await blobPaths('uploads/')).toEqual(beforeUploads);
      expect(await blobPaths('upload-info/')).toEqual(beforeInfo);
    });

    it('accepts exactly the limit', async () => {
      const file = await upload('edge.bin', Buffer.alloc(MAX_UPLOAD_BYTES, 0x63));

      expect(file.bytes).toBe(MAX_UPLOAD_BYTES);
    });

    it('requires a file name', async () => {
      const error = await json<{ message: string; details: { field: string } }>(
        await harness.call('POST', '/api/transform/files', { body: 'a\n1\n' }),
        400,
      );

      expect(error.details.field).toBe('name');
      expect(error.message).toContain('name');
    });

    it('requires the editor role', async () => {
      const response = await harness.call('POST', '/api/transform/files?name=a.csv', {
        body: 'a\n1\n',
        token: harness.viewer,
      });

      expect(response.status).toBe(403);
      await response.body?.cancel();
    });

    it('requires a token', async () => {
      const response = await harness.call('POST', '/api/transform/files?name=a.csv', { body: 'a\n1\n', token: null });

      expect(response.status).toBe(401);
      await response.body?.cancel();
    });
  });

  describe('profile', () => {
    it('streams the seattle weather profile', async () => {
      const file = await upload('seattle-weather.csv', WEATHER);

      expect(file.bytes).toBe(WEATHER.length);

      const response = await harness.call('GET', `/api/transform/files/${file.fileId}/profile`, {
        token: harness.viewer,
      });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/u);

      const events = await readEvents(response);
      const names = events.map((event) => event.event);

      expect(names.at(-1)).toBe('done');
      expect(names.filter((name) => name !== 'progress')).toEqual(['schema', 'rows', 'done']);
      expect(names[0]).toBe('progress');

      const progress = events.filter((event) => event.event === 'progress').at(-1)!.data as {
        bytesRead: number;
        rowsRead: number;
      };

      expect(progress.bytesRead).toBe(WEATHER.length);
      expect(progress.rowsRead).toBe(1461);

      const schema = events.find((event) => event.event === 'schema')!.data as {
        format: string;
        encoding: string;
        delimiter: string;
        header: boolean;
        columns: { name: string; inferredType: string; nullCount: number; distinctEstimate: number; sample: string[] }[];
      };

      expect(schema.format).toBe('csv');
      expect(schema.delimiter).toBe(',');
      expect(schema.header).toBe(true);
      expect(schema.columns.map((column) => [column.name, column.inferredType])).toEqual([
        ['date', 'date'],
        ['precipitation', 'float'],
        ['temp_max', 'float'],
        ['temp_min', 'float'],
        ['wind', 'float'],
        ['weather', 'text'],
      ]);

      const weather = schema.columns[5];

      expect(weather.nullCount).toBe(0);
      expect(weather.distinctEstimate).toBe(5);
      expect(weather.sample).toContain('rain');

      const rows = (events.find((event) => event.event === 'rows')!.data as { rows: Record<string, unknown>[] }).rows;

      expect(rows).toHaveLength(100);
      expect(rows[0]).toEqual({
        date: '2012-01-01',
        precipitation: '0.0',
        temp_max: '12.8',
        temp_min: '5.0',
        wind: '4.7',
        weather: 'drizzle',
      });
    });

    it('profiles the unemployment tsv', async () => {
      const file = await upload('unemployment.tsv', readFileSync(path.join(REAL_DATA, 'unemployment.tsv')));
      const events = await readEvents(await harness.call('GET', `/api/transform/files/${file.fileId}/profile`));
      const schema = events.find((event) => event.event === 'schema')?.data as {
        delimiter: string;
        header: boolean;
        columns: { name: string; inferredType: string; nullCount: number }[];
      };
      const rows = (events.find((event) => event.event === 'rows')?.data as { rows: unknown[] }).rows;

      expect(schema.delimiter).toBe('\t');
      expect(schema.header).toBe(true);
      expect(schema.columns.map((column) => [column.name, column.inferredType, column.nullCount])).toEqual([
        ['id', 'integer', 0],
        ['rate', 'float', 0],
      ]);
      expect(rows[0]).toEqual({ id: '1001', rate: '.097' });
    });

    it('sends the cast options of stocks dates', async () => {
      const file = await upload('stocks.csv', readFileSync(path.join(REAL_DATA, 'stocks.csv')));
      const events = await readEvents(await harness.call('GET', `/api/transform/files/${file.fileId}/profile`));
      const schema = events.find((event) => event.event === 'schema')?.data as {
        columns: { name: string; inferredType: string; castOptions?: { format?: string } }[];
      };
      const date = schema.columns.find((column) => column.name === 'date');

      // A browser preview needs the format to read `Jan 1 2000` as the load does.
      expect(date).toMatchObject({ inferredType: 'date', castOptions: { format: 'MMM d yyyy' } });
    });

    it('detects a semicolon delimiter', async () => {
      const file = await upload('prices.csv', 'item;price\n"a;b";1,5\nc;2,25\n');
      const events = await readEvents(await harness.call('GET', `/api/transform/files/${file.fileId}/profile`));
      const schema = events.find((event) => event.event === 'schema')?.data as { delimiter: string; columns: { name: string }[] };
      const rows = (events.find((event) => event.event === 'rows')?.data as { rows: unknown[] }).rows;

      expect(schema.delimiter).toBe(';');
      expect(schema.columns.map((column) => column.name)).toEqual(['item', 'price']);
      expect(rows[0]).toEqual({ item: 'a;b', price: '1,5' });
    });

    it('returns 404 for unknown file', async () => {
      const response = await harness.call('GET', `/api/transform/files/file_${'0'.repeat(32)}/profile`);
      const error = await json<{ details: { code: string } }>(response, 404);

      expect(error.details.code).toBe('NOT_FOUND');
    });

    it('hides files of other workspaces', async () => {
      const file = await upload('private.csv', 'a\n1\n');
      const stranger = await harness.sign({ roles: ['admin'], workspace: 'other', subject: 'stranger' });
      const response = await harness.call('GET', `/api/transform/files/${file.fileId}/profile`, { token: stranger });

      expect(response.status).toBe(404);
      await response.body?.cancel();
    });

    it('lists ragged rows in the schema', async () => {
      const file = await upload('ragged.csv', 'a,b\n1,2\n3,4,5\n6,7\n');
      const events = await readEvents(await harness.call('GET', `/api/transform/files/${file.fileId}/profile`));
      const schema = events.find((event) => event.event === 'schema')?.data as {
        rowErrors: { row: number; line: number; message: string }[];
      };

      expect(schema.rowErrors).toHaveLength(1);
      expect(schema.rowErrors[0].line).toBe(3);
      expect(schema.rowErrors[0].message).toContain('3 fields, expected 2');
    });

    it('sends an error event without bytes', async () => {
      const file = await upload('lost.csv', 'a\n1\n');
      const deleted = await harness.callBackend('doc-gateway', 'DELETE', `/api/doc/blobs/uploads/${file.fileId}`);

      expect(deleted.status).toBe(204);

      const response = await harness.call('GET', `/api/transform/files/${file.fileId}/profile`);

      expect(response.status).toBe(200);

      const events = await readEvents(response);

      expect(events.map((event) => event.event)).toEqual(['error']);
      expect(events[0].data).toMatchObject({ statusCode: 404, details: { code: 'NOT_FOUND', fileId: file.fileId } });
    });
  });
});
