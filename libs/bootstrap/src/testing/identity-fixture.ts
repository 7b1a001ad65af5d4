import {
  createMeshCertificateAuthority,
  issueMeshCertificate,
  type MeshCertificateAuthority,
} from '@rokks/mesh';

import { type ServiceIdentity } from '../service-identity';

/** Builds a complete identity signed by `authority` (a new CA when omitted), for tests. */
export async function identityFixture(
  service: string,
  options: { authority?: MeshCertificateAuthority; lifetimeMs?: number; registryUrl?: string } = {},
): Promise<ServiceIdentity & { authority: MeshCertificateAuthority }> {
  const authority = options.authority ?? (await createMeshCertificateAuthority());
  const issued = await issueMeshCertificate(authority, { service, lifetimeMs: options.lifetimeMs });

  return {
    authority,
    service,
    certificatePem: issued.certificatePem,
    privateKeyPem: issued.privateKeyPem,
    caCertificatePem: authority.certificatePem,
    caFingerprint: authority.fingerprint,
    internalSecret: 'fixture-internal-secret-0123456789abcdefgh',
    config: { 'feature.enabled': true },
    secrets: { API_KEY: 'fixture-api-key-value-123' },
    peers: {},
    jwtPublicKeys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' }],
    expiresAt: issued.notAfter.toISOString(),
    registryUrl: options.registryUrl ?? 'https://127.0.0.1:4000/',
    source: 'registry',
  };
}
