// @peculiar/x509 resolves its ASN.1 handlers through tsyringe, which needs the
// Reflect metadata API loaded before it.
import 'reflect-metadata';

import { randomBytes, webcrypto } from 'node:crypto';

import * as x509 from '@peculiar/x509';

import { MeshError } from '../mesh.errors';
import { certificateFingerprint, parseCertificate } from './fingerprint.util';

const crypto = webcrypto as unknown as Crypto;
const KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const HOUR_MS = 60 * 60 * 1000;
// Certificates start a few minutes in the past so that a peer whose clock runs
// slightly behind still accepts a certificate issued a moment ago.
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export const DEFAULT_CA_LIFETIME_DAYS = 3650;
export const DEFAULT_LEAF_LIFETIME_MS = 24 * HOUR_MS;

/** A CA certificate with its private key, both PEM. */
export interface MeshCertificateAuthority {
  certificatePem: string;
  /** PKCS#8 PEM. Store it encrypted, because anyone with this key can issue mesh certificates. */
  privateKeyPem: string;
  /** SHA-256 of the certificate DER, lowercase hex. */
  fingerprint: string;
  notAfter: Date;
}

/** A leaf certificate issued to one service, with its new private key. */
export interface IssuedMeshCertificate {
  service: string;
  certificatePem: string;
  privateKeyPem: string;
  fingerprint: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface IssueMeshCertificateOptions {
  service: string;
  /** Lifetime in milliseconds; defaults to 24 hours, capped at the CA's expiry. */
  lifetimeMs?: number;
  /** DNS names added after the service name and `localhost`. */
  extraDnsNames?: string[];
  now?: Date;
}

/** Returns true for names usable as a service name, certificate CN and DNS label. */
export function isValidServiceName(name: string): boolean {
  return SERVICE_NAME_PATTERN.test(name);
}

/** Creates a self-signed ECDSA P-256 CA that may sign leaf certificates only (path length 0). */
export async function createMeshCertificateAuthority(
  options: { commonName?: string; lifetimeDays?: number; now?: Date } = {},
): Promise<MeshCertificateAuthority> {
  const now = options.now ?? new Date();
  const lifetimeDays = options.lifetimeDays ?? DEFAULT_CA_LIFETIME_DAYS;
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: distinguishedName(options.commonName ?? 'Rokks mesh CA'),
      notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
      notAfter: new Date(now.getTime() + lifetimeDays * 24 * HOUR_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const certificatePem = `${certificate.toString('pem')}\n`;

  return {
    certificatePem,
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey),
    fingerprint: certificateFingerprint(certificatePem),
    notAfter: certificate.notAfter,
  };
}

/**
 * Issues a leaf certificate for `service` with a new P-256 key. The subject
 * alternative names are the service name, `localhost`, any extra DNS names and
 * the IP address 127.0.0.1; the certificate is valid for both server and client
 * authentication so the same identity serves and calls over mutual TLS.
 */
export async function issueMeshCertificate(
  authority: Pick<MeshCertificateAuthority, 'certificatePem' | 'privateKeyPem'>,
  options: IssueMeshCertificateOptions,
): Promise<IssuedMeshCertificate> {
  if (!isValidServiceName(options.service)) {
    throw new MeshError(
      'INVALID_SERVICE_NAME',
      `Service name "${options.service}" is invalid: use 1-63 lowercase letters, digits and hyphens, starting with a letter.`,
    );
  }

  const lifetimeMs = options.lifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS;

  if (!Number.isFinite(lifetimeMs) || lifetimeMs < 60_000) {
    throw new MeshError(
      'INVALID_LIFETIME',
      `Certificate lifetime ${lifetimeMs} ms is invalid: use at least 60000 ms.`,
    );
  }

  const now = options.now ?? new Date();
  const caCertificate = new x509.X509Certificate(parseCertificate(authority.certificatePem).raw);
  const caPrivateKey = await importPrivateKey(authority.privateKeyPem);
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const requestedNotAfter = now.getTime() + lifetimeMs;
  const notAfter = new Date(Math.min(requestedNotAfter, caCertificate.notAfter.getTime()));
  const dnsNames = [...new Set([options.service, 'localhost', ...(options.extraDnsNames ?? [])])];
  const serialNumber = randomSerialNumber();
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber,
      subject: distinguishedName(options.service),
      issuer: caCertificate.subjectName,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: caPrivateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          { type: 'ip', value: '127.0.0.1' },
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(caCertificate, false, crypto),
      ],
    },
    crypto,
  );
  const certificatePem = `${certificate.toString('pem')}\n`;

  return {
    service: options.service,
    certificatePem,
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey),
    fingerprint: certificateFingerprint(certificatePem),
    serialNumber,
    notBefore,
    notAfter,
  };
}

async function importPrivateKey(privateKeyPem: string): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(privateKeyPem),
      KEY_ALGORITHM,
      false,
      ['sign'],
    );
  } catch (error) {
    throw new MeshError(
      'INVALID_PRIVATE_KEY',
      'The CA private key is not a PKCS#8 ECDSA P-256 key.',
      { cause: error },
    );
  }
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', key);

  return `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`;
}

function distinguishedName(commonName: string): x509.JsonName {
  return [{ CN: [commonName] }];
}

// A random 16-byte serial. RFC 5280 section 4.1.2.2 requires a positive integer,
// so the high bit is cleared, and the low bit of the first byte is set so that
// DER keeps all 16 bytes.
function randomSerialNumber(): string {
  const bytes = randomBytes(16);

  bytes[0] = (bytes[0] & 0x7f) | 0x01;

  return bytes.toString('hex');
}
