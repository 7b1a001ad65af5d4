import { registerSecretValue, scrubSecretValues } from './secret-values';

describe('registerSecretValue', () => {
  it('rejects values shorter than 8 characters', () => {
    expect(() => registerSecretValue('short')).toThrow(RangeError);
  });

  it('replaces the longest overlapping secret whole', () => {
    registerSecretValue('overlap-secret-1');
    registerSecretValue('overlap-secret-1-and-more');

    expect(scrubSecretValues('x overlap-secret-1-and-more y')).toBe('x [REDACTED] y');
  });

  it('treats regular expression characters literally', () => {
    registerSecretValue('a.b*c+d?(e)');

    expect(scrubSecretValues('aXbbbcd e a.b*c+d?(e)')).toBe('aXbbbcd e [REDACTED]');
  });
});

describe('scrubSecretValues', () => {
  it('redacts an OIDC callback code and state', () => {
    const line = '{"url":"/auth/oidc/google/callback?code=4/0AbCdEf-123&state=xyz789&iss=https%3A%2F%2Fidp"}';

    expect(scrubSecretValues(line)).toBe(
      '{"url":"/auth/oidc/google/callback?code=[REDACTED]&state=[REDACTED]&iss=https%3A%2F%2Fidp"}',
    );
  });

  it('keeps ordinary query parameters', () => {
    expect(scrubSecretValues('/api/jobs?status=running&limit=20')).toBe('/api/jobs?status=running&limit=20');
  });

  it('does not match a longer parameter name', () => {
    expect(scrubSecretValues('/api/x?zipcode=00501&postcode=1')).toBe('/api/x?zipcode=00501&postcode=1');
  });
});
