import { isIP } from 'node:net';

import { z } from 'zod';

import { MAX_CLOCK_SKEW_SECONDS } from '@rokks/auth-guard';
import { fromEnv } from '@rokks/config';
import { type BaseSettings } from '@rokks/service-kit';

const wholeNumber = (minimum: number, maximum: number, unit: string) =>
  z.coerce
    .number({ error: `must be a whole number of ${unit}` })
    .int(`must be a whole number of ${unit}`)
    .min(minimum, `must be at least ${minimum} ${unit}`)
    .max(maximum, `must be at most ${maximum} ${unit}`);

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

// A comma-separated list from the environment, or a list from the registry.
const addressList = z
  .union([z.array(z.string()), z.string()])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(','))
      .map((address) => address.trim())
      .filter((address) => address !== ''),
  )
  .pipe(z.array(z.string().refine((address) => isIP(address) !== 0, 'must list IP addresses')));

/** Settings of the edge, on top of the service kit's base settings. */
export const edgeSettings = z.object({
  /** Tolerance for `exp` and `nbf` of access tokens. */
  clockSkewSeconds: fromEnv(
    'ROKKS_EDGE_CLOCK_SKEW_SECONDS',
    wholeNumber(0, MAX_CLOCK_SKEW_SECONDS, 'seconds').default(30),
  ),
  /** Requests per minute one signed-in user may make, on average. */
  userRequestsPerMinute: fromEnv(
    'ROKKS_EDGE_USER_REQUESTS_PER_MINUTE',
    wholeNumber(1, 1_000_000, 'requests').default(1200),
  ),
  /** Requests per minute one client address may make without a token (sign-in, health). */
  anonymousRequestsPerMinute: fromEnv(
    'ROKKS_EDGE_ANONYMOUS_REQUESTS_PER_MINUTE',
    wholeNumber(1, 1_000_000, 'requests').default(300),
  ),
  /** Requests a user or address may make at once before the per-minute rate applies. */
  rateLimitBurst: fromEnv(
    'ROKKS_EDGE_RATE_LIMIT_BURST',
    wholeNumber(1, 100_000, 'requests').default(200),
  ),
  /** Largest body of a file upload (`POST /api/transform/files`, `PUT /api/doc/blobs/…`). */
  uploadLimitBytes: fromEnv(
    'ROKKS_EDGE_UPLOAD_LIMIT_BYTES',
    wholeNumber(1, 1024 * GIB, 'bytes').default(2 * GIB),
  ),
  /** Largest body of every other `/api` request. */
  apiBodyLimitBytes: fromEnv(
    'ROKKS_EDGE_API_BODY_LIMIT_BYTES',
    wholeNumber(1, 16 * GIB, 'bytes').default(16 * MIB),
  ),
  /** Largest body of an `/auth` request. */
  authBodyLimitBytes: fromEnv(
    'ROKKS_EDGE_AUTH_BODY_LIMIT_BYTES',
    wholeNumber(1, 16 * MIB, 'bytes').default(64 * 1024),
  ),
  /** Time a backend has to send its response headers. Bodies (uploads, event streams) have no time limit. */
  upstreamHeadersTimeoutMs: fromEnv(
    'ROKKS_EDGE_UPSTREAM_HEADERS_TIMEOUT_MS',
    wholeNumber(100, 3_600_000, 'milliseconds').default(120_000),
  ),
  /** Period of the service-instance refresh from the registry. */
  discoveryIntervalMs: fromEnv(
    'ROKKS_EDGE_DISCOVERY_INTERVAL_MS',
    wholeNumber(100, 600_000, 'milliseconds').default(5000),
  ),
  /** Time the merged OpenAPI document is kept before the backends are asked again. */
  docsCacheMs: fromEnv(
    'ROKKS_EDGE_DOCS_CACHE_MS',
    wholeNumber(0, 3_600_000, 'milliseconds').default(60_000),
  ),
  /** Folder of the built SPA; served when it has an index.html. Relative paths start at the working directory. */
  spaDir: fromEnv('ROKKS_EDGE_SPA_DIR', z.string().trim().min(1).default('dist/apps/frontend')),
  /**
   * Addresses of reverse proxies in front of the edge (a TLS terminator).
   * Only from them are `x-forwarded-for` and `x-forwarded-proto` believed.
   */
  trustedProxies: fromEnv('ROKKS_EDGE_TRUSTED_PROXIES', addressList.default([])),
});

export type EdgeSettings = BaseSettings & z.output<typeof edgeSettings>;
