import { createHash, randomBytes } from 'node:crypto';

import { type ClientProxy, ClientProxyFactory } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { Response } from 'undici';

import { type StoredDocument } from '@rokks/doc-store';
import { microserviceClientOptions } from '@rokks/mesh';
import { type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

import { SHA256_HEADER } from './blobs/blob-transfer.util';
import { WORKSPACE_HEADER } from './blobs/internal-blobs.controller';
import { DOC_GATEWAY_SERVICE } from './doc-gateway-service';
import { DOCUMENT_PATTERNS } from './messages/document-messages.controller';

const MAX_BLOB_BYTES = 1024 * 1024;
const MiB = 1024 * 1024;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield bytes.subarray(offset, offset + size);
  }
}

/**
 * Reads the whole body, so no response is left half-read. An unread blob
 * response keeps its connection busy, and the server cannot close.
 */
async function buffered(response: Response): Promise<Response> {
  const body = response.status === 204 ? null : Buffer.from(await response.arrayBuffer());

  return new Response(body, { status: response.status, headers: response.headers });
}

describe('doc-gateway service', () => {
  let platform: TestPlatform;
  let client: TestMeshClient;
  let baseUrl: string;
  let microservicePort: number;
  let editor: string;
  let viewer: string;
  let otherWorkspaceEditor: string;
  let run: string;

  interface CallOptions {
    token?: string | null;
    body?: unknown;
    raw?: Uint8Array | AsyncIterable<Uint8Array>;
    headers?: Record<string, string>;
  }

  /** Calls the gateway over mutual TLS as the edge would: with the user's token (editor by default). */
  async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? editor : options.token;

    if (token !== null) {
      headers.authorization = `Bearer ${token}`;
    }

    let body: string | Uint8Array | AsyncIterable<Uint8Array> | undefined = options.raw;

    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }

    const response = await client(`${baseUrl}${path}`, {
      method,
      headers,
      body,
      duplex:
        body === undefined || typeof body === 'string' || body instanceof Uint8Array
          ? undefined
          : 'half',
    });

    return buffered(response);
  }

  async function json<T>(response: Response, status: number): Promise<T> {
    const text = await response.text();

    expect([response.status, text]).toEqual([status, expect.anything()]);

    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  beforeAll(async () => {
    const tokens = TestTokenIssuer.create();

    platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });

    const service = await platform.startService({
      ...DOC_GATEWAY_SERVICE,
      env: { DOC_MAX_BLOB_BYTES: String(MAX_BLOB_BYTES) },
    });

    baseUrl = service.endpoints.meshUrl;
    microservicePort = service.endpoints.microservicePort;
    client = await platform.meshClient();
    editor = await tokens.sign({
      roles: ['editor'],
      subject: 'editor-1',
      email: 'editor@example.com',
    });
    viewer = await tokens.sign({ roles: ['viewer'] });
    otherWorkspaceEditor = await tokens.sign({ roles: ['editor'], workspace: 'team-b' });
    run = randomBytes(4).toString('hex');
  }, 60_000);

  afterAll(async () => {
    await platform?.dispose();
  });

  describe('documents', () => {
    it('CRUD round trip', async () => {
      const path = `/api/doc/people_${run}/ada`;
      const created = await json<StoredDocument>(
        await call('PUT', path, { body: { name: 'Ada', address: { city: 'London' } } }),
        200,
      );

      expect(created).toMatchObject({
        id: 'ada',
        data: { name: 'Ada', address: { city: 'London' } },
      });

      const read = await call('GET', path, { token: viewer });

      expect(read.headers.get('etag')).toBe(`"${created.version}"`);
      expect(await json(read, 200)).toEqual(created);

      const merged = await json<StoredDocument>(
        await call('PATCH', path, { body: { address: { zip: 'N1' } } }),
        200,
      );

      expect(merged.data).toEqual({ name: 'Ada', address: { city: 'London', zip: 'N1' } });
      expect(merged.version).toBeGreaterThan(created.version);

      const replaced = await json<StoredDocument>(
        await call('PUT', path, { body: { name: 'A.' } }),
        200,
      );

      expect(replaced.data).toEqual({ name: 'A.' });
      expect((await call('DELETE', path)).status).toBe(204);
      expect((await call('DELETE', path)).status).toBe(204);

      const missing = await json<{ details: { code: string } }>(await call('GET', path), 404);

      expect(missing.details.code).toBe('NOT_FOUND');
    });

    it('If-Match mismatch is 412', async () => {
      const path = `/api/doc/accounts_${run}/acc`;
      const first = await json<StoredDocument>(
        await call('PUT', path, { body: { balance: 1 } }),
        200,
      );
      const second = await json<StoredDocument>(
        await call('PUT', path, {
          body: { balance: 2 },
          headers: { 'if-match': String(first.version) },
        }),
        200,
      );

      const stale = await json<{ statusCode: number; details: Record<string, unknown> }>(
        await call('PATCH', path, {
          body: { balance: 3 },
          headers: { 'if-match': `"${first.version}"` },
        }),
        412,
      );

      expect(stale.details).toMatchObject({
        code: 'PRECONDITION_FAILED',
        expectedVersion: first.version,
        actualVersion: second.version,
      });
      expect(
        (await call('PUT', path, { body: { a: 1 }, headers: { 'if-none-match': '*' } })).status,
      ).toBe(412);
      expect(
        (await call('DELETE', path, { headers: { 'if-match': String(first.version) } })).status,
      ).toBe(412);
      expect(
        (await call('PUT', path, { body: { a: 1 }, headers: { 'if-match': 'soon' } })).status,
      ).toBe(400);
      expect((await json<StoredDocument>(await call('GET', path), 200)).data).toEqual({
        balance: 2,
      });
    });

    it('query filters, sorts and pages', async () => {
      const collection = `scores_${run}`;

      for (let index = 0; index < 7; index++) {
        await json(
          await call('PUT', `/api/doc/${collection}/p${index}`, {
            body: { score: index % 3, group: index < 4 ? 'a' : 'b' },
          }),
          200,
        );
      }

      const query = { where: [['group', '==', 'a']], orderBy: [['score', 'desc']], limit: 3 };
      const first = await json<{ documents: StoredDocument[]; nextCursor: string | null }>(
        await call('POST', `/api/doc/${collection}/query`, { token: viewer, body: query }),
        200,
      );
      const second = await json<{ documents: StoredDocument[]; nextCursor: string | null }>(
        await call('POST', `/api/doc/${collection}/query`, {
          token: viewer,
          body: { ...query, startAfter: first.nextCursor },
        }),
        200,
      );

      expect(first.documents.map((document) => document.id)).toEqual(['p2', 'p1', 'p3']);
      expect(second.documents.map((document) => document.id)).toEqual(['p0']);
      expect(second.nextCursor).toBeNull();

      const invalid = await json<{ message: string }>(
        await call('POST', `/api/doc/${collection}/query`, {
          body: { where: [['score', 'like', 1]] },
        }),
        400,
      );

      expect(invalid.message).toContain('like');
    });

    it('document over 1 MiB is 413', async () => {
      const path = `/api/doc/big_${run}/doc`;
      const over = await json<{ details: { code: string; size: number } }>(
        await call('PUT', path, { body: { text: 'x'.repeat(MiB) } }),
        413,
      );

      expect(over.details).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', size: MiB + 11 });

      const huge = await json<{ message: string }>(
        await call('PUT', path, { body: { text: 'x'.repeat(3 * MiB) } }),
        413,
      );

      expect(huge.message).toContain('larger than');
      expect((await call('GET', path)).status).toBe(404);
    });

    it('invalid names are 400 naming the value', async () => {
      const badId = await json<{ message: string; details: Record<string, unknown> }>(
        await call('PUT', `/api/doc/people_${run}/bad%01id`, { body: { a: 1 } }),
        400,
      );

      expect(badId.details).toMatchObject({
        code: 'INVALID_NAME',
        kind: 'document id',
        name: 'bad\u0001id',
      });
      expect(badId.message).toContain('bad\\u0001id');

      const reserved = await json<{ message: string }>(
        await call('PATCH', '/api/doc/blobs/x', { body: { a: 1 } }),
        400,
      );

      expect(reserved.message).toContain('"blobs"');

      const badPath = await json<{ message: string; details: Record<string, unknown> }>(
        await call('PUT', '/api/doc/blobs/reports//q1.csv', { raw: Buffer.from('x') }),
        400,
      );

      expect(badPath.details).toMatchObject({ code: 'INVALID_NAME', kind: 'blob path' });
      expect(badPath.message).toContain('reports//q1.csv');
    });

    it('non-JSON body is 415', async () => {
      const response = await call('PUT', `/api/doc/people_${run}/text`, {
        raw: Buffer.from('name=Ada'),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

      expect(response.status).toBe(415);
    });

    it('workspaces are isolated', async () => {
      const path = `/api/doc/shared_${run}/doc`;

      await json(await call('PUT', path, { body: { owner: 'default' } }), 200);

      expect((await call('GET', path, { token: otherWorkspaceEditor })).status).toBe(404);
      await json(
        await call('PUT', path, { token: otherWorkspaceEditor, body: { owner: 'team-b' } }),
        200,
      );
      expect((await json<StoredDocument>(await call('GET', path), 200)).data).toEqual({
        owner: 'default',
      });
    });
  });

  describe('access', () => {
    it('viewer reads but cannot write', async () => {
      const path = `/api/doc/access_${run}/doc`;

      await json(await call('PUT', path, { body: { a: 1 } }), 200);

      expect((await call('GET', path, { token: viewer })).status).toBe(200);

      for (const [method, target] of [
        ['PUT', path],
        ['PATCH', path],
        ['DELETE', path],
        ['PUT', `/api/doc/blobs/access_${run}/file`],
        ['DELETE', `/api/doc/blobs/access_${run}/file`],
      ]) {
        const response = await call(method, target, {
          token: viewer,
          ...(method === 'DELETE'
            ? {}
            : target.includes('/blobs/')
              ? { raw: Buffer.from('x') }
              : { body: { a: 2 } }),
        });

        expect([method, target, response.status]).toEqual([method, target, 403]);
      }
    });

    it('no token is 401', async () => {
      for (const [method, target] of [
        ['GET', `/api/doc/access_${run}/doc`],
        ['POST', `/api/doc/access_${run}/query`],
        ['GET', '/api/doc/blobs'],
        ['GET', `/api/doc/blobs/access_${run}/file`],
      ]) {
        const response = await call(method, target, {
          token: null,
          ...(method === 'POST' ? { body: {} } : {}),
        });

        expect([method, target, response.status]).toEqual([method, target, 401]);
      }
    });

    it('user token does not open internal routes', async () => {
      const response = await call('GET', '/internal/blobs', {
        headers: { 'x-rokks-internal': 'not-the-secret' },
      });

      expect(response.status).toBe(401);
    });
  });

  describe('blobs', () => {
    it('streams up and down with SHA-256', async () => {
      const path = `files_${run}/report é.bin`;
      const url = `/api/doc/blobs/${encodeURIComponent(`files_${run}`)}/${encodeURIComponent('report é.bin')}`;
      const bytes = randomBytes(700_000);
      const info = await json<{ path: string; size: number; sha256: string; contentType: string }>(
        await call('PUT', url, {
          raw: chunks(bytes, 64 * 1024),
          headers: { [SHA256_HEADER]: sha256Hex(bytes), 'content-type': 'application/x-custom' },
        }),
        200,
      );

      expect(info).toMatchObject({
        path,
        size: bytes.length,
        sha256: sha256Hex(bytes),
        contentType: 'application/x-custom',
      });

      const download = await call('GET', url, { token: viewer });

      expect(download.status).toBe(200);
      expect(download.headers.get(SHA256_HEADER)).toBe(sha256Hex(bytes));
      expect(download.headers.get('content-type')).toBe('application/x-custom');
      expect(download.headers.get('content-length')).toBe(String(bytes.length));
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

      const listing = await json<{ blobs: { path: string }[] }>(
        await call('GET', `/api/doc/blobs?prefix=${encodeURIComponent(`files_${run}/`)}`, {
          token: viewer,
        }),
        200,
      );

      expect(listing.blobs.map((blob) => blob.path)).toEqual([path]);
      expect((await call('DELETE', url)).status).toBe(204);
      expect((await call('GET', url)).status).toBe(404);
    });

    it('JSON content is stored as bytes', async () => {
      const url = `/api/doc/blobs/files_${run}/data.json`;
      const text = '{"not": "parsed", "size": 1}';

      await json(
        await call('PUT', url, {
          raw: Buffer.from(text),
          headers: { 'content-type': 'application/json' },
        }),
        200,
      );

      expect(await (await call('GET', url)).text()).toBe(text);
    });

    it('wrong SHA-256 keeps the old blob', async () => {
      const url = `/api/doc/blobs/files_${run}/checked.bin`;
      const original = randomBytes(10_000);

      await json(await call('PUT', url, { raw: original }), 200);

      const mismatch = await json<{ details: Record<string, unknown> }>(
        await call('PUT', url, {
          raw: randomBytes(10_000),
          headers: { [SHA256_HEADER]: sha256Hex(original) },
        }),
        400,
      );

      expect(mismatch.details).toMatchObject({
        code: 'CHECKSUM_MISMATCH',
        expected: sha256Hex(original),
      });
      expect(Buffer.from(await (await call('GET', url)).arrayBuffer()).equals(original)).toBe(true);
    });

    it('blob over the limit is 413', async () => {
      const declared = await json<{ details: Record<string, unknown> }>(
        await call('PUT', `/api/doc/blobs/files_${run}/declared.bin`, {
          raw: Buffer.alloc(MAX_BLOB_BYTES + 1),
        }),
        413,
      );

      expect(declared.details).toMatchObject({ code: 'BLOB_TOO_LARGE', limit: MAX_BLOB_BYTES });

      const streamed = await json<{ details: Record<string, unknown> }>(
        await call('PUT', `/api/doc/blobs/files_${run}/streamed.bin`, {
          raw: chunks(Buffer.alloc(MAX_BLOB_BYTES + 64 * 1024), 64 * 1024),
        }),
        413,
      );

      expect(streamed.details).toMatchObject({ code: 'BLOB_TOO_LARGE' });

      expect((await call('GET', `/api/doc/blobs/files_${run}/declared.bin`)).status).toBe(404);
      expect((await call('GET', `/api/doc/blobs/files_${run}/streamed.bin`)).status).toBe(404);
    });

    it('internal routes stream blobs', async () => {
      const path = `/internal/blobs/internal_${run}/raw.bin`;
      const bytes = randomBytes(300_000);
      const put = await buffered(
        await client(`${baseUrl}${path}`, {
          method: 'PUT',
          body: bytes,
          headers: { [SHA256_HEADER]: sha256Hex(bytes), [WORKSPACE_HEADER]: 'team-b' },
        }),
      );

      expect(put.status).toBe(200);

      const got = await client(`${baseUrl}${path}`, { headers: { [WORKSPACE_HEADER]: 'team-b' } });

      expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
      expect(
        (
          await call('GET', `/api/doc/blobs/internal_${run}/raw.bin`, {
            token: otherWorkspaceEditor,
          })
        ).status,
      ).toBe(200);
      expect((await call('GET', `/api/doc/blobs/internal_${run}/raw.bin`)).status).toBe(404);

      const badWorkspace = await buffered(
        await client(`${baseUrl}${path}`, { headers: { [WORKSPACE_HEADER]: '../x' } }),
      );

      expect(badWorkspace.status).toBe(400);
    });
  });

  describe('message patterns', () => {
    let rpc: ClientProxy;

    beforeAll(async () => {
      rpc = ClientProxyFactory.create(
        microserviceClientOptions(client.identity, { host: '127.0.0.1', port: microservicePort }),
      );
      await rpc.connect();
    });

    afterAll(async () => {
      await rpc?.close();
    });

    function send<T>(pattern: string, payload: unknown): Promise<T> {
      return firstValueFrom(rpc.send<T>(pattern, payload));
    }

    it('get, set, merge, delete', async () => {
      const target = { workspace: 'default', collection: `rpc_${run}`, id: 'doc' };
      const set = await send<StoredDocument>(DOCUMENT_PATTERNS.set, { ...target, data: { a: 1 } });
      const merged = await send<StoredDocument>(DOCUMENT_PATTERNS.merge, {
        ...target,
        data: { b: 2 },
        precondition: { version: set.version },
      });

      expect(merged.data).toEqual({ a: 1, b: 2 });
      expect(await send(DOCUMENT_PATTERNS.get, target)).toEqual(merged);
      expect(
        (await json<StoredDocument>(await call('GET', `/api/doc/rpc_${run}/doc`), 200)).version,
      ).toBe(merged.version);
      expect(await send(DOCUMENT_PATTERNS.delete, target)).toEqual({ deleted: true });
      expect(await send(DOCUMENT_PATTERNS.delete, target)).toEqual({ deleted: false });
    });

    it('errors carry status and details', async () => {
      const target = { collection: `rpc_${run}`, id: 'guarded' };
      const set = await send<StoredDocument>(DOCUMENT_PATTERNS.set, { ...target, data: { a: 1 } });

      await expect(
        send(DOCUMENT_PATTERNS.set, {
          ...target,
          data: { a: 2 },
          precondition: { version: set.version + 1 },
        }),
      ).rejects.toMatchObject({ statusCode: 412, details: { code: 'PRECONDITION_FAILED' } });
      await expect(
        send(DOCUMENT_PATTERNS.get, { collection: `rpc_${run}`, id: 'missing' }),
      ).rejects.toMatchObject({
        statusCode: 404,
      });
      await expect(send(DOCUMENT_PATTERNS.get, 'not an object')).rejects.toMatchObject({
        statusCode: 400,
      });
    });

    it('query and batch', async () => {
      const collection = `rpc_batch_${run}`;
      const results = await send<{ id: string }[]>(DOCUMENT_PATTERNS.batch, {
        writes: [
          { op: 'set', collection, id: 'x', data: { n: 1 } },
          { op: 'set', collection, id: 'y', data: { n: 2 } },
          { op: 'merge', collection, id: 'x', data: { m: true } },
        ],
      });

      expect(results.map((result) => result.id)).toEqual(['x', 'y', 'x']);

      const page = await send<{ documents: StoredDocument[] }>(DOCUMENT_PATTERNS.query, {
        collection,
        query: { orderBy: [['n', 'desc']] },
      });

      expect(page.documents.map((document) => [document.id, document.data])).toEqual([
        ['y', { n: 2 }],
        ['x', { m: true, n: 1 }],
      ]);
      await expect(
        send(DOCUMENT_PATTERNS.batch, {
          writes: [
            { op: 'set', collection, id: 'z', data: { n: 3 } },
            { op: 'set', collection, id: 'x', data: {}, precondition: { exists: false } },
          ],
        }),
      ).rejects.toMatchObject({ statusCode: 412, details: { batchIndex: 1 } });
      await expect(send(DOCUMENT_PATTERNS.get, { collection, id: 'z' })).rejects.toMatchObject({
        statusCode: 404,
      });
    });
  });
});
