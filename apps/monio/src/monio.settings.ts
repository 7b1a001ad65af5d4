import { z } from 'zod';

import { fromEnv, markSecret } from '@rokks/config';
import { DEFAULT_MAX_BLOB_BYTES } from '@rokks/doc-store';
import { type BaseSettings } from '@rokks/service-kit';

const milliseconds = (minimum: number, maximum: number) =>
  z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(minimum).max(maximum);

/** Settings of the MonIO service, on top of the service kit's base settings. */
export const monioSettings = z.object({
  /**
   * MongoDB connection string. It may hold a password, so it is scrubbed from
   * the logs. MonIO is an optional backend: without it the service starts,
   * reports itself ready as "not configured", and returns 503 to document and blob
   * calls.
   */
  mongoUrl: fromEnv(
    'MONGO_URL',
    markSecret(
      z
        .string({ error: 'must be a mongodb:// or mongodb+srv:// connection string' })
        .trim()
        .regex(
          /^mongodb(\+srv)?:\/\/\S+$/u,
          'must be a mongodb:// or mongodb+srv:// connection string',
        )
        .optional(),
    ),
  ),
  /** Prefix of the databases: workspace `w` lives in `<prefix>_w`. */
  databasePrefix: fromEnv(
    'MONGO_DATABASE',
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,38}$/u, 'must be 1 to 38 letters, digits, "_" or "-"')
      .default('rokks'),
  ),
  /** Maximum blob size in bytes; default 2 GiB. */
  maxBlobBytes: fromEnv(
    'MONIO_MAX_BLOB_BYTES',
    z.coerce
      .number({ error: 'must be a whole number of bytes' })
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .default(DEFAULT_MAX_BLOB_BYTES),
  ),
  /** `auto` runs batches in transactions when MongoDB supports them; `never` always uses the journal. */
  transactions: fromEnv(
    'MONIO_TRANSACTIONS',
    z.enum(['auto', 'never'], { error: 'must be auto or never' }).default('auto'),
  ),
  /** Time a journaled batch belongs to its writer before recovery may roll it back. */
  batchLeaseMs: fromEnv('MONIO_BATCH_LEASE_MS', milliseconds(0, 86_400_000).default(300_000)),
  /** Time between recovery passes; 0 turns them off (the pass at start-up still runs). */
  recoveryIntervalMs: fromEnv(
    'MONIO_RECOVERY_INTERVAL_MS',
    milliseconds(0, 86_400_000).default(60_000),
  ),
  /** Time to find a reachable MongoDB server before an operation fails. */
  serverSelectionTimeoutMs: fromEnv(
    'MONGO_SERVER_SELECTION_TIMEOUT_MS',
    milliseconds(100, 600_000).default(5000),
  ),
});

export type MonioSettings = BaseSettings & z.output<typeof monioSettings>;
