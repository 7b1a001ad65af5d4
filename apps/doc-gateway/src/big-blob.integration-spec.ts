import { createHash, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';
import { type TestMeshClient, TestPlatform, TestTokenIssuer } from '@rokks/testing';

import { SHA256_HEADER } from './blobs/blob-transfer.util';
import { DOC_GATEWAY_SERVICE } from './doc-gateway-service';

const MiB = 1024 * 1024;
const BLOB_MIB = 1024;
/**
 * Resident memory growth allowed while 1 GiB passes in each direction. Client
 * and gateway share the process. A quarter of the blob leaves room for garbage
 * collection lagging on a loaded machine; buffering would add all of it.
 */
const MAX_RSS_GROWTH_BYTES = 256 * MiB;

/** Yields the same random 1 MiB block `count` times: cheap to produce, and every byte still passes the hashes. */
async function* repeated(block: Buffer, count: number): AsyncGenerator<Uint8Array> {
  for (let index = 0; index < count; index++) {
    yield block;
  }
}

/** Samples the resident set size every 50 ms and keeps the maximum. */
function watchMemory(): { peak(): number; stop(): void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);

  return {
    peak: () => Math.max(peak, process.memoryUsage.rss()),
    stop: () => clearInterval(timer),
  };
}

/**
 * PUTs a stream with node:https, which writes only as fast as the socket
 * drains. undici's fetch (7.30) read the whole async-iterable body ahead of
 * the socket here: 1 GiB of client buffers in this process, which would hide
 * the service's own memory use.
 */
function uploadWithBackpressure(
  url: string,
  client: TestMeshClient,
  headers: Record<string, string>,
  body: AsyncIterable<Uint8Array>,
): Promise<{ status: number; body: string }> {
  const identity = client.identity;

  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method: 'PUT',
        // A connection of its own, closed after the response, so nothing stays open at dispose.
        agent: false,
        key: identity.privateKeyPem,
        cert: identity.certificatePem,
        ca: identity.caCertificatePem,
        headers: { ...headers, [INTERNAL_SECRET_HEADER]: identity.internalSecret },
      },
      (response) => {
        const parts: Buffer[] = [];

        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );

    request.on('error', reject);
    pipeline(Readable.from(body), request).catch(reject);
  });
}

describe('doc-gateway 1 GiB blob', () => {
  let platform: TestPlatform;
  let client: TestMeshClient;
  let baseUrl: string;
  let token: string;

  beforeAll(async () => {
    const tokens = TestTokenIssuer.create();

    platform = await TestPlatform.start({ registryEnv: tokens.registryEnv });

    const service = await platform.startService(DOC_GATEWAY_SERVICE);

    baseUrl = service.endpoints.meshUrl;
    client = await platform.meshClient();
    token = await tokens.sign({ roles: ['editor'] });
  }, 60_000);

  // Closing the service and deleting its 1 GiB data directory takes a few seconds under load.
  afterAll(async () => {
    await platform?.dispose();
  }, 60_000);

  it('streams 1 GiB with flat memory', async () => {
    const block = randomBytes(MiB);
    const expected = createHash('sha256');

    for (let index = 0; index < BLOB_MIB; index++) {
      expected.update(block);
    }

    const sha256 = expected.digest('hex');
    const url = `${baseUrl}/api/doc/blobs/big/one-gib.bin`;
    const authorization = `Bearer ${token}`;

    // Warm up the connection, TLS session and store, so the baseline includes them.
    await (
      await client(`${baseUrl}/api/doc/blobs/big/warm-up`, {
        method: 'PUT',
        body: block,
        headers: { authorization },
      })
    ).text();
    global.gc?.();

    const baseline = process.memoryUsage.rss();
    const memory = watchMemory();
    const started = Date.now();
    const upload = await uploadWithBackpressure(
      url,
      client,
      {
        authorization,
        [SHA256_HEADER]: sha256,
        'content-type': 'application/octet-stream',
      },
      repeated(block, BLOB_MIB),
    );
    const info = JSON.parse(upload.body) as { size: number; sha256: string };
    const uploaded = Date.now();

    expect(upload.status).toBe(200);
    expect(info).toMatchObject({ size: BLOB_MIB * MiB, sha256 });

    const download = await client(url, { headers: { authorization } });
    const received = createHash('sha256');
    let size = 0;

    for await (const chunk of download.body ?? []) {
      received.update(chunk as Uint8Array);
      size += (chunk as Uint8Array).byteLength;
    }

    const downloaded = Date.now();
    const growth = memory.peak() - baseline;

    memory.stop();
    // The figures go to the test output for the record of this test.
    process.stdout.write(
      `1 GiB blob: upload ${uploaded - started} ms, download ${downloaded - uploaded} ms, RSS baseline ${Math.round(baseline / MiB)} MiB, peak growth ${Math.round(growth / MiB)} MiB\n`,
    );

    expect(download.status).toBe(200);
    expect(size).toBe(BLOB_MIB * MiB);
    expect(received.digest('hex')).toBe(sha256);
    expect(growth).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  }, 180_000);
});
