import { type ColumnType, type Value } from '../types';
import { type JsonValue, toCopyRow, toCopyText, toJsonText, toJsonValue } from './index';

describe('toJsonValue', () => {
  it.each<[Value, ColumnType, JsonValue]>([
    [null, 'integer', null],
    [42n, 'integer', 42],
    [9_007_199_254_740_991n, 'integer', 9_007_199_254_740_991],
    [-9_007_199_254_740_991n, 'integer', -9_007_199_254_740_991],
    [9_007_199_254_740_992n, 'integer', '9007199254740992'],
    [9_007_199_254_740_993n, 'integer', '9007199254740993'],
    [1_234_567_890_123_456_789n, 'integer', '1234567890123456789'],
    [-9_223_372_036_854_775_808n, 'integer', '-9223372036854775808'],
    [1.5, 'float', 1.5],
    ['19.90', 'numeric', 19.9],
    ['0.1', 'numeric', 0.1],
    ['-12.50', 'numeric', -12.5],
    ['12345678901234567.5', 'numeric', '12345678901234567.5'],
    ['0.12345678901234567890', 'numeric', '0.12345678901234567890'],
    ['9007199254740993', 'numeric', '9007199254740993'],
    ['123', 'text', '123'],
    ['2021-04-03', 'date', '2021-04-03'],
    ['2021-04-03T10:11:12.5Z', 'timestamptz', '2021-04-03T10:11:12.5Z'],
    [true, 'boolean', true],
    ['{"a":[1,"x"]}', 'json', { a: [1, 'x'] }],
  ])('converts %p (%s) to %p', (value, type, expected) => {
    expect(toJsonValue(value, type)).toEqual(expected);
  });
});

describe('toJsonText', () => {
  it.each<[Value, ColumnType, string]>([
    [null, 'text', 'null'],
    [9_007_199_254_740_993n, 'integer', '"9007199254740993"'],
    [7n, 'integer', '7'],
    ['19.90', 'numeric', '19.9'],
    ['a "quoted" word', 'text', '"a \\"quoted\\" word"'],
    ['{"id":12345678901234567890}', 'json', '{"id":12345678901234567890}'],
  ])('writes %p (%s) as %s', (value, type, expected) => {
    expect(toJsonText(value, type)).toBe(expected);
  });
});

describe('toCopyText', () => {
  it.each<[Value, string]>([
    [null, '\\N'],
    ['', ''],
    ['plain', 'plain'],
    ['back\\slash', 'back\\\\slash'],
    ['tab\there', 'tab\\there'],
    ['line\nbreak\r\nend', 'line\\nbreak\\r\\nend'],
    ['\\N', '\\\\N'],
    ['北海道', '北海道'],
    [9_223_372_036_854_775_807n, '9223372036854775807'],
    [-9_223_372_036_854_775_808n, '-9223372036854775808'],
    [0n, '0'],
    [-42n, '-42'],
    // Safe integers are written through a double, larger ones by bigint.toString().
    [9_007_199_254_740_991n, '9007199254740991'],
    [-9_007_199_254_740_991n, '-9007199254740991'],
    [9_007_199_254_740_992n, '9007199254740992'],
    [9_007_199_254_740_993n, '9007199254740993'],
    [-9_007_199_254_740_993n, '-9007199254740993'],
    [-0.5, '-0.5'],
    [1e21, '1e+21'],
    [true, 't'],
    [false, 'f'],
    ['-12.50', '-12.50'],
  ])('writes %p as %p', (value, expected) => {
    expect(toCopyText(value)).toBe(expected);
  });

  it('writes a row as one tab-separated line', () => {
    expect(toCopyRow([1n, null, 'a\tb', true])).toBe('1\t\\N\ta\\tb\tt\n');
  });
});
