import { renewalDelayMs } from './registry-client';
import { identityFixture } from './testing/identity-fixture';

describe('renewalDelayMs', () => {
  it('renews at two thirds of the certificate validity', async () => {
    const identity = await identityFixture('worker', { lifetimeMs: 60 * 60 * 1000 });
    const certificate = new (await import('node:crypto')).X509Certificate(identity.certificatePem);
    const notBefore = Date.parse(certificate.validFrom);
    const notAfter = Date.parse(certificate.validTo);

    expect(renewalDelayMs(identity, 2 / 3, notBefore)).toBeCloseTo(
      ((notAfter - notBefore) * 2) / 3,
      -1,
    );
    expect(renewalDelayMs(identity, 2 / 3, notAfter)).toBe(0);
  });
});
