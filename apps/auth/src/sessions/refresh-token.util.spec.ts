import {
  generateRefreshToken,
  hashRefreshSecret,
  parseRefreshToken,
  refreshSecretMatches,
} from './refresh-token.util';

describe('refresh tokens', () => {
  it('round-trips a generated token', () => {
    const generated = generateRefreshToken();

    expect(parseRefreshToken(generated.token)).toEqual({
      id: generated.id,
      secret: generated.secret,
    });
  });

  it('never looks like a compact JWT', () => {
    expect(generateRefreshToken().token.split('.')).toHaveLength(2);
  });

  it('rejects other shapes', () => {
    expect(parseRefreshToken('')).toBeUndefined();
    expect(parseRefreshToken('a.b')).toBeUndefined();
    expect(parseRefreshToken(`${'a'.repeat(22)}.${'b'.repeat(43)}.c`)).toBeUndefined();
  });

  it('matches only the right secret', () => {
    const generated = generateRefreshToken();
    const stored = hashRefreshSecret(generated.secret);

    expect(refreshSecretMatches(generated.secret, stored)).toBe(true);
    expect(refreshSecretMatches(generateRefreshToken().secret, stored)).toBe(false);
  });
});
