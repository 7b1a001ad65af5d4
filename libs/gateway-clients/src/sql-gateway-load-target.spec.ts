import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import { fetch } from 'undici';

import { ServiceCaller } from './gateway-connection';
import { SqlGatewayLoadTarget } from './sql-gateway-load-target';

const LOAD_ID = 'load-reuse';

/** A stand-in for the SQL gateway's Load API with only the routes the writer calls. It keeps the body of every rows request. */
class RecordingLoadServer {
  readonly rows: Buffer[] = [];
  private readonly server: Server = createServer((request, response) => {
    void this.handle(request, response);
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');

    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];

    for await (const part of request) {
      parts.push(part as Buffer);
    }

    if (request.method === 'PUT') {
      this.rows.push(Buffer.concat(parts));
    }

    const committed = request.url?.endsWith('/commit') === true;
    const status = {
      loadId: LOAD_ID,
      workspace: 'default',
      table: 'reuse',
      mode: 'create',
      state: committed ? 'committed' : 'open',
      alreadyApplied: false,
      bytesReceived: 0,
      startedAt: new Date(0).toISOString(),
      ...(committed
        ? { result: { loadId: LOAD_ID, tableId: 't_1', table: 'reuse', mode: 'create', rowsLoaded: 0, addedColumns: [], alreadyApplied: false } }
        : {}),
    };

    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(status));
  }
}

describe('SqlGatewayLoadTarget', () => {
  let server: RecordingLoadServer;
  let baseUrl: string;

  beforeEach(async () => {
    server = new RecordingLoadServer();
    baseUrl = await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('sends each write before its reuse', async () => {
    const caller = new ServiceCaller('sql-gateway', { fetch: (url, init) => fetch(url, init), baseUrl });
    // A limit of 100 KiB spreads the writes over two rows requests.
    const target = new SqlGatewayLoadTarget(caller, 'default', 100 * 1024);
    const writer = await target.begin({ table: 'reuse', mode: 'create', key: null, loadId: LOAD_ID, columns: [] });
    const buffer = Buffer.alloc(64 * 1024);
    const expected: Buffer[] = [];

    for (let write = 0; write < 4; write += 1) {
      // Each write fills the same buffer with other bytes, as CopyWriter does with its two buffers.
      buffer.fill(`${write}\tvalue ${write}\n`);
      expected.push(Buffer.from(buffer));
      await writer.write(buffer);
    }

    await writer.commit();

    expect(server.rows).toHaveLength(2);
    expect(Buffer.concat(server.rows).equals(Buffer.concat(expected))).toBe(true);
  });
});
