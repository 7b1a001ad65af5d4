import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';

import { InternalOnly } from '@rokks/auth-guard';
import {
  DEFAULT_MONIO_WORKSPACE,
  DocStoreError,
  MONIO_PATTERNS,
  type MonioInfo,
} from '@rokks/doc-store';
import { ServiceContext } from '@rokks/service-kit';

import { type MonioSettings } from '../monio.settings';
import { MonioStores } from '../store/monio-stores';

const PATTERN_LIST = Object.values(MONIO_PATTERNS)
  .map((pattern) => `\`${JSON.stringify(pattern)}\``)
  .join(', ');

/** Endpoint description for `MonioDocStore`: the microservice port and the limits it checks before sending. */
@ApiTags('internal')
@ApiSecurity('internal-secret')
@InternalOnly()
@Controller('internal/monio')
export class MonioInfoController {
  constructor(
    private readonly context: ServiceContext<MonioSettings>,
    private readonly stores: MonioStores,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Describe the MonIO endpoints',
    description: `The microservice port (NestJS TCP over mutual TLS, on the host of this URL) and the blob limit. The port takes the message patterns ${PATTERN_LIST}; each payload is the DocStore method's arguments as an object with a workspace field, and a failure is { statusCode, error, message, details: { code } }.`,
  })
  @ApiOkResponse({ description: '`{ microservicePort, maxBlobBytes, transactions }`' })
  async describe(): Promise<MonioInfo> {
    const endpoints = this.context.endpoints;

    if (endpoints === undefined) {
      throw new DocStoreError('UNAVAILABLE', 'MonIO is still starting; retry in a moment.');
    }

    const store = await this.stores.forWorkspace(DEFAULT_MONIO_WORKSPACE);

    return {
      microservicePort: endpoints.microservicePort,
      maxBlobBytes: this.context.settings.maxBlobBytes,
      transactions: store.usesTransactions,
    };
  }
}
