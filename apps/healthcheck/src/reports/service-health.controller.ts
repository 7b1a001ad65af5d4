import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';

import { InternalOnly } from '@rokks/auth-guard';

import {
  type HealthReport,
  type ServiceHealthDetail,
  ServiceHealthStore,
} from './service-health.store';

/** The aggregate health of every service, for the edge to publish. */
@ApiTags('service-health')
@ApiSecurity('internal-secret')
@Controller('service-health')
@InternalOnly()
export class ServiceHealthController {
  constructor(private readonly store: ServiceHealthStore) {}

  @Get()
  @ApiOperation({
    summary: 'Health of every service',
    description:
      'Every service of the service map (and any other registered one) with `up`, `down` or `unknown`, since when, the latest latency and the latest error.',
  })
  @ApiOkResponse({ description: 'The aggregate report' })
  report(): HealthReport {
    return this.store.report();
  }

  @Get(':service')
  @ApiOperation({ summary: 'Health of one service with its recent probe results' })
  @ApiOkResponse({ description: 'The service and its history, oldest first' })
  @ApiNotFoundResponse({ description: 'The service is neither in the service map nor registered' })
  detail(@Param('service') service: string): ServiceHealthDetail {
    const detail = this.store.detail(service);

    if (detail === undefined) {
      throw new NotFoundException(
        `Service "${service}" is neither in the service map nor registered.`,
      );
    }

    return detail;
  }
}
