import { MAX_JSON_DEPTH, parseJsonValue } from './parse-json.util';

describe('parseJsonValue', () => {
  it('keeps integers beyond 2^53 exact as bigints', () => {
    expect(parseJsonValue('{"id": 9007199254740993, "small": 12, "neg": -1234567890123456789}')).toEqual({
      id: 9007199254740993n,
      small: 12,
      neg: -1234567890123456789n,
    });
  });

  it('reads decimals and exponents as numbers', () => {
    expect(parseJsonValue('{"a": 12345678901234567.5, "b": 1e400, "c": -0.5E-3, "big": 12345678901234567890}')).toEqual({
      a: Number('12345678901234567.5'),
      b: Infinity,
      c: -0.0005,
      big: 12345678901234567890n,
    });
  });

  it('gives what JSON.parse gives for every other value', () => {
    const text = '{"s": "a\\"b\\\\c\\u00e9\\n", "t": true, "f": false, "n": null, "list": [1, [2, {"x": "1234567890123456"}]], "e": {}}';
    const expected: unknown = JSON.parse(text);
    const long = text.replace('"e": {}', '"e": {}, "id": 12345678901234567');

    expect(parseJsonValue(text)).toEqual(expected);
    expect(parseJsonValue(long)).toEqual({ ...(expected as object), id: 12345678901234567n });
  });

  it('keeps __proto__ an own key in both parsers', () => {
    const fast = parseJsonValue('{"__proto__": 1}') as Record<string, unknown>;
    const exact = parseJsonValue('{"__proto__": 1, "id": 12345678901234567}') as Record<string, unknown>;

    expect(Object.keys(fast)).toEqual(['__proto__']);
    expect(Object.keys(exact)).toEqual(['__proto__', 'id']);
    expect(Object.getPrototypeOf(exact)).toBe(Object.prototype);
  });

  it.each([
    ['{"a": 12345678901234567', 'expected'],
    ['{"a": 12345678901234567,}', 'expected a property name'],
    ['{"a": 12345678901234567} x', 'unexpected text after the value'],
    ['{"a": "12345678901234567\u0001"}', 'control character in a string'],
    ['{"a": tru, "b": 12345678901234567}', 'unexpected token'],
    ['{"a": "\\x", "b": 12345678901234567}', 'invalid escape'],
  ])('rejects %p', (text, message) => {
    expect(() => parseJsonValue(text)).toThrow(message);
  });

  it('rejects nesting deeper than the limit', () => {
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 2)}12345678901234567${']'.repeat(MAX_JSON_DEPTH + 2)}`;

    expect(() => parseJsonValue(deep)).toThrow(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  });
});
