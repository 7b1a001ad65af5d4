import { z } from 'zod';

import { LOAD_MODES } from '@rokks/sql-engine';
import { COLUMN_TYPES } from '@rokks/transform';

import { DEFAULT_WORKSPACE } from '../tables/table-schemas';

const text = (description: string) => z.string({ error: `must be ${description}` }).min(1, 'must not be empty');

/** `POST /internal/loads`: the target table, the mode and the columns of the COPY rows. */
export const beginLoadSchema = z.strictObject({
  workspace: text('a workspace id').default(DEFAULT_WORKSPACE).describe('Workspace id; default "default".'),
  table: text('the logical table name').describe('Logical name of the target table.'),
  loadId: text('a load id')
    .max(200, 'must have at most 200 characters')
    .describe('Identifies the load (the job id): a load id that committed once is never applied again.'),
  mode: z.enum(LOAD_MODES, { error: `must be one of ${LOAD_MODES.join(', ')}` }),
  columns: z
    .array(
      z.strictObject({
        name: text('a logical column name'),
        label: text('the column header text').optional(),
        type: z.enum(COLUMN_TYPES, { error: `must be one of ${COLUMN_TYPES.join(', ')}` }),
      }),
      { error: 'must be a list of columns' },
    )
    .min(1, 'must list at least one column')
    .max(1600, 'must list at most 1600 columns')
    .describe('The columns of each row, in row order.'),
  key: z.array(text('a logical column name'), { error: 'must be a list of column names' }).optional().describe('Key columns of an upsert.'),
  timeColumn: text('a logical column name').optional().describe('Time column of a table the load creates.'),
});

export type BeginLoadBody = z.output<typeof beginLoadSchema>;

const loadResultSchema = z.object({
  loadId: z.string(),
  tableId: z.string(),
  table: z.string(),
  mode: z.enum(LOAD_MODES),
  rowsLoaded: z.number().int(),
  rowCount: z.number().int().optional().describe('Rows of the table after the load; absent when it had been applied before.'),
  addedColumns: z.array(z.string()).describe('Columns this load added to an existing table.'),
  alreadyApplied: z.boolean(),
});

/** The state of a load, as every Load API route returns it. */
export const loadStatusSchema = z.object({
  loadId: z.string(),
  workspace: z.string(),
  table: z.string(),
  mode: z.enum(LOAD_MODES),
  state: z.enum(['open', 'committed']),
  alreadyApplied: z.boolean().describe('The load id had committed before: rows are ignored and nothing changes.'),
  bytesReceived: z.number().int(),
  startedAt: z.string(),
  result: loadResultSchema.optional(),
});
