import { createHash, X509Certificate } from 'node:crypto';

import { MeshError } from '../mesh.errors';
import { createMeshCertificateAuthority, issueMeshCertificate } from './certificate-authority';
import { certificateFingerprint, normalizeFingerprint } from './fingerprint.util';

const HOUR_MS = 60 * 60 * 1000;

describe('mesh certificate authority', () => {
  it('creates a self-signed CA with its DER fingerprint', async () => {
    const authority = await createMeshCertificateAuthority();
    const certificate = new X509Certificate(authority.certificatePem);

    expect(certificate.ca).toBe(true);
    expect(certificate.subject).toBe('CN=Rokks mesh CA');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(authority.fingerprint).toBe(createHash('sha256').update(certificate.raw).digest('hex'));
    expect(certificateFingerprint(authority.certificatePem)).toBe(authority.fingerprint);
    expect(authority.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  });

  it('issues a leaf for server and client use', async () => {
    const authority = await createMeshCertificateAuthority();
    const issued = await issueMeshCertificate(authority, { service: 'worker' });
    const certificate = new X509Certificate(issued.certificatePem);

    expect(certificate.subject).toBe('CN=worker');
    expect(certificate.ca).toBe(false);
    expect(certificate.subjectAltName).toBe('DNS:worker, DNS:localhost, IP Address:127.0.0.1');
    expect(certificate.keyUsage).toEqual(
      expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']),
    );
    expect(certificate.verify(new X509Certificate(authority.certificatePem).publicKey)).toBe(true);
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkHost('worker')).toBe('worker');
    expect(issued.fingerprint).toBe(certificateFingerprint(issued.certificatePem));
  });

  it('defaults the leaf lifetime to 24 hours', async () => {
    const authority = await createMeshCertificateAuthority();
    const now = new Date();
    const issued = await issueMeshCertificate(authority, { service: 'edge', now });

    expect(issued.notAfter.getTime() - now.getTime()).toBe(24 * HOUR_MS);
    expect(Date.parse(new X509Certificate(issued.certificatePem).validTo)).toBe(
      Math.floor(issued.notAfter.getTime() / 1000) * 1000,
    );
  });

  it('caps the leaf lifetime at the CA expiry', async () => {
    const authority = await createMeshCertificateAuthority({ lifetimeDays: 1 });
    const issued = await issueMeshCertificate(authority, {
      service: 'edge',
      lifetimeMs: 48 * HOUR_MS,
    });

    expect(issued.notAfter.getTime()).toBeLessThanOrEqual(authority.notAfter.getTime());
  });

  it('rejects invalid service names', async () => {
    const authority = await createMeshCertificateAuthority();

    for (const service of ['', 'Worker', 'a b', '-edge', 'x'.repeat(64), 'edge.example']) {
      await expect(issueMeshCertificate(authority, { service })).rejects.toThrow(MeshError);
    }
  });

  it('issues distinct keys and serial numbers', async () => {
    const authority = await createMeshCertificateAuthority();
    const first = await issueMeshCertificate(authority, { service: 'edge' });
    const second = await issueMeshCertificate(authority, { service: 'edge' });

    expect(first.serialNumber).not.toBe(second.serialNumber);
    expect(first.privateKeyPem).not.toBe(second.privateKeyPem);
  });
});

describe('normalizeFingerprint', () => {
  const hex = 'ab'.repeat(32);

  it('accepts colons and upper case', () => {
    expect(normalizeFingerprint(hex.toUpperCase().match(/../g)!.join(':'))).toBe(hex);
    expect(normalizeFingerprint(` ${hex}\n`)).toBe(hex);
  });

  it('rejects other lengths and characters', () => {
    expect(normalizeFingerprint('ab'.repeat(20))).toBeUndefined();
    expect(normalizeFingerprint(`${'ab'.repeat(31)}zz`)).toBeUndefined();
    expect(normalizeFingerprint('')).toBeUndefined();
  });
});
