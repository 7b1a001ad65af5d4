import { z } from 'zod';

import { fromEnv } from '@rokks/config';
import { type BaseSettings } from '@rokks/service-kit';

const milliseconds = (minimum: number, maximum: number) =>
  z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(minimum).max(maximum);

/** Settings of the healthcheck service, on top of the service kit's base settings. */
export const healthcheckSettings = z.object({
  /** Time between the starts of two probe rounds. */
  probeIntervalMs: fromEnv(
    'ROKKS_HEALTHCHECK_INTERVAL_MS',
    milliseconds(100, 3_600_000).default(5000),
  ),
  /** Time after which one probe counts as failed. */
  probeTimeoutMs: fromEnv('ROKKS_HEALTHCHECK_TIMEOUT_MS', milliseconds(50, 60_000).default(2000)),
  /** Probe results kept per service. */
  historySize: fromEnv(
    'ROKKS_HEALTHCHECK_HISTORY_SIZE',
    z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(1000).default(20),
  ),
});

export type HealthcheckSettings = BaseSettings & z.output<typeof healthcheckSettings>;
