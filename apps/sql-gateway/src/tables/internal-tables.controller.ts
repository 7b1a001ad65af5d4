import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';

import { InternalOnly } from '@rokks/auth-guard';

import { openApiSchema } from '../http/open-api-schema.util';
import { parseInput, ZodValidationPipe } from '../http/zod-validation.pipe';
import {
  type AddColumnBody,
  addColumnSchema,
  type CreateTableBody,
  createTableSchema,
  type TableView,
  tableViewSchema,
  toTableView,
  workspaceReferenceSchema,
} from './table-schemas';
import { TablesService } from './tables.service';

const TABLE_PARAM = { name: 'table', description: 'Table id (t_<32 hex>) or logical name.' };
const WORKSPACE_QUERY = { name: 'workspace', required: false, description: 'Workspace id; default "default".' };

/** Table definitions for other backends: the worker creates a table from a file's columns before it loads. */
@ApiTags('internal: tables')
@InternalOnly()
@Controller('internal/tables')
export class InternalTablesController {
  constructor(private readonly tables: TablesService) {}

  @Get()
  @ApiOperation({ summary: 'List tables (internal)' })
  @ApiQuery(WORKSPACE_QUERY)
  @ApiOkResponse({ schema: openApiSchema(z.array(tableViewSchema), 'output') })
  async list(@Query('workspace') workspace: string | undefined): Promise<TableView[]> {
    const reference = parseInput(workspaceReferenceSchema, { workspace }, 'query');

    return (await this.tables.list(reference.workspace)).map(toTableView);
  }

  @Get(':table')
  @ApiOperation({ summary: 'Read a table (internal)' })
  @ApiParam(TABLE_PARAM)
  @ApiQuery(WORKSPACE_QUERY)
  @ApiOkResponse({ schema: openApiSchema(tableViewSchema, 'output') })
  @ApiNotFoundResponse({ description: 'No such table in the workspace.' })
  async get(@Param('table') table: string, @Query('workspace') workspace: string | undefined): Promise<TableView> {
    const reference = parseInput(workspaceReferenceSchema, { workspace }, 'query');

    return toTableView(await this.tables.get(reference.workspace, table));
  }

  @Post()
  @ApiOperation({
    summary: 'Create a table (internal)',
    description: 'A column without a name gets one derived from its label (the header text).',
  })
  @ApiBody({ schema: openApiSchema(createTableSchema) })
  @ApiCreatedResponse({ schema: openApiSchema(tableViewSchema, 'output') })
  @ApiBadRequestResponse({ description: 'Invalid body, name or type; the message names the field.' })
  @ApiConflictResponse({ description: 'The table or a column name exists.' })
  async create(@Body(new ZodValidationPipe(createTableSchema)) body: CreateTableBody): Promise<TableView> {
    return toTableView(await this.tables.create(body));
  }

  @Post(':table/columns')
  @ApiOperation({ summary: 'Add a column (internal)', description: 'The new column is null in every existing row.' })
  @ApiParam(TABLE_PARAM)
  @ApiBody({ schema: openApiSchema(addColumnSchema) })
  @ApiCreatedResponse({ schema: openApiSchema(tableViewSchema, 'output') })
  @ApiBadRequestResponse({ description: 'Invalid body, name or type; the message names the field.' })
  @ApiNotFoundResponse({ description: 'No such table in the workspace.' })
  @ApiConflictResponse({ description: 'The column exists.' })
  async addColumn(
    @Param('table') table: string,
    @Body(new ZodValidationPipe(addColumnSchema)) body: AddColumnBody,
  ): Promise<TableView> {
    return toTableView(await this.tables.addColumn(body.workspace, table, body.column));
  }
}
