import { createHash } from 'node:crypto';
import { type IncomingMessage } from 'node:http';

import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  type OnModuleInit,
  Param,
  Patch,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { type AuthenticatedUser, CurrentUser, InternalOnly, Roles } from '@rokks/auth-guard';

/** The parts of one request that a stand-in backend received. */
export interface EchoedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  user?: AuthenticatedUser;
  body?: unknown;
}

/** Events the tests observe on the stand-ins. */
export const standInEvents = {
  calls: 0,
  eventStreamsClosed: 0,
};

const BIG_DOWNLOAD_CHUNK = Buffer.alloc(1024 * 1024, 7);

/** Lets the stand-ins take raw bodies of any type as unread streams, as the real backends do for uploads. */
@Injectable()
class RawBodies implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();

    fastify.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
      done(null, payload),
    );
  }
}

function echo(request: FastifyRequest, user?: AuthenticatedUser): EchoedRequest {
  standInEvents.calls += 1;

  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    user,
    body: request.body,
  };
}

/** Routes under the contract's paths, with the access decisions the real backends use. */
@Controller('api')
class StandInController {
  @Get('sql/tables')
  @Roles('viewer')
  tables(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser): EchoedRequest {
    return echo(request, user);
  }

  @Post('sql/query')
  @HttpCode(200)
  @Roles('viewer')
  query(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser): EchoedRequest {
    return echo(request, user);
  }

  @Patch('sql/tables/:id')
  @Roles('editor')
  rename(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser): EchoedRequest {
    return echo(request, user);
  }

  @Post('transform/runs')
  @HttpCode(202)
  @Roles('editor')
  load(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser): EchoedRequest {
    return echo(request, user);
  }

  @Get('audit')
  @Roles('admin')
  audit(@Req() request: FastifyRequest, @CurrentUser() user: AuthenticatedUser): EchoedRequest {
    return echo(request, user);
  }

  @Put('doc/blobs/*')
  @Roles('editor')
  async upload(@Req() request: FastifyRequest): Promise<{ bytes: number; sha256: string }> {
    standInEvents.calls += 1;

    const hash = createHash('sha256');
    let bytes = 0;

    for await (const chunk of request.raw as IncomingMessage) {
      bytes += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }

    return { bytes, sha256: hash.digest('hex') };
  }

  @Get('doc/blobs/big/:megabytes')
  @Roles('viewer')
  async download(@Param('megabytes') megabytes: string, @Res() reply: FastifyReply): Promise<void> {
    const count = Number(megabytes);

    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': count * BIG_DOWNLOAD_CHUNK.length,
    });

    for (let index = 0; index < count; index += 1) {
      if (!reply.raw.write(BIG_DOWNLOAD_CHUNK)) {
        await new Promise((resolve) => reply.raw.once('drain', resolve));
      }
    }

    reply.raw.end();
  }

  @Get('jobs/:id/events')
  @Roles('viewer')
  events(@Param('id') id: string, @Res() reply: FastifyReply): void {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });

    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      reply.raw.write(`event: progress\ndata: ${JSON.stringify({ jobId: id, sent })}\n\n`);
    }, 100);

    reply.raw.write(`event: status\ndata: ${JSON.stringify({ jobId: id, status: 'running' })}\n\n`);
    reply.raw.once('close', () => {
      clearInterval(timer);
      standInEvents.eventStreamsClosed += 1;
    });
  }
}

/** The healthcheck's aggregate route, with a fixed report. */
@Controller('service-health')
@InternalOnly()
class StandInHealthController {
  @Get()
  report(): Record<string, unknown> {
    return {
      status: 'degraded',
      checkedAt: '2026-01-01T00:00:00.000Z',
      probeIntervalMs: 5000,
      counts: { up: 1, down: 1, unknown: 0 },
      services: [
        { service: 'sql-gateway', status: 'up' },
        { service: 'ai', status: 'down', lastError: 'connection refused' },
      ],
    };
  }
}

/** A stand-in for the backends behind the edge, started under their service names. */
@Module({ controllers: [StandInController], providers: [RawBodies] })
export class StandInBackendModule {}

/** A stand-in for the healthcheck service. */
@Module({ controllers: [StandInHealthController] })
export class StandInHealthcheckModule {}
