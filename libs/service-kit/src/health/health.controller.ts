import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  HealthIndicatorService,
} from '@nestjs/terminus';

import { InternalOnly } from '@rokks/auth-guard';

import { ServiceContext } from '../service-context';
import { ReadinessChecks } from './readiness-checks';

/**
 * Health of the service, on the mesh listener only: the TLS handshake
 * already requires a mesh client certificate, and `@InternalOnly` also
 * requires the internal secret, which every mesh client (`meshFetch`) sends.
 */
@ApiTags('health')
@ApiSecurity('internal-secret')
@Controller('health')
@InternalOnly()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessChecks,
    private readonly context: ServiceContext,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the service and every dependency it registered' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  check(): Promise<HealthCheckResult> {
    return this.ready();
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the service and every dependency it registered' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.processIndicator(),
      ...this.readiness.indicatorFunctions(),
    ]);
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process serves requests; dependencies are not checked' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.processIndicator()]);
  }

  private processIndicator() {
    return this.indicators.check('service').up({
      service: this.context.service,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    });
  }
}
