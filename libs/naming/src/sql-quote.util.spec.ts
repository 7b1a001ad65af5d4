import { NamingError } from './naming.exception';
import { quoteIdent, quoteLiteral, quoteQualifiedName } from './sql-quote.util';

describe('quoteIdent', () => {
  it.each([
    ['email', '"email"'],
    ['Email', '"Email"'],
    ['select', '"select"'],
    ['a"b', '"a""b"'],
    ['""', '""""""'],
    ['a b;--', '"a b;--"'],
    ["it's", '"it\'s"'],
    ['back\\slash', '"back\\slash"'],
    ['имя', '"имя"'],
    ['𠀀', '"𠀀"'],
    ['a'.repeat(63), `"${'a'.repeat(63)}"`],
  ])('quotes %p as %s', (identifier, expected) => {
    expect(quoteIdent(identifier)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['NUL', 'a\0b'],
    ['lone surrogate', 'a\uD800'],
    ['64 bytes', 'a'.repeat(64)],
    ['64 bytes of é', 'é'.repeat(32)],
  ])('rejects %s', (_case, identifier) => {
    expect(() => quoteIdent(identifier)).toThrow(NamingError);
    expect(() => quoteIdent(identifier)).toThrow(
      expect.objectContaining({ code: 'INVALID_IDENTIFIER' }) as Error,
    );
  });

  it('names the value in the error', () => {
    expect(() => quoteIdent('a\0b')).toThrow(
      'invalid identifier "a\\u0000b": an identifier cannot contain a NUL character',
    );
    expect(() => quoteIdent('')).toThrow(
      'invalid identifier "": an identifier must be a non-empty string',
    );
  });

  it('rejects a non-string at run time', () => {
    expect(() => quoteIdent(42 as unknown as string)).toThrow('invalid identifier 42');
  });
});

describe('quoteQualifiedName', () => {
  it('quotes both parts', () => {
    expect(quoteQualifiedName('data', 't_0123456789abcdef0123456789abcdef')).toBe(
      '"data"."t_0123456789abcdef0123456789abcdef"',
    );
    expect(quoteQualifiedName('my"schema', 'x')).toBe('"my""schema"."x"');
  });

  it('rejects an empty schema', () => {
    expect(() => quoteQualifiedName('', 'x')).toThrow(NamingError);
  });
});

describe('quoteLiteral', () => {
  it.each([
    ['', "''"],
    ['abc', "'abc'"],
    ["it's", "'it''s'"],
    ["''", "''''''"],
    ['a\\b', "E'a\\\\b'"],
    ["a\\'b", "E'a\\\\''b'"],
    ['line\nbreak', "'line\nbreak'"],
    ['durée 売', "'durée 売'"],
  ])('quotes %p as %s', (value, expected) => {
    expect(quoteLiteral(value)).toBe(expected);
  });

  it.each([
    ['NUL', 'a\0'],
    ['lone surrogate', '\uDC00'],
  ])('rejects %s', (_case, value) => {
    expect(() => quoteLiteral(value)).toThrow(
      expect.objectContaining({ code: 'INVALID_LITERAL' }) as Error,
    );
  });

  it('names the value in the error', () => {
    expect(() => quoteLiteral('x\0')).toThrow('invalid literal "x\\u0000"');
  });
});
