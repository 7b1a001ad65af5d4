import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { isValidServiceName } from '@rokks/mesh';

import { defaultSharedDataDir, resolveBootstrapSettings } from './bootstrap-settings';
import { BootstrapError } from './bootstrap.errors';
import { identityCachePath, readIdentityCache, writeIdentityCache } from './identity-cache';
import {
  createPinnedAgent,
  fetchPinnedCaCertificate,
  RegistryUnavailableError,
  registryEndpoint,
  requestIdentity,
  verifyIdentity,
} from './registry-transport';
import { BOOTSTRAP_TOKEN_HEADER, type ServiceIdentity } from './service-identity';

/** The logger methods bootstrap uses; a pino logger fits. */
export interface BootstrapLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface RetryOptions {
  /** Attempts before giving up (default 6). */
  attempts?: number;
  /** Delay before the second attempt in ms, doubled after each failure (default 250). */
  initialDelayMs?: number;
  /** Upper bound of the delay in ms (default 4000). */
  maxDelayMs?: number;
}

export interface BootstrapOptions {
  service: string;
  env: Record<string, string | undefined>;
  /** The service's own data directory, which contains `bootstrap-cache.json`. */
  dataDir: string;
  logger: BootstrapLogger;
  /** Data directory shared with the registry (development files); default `ROKKS_DATA_DIR` or `.rokks`. */
  sharedDataDir?: string;
  retry?: RetryOptions;
  /** Time limit of each connection attempt and request in ms (default 5000). */
  requestTimeoutMs?: number;
}

interface RegistryAccess {
  registryUrl: URL;
  token: string;
  caFingerprint: string;
}

