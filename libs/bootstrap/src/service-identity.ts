import { type JsonWebKey } from 'node:crypto';

import { z } from 'zod';

import { type MeshIdentity } from '@rokks/mesh';

/** Header that carries the bootstrap token on `POST /bootstrap`. */
export const BOOTSTRAP_TOKEN_HEADER = 'x-rokks-bootstrap-token';

/** Everything a service receives from the registry at start-up. */
export interface ServiceIdentity extends MeshIdentity {
  service: string;
  certificatePem: string;
  privateKeyPem: string;
  caCertificatePem: string;
  /** SHA-256 of the CA certificate DER, lowercase hex. */
  caFingerprint: string;
  internalSecret: string;
  /** Global configuration overlaid with the service's own entries. */
  config: Record<string, unknown>;
  /** Secrets the service is entitled to, by name. */
  secrets: Record<string, string>;
  /** HTTPS base URL of one live instance per peer service that has registered one. */
  peers: Record<string, string>;
  /** Public keys (JWK, with `kid`) that verify user JWTs. */
  jwtPublicKeys: JsonWebKey[];
  /** Expiry of the certificate, ISO 8601 UTC. */
  expiresAt: string;
  /** Registry base URL the identity came from, used for renewal and heartbeats. */
  registryUrl: string;
  /** `registry` when fetched at this start, `cache` when read from the bootstrap cache. */
  source: 'registry' | 'cache';
}

/** Body of `POST /bootstrap` and `POST /bootstrap/renew` responses. */
export const bootstrapResponseSchema = z.object({
  service: z.string().min(1),
  certificatePem: z.string().includes('BEGIN CERTIFICATE'),
  privateKeyPem: z.string().includes('PRIVATE KEY'),
  caCertificatePem: z.string().includes('BEGIN CERTIFICATE'),
  caFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  internalSecret: z.string().min(32),
  config: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), z.string()),
  peers: z.record(z.string(), z.string()),
  jwtPublicKeys: z.array(z.looseObject({ kty: z.string(), kid: z.string() })),
  expiresAt: z.iso.datetime(),
});

export type BootstrapResponse = z.infer<typeof bootstrapResponseSchema>;

/** One live service instance as `GET /instances` lists it. */
export interface ServiceInstanceInfo {
  id: string;
  service: string;
  url: string;
  certificateFingerprint: string;
  registeredAt: string;
  lastHeartbeatAt: string;
  expiresAt: string;
}

/** Body of `POST /instances` responses. */
export interface InstanceRegistration {
  instance: ServiceInstanceInfo;
  /** Seconds without a heartbeat after which the registry drops the instance. */
  ttlSeconds: number;
  /** Suggested heartbeat interval in seconds (a third of the TTL). */
  heartbeatIntervalSeconds: number;
}
