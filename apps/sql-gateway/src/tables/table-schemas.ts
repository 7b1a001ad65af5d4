import { z } from 'zod';

import { type TableInfo } from '@rokks/sql-engine';
import { COLUMN_TYPES } from '@rokks/transform';

// Request schemas check shapes and name the invalid field; the engine checks
// names, types and existence against the catalog.

export const DEFAULT_WORKSPACE = 'default';

const COLUMN_ID = /^f_[0-9a-f]{8}$/;
const TABLE_ID = /^t_[0-9a-f]{32}$/;

const name = (description: string) =>
  z.string({ error: `must be the ${description} as a string` }).min(1, `must not be empty`).max(200, 'must have at most 200 characters');

const workspace = z
  .string({ error: 'must be a workspace id' })
  .min(1, 'must not be empty')
  .default(DEFAULT_WORKSPACE)
  .describe('Workspace id; default "default".');

const columnType = z.enum(COLUMN_TYPES, { error: `must be one of ${COLUMN_TYPES.join(', ')}` });

/** `PATCH /api/sql/tables/{id}`: a new table name and new column names by column id. */
export const tableRenameSchema = z
  .strictObject({
    name: name('new logical table name').optional(),
    columns: z
      .record(z.string().regex(COLUMN_ID, 'must be a column id such as f_0a1b2c3d'), name('new logical column name'), {
        error: 'must map column ids (f_<8 hex>) to new names',
      })
      .optional(),
  })
  .refine((rename) => rename.name !== undefined || Object.keys(rename.columns ?? {}).length > 0, {
    error: 'must rename the table (name) or at least one column (columns)',
  });

/** A column to create: its logical name, or the header text (`label`) to derive one from. */
export const newColumnSchema = z
  .strictObject({
    name: name('logical column name').optional(),
    label: name('column header text').optional(),
    type: columnType,
  })
  .refine((column) => column.name !== undefined || column.label !== undefined, {
    error: 'needs a name or a label',
  });

/** Create a table from a column list (internal route and message pattern). */
export const createTableSchema = z.strictObject({
  workspace,
  name: name('logical table name'),
  columns: z.array(newColumnSchema, { error: 'must be a list of columns' }).min(1, 'must list at least one column').max(1600, 'must list at most 1600 columns'),
  timeColumn: name('logical name of the time column').optional(),
});

/** Add a column to an existing table (internal route and message pattern). */
export const addColumnSchema = z.strictObject({
  workspace,
  column: z.strictObject({
    name: name('logical column name'),
    label: name('column header text').optional(),
    type: columnType,
  }),
});

/** Name a table of a workspace (message patterns). */
export const tableReferenceSchema = z.strictObject({
  workspace,
  table: name('table id or logical name'),
});

export const workspaceReferenceSchema = z.strictObject({ workspace });

export type TableRenameBody = z.output<typeof tableRenameSchema>;
export type CreateTableBody = z.output<typeof createTableSchema>;
export type AddColumnBody = z.output<typeof addColumnSchema>;

/** A table as the API returns it. */
export const tableViewSchema = z.object({
  id: z.string().regex(TABLE_ID).describe('Physical table id; never changes.'),
  name: z.string().describe('Logical name: the name queries use.'),
  columns: z.array(
    z.object({
      id: z.string().regex(COLUMN_ID).describe('Physical column id; never changes.'),
      name: z.string().describe('Logical column name.'),
      label: z.string().describe('Header text the column came from.'),
      type: columnType,
    }),
  ),
  rowCount: z.number().int(),
  timeColumn: z.string().nullable().describe('Column id of the time column, or null.'),
  createdAt: z.string().describe('ISO 8601 UTC.'),
  updatedAt: z.string().describe('ISO 8601 UTC.'),
  version: z.number().int().describe('Starts at 1; one more with every change of the metadata.'),
});

export type TableView = z.output<typeof tableViewSchema>;

/** Returns the API view of a table: the catalog entry without the workspace and column positions. */
export function toTableView(table: TableInfo): TableView {
  return {
    id: table.id,
    name: table.name,
    columns: table.columns.map((column) => ({ id: column.id, name: column.name, label: column.label, type: column.type })),
    rowCount: table.rowCount,
    timeColumn: table.timeColumn,
    createdAt: table.createdAt,
    updatedAt: table.updatedAt,
    version: table.version,
  };
}
