import { Controller, Get, HttpException, HttpStatus, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { request } from 'undici';

import { LoggingModule } from './logging.module';
import { registerSecretValue } from './secret-values';
import { MemoryDestination } from './testing/memory-destination';
import { withContext } from './with-context';

const SECRET = 'db-pass-5be1c0d9a7f34e21';

@Controller()
class ProbeController {
  constructor(private readonly logger: PinoLogger) {}

  @Get('work')
  work(): { ok: boolean } {
    this.logger.info({ step: 'inside handler' }, 'handler ran');
    withContext(this.logger, { jobId: 'job-42' }).info('job step');

    return { ok: true };
  }

  @Get('missing')
  missing(): never {
    throw new HttpException('no such thing', HttpStatus.NOT_FOUND);
  }

  @Get('crash')
  crash(): never {
    throw new Error(`could not connect with password ${SECRET}`);
  }

  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Get('beats/:id')
  beat(): { ok: boolean } {
    return { ok: true };
  }
}

describe('LoggingModule on Fastify', () => {
  const destination = new MemoryDestination();
  let app: NestFastifyApplication;
  let baseUrl: string;

  beforeAll(async () => {
    registerSecretValue(SECRET);

    @Module({
      imports: [
        LoggingModule.forService('probe', { level: 'debug', destination, routinePaths: [/^\/beats\/[^/]+$/] }),
      ],
      controllers: [ProbeController],
    })
    class ProbeModule {}

    app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    destination.lines.length = 0;
  });

  function linesFor(requestId: string): Record<string, unknown>[] {
    return destination.records().filter((record) => record['requestId'] === requestId);
  }

  async function waitForCompletion(requestId: string): Promise<Record<string, unknown>> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const done = linesFor(requestId).find((record) => record['res'] !== undefined);

      if (done !== undefined) {
        return done;
      }

      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    throw new Error(`no completion line for request ${requestId}`);
  }

  it('puts a generated request id on every line and echoes it', async () => {
    const response = await request(`${baseUrl}/work`, { headers: { authorization: 'Bearer not-a-real-token-123' } });
    const requestId = response.headers['x-request-id'];

    await response.body.text();

    expect(typeof requestId).toBe('string');

    const completion = await waitForCompletion(requestId as string);
    const requestLines = linesFor(requestId as string);
    const otherLines = destination.records().filter((record) => record['requestId'] !== requestId);

    expect(otherLines).toEqual([]);
    expect(requestLines.map((record) => record['msg'])).toEqual(['handler ran', 'job step', 'request completed']);
    expect(requestLines[1]['jobId']).toBe('job-42');
    expect(completion['level']).toBe('info');
    expect(completion['service']).toBe('probe');
    expect(destination.text).not.toContain('not-a-real-token-123');
  });

  it('keeps a sane caller request id', async () => {
    const response = await request(`${baseUrl}/work`, { headers: { 'x-request-id': 'trace-abc.123' } });

    await response.body.text();

    expect(response.headers['x-request-id']).toBe('trace-abc.123');
    expect((await waitForCompletion('trace-abc.123'))['msg']).toBe('request completed');
  });

  it('replaces an unsafe caller request id', async () => {
    const response = await request(`${baseUrl}/work`, { headers: { 'x-request-id': 'x'.repeat(200) } });

    await response.body.text();

    const echoed = response.headers['x-request-id'] as string;

    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    await waitForCompletion(echoed);
  });

  it('logs 4xx at info', async () => {
    const response = await request(`${baseUrl}/missing`);

    await response.body.text();

    expect(response.statusCode).toBe(404);
    expect((await waitForCompletion(response.headers['x-request-id'] as string))['level']).toBe('info');
  });

  it('logs 5xx at error without the secret', async () => {
    const response = await request(`${baseUrl}/crash`);

    await response.body.text();

    const requestId = response.headers['x-request-id'] as string;
    const completion = await waitForCompletion(requestId);

    expect(response.statusCode).toBe(500);
    expect(completion['level']).toBe('error');
    expect(destination.text).toContain('could not connect with password [REDACTED]');
    expect(destination.text).not.toContain('"type":"Object"');
    expect(destination.text).not.toContain(SECRET);
    expect(linesFor(requestId).length).toBe(destination.records().length);
  });

  it('logs health probes at debug', async () => {
    const response = await request(`${baseUrl}/health`);

    await response.body.text();

    expect((await waitForCompletion(response.headers['x-request-id'] as string))['level']).toBe('debug');
  });

  it('logs routine requests at debug', async () => {
    const response = await request(`${baseUrl}/beats/7`);

    await response.body.text();

    expect((await waitForCompletion(response.headers['x-request-id'] as string))['level']).toBe('debug');
  });
});
