import { z } from 'zod';

import { LOAD_MODES } from '@rokks/etl';
import { type EtlJobPayload } from '@rokks/gateway-clients';
import { PermanentJobError } from '@rokks/jobs';

// Ids become blob path segments, so they must not contain `/` or be `..`.
const PATH_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/u;

const text = (description: string) =>
  z.string({ error: `must be ${description}` }).min(1, { error: `must be ${description}` });

const etlPayloadSchema = z.object({
  workspace: text('a workspace id').regex(PATH_SEGMENT, { error: 'must be a workspace id of letters, digits, "_", "." and "-"' }),
  fileId: text('a file id').regex(PATH_SEGMENT, { error: 'must be a file id of letters, digits, "_", "." and "-"' }),
  fileName: z.string({ error: 'must be the uploaded file name' }),
  spec: z.unknown().refine((value) => value !== undefined, { error: 'is missing: send a transformation spec, {} for none' }),
  target: z.object(
    {
      table: text('a logical table name'),
      mode: z.enum(LOAD_MODES, { error: `must be one of ${LOAD_MODES.join(', ')}` }),
      key: z.array(text('a column name'), { error: 'must be a list of column names' }).min(1, { error: 'must name at least one column' }).optional(),
    },
    { error: 'must be an object {table, mode, key?}' },
  ),
  actor: text('the user id of whoever started the run'),
});

/**
 * Checks an ETL job's payload and returns it typed. An invalid payload
 * throws `PermanentJobError`, because no retry can fix it; the message names
 * each invalid field.
 */
export function parseEtlPayload(payload: unknown): EtlJobPayload {
  const parsed = etlPayloadSchema.safeParse(payload);

  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'payload' : `payload.${issue.path.join('.')}`} ${issue.message}`);

    throw new PermanentJobError(`Invalid ETL job payload: ${problems.join('; ')}.`);
  }

  const { target } = parsed.data;

  if (target.mode === 'upsert' && target.key === undefined) {
    throw new PermanentJobError('Invalid ETL job payload: payload.target.key must name the key columns of an upsert.');
  }

  if (target.mode !== 'upsert' && target.key !== undefined) {
    throw new PermanentJobError(`Invalid ETL job payload: payload.target.key applies only to mode "upsert", not "${target.mode}".`);
  }

  return parsed.data as EtlJobPayload;
}
