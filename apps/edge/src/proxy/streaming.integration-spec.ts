import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';

import { EdgeTestHarness } from '../testing/edge-test-harness';
import { standInEvents } from '../testing/stand-in-backend';

const MIB = 1024 * 1024;
const UPLOAD_LIMIT_BYTES = 320 * MIB;
const API_LIMIT_BYTES = MIB;

/** Generates `totalBytes` bytes on the fly as a stream, and their SHA-256 once read. */
function generatedBody(totalBytes: number): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(256 * 1024);
  let produced = 0;

  const stream = new Readable({
    read() {
      if (produced >= totalBytes) {
        this.push(null);

        return;
      }

      const size = Math.min(chunk.length, totalBytes - produced);

      chunk.writeUInt32BE(produced >>> 0, 0);

      const piece = Buffer.from(chunk.subarray(0, size));

      produced += size;
      hash.update(piece);
      this.push(piece);
    },
  });

  return { stream, sha256: () => hash.digest('hex') };
}

describe('edge streaming', () => {
  let harness: EdgeTestHarness;
  let editorToken: string;

  beforeAll(async () => {
    harness = await EdgeTestHarness.start({
      ROKKS_EDGE_UPLOAD_LIMIT_BYTES: String(UPLOAD_LIMIT_BYTES),
      ROKKS_EDGE_API_BODY_LIMIT_BYTES: String(API_LIMIT_BYTES),
    });
    editorToken = await harness.sign({ roles: ['editor'] });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  /** Sends a streamed body; `chunked` leaves out Content-Length. */
  function upload(
    target: string,
    body: Readable,
    options: { declaredLength?: number; method?: string; contentType?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${editorToken}`,
      'content-type': options.contentType ?? 'application/octet-stream',
    };

    if (options.declaredLength !== undefined) {
      headers['content-length'] = String(options.declaredLength);
    }

    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: harness.publicPort,
          method: options.method ?? 'PUT',
          path: target,
          headers,
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];

          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );

      request.on('error', reject);
      body.pipe(request);
    });
  }

  it('streams a large upload without buffering it', async () => {
    const totalBytes = 256 * MIB;
    const generated = generatedBody(totalBytes);
    let peakArrayBuffers = 0;
    const baseline = process.memoryUsage().arrayBuffers;
    const sampler = setInterval(() => {
      peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers - baseline);
    }, 20);

    const response = await upload('/api/doc/blobs/big.bin', generated.stream, {
      declaredLength: totalBytes,
    });

    clearInterval(sampler);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ bytes: totalBytes, sha256: generated.sha256() });
    // Client, edge and backend share this process; a buffered body would add
    // 256 MiB. Half of that leaves room for garbage collection under load.
    expect(peakArrayBuffers).toBeLessThan(128 * MIB);
  }, 60_000);

  it('streams an upload without Content-Length', async () => {
    const totalBytes = 8 * MIB + 17;
    const generated = generatedBody(totalBytes);
    const response = await upload('/api/doc/blobs/chunked.bin', generated.stream);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ bytes: totalBytes, sha256: generated.sha256() });
  });

  it('refuses a declared body over the limit at once', async () => {
    const callsBefore = standInEvents.calls;
    const response = await upload('/api/doc/blobs/huge.bin', Readable.from([Buffer.alloc(1024)]), {
      declaredLength: UPLOAD_LIMIT_BYTES + 1,
    });

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({
      statusCode: 413,
      details: { limitBytes: UPLOAD_LIMIT_BYTES },
    });
    expect(standInEvents.calls).toBe(callsBefore);
  });

  it('stops a chunked body at the limit of its class', async () => {
    // The backend reads a JSON body whole before it responds, so the edge's
    // limit is what ends the request.
    const response = await upload(
      '/api/sql/query',
      generatedBody(API_LIMIT_BYTES + 100_000).stream,
      {
        method: 'POST',
        contentType: 'application/json',
      },
    );

    expect(response.status).toBe(413);
  });

  it('refuses a query body over the limit', async () => {
    const response = await harness.send('POST', '/api/sql/query', {
      token: editorToken,
      body: JSON.stringify({ sql: 'x'.repeat(API_LIMIT_BYTES) }),
    });

    expect(response.status).toBe(413);
  });

  it('streams a large download', async () => {
    const megabytes = 64;
    const received = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      httpRequest(
        {
          host: '127.0.0.1',
          port: harness.publicPort,
          path: `/api/doc/blobs/big/${megabytes}`,
          headers: { authorization: `Bearer ${editorToken}` },
          agent: false,
        },
        (response) => {
          let bytes = 0;

          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
        },
      )
        .on('error', reject)
        .end();
    });

    expect(received).toEqual({ status: 200, bytes: megabytes * MIB });
  });

  it('passes server-sent events as they happen', async () => {
    const closedBefore = standInEvents.eventStreamsClosed;
    const arrivals: { at: number; text: string }[] = [];
    const started = Date.now();

    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: harness.publicPort,
          path: '/api/jobs/job-7/events',
          headers: { authorization: `Bearer ${editorToken}`, accept: 'text/event-stream' },
          agent: false,
        },
        (response) => {
          expect(response.headers['content-type']).toBe('text/event-stream');
          response.on('data', (chunk: Buffer) => {
            arrivals.push({ at: Date.now() - started, text: chunk.toString('utf8') });

            if (arrivals.length === 4) {
              request.destroy();
              resolve();
            }
          });
        },
      );

      request.on('error', (error) => (arrivals.length >= 4 ? resolve() : reject(error)));
      request.end();
    });

    expect(arrivals[0].text).toContain('event: status');
    expect(arrivals[3].text).toContain('event: progress');
    // Events arrive one by one, about 100 ms apart, not in one burst at the end.
    expect(arrivals[3].at - arrivals[0].at).toBeGreaterThan(200);

    // Closing the browser's connection ends the backend's stream.
    const deadline = Date.now() + 3000;

    while (standInEvents.eventStreamsClosed === closedBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    expect(standInEvents.eventStreamsClosed).toBe(closedBefore + 1);
  });

  it('answers 503 when a backend is down', async () => {
    const response = await harness.send('GET', '/api/ai/models', { token: editorToken });

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json<{ message: string }>().message).toContain('ai');
  });
});
