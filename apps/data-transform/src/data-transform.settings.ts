import { z } from 'zod';

import { fromEnv } from '@rokks/config';
import { type BaseSettings } from '@rokks/service-kit';

const MIB = 1024 * 1024;

/** Default upload limit: 2 GiB, the doc gateway's default blob limit. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * MIB;

/** Default limit of the inline `csv` text of a preview: 1 MiB of UTF-8. */
export const DEFAULT_MAX_INLINE_CSV_BYTES = MIB;

const wholeNumber = (minimum: number, maximum: number, unit: string) =>
  z.coerce
    .number({ error: `must be a whole number of ${unit}` })
    .int({ error: `must be a whole number of ${unit}` })
    .min(minimum, { error: `must be at least ${minimum} ${unit}` })
    .max(maximum, { error: `must be at most ${maximum} ${unit}` });

/** Settings of the data-transform service, on top of the service kit's base settings. */
export const dataTransformSettings = z.object({
  /** Mesh URL of the doc gateway; default an instance the registry lists. */
  docGatewayUrl: fromEnv('DOC_GATEWAY_URL', z.url({ error: 'must be an https:// URL' }).optional()),
  /** Mesh URL of the SQL gateway; default an instance the registry lists. */
  sqlGatewayUrl: fromEnv('SQL_GATEWAY_URL', z.url({ error: 'must be an https:// URL' }).optional()),
  /** Mesh URL of the worker; default an instance the registry lists. */
  workerUrl: fromEnv('WORKER_URL', z.url({ error: 'must be an https:// URL' }).optional()),
  /** Largest accepted upload in bytes; larger bodies get 413. Default 2 GiB. */
  maxUploadBytes: fromEnv(
    'TRANSFORM_MAX_UPLOAD_BYTES',
    wholeNumber(1, Number.MAX_SAFE_INTEGER, 'bytes').default(DEFAULT_MAX_UPLOAD_BYTES),
  ),
  /** Largest inline `csv` of a preview in bytes of UTF-8; larger texts get 413. Default 1 MiB. */
  maxInlineCsvBytes: fromEnv(
    'TRANSFORM_MAX_INLINE_CSV_BYTES',
    wholeNumber(1, 64 * MIB, 'bytes').default(DEFAULT_MAX_INLINE_CSV_BYTES),
  ),
  /** Largest `limit` a preview may ask for, in rows. */
  maxPreviewRows: fromEnv('TRANSFORM_MAX_PREVIEW_ROWS', wholeNumber(1, 10_000, 'rows').default(1000)),
  /** Interval between two heartbeat comments of a profile's event stream. */
  eventsHeartbeatMs: fromEnv(
    'TRANSFORM_EVENTS_HEARTBEAT_MS',
    wholeNumber(100, 10 * 60_000, 'ms').default(15_000),
  ),
});

export type DataTransformSettings = BaseSettings & z.output<typeof dataTransformSettings>;
