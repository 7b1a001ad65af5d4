import { z } from 'zod';

import { AUDIT_MAX_PAGE_SIZE } from './audit-log';

const MAX_DETAILS_BYTES = 64 * 1024;

/** An audit entry as the API returns it. */
export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
});

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
});

/** Body of `POST /internal/audit` and payload of the `audit.record` message. */
export const auditRecordSchema = z.strictObject({
  actor: z.string({ error: 'expected a string' }).trim().min(1).max(200),
  action: z
    .string({ error: 'expected a string' })
    .regex(/^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/u, {
      error: 'expected a dotted lower-case name such as "table.created"',
    })
    .max(100),
  target: z.string({ error: 'expected a string or null' }).max(500).nullable().optional(),
  details: z
    .json()
    .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_DETAILS_BYTES, {
      error: `expected at most ${MAX_DETAILS_BYTES} bytes of JSON`,
    })
    .optional(),
});

/** Query of `GET /api/audit`. */
export const auditQuerySchema = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  since: z.iso
    .datetime({ offset: true, error: 'expected an ISO 8601 date-time' })
    .transform((value) => new Date(value))
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/u, { error: `expected a whole number from 1 to ${AUDIT_MAX_PAGE_SIZE}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `expected a whole number from 1 to ${AUDIT_MAX_PAGE_SIZE}` })
        .max(AUDIT_MAX_PAGE_SIZE, { error: `expected a whole number from 1 to ${AUDIT_MAX_PAGE_SIZE}` }),
    )
    .optional(),
  cursor: z.string().min(1).optional(),
});
