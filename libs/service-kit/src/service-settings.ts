import { z } from 'zod';

import { dataDirectory, fromEnv, logLevel, port } from '@rokks/config';

const hostSchema = z
  .string({ error: 'must be a host name or IP address' })
  .trim()
  .min(1, 'is empty');

/**
 * Settings every service has. Environment variables override the registry's
 * configuration entries of the same (dotted) name.
 */
export function baseSettingsSchema(defaults: { port: number }) {
  return z.object({
    /** Mesh HTTPS listener (mutual TLS); 0 picks a free port. */
    port: port({ env: 'ROKKS_PORT' }).default(defaults.port),
    /** TCP microservice listener over mutual TLS; default `port + 1000` (0 when `port` is 0). */
    microservicePort: port({ env: 'ROKKS_MICROSERVICE_PORT' }).optional(),
    /** Listen address of the mesh and microservice listeners; set 0.0.0.0 inside a container. */
    host: fromEnv('ROKKS_HOST', hostSchema.default('127.0.0.1')),
    /** Host name other services reach this one at; it must be in the certificate (the service name, localhost or 127.0.0.1). */
    advertisedHost: fromEnv('ROKKS_ADVERTISED_HOST', hostSchema.default('127.0.0.1')),
    /** Browser-facing plain HTTP listener of services that have one (the edge). */
    publicPort: port({ env: 'ROKKS_PUBLIC_PORT' }).optional(),
    publicHost: fromEnv('ROKKS_PUBLIC_HOST', hostSchema.default('127.0.0.1')),
    /** Shared data directory; the service keeps its own files in `<dataDir>/<service>`. */
    dataDir: dataDirectory(),
    logLevel: logLevel(),
    /** Time allowed for a graceful shutdown before the process exits anyway, in milliseconds. */
    shutdownTimeoutMs: fromEnv(
      'ROKKS_SHUTDOWN_TIMEOUT_MS',
      z.coerce
        .number({ error: 'must be a number of milliseconds' })
        .int()
        .min(100)
        .max(120_000)
        .default(10_000),
    ),
  });
}

export type BaseSettings = z.output<ReturnType<typeof baseSettingsSchema>>;

/** Settings read before the registry is reached: where the files are and how much to log. */
export const earlySettingsSchema = z.object({ dataDir: dataDirectory(), logLevel: logLevel() });

/**
 * Turns the registry's flat configuration entries into the nested object
 * `loadConfig` expects: the entry `probe.timeoutMs` becomes
 * `{ probe: { timeoutMs } }`. When a key is both a value and a prefix of
 * another key, the value wins and the longer key is dropped.
 */
export function expandDottedKeys(entries: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const keys = Object.keys(entries).sort(
    (left, right) => left.split('.').length - right.split('.').length,
  );

  for (const key of keys) {
    const segments = key.split('.');
    let current = root;
    let blocked = false;

    for (const segment of segments.slice(0, -1)) {
      const next = current[segment];

      if (next === undefined) {
        current[segment] = {};
      } else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        blocked = true;
        break;
      }

      current = current[segment] as Record<string, unknown>;
    }

    if (!blocked) {
      current[segments[segments.length - 1]] = entries[key];
    }
  }

  return root;
}
