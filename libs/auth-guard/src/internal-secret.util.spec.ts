import { verifyInternalSecret } from './internal-secret.util';

const SECRET = 'mQ4tZ8wR2yB6nJ0cV5xK9pL3hG7fD1sA';

describe('verifyInternalSecret', () => {
  it('accepts the expected secret', () => {
    expect(verifyInternalSecret(SECRET, SECRET)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['different', SECRET.replace('m', 'n')],
    ['longer', `${SECRET} `],
    ['shorter', SECRET.slice(1)],
  ])('rejects a %s value', (_case, given) => {
    expect(verifyInternalSecret(given, SECRET)).toBe(false);
  });

  it('rejects everything when the expected secret is empty', () => {
    expect(verifyInternalSecret('', '')).toBe(false);
  });
});