const DEFAULT_RETRY: Required<RetryOptions> = {
  attempts: 6,
  initialDelayMs: 250,
  maxDelayMs: 4000,
};
const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/**
 * Fetches the service's identity from the registry (certificate and key, CA,
 * internal secret, configuration, secrets, peers, JWT public keys). Call it
 * first in a service's `main.ts`.
 *
 * The registry's CA is pinned by fingerprint before any token is sent. An
 * unreachable registry (network error, time-out, HTTP 429 or 5xx) is retried
 * with exponential backoff. When every attempt fails, the last identity cached
 * in `<dataDir>/bootstrap-cache.json` is returned if its certificate has not
 * expired. A rejected token, a fingerprint mismatch or an invalid response
 * fails at once and never falls back to the cache.
 *
 * @throws BootstrapError with one message that names the cause and the fix.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<ServiceIdentity> {
  if (!isValidServiceName(options.service)) {
    throw new BootstrapError(
      'INVALID_OPTIONS',
      `Service name "${options.service}" is invalid: use lowercase letters, digits and hyphens, starting with a letter.`,
    );
  }

  const settings = resolveBootstrapSettings(
    options.env,
    options.sharedDataDir ?? defaultSharedDataDir(options.env),
  );
  const registryUrl = settings.registryUrl.origin;

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });

  if (settings.token === undefined || settings.caFingerprint === undefined) {
    const missing = [
      settings.token === undefined
        ? `ROKKS_BOOTSTRAP_TOKEN (or ${settings.origins.token})`
        : undefined,
      settings.caFingerprint === undefined
        ? `ROKKS_REGISTRY_CA_FINGERPRINT (or ${settings.origins.caFingerprint})`
        : undefined,
    ].filter((name) => name !== undefined);

    return useCacheOrFail(options, undefined, `${missing.join(' and ')} not set`);
  }

  try {
    const access = {
      registryUrl: settings.registryUrl,
      token: settings.token,
      caFingerprint: settings.caFingerprint,
    };
    const identity = await fetchWithRetry(options, access);

    writeIdentityCache(options.dataDir, identity);
    options.logger.info(
      { service: options.service, registryUrl, expiresAt: identity.expiresAt },
      'bootstrap identity received',
    );

    return identity;
  } catch (error) {
    if (!(error instanceof RegistryUnavailableError)) {
      throw error;
    }

    return useCacheOrFail(
      options,
      settings.caFingerprint,
      `the registry at ${registryUrl} is unavailable (${error.message})`,
    );
  }
}

async function fetchWithRetry(
  options: BootstrapOptions,
  settings: RegistryAccess,
): Promise<ServiceIdentity> {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  let lastError: RegistryUnavailableError | undefined;

  for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
    try {
      return await fetchOnce(options.service, settings, timeoutMs);
    } catch (error) {
      if (!(error instanceof RegistryUnavailableError)) {
        throw error;
      }

      lastError = error;

      if (attempt < retry.attempts) {
        const delayMs = backoffDelay(attempt, retry);

        options.logger.warn(
          {
            service: options.service,
            registryUrl: settings.registryUrl.origin,
            attempt,
            delayMs,
            err: error.message,
          },
          'registry unavailable, retrying',
        );
        await sleep(delayMs);
      }
    }
  }

  throw new RegistryUnavailableError(
    `${retry.attempts} attempts failed, the last with: ${lastError?.message}`,
    {
      cause: lastError,
    },
  );
}

async function fetchOnce(
  service: string,
  settings: RegistryAccess,
  timeoutMs: number,
): Promise<ServiceIdentity> {
  const caCertificatePem = await fetchPinnedCaCertificate(
    settings.registryUrl,
    settings.caFingerprint,
    timeoutMs,
  );
  const agent = createPinnedAgent(caCertificatePem);

  try {
    const response = await requestIdentity(registryEndpoint(settings.registryUrl, 'bootstrap'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [BOOTSTRAP_TOKEN_HEADER]: settings.token },
      body: JSON.stringify({ service }),
      dispatcher: agent,
      timeoutMs,
    });

    verifyIdentity(response, { service, caFingerprint: settings.caFingerprint });

    return { ...response, registryUrl: settings.registryUrl.href, source: 'registry' };
  } finally {
    await agent.close();
  }
}

function useCacheOrFail(
  options: BootstrapOptions,
  pinnedFingerprint: string | undefined,
  reason: string,
): ServiceIdentity {
  const cachePath = identityCachePath(options.dataDir);
  const cached = readIdentityCache(options.dataDir);
  const prefix = `Cannot bootstrap service "${options.service}": ${reason}`;

  if (cached === undefined) {
    throw new BootstrapError(
      'REGISTRY_UNAVAILABLE',
      `${prefix}, and there is no cached identity at ${cachePath}. Start the registry (or fix ROKKS_REGISTRY_URL) and start the service again.`,
    );
  }

  if ('problem' in cached) {
    throw new BootstrapError(
      'CACHE_UNUSABLE',
      `${prefix}, and the cached identity is unusable: ${cached.problem}.`,
    );
  }

  const cacheProblem = describeCacheProblem(cached, options.service, pinnedFingerprint);

  if (cacheProblem !== undefined) {
    throw new BootstrapError(
      'CACHE_UNUSABLE',
      `${prefix}, and the cached identity at ${cachePath} ${cacheProblem}.`,
    );
  }

  options.logger.warn(
    { service: options.service, cachePath, expiresAt: cached.expiresAt, reason },
    'registry unavailable, starting from the cached identity',
  );

  return cached;
}

function describeCacheProblem(
  cached: ServiceIdentity,
  service: string,
  pinnedFingerprint: string | undefined,
): string | undefined {
  if (cached.service !== service) {
    return `belongs to service "${cached.service}"`;
  }

  if (pinnedFingerprint !== undefined && cached.caFingerprint !== pinnedFingerprint) {
    return 'was issued under a CA other than the pinned one';
  }

  if (Date.parse(cached.expiresAt) <= Date.now()) {
    return `holds a certificate that expired at ${cached.expiresAt}`;
  }

  return undefined;
}

function backoffDelay(attempt: number, retry: Required<RetryOptions>): number {
  const base = Math.min(retry.initialDelayMs * 2 ** (attempt - 1), retry.maxDelayMs);
  // Up to 20% jitter, so that services restarted together do not retry in step.
  const jitter = 1 + (Math.random() - 0.5) * 0.4;

  return Math.round(base * jitter);
}
