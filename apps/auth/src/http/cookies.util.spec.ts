import { readCookie, serializeCookie } from './cookies.util';

describe('cookies', () => {
  it('serializes every attribute', () => {
    expect(
      serializeCookie('rokks_refresh', 'abc.def', {
        path: '/auth',
        maxAgeSeconds: 60,
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
      }),
    ).toBe('rokks_refresh=abc.def; Path=/auth; Max-Age=60; SameSite=Lax; HttpOnly; Secure');
  });

  it('adds an expiry date when deleting', () => {
    expect(
      serializeCookie('a', '', {
        path: '/',
        maxAgeSeconds: 0,
        secure: false,
        httpOnly: true,
        sameSite: 'Lax',
      }),
    ).toBe('a=; Path=/; Max-Age=0; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly');
  });

  it('rejects a value that would split the header', () => {
    expect(() =>
      serializeCookie('a', 'x; Domain=evil.test', {
        path: '/',
        maxAgeSeconds: 1,
        secure: false,
        httpOnly: true,
        sameSite: 'Lax',
      }),
    ).toThrow(TypeError);
  });

  it('reads a cookie among others', () => {
    expect(readCookie('theme=dark; rokks_refresh=abc.def; other=1', 'rokks_refresh')).toBe(
      'abc.def',
    );
  });

  it('reads the first of two cookies with one name', () => {
    expect(readCookie('rokks_refresh=first; rokks_refresh=second', 'rokks_refresh')).toBe('first');
  });

  it('returns undefined for a missing cookie', () => {
    expect(readCookie('theme=dark', 'rokks_refresh')).toBeUndefined();
    expect(readCookie(undefined, 'rokks_refresh')).toBeUndefined();
  });

  it('does not match a name suffix', () => {
    expect(readCookie('xrokks_refresh=abc', 'rokks_refresh')).toBeUndefined();
  });
});
