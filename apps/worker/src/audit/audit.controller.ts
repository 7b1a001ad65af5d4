import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';

import { InternalOnly, Roles } from '@rokks/auth-guard';

import { openApiSchema } from '../http/open-api-schema.util';
import { parseInput } from '../http/parse-input.util';
import { type AuditEntry, AuditLog, AUDIT_MAX_PAGE_SIZE, type AuditPage } from './audit-log';
import { auditEntrySchema, auditPageSchema, auditQuerySchema, auditRecordSchema } from './audit-schemas';

/** Message pattern that appends an audit entry. */
export const AUDIT_PATTERNS = { record: 'audit.record' } as const;

/** Reading the audit log: admins only. No route changes or deletes entries. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List audit entries, newest first' })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'action', required: false, description: 'Such as job.submitted.' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601 date-time; entries at or after it.' })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${AUDIT_MAX_PAGE_SIZE}; default 50.` })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page.' })
  @ApiOkResponse({ schema: openApiSchema(auditPageSchema, 'output') })
  @ApiBadRequestResponse({ description: 'A query field is invalid; the message names it.' })
  list(@Query() query: unknown): AuditPage {
    return this.audit.list(parseInput(auditQuerySchema, query, 'query'));
  }
}

/**
 * Recording audit entries for other backends: sign-ins, data changes,
 * schema changes, jobs and setting changes. Body `{ actor, action, target?,
 * details? }`; the worker sets `id` and `at`.
 */
@ApiTags('internal')
@InternalOnly()
@Controller('internal/audit')
export class InternalAuditController {
  constructor(private readonly audit: AuditLog) {}

  @Post()
  @ApiOperation({ summary: 'Append an audit entry (internal)' })
  @ApiBody({ schema: openApiSchema(auditRecordSchema) })
  @ApiCreatedResponse({ schema: openApiSchema(auditEntrySchema, 'output') })
  record(@Body() body: unknown): AuditEntry {
    return this.audit.append(parseInput(auditRecordSchema, body, 'body'));
  }

  /** Same body as `POST /internal/audit` → the entry. */
  @MessagePattern(AUDIT_PATTERNS.record)
  recordMessage(@Payload() payload: unknown): AuditEntry {
    return this.audit.append(parseInput(auditRecordSchema, payload, 'payload'));
  }
}
