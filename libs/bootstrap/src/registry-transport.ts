import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate } from 'node:tls';

import { Agent, fetch, type RequestInit, type Response } from 'undici';

import { certificateFingerprint, certificatePemFromDer, derFingerprint } from '@rokks/mesh';

import { BootstrapError } from './bootstrap.errors';
import { type BootstrapResponse, bootstrapResponseSchema } from './service-identity';

/** A failure worth retrying: the registry is unreachable, timed out or responded with HTTP 5xx or 429. */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
}

/** Returns `base` with `relativePath` appended, keeping any path prefix of the base URL. */
export function registryEndpoint(base: URL | string, relativePath: string): URL {
  const url = new URL(base);

  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${relativePath}`;

  return url;
}

/**
 * Opens a TLS connection without trusting anything yet, and returns the CA
 * certificate (PEM) from the registry's chain whose SHA-256 fingerprint equals
 * the pin. The caller then makes its request with that CA as the only trust
 * anchor, so the registry is fully verified (chain and host name) before any
 * token is sent.
 */
export async function fetchPinnedCaCertificate(
  registryUrl: URL,
  pin: string,
  timeoutMs: number,
): Promise<string> {
  const host = registryUrl.hostname.replace(/^\[|\]$/g, '');
  const port = Number(registryUrl.port === '' ? 443 : registryUrl.port);
  const chain = await new Promise<DetailedPeerCertificate[]>((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: isIP(host) === 0 ? host : undefined,
      rejectUnauthorized: false,
    });

    socket.setTimeout(timeoutMs, () => {
      socket.destroy(new RegistryUnavailableError(`TLS handshake timed out after ${timeoutMs} ms`));
    });
    socket.once('secureConnect', () => {
      const peerChain = collectChain(socket.getPeerCertificate(true));

      socket.destroy();
      resolve(peerChain);
    });
    socket.once('error', (error) => {
      reject(
        error instanceof RegistryUnavailableError
          ? error
          : new RegistryUnavailableError(error.message, { cause: error }),
      );
    });
  });
  const match = chain.find((certificate) => derFingerprint(certificate.raw) === pin);

  if (match === undefined) {
    const presented = chain.map((certificate) => derFingerprint(certificate.raw)).join(', ');

    throw new BootstrapError(
      'CA_FINGERPRINT_MISMATCH',
      `The registry at ${registryUrl.origin} presented no CA certificate matching the pinned fingerprint ${pin} (presented: ${presented || 'none'}). Check ROKKS_REGISTRY_CA_FINGERPRINT or the registry's ca-fingerprint file; if the registry's CA was re-created on purpose, pin the new fingerprint.`,
    );
  }

  return certificatePemFromDer(match.raw);
}

/**
 * Sends a JSON request through `dispatcher` and returns the validated identity.
 * Maps 401/403 to `TOKEN_REJECTED`, other 4xx to `REQUEST_REJECTED`, and
 * network errors, time-outs, 429 and 5xx to `RegistryUnavailableError`.
 */
export async function requestIdentity(
  url: URL,
  init: RequestInit & { timeoutMs: number },
  fetchImplementation: (url: URL, init: RequestInit) => Promise<Response> = fetch,
): Promise<BootstrapResponse> {
  let response: Response;

  try {
    response = await fetchImplementation(url, {
      ...init,
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (error) {
    throw new RegistryUnavailableError(describeFetchError(error), { cause: error });
  }

  if (response.status === 429 || response.status >= 500) {
    await response.body?.cancel();
    throw new RegistryUnavailableError(`the registry responded with HTTP ${response.status}`);
  }

  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new BootstrapError(
      'TOKEN_REJECTED',
      `The registry at ${url.origin} rejected the credentials (HTTP ${response.status}) on ${url.pathname}. Check ROKKS_BOOTSTRAP_TOKEN, or the registry's bootstrap-token file in development.`,
    );
  }

  if (!response.ok) {
    const detail = await response.text();

    throw new BootstrapError(
      'REQUEST_REJECTED',
      `The registry at ${url.origin} rejected ${url.pathname} with HTTP ${response.status}: ${detail.slice(0, 300)}`,
    );
  }

  const parsed = bootstrapResponseSchema.safeParse(await response.json());

  if (!parsed.success) {
    throw new BootstrapError(
      'INVALID_RESPONSE',
      `The registry at ${url.origin} sent an invalid identity: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')} invalid.`,
    );
  }

  return parsed.data;
}

/**
 * Checks that the identity fits together: the CA is the pinned one, the
 * certificate names the service, is signed by that CA and matches the key.
 */
export function verifyIdentity(
  identity: BootstrapResponse,
  expected: { service: string; caFingerprint: string },
): void {
  const problems: string[] = [];

  if (identity.service !== expected.service) {
    problems.push(`it is for service "${identity.service}", not "${expected.service}"`);
  }

  if (
    identity.caFingerprint !== expected.caFingerprint ||
    certificateFingerprint(identity.caCertificatePem) !== expected.caFingerprint
  ) {
    problems.push('its CA certificate does not match the pinned fingerprint');
  }

  const certificate = new X509Certificate(identity.certificatePem);
  const authority = new X509Certificate(identity.caCertificatePem);

  if (!certificate.verify(authority.publicKey)) {
    problems.push('its certificate is not signed by its CA');
  }

  if (!certificate.checkPrivateKey(createPrivateKey(identity.privateKeyPem))) {
    problems.push('its private key does not match its certificate');
  }

  if (problems.length > 0) {
    throw new BootstrapError(
      'INVALID_RESPONSE',
      `The registry sent an unusable identity: ${problems.join('; ')}.`,
    );
  }
}

/** Creates an agent that trusts only the given CA (server verification, no client certificate). */
export function createPinnedAgent(caCertificatePem: string): Agent {
  return new Agent({ connect: { ca: caCertificatePem } });
}

function collectChain(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  let current: DetailedPeerCertificate | undefined = leaf;

  // A self-signed root's issuerCertificate points to itself, which ends the walk.
  while (current?.raw !== undefined && !chain.includes(current)) {
    chain.push(current);
    current = current.issuerCertificate;
  }

  return chain;
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }

  if (error.name === 'TimeoutError') {
    return 'the request timed out';
  }

  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';

  return `${error.message}${cause}`;
}
