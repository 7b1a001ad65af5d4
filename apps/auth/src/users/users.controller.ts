import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';

import { type AuthenticatedUser, CurrentUser, ROLES, Roles } from '@rokks/auth-guard';

import { MAX_PASSWORD_LENGTH } from '../auth.settings';
import { openApiSchema } from '../http/open-api-schema.util';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { type ManagedUser, UsersService } from './users.service';

const roleList = z
  .array(z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }))
  .max(ROLES.length);
const password = z.string({ error: 'must be a string' }).max(MAX_PASSWORD_LENGTH);

const createUserSchema = z.object({
  email: z.email({ error: 'must be an e-mail address' }).max(320),
  password: password
    .optional()
    .describe('Omit for users who sign in only through an identity provider'),
  roles: roleList.default(['viewer']),
});

const updateUserSchema = z
  .object({
    roles: roleList.optional().describe("Replaces the user's roles in the admin's workspace"),
    disabled: z.boolean({ error: 'must be true or false' }).optional(),
    password: password
      .optional()
      .describe('Sets a new password and ends every session of the user'),
  })
  .strict();

const userIdPipe = new ZodValidationPipe(
  z.string().uuid({ error: 'must be a user id (UUID)' }),
  'user id',
);

const managedUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  roles: roleList,
  workspace: z.string(),
  disabled: z.boolean(),
  hasPassword: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});

/** User and role management in the admin's workspace. */
@ApiTags('users')
@ApiBearerAuth('access-token')
@ApiForbiddenResponse({ description: 'The caller is not an admin of the workspace' })
@Controller('auth/users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users with their roles in the workspace' })
  @ApiOkResponse({ schema: openApiSchema(z.array(managedUserSchema), 'output') })
  list(@CurrentUser() caller: AuthenticatedUser): ManagedUser[] {
    return this.users.list(caller);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user with roles in the workspace' })
  @ApiBody({ schema: openApiSchema(createUserSchema) })
  @ApiCreatedResponse({ schema: openApiSchema(managedUserSchema, 'output') })
  @ApiConflictResponse({ description: 'A user with the e-mail exists' })
  create(
    @CurrentUser() caller: AuthenticatedUser,
    @Body(new ZodValidationPipe(createUserSchema)) body: z.output<typeof createUserSchema>,
  ): Promise<ManagedUser> {
    return this.users.create(caller, body);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change roles, disable or enable, or set a password',
    description:
      'Disabling a user or setting a password ends their sessions at once; their access tokens expire within their lifetime.',
  })
  @ApiBody({ schema: openApiSchema(updateUserSchema) })
  @ApiOkResponse({ schema: openApiSchema(managedUserSchema, 'output') })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({
    description: 'The change would disable or demote the calling admin',
  })
  update(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', userIdPipe) id: string,
    @Body(new ZodValidationPipe(updateUserSchema)) body: z.output<typeof updateUserSchema>,
  ): Promise<ManagedUser> {
    return this.users.update(caller, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user, their roles and their sessions' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such user' })
  delete(@CurrentUser() caller: AuthenticatedUser, @Param('id', userIdPipe) id: string): void {
    this.users.delete(caller, id);
  }
}
