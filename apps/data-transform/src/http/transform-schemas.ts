import { z } from 'zod';

import { LOAD_MODES } from '@rokks/etl';
import { isLogicalName, toLogicalName } from '@rokks/naming';
import { COLUMN_TYPES, formatSpecError, validateSpec } from '@rokks/transform';

import { TransformHttpError } from '../http/transform-http.error';

const FILE_ID = /^file_[0-9a-f]{32}$/u;

const fileIdField = z
  .string({ error: 'expected a file id from POST /api/transform/files' })
  .regex(FILE_ID, { error: 'expected a file id of the form file_<32 hex digits>' });

const specField = z
  .unknown()
  .refine((value) => value !== undefined, { error: 'missing; send a transformation spec such as {"steps": []}' })
  .describe('The transformation spec: {steps: [..], onError?}.');

/** Body of `POST /api/transform/preview`: `fileId` or `csv`, never both. */
export const previewBodySchema = z.strictObject({
  fileId: fileIdField.optional(),
  csv: z.string({ error: 'expected the CSV text as a string' }).optional().describe('Inline CSV text of a small file.'),
  spec: specField,
  limit: z
    .number({ error: 'expected a whole number of rows' })
    .int({ error: 'expected a whole number of rows' })
    .min(0, { error: 'must be at least 0' })
    .optional()
    .describe('Output rows to return; default 100.'),
});

export type PreviewBody = z.output<typeof previewBodySchema>;

/** Body of a 200 from `POST /api/transform/preview`. */
export const previewResponseSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.enum(COLUMN_TYPES) })),
  rows: z.array(z.array(z.unknown())),
  errors: z.array(
    z.object({
      row: z.number().int().describe('1-based record number, the header being record 1.'),
      line: z.number().int().nullable().describe('1-based line on which the record starts.'),
      column: z.string().nullable(),
      value: z.string().nullable(),
      message: z.string(),
    }),
  ),
  stats: z.object({ rowsIn: z.number().int(), rowsOut: z.number().int(), rowsRejected: z.number().int() }),
  failed: z.boolean().describe('True when onError "fail" stopped the preview at the first problem.'),
  complete: z.boolean().describe('True when the preview covered the whole file, not only its head.'),
});

export type PreviewResponse = z.output<typeof previewResponseSchema>;

/** Body of `POST /api/transform/runs`. */
export const runBodySchema = z.strictObject({
  fileId: fileIdField,
  spec: specField,
  target: z.strictObject(
    {
      table: z
        .string({ error: 'expected the logical table name' })
        .min(1, { error: 'must not be empty' })
        .max(200, { error: 'must have at most 200 characters' })
        .refine(isLogicalName, {
          error: (issue) =>
            `must be a logical name (lower-case letters, digits and underscores, such as ${JSON.stringify(toLogicalName(String(issue.input), 0))})`,
        }),
      mode: z.enum(LOAD_MODES, { error: `must be one of ${LOAD_MODES.join(', ')}` }),
      key: z
        .array(z.string({ error: 'expected a column name' }).min(1, { error: 'must not be empty' }), {
          error: 'expected a list of column names',
        })
        .optional()
        .describe('Key columns; required for mode "upsert" and only allowed there.'),
    },
    { error: 'expected {table, mode, key?}' },
  ),
});

export type RunBody = z.output<typeof runBodySchema>;

/**
 * Checks the shape of a spec (fields, ops, types, expression syntax)
 * without the file's columns, and throws a 400 naming every problem.
 */
export function checkSpecShape(spec: unknown): void {
  const errors = validateSpec(spec);

  if (errors.length > 0) {
    throw new TransformHttpError('INVALID_SPEC', `Invalid spec: ${errors.map(formatSpecError).join('; ')}.`, {
      specErrors: errors,
    });
  }
}
