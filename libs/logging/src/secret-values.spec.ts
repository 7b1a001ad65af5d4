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
