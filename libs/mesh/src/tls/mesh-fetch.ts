import { Agent, fetch, Headers, type RequestInfo, type RequestInit, type Response } from 'undici';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';

import { type MeshIdentity } from '../mesh-identity';
import { MeshError } from '../mesh.errors';

/** `fetch` bound to a mesh identity; `close()` closes its connection pool. */
export interface MeshFetch {
  (input: string | URL, init?: RequestInit): Promise<Response>;
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
    const url = new URL(input);

    if (url.protocol !== 'https:') {
      throw new MeshError(
        'INSECURE_URL',
        `Mesh calls need an https URL; got ${url.protocol} for ${url.host}.`,
      );
    }

    const headers = new Headers(init.headers);

    if (!headers.has(INTERNAL_SECRET_HEADER)) {
      headers.set(INTERNAL_SECRET_HEADER, identity.internalSecret);
    }

    return fetch(url as unknown as RequestInfo, { ...init, headers, dispatcher: agent });
  };

  return Object.assign(call, {
    agent,
    close: () => agent.close(),
  });
}
