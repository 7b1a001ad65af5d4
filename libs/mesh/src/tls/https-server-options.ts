import { type ServerOptions } from 'node:https';
import { type Server as TlsServer } from 'node:tls';

import { type MeshIdentity } from '../mesh-identity';

export interface MeshServerOptions {
  /**
   * `required` (the default) rejects at the TLS handshake every client without a
   * certificate signed by the mesh CA. `optional` requests one but lets clients
   * without it through, so a route can check `socket.authorized` itself (the
   * registry does this because services call it before they have a certificate).
   */
  clientCertificate?: 'required' | 'optional';
}

/** TLS settings shared by the HTTPS server and the TCP microservice server. */
export function meshServerTlsOptions(
  identity: MeshIdentity,
  options: MeshServerOptions = {},
): ServerOptions {
  return {
    key: identity.privateKeyPem,
    // The CA follows the leaf so that a client can pin the CA by fingerprint
    // before it trusts it (see `@rokks/bootstrap`).
    cert: `${identity.certificatePem.trimEnd()}\n${identity.caCertificatePem.trimEnd()}\n`,
    ca: identity.caCertificatePem,
    requestCert: true,
    rejectUnauthorized: (options.clientCertificate ?? 'required') === 'required',
    minVersion: 'TLSv1.3',
  };
}

/**
 * Returns Fastify server options for HTTPS with mutual TLS: pass them to
 * `new FastifyAdapter(...)` or `fastify(...)`.
 */
export function httpsServerOptions(
  identity: MeshIdentity,
  options: MeshServerOptions = {},
): { https: ServerOptions } {
  return { https: meshServerTlsOptions(identity, options) };
}

/**
 * Switches a running TLS or HTTPS server (for Fastify: `app.server`) to a
 * renewed identity. Existing connections keep their certificate; new
 * handshakes use the new one.
 */
export function updateServerIdentity(server: TlsServer, identity: MeshIdentity): void {
  const { key, cert, ca } = meshServerTlsOptions(identity);

  server.setSecureContext({ key, cert, ca });
}
