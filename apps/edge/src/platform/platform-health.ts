import { Injectable } from '@nestjs/common';
import { request as undiciRequest } from 'undici';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { UpstreamAgent } from '../proxy/upstream-agent';
import { UpstreamDirectory } from '../proxy/upstream-directory';

/** Health visible to anyone: one word and the time of the check. */
export interface PublicHealth {
  status: 'up' | 'degraded' | 'down';
  checkedAt: string;
}

const HEALTHCHECK_TIMEOUT_MS = 3000;

/**
 * The platform's health for `/api/health`, from the healthcheck service's
 * aggregate (`GET /service-health`). Anonymous callers get the overall
 * status only; signed-in users get the full report with every service.
 */
@Injectable()
export class PlatformHealth {
  constructor(
    private readonly directory: UpstreamDirectory,
    private readonly upstream: UpstreamAgent,
    private readonly context: ServiceContext,
    @InjectPinoLogger(PlatformHealth.name) private readonly logger: PinoLogger,
  ) {}

  /** Returns the HTTP status and body; `detailed` adds the healthcheck's whole report. */
  async report(
    detailed: boolean,
    requestId: string,
  ): Promise<{ statusCode: number; body: unknown }> {
    const checkedAt = new Date().toISOString();
    const aggregate = await this.fetchAggregate(requestId);

    if (aggregate === undefined) {
      return { statusCode: 503, body: { status: 'down', checkedAt } satisfies PublicHealth };
    }

    const status = aggregate.status === 'up' ? 'up' : 'degraded';

    return {
      statusCode: 200,
      body: detailed
        ? { ...aggregate, status }
        : ({ status, checkedAt: aggregate.checkedAt ?? checkedAt } satisfies PublicHealth),
    };
  }

  private async fetchAggregate(
    requestId: string,
  ): Promise<({ status?: string; checkedAt?: string } & Record<string, unknown>) | undefined> {
    const baseUrl = await this.directory.resolve('healthcheck');

    if (baseUrl === undefined) {
      return undefined;
    }

    try {
      const response = await undiciRequest(new URL('/service-health', baseUrl), {
        dispatcher: this.upstream.agent,
        headers: {
          'x-rokks-internal': this.context.identity.internalSecret,
          'x-request-id': requestId,
        },
        signal: AbortSignal.timeout(HEALTHCHECK_TIMEOUT_MS),
      });

      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`healthcheck returned HTTP ${response.statusCode}`);
      }

      return (await response.body.json()) as { status?: string; checkedAt?: string };
    } catch (error) {
      this.directory.reportFailure('healthcheck', baseUrl);
      this.logger.warn({ err: error }, 'reading the aggregate health failed');

      return undefined;
    }
  }
}
