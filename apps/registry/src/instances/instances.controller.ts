import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from 'zod';

import { InternalOnly } from '@rokks/auth-guard';
import { type InstanceRegistration } from '@rokks/bootstrap';
import { type AuthenticatedPeer } from '@rokks/mesh';

import { ClientCertificateGuard, MeshPeer } from '../http/client-certificate.guard';
import { openApiSchema } from '../http/open-api-schema.util';
import { instanceUrlSchema } from '../http/request-schemas';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { type ServiceInstance } from './instance.store';
import { InstancesService } from './instances.service';

const registerInstanceSchema = z.object({ url: instanceUrlSchema });

@ApiTags('instances')
@ApiSecurity('internal-secret')
@ApiUnauthorizedResponse({ description: 'Missing internal secret or mesh client certificate' })
@Controller('instances')
@UseGuards(ClientCertificateGuard)
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Post()
  @InternalOnly()
  @ApiOperation({
    summary: 'Register an instance',
    description:
      'Registers an instance of the service named by the client certificate, reachable at `url`.',
  })
  @ApiBody({ schema: openApiSchema(registerInstanceSchema) })
  register(
    @MeshPeer() peer: AuthenticatedPeer,
    @Body(new ZodValidationPipe(registerInstanceSchema))
    body: z.output<typeof registerInstanceSchema>,
  ): InstanceRegistration {
    return this.instances.register(peer, body.url);
  }

  @Post(':id/heartbeat')
  @InternalOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Extend the lifetime of an instance by the TTL' })
  @ApiNotFoundResponse({ description: 'The instance expired or is unknown; register again' })
  heartbeat(
    @MeshPeer() peer: AuthenticatedPeer,
    @Param('id', ParseUUIDPipe) id: string,
  ): InstanceRegistration {
    return this.instances.heartbeat(peer, id);
  }

  @Delete(':id')
  @InternalOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Deregister an instance' })
  @ApiNoContentResponse({ description: 'Deregistered' })
  @ApiNotFoundResponse({ description: 'Unknown instance' })
  deregister(@MeshPeer() peer: AuthenticatedPeer, @Param('id', ParseUUIDPipe) id: string): void {
    this.instances.deregister(peer, id);
  }

  @Get()
  @InternalOnly()
  @ApiOperation({
    summary: 'List live instances',
    description: 'Instances whose last heartbeat is within the TTL.',
  })
  @ApiOkResponse({ description: 'Live instances, newest heartbeat first' })
  list(): ServiceInstance[] {
    return this.instances.listLive();
  }
}
