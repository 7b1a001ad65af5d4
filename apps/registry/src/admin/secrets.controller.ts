import {
  BadRequestException,
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
import { entryNameSchema, serviceNameSchema } from '../http/request-schemas';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { RESERVED_SECRET_PREFIX } from '../platform/platform-secrets';
import { RegistryState } from '../registry-state';
import { type SecretSummary } from '../secrets/secret.store';

const MAX_SECRET_BYTES = 64 * 1024;

const setSecretSchema = z.object({
  value: z
    .string()
    .min(1, 'is empty')
    .refine((value) => Buffer.byteLength(value) <= MAX_SECRET_BYTES, 'must be at most 64 KiB'),
  /** Services that receive the secret at bootstrap; omitted keeps the current list. */
  services: z.array(serviceNameSchema).max(100).optional(),
});

const namePipe = new ZodValidationPipe(entryNameSchema, 'secret name');

/** Secret management. Responses carry names and entitlements, never values. */
// TODO: accept admins (a user JWT with the admin role) once the edge fronts
// these routes. Until then only backends with the internal secret can call them.
@ApiTags('secrets')
@ApiSecurity('internal-secret')
@ApiUnauthorizedResponse({ description: 'Missing or invalid internal secret' })
@Controller('secrets')
export class SecretsController {
  constructor(private readonly state: RegistryState) {}

  @Get()
  @InternalOnly()
  @ApiOperation({ summary: 'List secrets (names and entitled services, no values)' })
  list(): SecretSummary[] {
    return this.state.secrets.list();
  }

  @Put(':name')
  @InternalOnly()
  @ApiOperation({
    summary: 'Set a secret',
    description: `Stores the value encrypted and, when \`services\` is given, replaces the services entitled to it. Names starting with ${RESERVED_SECRET_PREFIX} belong to the registry.`,
  })
  @ApiBody({ schema: openApiSchema(setSecretSchema) })
  set(
    @Param('name', namePipe) name: string,
    @Body(new ZodValidationPipe(setSecretSchema)) body: z.output<typeof setSecretSchema>,
  ): SecretSummary {
    rejectReservedName(name);

    return this.state.secrets.set(name, body.value, body.services);
  }

  @Delete(':name')
  @InternalOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a secret and its entitlements' })
  delete(@Param('name', namePipe) name: string): void {
    rejectReservedName(name);

    if (!this.state.secrets.delete(name)) {
      throw new NotFoundException(`No secret "${name}".`);
    }
  }
}

function rejectReservedName(name: string): void {
  if (name.startsWith(RESERVED_SECRET_PREFIX)) {
    throw new BadRequestException(
      `Secret names starting with ${RESERVED_SECRET_PREFIX} are managed by the registry; set them through its environment.`,
    );
  }
}
