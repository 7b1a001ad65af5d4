import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

import { type Job } from '@rokks/jobs';

import { JobEventStream } from './job-event-stream';

const JOB_ID = '0190b2a4-7c3e-7000-8000-000000000001';

function job(status: Job['status']): Job {
  return {
    id: JOB_ID,
    type: 'INDEX',
    status,
    attempts: 1,
    maxAttempts: 3,
    priority: 0,
    payload: null,
    progress: { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0 },
    result: null,
    error: null,
    idempotencyKey: null,
    runAt: new Date().toISOString(),
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    cancelRequestedAt: null,
  };
}

function progress(rowsRead: number) {
  return {
    kind: 'progress' as const,
    jobId: JOB_ID,
    progress: { rowsRead, rowsLoaded: rowsRead, rowsRejected: 0 },
    at: new Date().toISOString(),
  };
}

describe('JobEventStream', () => {
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

  it('merges waiting progress under back-pressure', async () => {
    const reply = await response;
    const ends: string[] = [];
    const stream = new JobEventStream(reply, {
      heartbeatMs: 60_000,
      readJob: () => Promise.resolve({ ...job('succeeded'), progress: { rowsRead: 1, rowsLoaded: 1, rowsRejected: 0 } }),
      onEnd: (reason) => ends.push(reason),
    });

    // The client reads nothing, so the socket buffers fill up.
    socket.pause();
    stream.start(job('running'));

    const sent = 200_000;

    for (let index = 1; index <= sent; index += 1) {
      stream.send(progress(index));
    }

    expect(reply.writableNeedDrain).toBe(true);
    stream.send({ kind: 'status', jobId: JOB_ID, status: 'succeeded', attempts: 1, error: null, at: '' });

    let text = '';

    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.resume();
    await new Promise((resolve) => socket.on('end', resolve));

    const progressFrames = text.match(/event: progress/gu) ?? [];

    expect(progressFrames.length).toBeLessThan(sent);
    expect(text).toContain(`"rowsRead":${sent},`);
    expect(text.indexOf(`"rowsRead":${sent},`)).toBeLessThan(text.indexOf('event: status'));
    expect(text.lastIndexOf('event: job')).toBeGreaterThan(text.indexOf('event: status'));
    expect(ends).toEqual(['finished']);
  });

  it('stops when the client goes away', async () => {
    const reply = await response;
    const ends: string[] = [];
    const stream = new JobEventStream(reply, {
      heartbeatMs: 20,
      readJob: () => Promise.resolve(null),
      onEnd: (reason) => ends.push(reason),
    });

    stream.start(job('running'));
    socket.destroy();
    await new Promise((resolve) => reply.on('close', resolve));
    expect(ends).toEqual(['client-gone']);
    stream.send(progress(1));
    expect(ends).toEqual(['client-gone']);
  });
});
