import { Agent, type Dispatcher, fetch, Headers, request, type RequestInfo, type RequestInit, type Response } from 'undici';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';

import { type MeshIdentity } from '../mesh-identity';
import { MeshError } from '../mesh.errors';

/** Options of `MeshFetch.request`: those of undici's `request`, with the headers as a plain object. */
export type MeshRequestOptions = Omit<NonNullable<Parameters<typeof request<null>>[1]>, 'dispatcher' | 'headers'> & {
  headers?: Record<string, string>;
};

/** `fetch` bound to a mesh identity; `close()` closes its connection pool. */
export interface MeshFetch {
  (input: string | URL, init?: RequestInit): Promise<Response>;
  /**
   * Sends a request with undici's `request` over the same connection pool.
   * Bodies are Node streams both ways, which costs less CPU per byte than
   * the web streams of `fetch`. Redirects are not followed.
   */
  request(input: string | URL, options?: MeshRequestOptions): Promise<Dispatcher.ResponseData>;
  readonly agent: Agent;
  close(): Promise<void>;
}

/**
 * Creates an undici `Agent` that presents the service's client certificate and
 * trusts only the mesh CA, so a server outside the mesh fails the handshake.
 */
export function createMeshAgent(identity: MeshIdentity): Agent {
  return new Agent({
    connect: {
      key: identity.privateKeyPem,
      cert: identity.certificatePem,
      ca: identity.caCertificatePem,
      minVersion: 'TLSv1.3',
    },
  });
}

/**
 * Returns a `fetch` for backend-to-backend calls: HTTPS only, mutual TLS with
 * the mesh identity, and the internal secret in `x-rokks-internal` unless the
 * caller set that header. Plain `http:` URLs are rejected so that the secret
 * never travels unencrypted.
 */
export function meshFetch(identity: MeshIdentity, options: { agent?: Agent } = {}): MeshFetch {
  const agent = options.agent ?? createMeshAgent(identity);
  const call = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const url = secureUrl(input);
    const headers = new Headers(init.headers);

    if (!headers.has(INTERNAL_SECRET_HEADER)) {
      headers.set(INTERNAL_SECRET_HEADER, identity.internalSecret);
    }

    return fetch(url as unknown as RequestInfo, { ...init, headers, dispatcher: agent });
  };

  const sendRequest = async (input: string | URL, options: MeshRequestOptions = {}): Promise<Dispatcher.ResponseData> => {
    const url = secureUrl(input);
    const headers = { ...options.headers };
    const hasSecret = Object.keys(headers).some((name) => name.toLowerCase() === INTERNAL_SECRET_HEADER);

    if (!hasSecret) {
      headers[INTERNAL_SECRET_HEADER] = identity.internalSecret;
    }

    return request<null>(url, { ...options, headers, dispatcher: agent });
  };

  return Object.assign(call, {
    request: sendRequest,
    agent,
    close: () => agent.close(),
  });
}

/** Parses a mesh URL and rejects any scheme but https, so that the internal secret never travels unencrypted. */
function secureUrl(input: string | URL): URL {
  const url = new URL(input);

  if (url.protocol !== 'https:') {
    throw new MeshError(
      'INSECURE_URL',
      `Mesh calls need an https URL; got ${url.protocol} for ${url.host}.`,
    );
  }

  return url;
}
