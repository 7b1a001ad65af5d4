import { z } from 'zod';

import {
  dataDirectory,
  fromEnv,
  loadConfig,
  logLevel,
  markSecret,
  port,
  secretString,
} from '@rokks/config';

export const DEFAULT_REGISTRY_PORT = 4000;

/** The registry's settings, all from the environment (the registry has no registry to read from). */
export const registryConfigSchema = z.object({
  port: port({ env: 'ROKKS_REGISTRY_PORT' }).default(DEFAULT_REGISTRY_PORT),
  /** Listen address; 127.0.0.1 by default so a development registry is not reachable from the network. */
  host: fromEnv('ROKKS_REGISTRY_HOST', z.string().trim().min(1, 'is empty').default('127.0.0.1')),
  dataDir: dataDirectory(),
  logLevel: logLevel(),
  /** 32 bytes as hex or base64; the key file in the data directory is used when unset. */
  masterKey: markSecret(fromEnv('ROKKS_MASTER_KEY', z.string().optional())),
  internalSecret: secretString({ env: 'ROKKS_INTERNAL_SERVICE_SECRET' }).optional(),
  jwtPrivateKey: markSecret(
    fromEnv(
      'ROKKS_JWT_PRIVATE_KEY',
      z.string().includes('PRIVATE KEY', { error: 'must be a PEM private key' }).optional(),
    ),
  ),
  bootstrapToken: secretString({ env: 'ROKKS_BOOTSTRAP_TOKEN' }).optional(),
  certificateLifetimeHours: fromEnv(
    'ROKKS_CERTIFICATE_LIFETIME_HOURS',
    z.coerce
      .number({ error: 'must be a number of hours' })
      .min(0.1)
      .max(24 * 90)
      .default(24),
  ),
  instanceTtlSeconds: fromEnv(
    'ROKKS_INSTANCE_TTL_SECONDS',
    z.coerce.number({ error: 'must be a number of seconds' }).int().min(3).max(3600).default(30),
  ),
});

export type RegistryConfig = z.output<typeof registryConfigSchema>;

/** Validates the registry's environment; throws `ConfigError` listing every problem. */
export function loadRegistryConfig(
  env: Readonly<Record<string, string | undefined>>,
): RegistryConfig {
  return loadConfig(registryConfigSchema, { env });
}
