import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from 'zod';

import { InternalOnly, Public } from '@rokks/auth-guard';
import {
  BOOTSTRAP_TOKEN_HEADER,
  type BootstrapResponse,
  bootstrapResponseSchema,
} from '@rokks/bootstrap';
import { type AuthenticatedPeer } from '@rokks/mesh';

import { ClientCertificateGuard, MeshPeer } from '../http/client-certificate.guard';
import { openApiSchema } from '../http/open-api-schema.util';
import { serviceNameSchema } from '../http/request-schemas';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { BootstrapTokenGuard } from './bootstrap-token.guard';
import { BootstrapService } from './bootstrap.service';

const bootstrapRequestSchema = z.object({ service: serviceNameSchema });

@ApiTags('bootstrap')
@Controller('bootstrap')
export class BootstrapController {
  constructor(private readonly bootstrap: BootstrapService) {}

  @Post()
  @Public()
  @UseGuards(BootstrapTokenGuard)
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Enroll a service',
    description:
      'Returns a new certificate and private key for the service, the CA certificate, the internal secret, the merged configuration, the secrets the service is entitled to, its peers and the JWT public keys. Authenticated by the bootstrap token.',
  })
  @ApiHeader({ name: BOOTSTRAP_TOKEN_HEADER, required: true, description: 'Bootstrap token' })
  @ApiBody({ schema: openApiSchema(bootstrapRequestSchema) })
  @ApiOkResponse({ schema: openApiSchema(bootstrapResponseSchema) })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid bootstrap token' })
  enroll(
    @Body(new ZodValidationPipe(bootstrapRequestSchema))
    body: z.output<typeof bootstrapRequestSchema>,
  ): Promise<BootstrapResponse> {
    return this.bootstrap.identityFor(body.service);
  }

  @Post('renew')
  @InternalOnly()
  @UseGuards(ClientCertificateGuard)
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiSecurity('internal-secret')
  @ApiOperation({
    summary: 'Renew a certificate',
    description:
      'Returns a fresh identity (as POST /bootstrap) for the service named by the client certificate. Needs mutual TLS with a mesh certificate and the internal secret.',
  })
  @ApiOkResponse({ schema: openApiSchema(bootstrapResponseSchema) })
  @ApiUnauthorizedResponse({ description: 'Missing internal secret or client certificate' })
  renew(@MeshPeer() peer: AuthenticatedPeer): Promise<BootstrapResponse> {
    return this.bootstrap.identityFor(peer.service);
  }
}
