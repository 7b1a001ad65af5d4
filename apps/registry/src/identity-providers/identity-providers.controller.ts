import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Put,
} from '@nestjs/common';
import {
  ApiBody,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from 'zod';

import { InternalOnly } from '@rokks/auth-guard';

import { openApiSchema } from '../http/open-api-schema.util';
import { serviceNameSchema } from '../http/request-schemas';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { RegistryState } from '../registry-state';
import { type IdentityProvider } from './identity-provider.store';

const identityProviderSchema = z.object({
  displayName: z.string().trim().min(1).max(100),
  issuer: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(4096).optional(),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an OAuth scope token'))
    .default(['openid', 'email', 'profile']),
  enabled: z.boolean().default(true),
});

// Provider ids share the service-name alphabet: lowercase, digits, hyphens.
const idPipe = new ZodValidationPipe(serviceNameSchema, 'identity provider id');

/** Identity-provider settings for the auth service. Responses never include the client secret. */
// TODO: accept admins (a user JWT with the admin role) once the edge fronts
// these routes. Until then only backends with the internal secret can call them.
@ApiTags('identity providers')
@ApiSecurity('internal-secret')
@ApiUnauthorizedResponse({ description: 'Missing or invalid internal secret' })
@Controller('identity-providers')
export class IdentityProvidersController {
  constructor(private readonly state: RegistryState) {}

  @Get()
  @InternalOnly()
  @ApiOperation({ summary: 'List identity providers' })
  list(): IdentityProvider[] {
    return this.state.identityProviders.list();
  }

  @Put(':id')
  @InternalOnly()
  @ApiOperation({
    summary: 'Create or replace an identity provider',
    description:
      'The client secret is stored encrypted and sent only to the auth service at bootstrap.',
  })
  @ApiBody({ schema: openApiSchema(identityProviderSchema) })
  set(
    @Param('id', idPipe) id: string,
    @Body(new ZodValidationPipe(identityProviderSchema))
    body: z.output<typeof identityProviderSchema>,
  ): IdentityProvider {
    return this.state.identityProviders.set(id, body);
  }

  @Delete(':id')
  @InternalOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an identity provider and its client secret' })
  delete(@Param('id', idPipe) id: string): void {
    if (!this.state.identityProviders.delete(id)) {
      throw new NotFoundException(`No identity provider "${id}".`);
    }
  }
}
