import { createHash, X509Certificate } from 'node:crypto';

import { MeshError } from '../mesh.errors';

const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;

/** Returns the SHA-256 digest of a DER certificate as 64 lowercase hex characters. */
export function derFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Returns the SHA-256 fingerprint (lowercase hex) of the first certificate in a PEM text. */
export function certificateFingerprint(certificatePem: string): string {
  return derFingerprint(parseCertificate(certificatePem).raw);
}

/**
 * Normalizes a fingerprint written as hex with optional colons or spaces and in
 * either case (the OpenSSL and browser formats), or returns undefined when the
 * text is not a SHA-256 fingerprint.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const compact = text.trim().replace(/[:\s]/g, '').toLowerCase();

  return FINGERPRINT_PATTERN.test(compact) ? compact : undefined;
}

/** Encodes DER certificate bytes as PEM. */
export function certificatePemFromDer(der: Uint8Array): string {
  return parseCertificate(Buffer.from(der)).toString();
}

/** Parses the first certificate of a PEM text (or DER bytes) with Node's X.509 support. */
export function parseCertificate(certificate: string | Buffer): X509Certificate {
  try {
    return new X509Certificate(certificate);
  } catch (error) {
    throw new MeshError(
      'INVALID_CERTIFICATE',
      'The certificate is not a valid X.509 certificate.',
      { cause: error },
    );
  }
}
