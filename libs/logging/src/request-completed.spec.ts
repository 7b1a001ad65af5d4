import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { logRequestCompleted } from './request-completed';

interface Line {
  level: 'info' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** Serves each request with `respond` and records the completion line that the close of its response writes. */
async function startServer(
  respond: (response: ServerResponse) => void,
): Promise<{ server: Server; lines: Line[]; url: string }> {
  const lines: Line[] = [];
  const logger = {
    info: (fields: object, message: string) =>
      lines.push({ level: 'info', fields: fields as Record<string, unknown>, message }),
    error: (fields: object, message: string) =>
      lines.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const startedAt = performance.now();

    response.once('close', () =>
      logRequestCompleted(
        logger,
        request,
        response,
        { requestId: 'req-1', userId: 'u_1' },
        startedAt,
      ),
    );
    respond(response);
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    server,
    lines,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/x?y=1`,
  };
}

async function waitForLine(lines: Line[]): Promise<Line> {
  while (lines.length === 0) {
    await new Promise((resolve) => setImmediate(resolve));
  }

  return lines[0];
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    })
      .once('error', reject)
      .end();
  });
}

describe('logRequestCompleted', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.close();
    server = undefined;
  });

  it('logs a success at info level', async () => {
    const started = await startServer((response) => response.writeHead(201).end('ok'));

    server = started.server;
    expect(await get(started.url)).toBe(201);

    const line = await waitForLine(started.lines);

    expect(line.level).toBe('info');
    expect(line.message).toBe('request completed');
    expect(line.fields).toMatchObject({
      requestId: 'req-1',
      userId: 'u_1',
      req: { id: 'req-1', method: 'GET', url: '/api/x?y=1', remoteAddress: '127.0.0.1' },
      res: { statusCode: 201 },
    });
    expect(line.fields.aborted).toBeUndefined();
    expect(typeof line.fields.responseTime).toBe('number');
  });

  it('logs a 5xx status at error level', async () => {
    const started = await startServer((response) => response.writeHead(503).end());

    server = started.server;
    expect(await get(started.url)).toBe(503);

    const line = await waitForLine(started.lines);

    expect(line.level).toBe('error');
    expect(line.fields.res).toEqual({ statusCode: 503 });
  });

  it('marks a client that left before any response', async () => {
    let arrived: () => void = () => undefined;
    const reachedServer = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const started = await startServer(() => arrived());

    server = started.server;

    const client = httpRequest(started.url).once('error', () => undefined);

    client.end();
    // The server never responds, and the client leaves once its request arrived.
    await reachedServer;
    client.destroy();

    const line = await waitForLine(started.lines);

    expect(line.fields.aborted).toBe(true);
    expect(line.fields.res).toEqual({ statusCode: undefined });
  });
});
