import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { InternalOnly } from '@rokks/auth-guard';

import { parseInput } from '../http/zod-validation.pipe';
import {
  addColumnSchema,
  createTableSchema,
  tableReferenceSchema,
  type TableView,
  toTableView,
  workspaceReferenceSchema,
} from '../tables/table-schemas';
import { TablesService } from '../tables/tables.service';

/** Message patterns of the SQL gateway for other backends (NestJS TCP transport over mutual TLS). */
export const TABLE_PATTERNS = {
  list: 'sql.tables.list',
  get: 'sql.tables.get',
  create: 'sql.tables.create',
  addColumn: 'sql.tables.add-column',
} as const;

const addColumnMessageSchema = addColumnSchema.extend({ table: tableReferenceSchema.shape.table });

/**
 * The small table calls for other backends, one handler per pattern; loads
 * stream over the HTTP Load API instead. Every payload may name a
 * `workspace` (default `default`). Errors reach the caller as
 * `{ statusCode, error, message, details }`.
 */
@InternalOnly()
@Controller()
export class TableMessagesController {
  constructor(private readonly tables: TablesService) {}

  /** `{ workspace? }` → the tables of the workspace. */
  @MessagePattern(TABLE_PATTERNS.list)
  async list(@Payload() payload: unknown): Promise<TableView[]> {
    const { workspace } = parseInput(workspaceReferenceSchema, payload ?? {}, `${TABLE_PATTERNS.list} message`);

    return (await this.tables.list(workspace)).map(toTableView);
  }

  /** `{ workspace?, table }` (id or logical name) → the table. */
  @MessagePattern(TABLE_PATTERNS.get)
  async get(@Payload() payload: unknown): Promise<TableView> {
    const { workspace, table } = parseInput(tableReferenceSchema, payload, `${TABLE_PATTERNS.get} message`);

    return toTableView(await this.tables.get(workspace, table));
  }

  /** `{ workspace?, name, columns: [{ name? | label?, type }], timeColumn? }` → the new table. */
  @MessagePattern(TABLE_PATTERNS.create)
  async create(@Payload() payload: unknown): Promise<TableView> {
    const definition = parseInput(createTableSchema, payload, `${TABLE_PATTERNS.create} message`);

    return toTableView(await this.tables.create(definition));
  }

  /** `{ workspace?, table, column: { name, label?, type } }` → the table with the new column. */
  @MessagePattern(TABLE_PATTERNS.addColumn)
  async addColumn(@Payload() payload: unknown): Promise<TableView> {
    const request = parseInput(addColumnMessageSchema, payload, `${TABLE_PATTERNS.addColumn} message`);

    return toTableView(await this.tables.addColumn(request.workspace, request.table, request.column));
  }
}
