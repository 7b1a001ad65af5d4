import { decimalToJson, encodeValue, timestampToIso, TYPE_OIDS } from './value-encoding.util';

describe('decimalToJson', () => {
  it.each([
    ['0', 0],
    ['-0', 0],
    ['42', 42],
    ['2.50', 2.5],
    ['0.1', 0.1],
    ['-12.500', -12.5],
    ['9007199254740992', 9007199254740992],
  ])('returns %s as a number', (text, expected) => {
    expect(decimalToJson(text)).toBe(expected);
  });

  it.each([
    '9007199254740993',
    '1152921504606846976',
    '9223372036854775807',
    '-9223372036854775808',
    '2.3333333333333333',
    '0.10000000000000000001',
    'NaN',
    'Infinity',
  ])('keeps %s as a string', (text) => {
    expect(decimalToJson(text)).toBe(text);
  });
});

describe('timestampToIso', () => {
  it('rewrites timestamptz output in UTC', () => {
    expect(timestampToIso('2024-03-31 01:00:00+00')).toBe('2024-03-31T01:00:00Z');
  });

  it('keeps fractional seconds', () => {
    expect(timestampToIso('2024-03-31 01:00:00.123456+00')).toBe('2024-03-31T01:00:00.123456Z');
  });

  it('reads a timestamp without zone as UTC', () => {
    expect(timestampToIso('2024-03-31 01:00:00')).toBe('2024-03-31T01:00:00Z');
  });

  it('leaves infinity and BC dates alone', () => {
    expect(timestampToIso('infinity')).toBe('infinity');
    expect(timestampToIso('0044-03-15 00:00:00+00 BC')).toBe('0044-03-15 00:00:00+00 BC');
  });
});

describe('encodeValue', () => {
  it('encodes each type family', () => {
    expect(encodeValue(null, TYPE_OIDS.int8)).toBeNull();
    expect(encodeValue('t', TYPE_OIDS.bool)).toBe(true);
    expect(encodeValue('f', TYPE_OIDS.bool)).toBe(false);
    expect(encodeValue('32767', TYPE_OIDS.int2)).toBe(32767);
    expect(encodeValue('9223372036854775807', TYPE_OIDS.int8)).toBe('9223372036854775807');
    expect(encodeValue('1.5', TYPE_OIDS.float8)).toBe(1.5);
    expect(encodeValue('NaN', TYPE_OIDS.float8)).toBe('NaN');
    expect(encodeValue('-Infinity', TYPE_OIDS.float4)).toBe('-Infinity');
    expect(encodeValue('2024-02-29', TYPE_OIDS.date)).toBe('2024-02-29');
    expect(encodeValue('2024-02-29 23:59:59+00', TYPE_OIDS.timestamptz)).toBe('2024-02-29T23:59:59Z');
    expect(encodeValue('{"a": 1}', TYPE_OIDS.jsonb)).toBe('{"a": 1}');
    expect(encodeValue('text', TYPE_OIDS.text)).toBe('text');
  });
});
