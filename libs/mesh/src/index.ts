export {
  createMeshCertificateAuthority,
  DEFAULT_CA_LIFETIME_DAYS,
  DEFAULT_LEAF_LIFETIME_MS,
  type IssuedMeshCertificate,
  type IssueMeshCertificateOptions,
  isValidServiceName,
  issueMeshCertificate,
  type MeshCertificateAuthority,
} from './certificates/certificate-authority';
export {
  certificateFingerprint,
  certificatePemFromDer,
  derFingerprint,
  normalizeFingerprint,
  parseCertificate,
} from './certificates/fingerprint.util';
export { MeshError, type MeshErrorCode } from './mesh.errors';
export { type MeshIdentity } from './mesh-identity';
export {
  httpsServerOptions,
  meshServerTlsOptions,
  type MeshServerOptions,
  updateServerIdentity,
} from './tls/https-server-options';
export { createMeshAgent, type MeshFetch, meshFetch, type MeshRequestOptions } from './tls/mesh-fetch';
export { microserviceClientOptions, microserviceOptions } from './tls/microservice-options';
export {
  type AuthenticatedPeer,
  authenticatedPeer,
  authenticatedPeerService,
} from './tls/peer-certificate.util';
