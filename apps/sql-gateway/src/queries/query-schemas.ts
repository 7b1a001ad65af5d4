import { z } from 'zod';

import { WIDGET_AGGREGATES, WIDGET_FILTER_OPS } from '@rokks/sql-engine';

// Shapes only: the engine checks the statement, the names against the
// catalog and the values against the column types.

/** Longest SQL text a query may have, in characters. */
export const MAX_SQL_CHARS = 100_000;
const MAX_PARAMS = 1_000;

const limit = z
  .number({ error: 'must be a whole number of rows' })
  .int('must be a whole number of rows')
  .min(0, 'must not be negative')
  .describe('Rows to return at most; the gateway caps it at its own row limit.');

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or a boolean' });

/** `POST /api/sql/query`. */
export const sqlQuerySchema = z.strictObject({
  sql: z
    .string({ error: 'must be one SQL statement as a string' })
    .min(1, 'must not be empty')
    .max(MAX_SQL_CHARS, `must have at most ${MAX_SQL_CHARS} characters`)
    .describe('One read-only SELECT written against logical table names.'),
  params: z
    .array(z.union([scalar, z.null()], { error: 'must be a string, a number, a boolean or null' }), {
      error: 'must be a list of values for $1, $2, …',
    })
    .max(MAX_PARAMS, `must have at most ${MAX_PARAMS} values`)
    .optional(),
  limit: limit.optional(),
});

const columnName = z.string({ error: 'must be a column name or id' }).min(1, 'must not be empty');

/** `POST /api/sql/widget-query`. */
export const widgetQuerySchema = z.strictObject({
  table: z.string({ error: 'must be a table name or id' }).min(1, 'must not be empty'),
  measures: z
    .array(
      z.strictObject({
        column: columnName.optional(),
        agg: z.enum(WIDGET_AGGREGATES, { error: `must be one of ${WIDGET_AGGREGATES.join(', ')}` }),
        as: z.string({ error: 'must be an output column name' }).min(1, 'must not be empty').optional(),
      }),
      { error: 'must be a list of measures' },
    )
    .max(100, 'must have at most 100 measures')
    .default([]),
  dimensions: z.array(columnName, { error: 'must be a list of column names' }).max(20, 'must have at most 20 dimensions').optional(),
  timeBucket: z
    .strictObject({
      column: columnName,
      interval: z.string({ error: 'must be an interval such as "1 hour"' }).min(1, 'must not be empty'),
      timezone: z.string({ error: 'must be an IANA time zone name' }).min(1, 'must not be empty').optional(),
    })
    .optional(),
  filters: z
    .array(
      z.strictObject({
        column: columnName,
        op: z.enum(WIDGET_FILTER_OPS, { error: `must be one of ${WIDGET_FILTER_OPS.join(' ')}` }),
        value: z.union([scalar, z.array(scalar), z.null()], { error: 'must be a value, a list of values or null' }).optional(),
      }),
      { error: 'must be a list of filters' },
    )
    .max(100, 'must have at most 100 filters')
    .optional(),
  orderBy: z
    .array(
      z.strictObject({
        column: z.string({ error: 'must be an output column name' }).min(1, 'must not be empty'),
        dir: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
      }),
      { error: 'must be a list of orderings' },
    )
    .max(20, 'must have at most 20 orderings')
    .optional(),
  limit: limit.optional(),
});

/** The result of both query routes. */
export const queryResultSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string().describe('Transform type name where one fits, else PostgreSQL\'s type name.') })),
  rows: z.array(z.array(z.unknown())).describe('Values: numbers when a double holds them exactly, else strings; dates YYYY-MM-DD; timestamps ISO 8601 UTC with Z.'),
  rowCount: z.number().int(),
  truncated: z.boolean().describe('True when the row limit or the result size cap left rows or characters out.'),
});
