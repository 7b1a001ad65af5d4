import { type CastOptions, type ColumnType, type RawValue } from '../types';
import { createCaster } from './index';

function cast(type: ColumnType, value: RawValue, options: CastOptions = {}): ReturnType<ReturnType<typeof createCaster>> {
  return createCaster(type, options)(value);
}

describe('integer caster', () => {
  it.each<[RawValue, bigint | null, CastOptions?]>([
    ['0', 0n],
    ['42', 42n],
    ['-50', -50n],
    ['+7', 7n],
    ['-0', 0n],
    [' 12 ', 12n],
    ['007', 7n],
    ['1.0', 1n],
    ['-3.000', -3n],
    ['9223372036854775807', 9_223_372_036_854_775_807n],
    ['-9223372036854775808', -9_223_372_036_854_775_808n],
    ['+9223372036854775807', 9_223_372_036_854_775_807n],
    ['0009223372036854775807', 9_223_372_036_854_775_807n],
    ['9007199254740993', 9_007_199_254_740_993n],
    ['1234567890123456789', 1_234_567_890_123_456_789n],
    ['999999999999999', 999_999_999_999_999n],
    ['1,234,567', 1_234_567n, { thousandsSeparator: ',' }],
    ['-1,234', -1234n, { thousandsSeparator: ',' }],
    ['1.234.567', 1_234_567n, { thousandsSeparator: '.', decimalSeparator: ',' }],
    ['1 234 567', 1_234_567n, { thousandsSeparator: ' ' }],
    ['1\u00a0234\u202f567', 1_234_567n, { thousandsSeparator: ' ' }],
    ["1'234", 1234n, { thousandsSeparator: "'" }],
    ['12,00', 12n, { decimalSeparator: ',' }],
    ['', null],
    ['   ', null],
    [null, null],
    [17, 17n],
    [-9_007_199_254_740_991, -9_007_199_254_740_991n],
    [123n, 123n],
    // Around the limit of the cache of small bigints, 65535.
    ['65535', 65_535n],
    ['65536', 65_536n],
    ['-65535', -65_535n],
    ['-65536', -65_536n],
    ['-00012', -12n],
    ['\t-12\n', -12n],
  ])('reads %p as %p', (input, expected, options = {}) => {
    expect(cast('integer', input, options)).toEqual({ ok: true, value: expected });
  });

  it.each<[RawValue, string, CastOptions?]>([
    ['abc', 'not an integer'],
    ['1.5', 'not an integer (it has a fraction)'],
    ['1e3', 'not an integer'],
    ['12a', 'not an integer'],
    ['--1', 'not an integer'],
    ['-', 'not an integer'],
    ['1,234', 'not an integer'],
    ['9223372036854775808', 'integer out of range for 64 bits'],
    ['-9223372036854775809', 'integer out of range for 64 bits'],
    ['99999999999999999999', 'integer out of range for 64 bits'],
    ['12,34', 'thousands separators', { thousandsSeparator: ',' }],
    ['1234,567', 'thousands separators', { thousandsSeparator: ',' }],
    [',123', 'thousands separators', { thousandsSeparator: ',' }],
    ['1.5', 'not an integer (it has a fraction)', { thousandsSeparator: ',' }],
    [1.5, 'not an integer (it has a fraction)'],
    [Number.NaN, 'not an integer'],
    [2 ** 60, 'beyond 2^53'],
    [9_223_372_036_854_775_808n, 'integer out of range for 64 bits'],
    [true, 'a boolean is not an integer'],
    [{ a: 1 }, 'an object is not an integer'],
  ])('rejects %p', (input, reason, options = {}) => {
    const result = cast('integer', input, options);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('gives a cached result the value of its text', () => {
    const caster = createCaster('integer');

    for (const text of ['0', '1', '-1', '300', '-300', '65535', '-65535']) {
      const first = caster(text);
      const second = caster(text);

      expect(first).toEqual({ ok: true, value: BigInt(text) });
      expect(second).toEqual(first);
    }
  });

  it('keeps every digit of the 64-bit bounds', () => {
    const caster = createCaster('integer');
    const max = caster('9223372036854775807');
    const min = caster('-9223372036854775808');

    expect(max).toEqual({ ok: true, value: 9_223_372_036_854_775_807n });
    expect(min).toEqual({ ok: true, value: -9_223_372_036_854_775_808n });
    expect(String(max.ok ? max.value : '')).toBe('9223372036854775807');
    expect(String(min.ok ? min.value : '')).toBe('-9223372036854775808');
  });
});

describe('float caster', () => {
  it.each<[RawValue, number | null, CastOptions?]>([
    ['1.5', 1.5],
    ['-0.25', -0.25],
    ['.097', 0.097],
    ['-.5', -0.5],
    ['5.', 5],
    ['42', 42],
    ['1e3', 1000],
    ['1.5E-3', 0.0015],
    ['+2.5e+2', 250],
    ['1469.250000', 1469.25],
    [' 3.25 ', 3.25],
    ['1,1', 1.1, { decimalSeparator: ',' }],
    ['-7,25', -7.25, { decimalSeparator: ',' }],
    [',5', 0.5, { decimalSeparator: ',' }],
    ['1.234,5', 1234.5, { decimalSeparator: ',', thousandsSeparator: '.' }],
    ['1,234.5', 1234.5, { thousandsSeparator: ',' }],
    ['1 234,5', 1234.5, { decimalSeparator: ',', thousandsSeparator: ' ' }],
    ['1,5e2', 150, { decimalSeparator: ',' }],
    ['', null],
    [null, null],
    [2.5, 2.5],
    [10n, 10],
  ])('reads %p as %p', (input, expected, options = {}) => {
    expect(cast('float', input, options)).toEqual({ ok: true, value: expected });
  });

  it.each<[RawValue, string, CastOptions?]>([
    ['abc', 'not a number'],
    ['1.2.3', 'not a number'],
    ['.', 'not a number'],
    ['e5', 'not a number'],
    ['1e', 'not a number'],
    ['0x1f', 'not a number'],
    ['1_000', 'not a number'],
    ['NaN', 'not a finite number'],
    ['Infinity', 'not a finite number'],
    ['-inf', 'not a finite number'],
    ['1e400', 'out of range for a double'],
    ['1.5', 'not a number', { decimalSeparator: ',' }],
    ['1,5', 'not a number'],
    [Number.POSITIVE_INFINITY, 'not a finite number'],
    [false, 'a boolean is not a number'],
  ])('rejects %p', (input, reason, options = {}) => {
    const result = cast('float', input, options);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('numeric caster', () => {
  it.each<[RawValue, string | null, CastOptions?]>([
    ['19.90', '19.90'],
    ['-12.50', '-12.50'],
    ['+5', '5'],
    ['007.5', '7.5'],
    ['.097', '0.097'],
    ['5.', '5'],
    ['-0', '0'],
    ['-0.00', '0.00'],
    ['12345678901234567890.123456789', '12345678901234567890.123456789'],
    ['1.5e3', '1500'],
    ['1.50e-2', '0.0150'],
    ['2E+2', '200'],
    ['-1,575', '-1.575', { decimalSeparator: ',' }],
    ['1.234.567,89', '1234567.89', { decimalSeparator: ',', thousandsSeparator: '.' }],
    ['', null],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [5e-7, '0.0000005'],
    [-3, '-3'],
    [123456789012345678901234567890n, '123456789012345678901234567890'],
  ])('reads %p as %p', (input, expected, options = {}) => {
    expect(cast('numeric', input, options)).toEqual({ ok: true, value: expected });
  });

  it.each<[RawValue, string]>([
    ['abc', 'not a number'],
    ['NaN', 'not a finite number'],
    ['1e5000', 'exponent out of range'],
    [Number.NaN, 'not a finite number'],
    [true, 'a boolean is not a number'],
  ])('rejects %p', (input, reason) => {
    const result = cast('numeric', input);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('number separator options', () => {
  it.each<[CastOptions, string]>([
    [{ decimalSeparator: ',', thousandsSeparator: ',' }, 'they must differ'],
    [{ decimalSeparator: ' ', thousandsSeparator: '\u00a0' }, 'they must differ'],
    [{ decimalSeparator: ',,' }, 'exactly one character'],
    [{ thousandsSeparator: '1' }, 'digits, signs and the letter e'],
    [{ decimalSeparator: 'e' }, 'digits, signs and the letter e'],
  ])('rejects %p at creation', (options, message) => {
    expect(() => createCaster('float', options)).toThrow(message);
  });
});
