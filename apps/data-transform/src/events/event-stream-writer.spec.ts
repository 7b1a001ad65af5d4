import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

import { EventStreamWriter, type StreamEndReason } from './event-stream-writer';

describe('EventStreamWriter', () => {
  let server: Server;
  let response: Promise<ServerResponse>;
  let socket: Socket;

  beforeEach(async () => {
    response = new Promise((resolve) => {
      server = createServer((_request, reply) => {
        reply.writeHead(200, { 'content-type': 'text/event-stream' });
        resolve(reply);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
  });

  afterEach(async () => {
    socket.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function readToEnd(): Promise<string> {
    let text = '';

    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.resume();
    await new Promise((resolve) => socket.on('end', resolve));

    return text;
  }

  it('replaces waiting progress frames', async () => {
    const reply = await response;
    const ends: StreamEndReason[] = [];
    const writer = new EventStreamWriter(reply, {
      heartbeatMs: 60_000,
      replaceableEvent: 'progress',
      onEnd: (reason) => ends.push(reason),
    });

    // The client reads nothing, so the socket buffers fill up.
    socket.pause();

    const sent = 200_000;

    for (let rowsRead = 1; rowsRead <= sent; rowsRead += 1) {
      writer.send('progress', { bytesRead: rowsRead * 10, rowsRead });
    }

    expect(reply.writableNeedDrain).toBe(true);
    writer.send('schema', { columns: [] });
    writer.send('done', {});
    writer.finish();
    expect(ends).toEqual([]);

    const text = await readToEnd();
    const progressFrames = text.match(/event: progress/gu) ?? [];

    expect(progressFrames.length).toBeLessThan(sent);
    expect(text).toContain(`"rowsRead":${sent}}`);
    expect(text.indexOf(`"rowsRead":${sent}}`)).toBeLessThan(text.indexOf('event: schema'));
    expect(text.indexOf('event: schema')).toBeLessThan(text.indexOf('event: done'));
    expect(ends).toEqual(['finished']);
  });

  it('keeps every other event', async () => {
    const reply = await response;
    const writer = new EventStreamWriter(reply, { heartbeatMs: 60_000, replaceableEvent: 'progress', onEnd: () => undefined });

    socket.pause();

    for (let index = 0; index < 20_000; index += 1) {
      writer.send('rows', { index });
    }

    expect(reply.writableNeedDrain).toBe(true);
    writer.finish();

    const text = await readToEnd();

    expect(text.match(/event: rows/gu)).toHaveLength(20_000);
    expect(text).toContain('data: {"index":19999}');
  });

  it('drops sends after finish', async () => {
    const reply = await response;
    const writer = new EventStreamWriter(reply, { heartbeatMs: 60_000, onEnd: () => undefined });

    writer.send('done', {});
    writer.finish();
    writer.send('late', {});
    expect(writer.closed).toBe(true);

    const text = await readToEnd();

    expect(text).toContain('event: done\ndata: {}\n\n');
    expect(text).not.toContain('event: late');
  });

  it('sends heartbeat comments', async () => {
    const reply = await response;
    const writer = new EventStreamWriter(reply, { heartbeatMs: 10, onEnd: () => undefined });
    let text = '';

    socket.setEncoding('utf8');
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: string) => {
        text += chunk;

        if (text.includes(': heartbeat\n\n')) {
          resolve();
        }
      });
    });
    writer.finish();
    expect(text).toContain(': heartbeat\n\n');
  });

  it('reports a client that went away', async () => {
    const reply = await response;
    const ends: StreamEndReason[] = [];
    const writer = new EventStreamWriter(reply, { heartbeatMs: 20, onEnd: (reason) => ends.push(reason) });

    writer.send('progress', { bytesRead: 1, rowsRead: 1 });
    socket.destroy();
    await new Promise((resolve) => reply.on('close', resolve));
    expect(ends).toEqual(['client-gone']);
    writer.send('progress', { bytesRead: 2, rowsRead: 2 });
    writer.finish();
    expect(ends).toEqual(['client-gone']);
  });
});
