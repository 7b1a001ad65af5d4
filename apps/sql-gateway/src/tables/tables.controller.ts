import { Body, Controller, Delete, Get, HttpCode, Param, Patch } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from 'zod';

import { type AuthenticatedUser, CurrentUser, Roles } from '@rokks/auth-guard';

import { openApiSchema } from '../http/open-api-schema.util';
import { workspaceOf } from '../http/workspace.util';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { type TableRenameBody, tableRenameSchema, type TableView, tableViewSchema, toTableView } from './table-schemas';
import { TablesService } from './tables.service';

const TABLE_PARAM = { name: 'id', description: 'Table id (t_<32 hex>) or logical name.' };

/** Tables of the user's workspace: list, read, rename and drop. Loads go through the internal Load API. */
@ApiTags('tables')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid access token.' })
@ApiForbiddenResponse({ description: 'The user lacks the role: viewer reads, editor renames and drops.' })
@Controller('api/sql/tables')
export class TablesController {
  constructor(private readonly tables: TablesService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List tables', description: 'Every table of the workspace, ordered by name.' })
  @ApiOkResponse({ schema: openApiSchema(z.array(tableViewSchema), 'output') })
  async list(@CurrentUser() user: AuthenticatedUser): Promise<TableView[]> {
    return (await this.tables.list(workspaceOf(user))).map(toTableView);
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'Read a table' })
  @ApiParam(TABLE_PARAM)
  @ApiOkResponse({ schema: openApiSchema(tableViewSchema, 'output') })
  @ApiNotFoundResponse({ description: 'No such table in the workspace.' })
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<TableView> {
    return toTableView(await this.tables.get(workspaceOf(user), id));
  }

  @Patch(':id')
  @Roles('editor')
  @ApiOperation({
    summary: 'Rename a table or its columns',
    description:
      'Metadata only: the physical table is not touched, and the logical view is rebuilt with the new names. Columns are named by id.',
  })
  @ApiParam(TABLE_PARAM)
  @ApiBody({ schema: openApiSchema(tableRenameSchema) })
  @ApiOkResponse({ schema: openApiSchema(tableViewSchema, 'output') })
  @ApiBadRequestResponse({ description: 'Invalid body or name; the message names the field.' })
  @ApiNotFoundResponse({ description: 'No such table or column.' })
  @ApiConflictResponse({ description: 'The new name is taken.' })
  async rename(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(tableRenameSchema)) body: TableRenameBody,
  ): Promise<TableView> {
    return toTableView(await this.tables.rename(workspaceOf(user), id, body, user.id));
  }

  @Delete(':id')
  @Roles('editor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Drop a table', description: 'Drops the view, the physical table and its metadata.' })
  @ApiParam(TABLE_PARAM)
  @ApiNoContentResponse({ description: 'Dropped.' })
  @ApiNotFoundResponse({ description: 'No such table in the workspace.' })
  async drop(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<void> {
    await this.tables.drop(workspaceOf(user), id, user.id);
  }
}
