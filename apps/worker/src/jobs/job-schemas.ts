import { z } from 'zod';

import {
  JOB_STATUSES,
  JOB_TYPES,
  type Job,
  type JsonValue,
  MAX_ATTEMPTS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_LOG_PAGE_SIZE,
  MAX_PAGE_SIZE,
  MAX_PRIORITY,
} from '@rokks/jobs';

const WHOLE_NUMBER = /^\d{1,9}$/u;

const queryInteger = (minimum: number, maximum: number) =>
  z
    .string()
    .regex(WHOLE_NUMBER, { error: `expected a whole number from ${minimum} to ${maximum}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(minimum, { error: `expected a whole number from ${minimum} to ${maximum}` })
        .max(maximum, { error: `expected a whole number from ${minimum} to ${maximum}` }),
    );

const progressSchema = z.object({
  rowsRead: z.number().int(),
  rowsLoaded: z.number().int(),
  rowsRejected: z.number().int(),
});

/** A job as the API returns it. */
export const jobViewSchema = z.object({
  id: z.string(),
  type: z.enum(JOB_TYPES),
  status: z.enum(JOB_STATUSES),
  attempts: z.number().int(),
  progress: progressSchema,
  result: z.unknown().describe('The handler result once the job succeeded, else null.'),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export type JobView = z.output<typeof jobViewSchema>;

export const jobPageSchema = z.object({
  jobs: z.array(jobViewSchema),
  nextCursor: z.string().nullable(),
});

export const jobLogPageSchema = z.object({
  lines: z.array(z.object({ at: z.string(), attempt: z.number().int(), message: z.string() })),
  total: z.number().int(),
});

/** Query of `GET /api/jobs`. */
export const listJobsQuerySchema = z.strictObject({
  status: z.enum(JOB_STATUSES, { error: `expected one of ${JOB_STATUSES.join(', ')}` }).optional(),
  type: z.enum(JOB_TYPES, { error: `expected one of ${JOB_TYPES.join(', ')}` }).optional(),
  limit: queryInteger(1, MAX_PAGE_SIZE).optional(),
  cursor: z.string().min(1, { error: 'expected the nextCursor of a previous page' }).optional(),
});

/** Query of `GET /api/jobs/{jobId}/logs`. */
export const jobLogsQuerySchema = z.strictObject({
  offset: queryInteger(0, 1_000_000_000).optional(),
  limit: queryInteger(1, MAX_LOG_PAGE_SIZE).optional(),
});

const jsonValue: z.ZodType<JsonValue> = z.json();

/** Body of `POST /internal/jobs` and payload of the `jobs.submit` message. */
export const submitJobSchema = z.strictObject({
  type: z.enum(JOB_TYPES, { error: `expected one of ${JOB_TYPES.join(', ')}` }),
  payload: jsonValue.optional(),
  idempotencyKey: z
    .string({ error: 'expected a string' })
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_LENGTH)
    .optional(),
  priority: z.number({ error: 'expected a number' }).int().min(0).max(MAX_PRIORITY).optional(),
  runAt: z.iso
    .datetime({ offset: true, error: 'expected an ISO 8601 date-time' })
    .transform((value) => new Date(value))
    .optional(),
  maxAttempts: z.number({ error: 'expected a number' }).int().min(1).max(MAX_ATTEMPTS).optional(),
  actor: z
    .string({ error: 'expected a string' })
    .min(1)
    .max(200)
    .optional()
    .describe('Who asked for the job, for the audit log; default "system".'),
});

/** Payload of the `jobs.get` message. */
export const jobIdSchema = z.strictObject({
  jobId: z.string({ error: 'expected a job id' }),
});

/** Converts a stored job to the API's view of it. */
export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    attempts: job.attempts,
    progress: { ...job.progress },
    result: job.result,
    error: job.error,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}
