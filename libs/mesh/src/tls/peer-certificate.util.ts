import { type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

import { derFingerprint } from '../certificates/fingerprint.util';

/** A mesh peer authenticated by its client certificate. */
export interface AuthenticatedPeer {
  /** Common name of the certificate, which is the service name. */
  service: string;
  /** SHA-256 fingerprint of the peer's certificate, lowercase hex. */
  certificateFingerprint: string;
}

/**
 * Returns the peer of a connection whose client certificate the mesh CA
 * verified, or undefined when the socket is not TLS, the peer sent no
 * certificate or the verification failed.
 */
export function authenticatedPeer(socket: Socket | undefined): AuthenticatedPeer | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) {
    return undefined;
  }

  const certificate = socket.getPeerCertificate();
  // A certificate with several CNs yields an array; mesh certificates have one.
  const commonName: unknown = certificate.subject?.CN;

  if (typeof commonName !== 'string' || certificate.raw === undefined) {
    return undefined;
  }

  return { service: commonName, certificateFingerprint: derFingerprint(certificate.raw) };
}

/** Returns the service name of an authenticated mesh peer (see `authenticatedPeer`). */
export function authenticatedPeerService(socket: Socket | undefined): string | undefined {
  return authenticatedPeer(socket)?.service;
}
