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
import { entryNameSchema, serviceNameSchema } from '../http/request-schemas';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { RegistryState } from '../registry-state';
import { type ConfigEntry } from '../settings/config.store';

const MAX_VALUE_BYTES = 64 * 1024;

const setConfigSchema = z.object({
  value: z
    .json()
    .refine(
      (value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_VALUE_BYTES,
      'must be at most 64 KiB as JSON',
    ),
});

const servicePipe = new ZodValidationPipe(serviceNameSchema, 'service name');
const keyPipe = new ZodValidationPipe(entryNameSchema, 'configuration key');

// TODO: accept admins (a user JWT with the admin role) once the edge fronts
// these routes. Until then only backends with the internal secret can call them.
@ApiTags('configuration')
@ApiSecurity('internal-secret')
@ApiUnauthorizedResponse({ description: 'Missing or invalid internal secret' })
@Controller('config')
export class ConfigController {
  constructor(private readonly state: RegistryState) {}

  @Get('global')
  @InternalOnly()
  @ApiOperation({ summary: 'List global configuration entries' })
  listGlobal(): ConfigEntry[] {
    return this.state.configEntries.list(null);
  }

  @Put('global/:key')
  @InternalOnly()
  @ApiOperation({ summary: 'Set a global configuration entry (any JSON value)' })
  @ApiBody({ schema: openApiSchema(setConfigSchema) })
  setGlobal(
    @Param('key', keyPipe) key: string,
    @Body(new ZodValidationPipe(setConfigSchema)) body: z.output<typeof setConfigSchema>,
  ): ConfigEntry {
    return this.state.configEntries.set(null, key, body.value);
  }

  @Delete('global/:key')
  @InternalOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a global configuration entry' })
  deleteGlobal(@Param('key', keyPipe) key: string): void {
    if (!this.state.configEntries.delete(null, key)) {
      throw new NotFoundException(`No global configuration entry "${key}".`);
    }
  }

  @Get('services/:service')
  @InternalOnly()
  @ApiOperation({
    summary: 'List the configuration of a service',
    description:
      '`entries` are the entries of the service itself; `resolved` is what the service receives at bootstrap.',
  })
  listService(@Param('service', servicePipe) service: string): {
    entries: ConfigEntry[];
    resolved: Record<string, unknown>;
  } {
    return {
      entries: this.state.configEntries.list(service),
      resolved: this.state.configEntries.resolve(service),
    };
  }

  @Put('services/:service/:key')
  @InternalOnly()
  @ApiOperation({
    summary: 'Set a configuration entry of one service; it overrides the global entry',
  })
  @ApiBody({ schema: openApiSchema(setConfigSchema) })
  setService(
    @Param('service', servicePipe) service: string,
    @Param('key', keyPipe) key: string,
    @Body(new ZodValidationPipe(setConfigSchema)) body: z.output<typeof setConfigSchema>,
  ): ConfigEntry {
    return this.state.configEntries.set(service, key, body.value);
  }

  @Delete('services/:service/:key')
  @InternalOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a configuration entry of one service' })
  deleteService(
    @Param('service', servicePipe) service: string,
    @Param('key', keyPipe) key: string,
  ): void {
    if (!this.state.configEntries.delete(service, key)) {
      throw new NotFoundException(`No configuration entry "${key}" for service "${service}".`);
    }
  }
}
