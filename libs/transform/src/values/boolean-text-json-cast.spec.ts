import { type CastOptions, type RawValue, type Value } from '../types';
import { createCaster } from './index';

describe('boolean caster', () => {
  it.each<[RawValue, boolean | null, CastOptions?]>([
    ['true', true],
    ['TRUE', true],
    ['t', true],
    ['Yes', true],
    ['y', true],
    ['1', true],
    ['on', true],
    [' ON ', true],
    ['false', false],
    ['FALSE', false],
    ['f', false],
    ['No', false],
    ['n', false],
    ['0', false],
    ['off', false],
    ['', null],
    [null, null],
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    [0n, false],
    ['oui', true, { trueValues: ['oui', 'vrai'], falseValues: ['non', 'faux'] }],
    ['FAUX', false, { trueValues: ['oui', 'vrai'], falseValues: ['non', 'faux'] }],
    ['X', true, { trueValues: ['x'], falseValues: ['-'] }],
  ])('reads %p as %p', (input, expected, options = {}) => {
    expect(createCaster('boolean', options)(input)).toEqual({ ok: true, value: expected });
  });

  it.each<[RawValue, string, CastOptions?]>([
    ['maybe', 'not a boolean (expected one of true, t, yes, y, 1, on, false, f, no, n, 0, off)'],
    ['2', 'not a boolean (expected one of true, t, yes, y, 1, on, false, f, no, n, 0, off)'],
    [2, 'not a boolean (expected one of true, t, yes, y, 1, on, false, f, no, n, 0, off)'],
    ['yes', 'not a boolean (expected one of oui, non)', { trueValues: ['oui'], falseValues: ['non'] }],
    [{}, 'an object is not a boolean'],
  ])('rejects %p', (input, reason, options = {}) => {
    const result = createCaster('boolean', options)(input);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toBe(reason);
  });

  it.each<[CastOptions, string]>([
    [{ trueValues: ['yes'], falseValues: ['YES'] }, '"YES" is listed as both true and false'],
    [{ trueValues: [' '] }, 'a blank value cannot be true or false'],
  ])('rejects spellings %p at creation', (options, message) => {
    expect(() => createCaster('boolean', options)).toThrow(message);
  });
});

describe('text caster', () => {
  it.each<[RawValue, string | null]>([
    ['hello', 'hello'],
    ['', ''],
    ['   ', '   '],
    ['  padded  ', '  padded  '],
    ['00501', '00501'],
    ['北海道札幌市', '北海道札幌市'],
    [null, null],
    [1.5, '1.5'],
    [1e21, '1e+21'],
    [12n, '12'],
    [true, 'true'],
    [{ a: [1, 'x'] }, '{"a":[1,"x"]}'],
  ])('reads %p as %p', (input, expected) => {
    expect(createCaster('text')(input)).toEqual({ ok: true, value: expected });
  });

  it('rejects a NUL character', () => {
    const result = createCaster('text')('a\u0000b');

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain('NUL character');
  });
});

describe('json caster', () => {
  it.each<[RawValue, string | null]>([
    ['{"a": 1, "b": [true, null, "x"]}', '{"a":1,"b":[true,null,"x"]}'],
    [' [ 1 , 2 ] ', '[1,2]'],
    ['"text"', '"text"'],
    ['"caf\\u00e9 \\/ \\n"', '"café / \\n"'],
    ['1.0', '1'],
    ['1E3', '1000'],
    ['-0', '0'],
    ['0.1', '0.1'],
    ['{"id": 12345678901234567890}', '{"id":12345678901234567890}'],
    ['123456789012345678901234567890.5', '123456789012345678901234567890.5'],
    ['{"a":1,"a":2}', '{"a":1,"a":2}'],
    ['{}', '{}'],
    ['[]', '[]'],
    ['', null],
    [null, null],
    [{ id: 12345678901234567890n, tags: ['a'] }, '{"id":12345678901234567890,"tags":["a"]}'],
    [[1, undefined, 'x'], '[1,null,"x"]'],
    [{ skip: undefined, keep: 1 }, '{"keep":1}'],
    [42, '42'],
    [true, 'true'],
  ])('reads %p as %p', (input, expected) => {
    expect(createCaster('json')(input)).toEqual({ ok: true, value: expected });
  });

  it('matches JSON.stringify for ordinary documents', () => {
    const document = { name: 'Ana "A" Lima', amounts: [1.5, -2, 0.1, 1e-7, 3e21], nested: { ok: false, none: null } };
    const text = JSON.stringify(document, null, 2);

    expect(createCaster('json')(text)).toEqual({ ok: true, value: JSON.stringify(document) });
  });

  it.each<[string, string]>([
    ['{a: 1}', 'not valid JSON (expected a quoted key at character 2)'],
    ['[1, 2', 'not valid JSON'],
    ['{"a": 1} x', 'not valid JSON (unexpected text at character 10)'],
    ['01', 'not valid JSON'],
    ["'x'", 'not valid JSON'],
    ['"bad \\x escape"', 'not valid JSON (invalid escape'],
    ['"line\nbreak"', 'not valid JSON (control character'],
    ['"open', 'not valid JSON (a string is not closed)'],
    ['nul', 'not valid JSON'],
    ['['.repeat(300) + ']'.repeat(300), 'nested deeper than 256 levels'],
  ])('rejects %p', (input, reason) => {
    const result = createCaster('json')(input);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('createCaster options', () => {
  it.each<[Parameters<typeof createCaster>[0], CastOptions, string]>([
    ['integer', { format: 'dd/MM/yyyy' }, 'Cast option "format" does not apply to type integer'],
    ['date', { decimalSeparator: ',' }, 'Cast option "decimalSeparator" does not apply to type date'],
    ['text', { trueValues: ['x'] }, 'does not apply to type text'],
    ['float', { timeZone: 'UTC' } as CastOptions, 'Unknown cast option "timeZone"'],
  ])('rejects %p with %p', (type, options, message) => {
    expect(() => createCaster(type, options)).toThrow(message);
  });

  it('accepts a cast step as options', () => {
    const step = { op: 'cast', column: 'd', type: 'date', format: 'dd/MM/yyyy' } as CastOptions;

    expect(createCaster('date', step)('03/04/2021')).toEqual({ ok: true, value: '2021-04-03' });
  });

  it.each<[Parameters<typeof createCaster>[0], Value]>([
    ['integer', 5n],
    ['float', 2.5],
    ['numeric', '-12.50'],
    ['boolean', true],
    ['date', '2021-04-03'],
    ['timestamp', '2021-04-03T10:11:12.5'],
    ['timestamptz', '2021-04-03T10:11:12.123456Z'],
    ['json', '{"a":[1,2]}'],
    ['text', 'x'],
  ])('%s passes its own typed value through unchanged', (type, value) => {
    expect(createCaster(type)(value)).toEqual({ ok: true, value });
  });
});
