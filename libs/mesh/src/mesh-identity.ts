/**
 * Credentials a service needs to take part in the mesh. `ServiceIdentity` from
 * `@rokks/bootstrap` has these fields, so an identity passes here unchanged.
 */
export interface MeshIdentity {
  /** Service name, also the certificate's common name and first DNS name. */
  service: string;
  /** Leaf certificate (PEM) signed by the mesh CA. */
  certificatePem: string;
  /** PKCS#8 private key (PEM) of the leaf certificate. */
  privateKeyPem: string;
  /** Mesh CA certificate (PEM): the only trust anchor for mesh connections. */
  caCertificatePem: string;
  /** Shared secret sent in the `x-rokks-internal` header on backend calls. */
  internalSecret: string;
}
