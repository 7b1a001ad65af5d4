import { encodeSegment, parseRequestPath } from './request-path';

describe('parseRequestPath', () => {
  it('splits and decodes a plain path', () => {
    expect(parseRequestPath('/api/sql/tables?limit=5')).toEqual({
      segments: ['api', 'sql', 'tables'],
      path: '/api/sql/tables',
      search: '?limit=5',
    });
  });

  it('keeps the root and a trailing slash', () => {
    expect(parseRequestPath('/')).toMatchObject({ segments: [''], path: '/' });
    expect(parseRequestPath('/api/sql/')).toMatchObject({
      segments: ['api', 'sql', ''],
      path: '/api/sql/',
    });
  });

  it('re-encodes escapes canonically', () => {
    expect(parseRequestPath('/api/%73ql/t%20x%c3%a9')).toMatchObject({
      segments: ['api', 'sql', 't xé'],
      path: '/api/sql/t%20x%C3%A9',
    });
  });

  it.each([
    ['api/sql', 'not-origin-form'],
    ['*', 'not-origin-form'],
    ['//api', 'empty-segment'],
    ['/api//sql', 'empty-segment'],
    ['/api/../x', 'dot-segment'],
    ['/api/%2E%2e/x', 'dot-segment'],
    ['/api/.', 'dot-segment'],
    ['/api/a%2Fb', 'forbidden-encoded-character'],
    ['/api/a%5Cb', 'forbidden-encoded-character'],
    ['/api/a%3Bb', 'forbidden-encoded-character'],
    ['/api/a%0Ab', 'forbidden-encoded-character'],
    ['/api/a%7Fb', 'forbidden-encoded-character'],
    ['/api/a;b', 'forbidden-character'],
    ['/api/a\\b', 'forbidden-character'],
    ['/api/a b', 'forbidden-character'],
    ['/api/a#b', 'forbidden-character'],
    ['/api/é', 'forbidden-character'],
    ['/api/%', 'bad-escape'],
    ['/api/%g0', 'bad-escape'],
    ['/api/%ff', 'bad-escape'],
    [`/${'a'.repeat(5000)}`, 'too-long'],
  ])('rejects %s', (url, problem) => {
    expect(parseRequestPath(url)).toEqual({ problem });
  });

  it('leaves the query string as sent', () => {
    expect(parseRequestPath('/api/x?a=%2F..%2F&b=;')).toMatchObject({ search: '?a=%2F..%2F&b=;' });
  });
});

describe('encodeSegment', () => {
  it('keeps unreserved characters and safe sub-delimiters', () => {
    expect(encodeSegment("a-b_c.d~e!f*g'h(i)j:k@l$m,n=o+p&q")).toBe(
      "a-b_c.d~e!f*g'h(i)j:k@l$m,n=o+p&q",
    );
  });

  it('escapes the rest', () => {
    expect(encodeSegment('a b/c?d#e%f')).toBe('a%20b%2Fc%3Fd%23e%25f');
  });
});
