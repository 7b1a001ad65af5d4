import { z } from 'zod';

import { loadConfig } from './load-config';
import { dataDirectory, findSecretProblem, flag, logLevel, port, secretString } from './setting-helpers';

const GOOD_SECRET = 'h7Kp2Qx9Lm4Vn8Rt3Wz6Yb1Cd5Fg0JsE';

describe('secretString', () => {
  it('accepts a random value', () => {
    expect(secretString().parse(GOOD_SECRET)).toBe(GOOD_SECRET);
  });

  it.each([
    ['empty', '', 'is empty'],
    ['padded', ` ${GOOD_SECRET} `, 'has leading or trailing whitespace'],
    ['short', 'h7Kp2Qx9Lm4Vn8Rt', 'is shorter than 32 characters'],
    ['changeme', 'changeme', 'is shorter than 32 characters'],
    ['placeholder', 'CHANGE-ME-please-9f8e7d6c5b4a3210zyx', 'contains the well-known word "changeme"'],
    ['password', 'Password_1234567890_qwXzRtYuIoPaSdF', 'contains the well-known word "password"'],
    ['secret', 'my-secret-for-the-registry-9876543210', 'contains the well-known word "secret"'],
    ['default', 'default-value-0000000000-1111111111', 'contains the well-known word "default"'],
    ['one character', 'a'.repeat(40), 'repeats a short pattern'],
    ['pattern', 'xK9!'.repeat(10), 'repeats a short pattern'],
    ['few characters', 'aabbccddaabbccdd12aabbccddaabbccdd21', 'uses fewer than 8 distinct characters'],
  ])('rejects a %s value', (_case, value, problem) => {
    expect(findSecretProblem(value)).toEqual(expect.stringContaining(problem));
    expect(secretString().safeParse(value).success).toBe(false);
  });

  it('rejects a non-string', () => {
    const result = secretString().safeParse(12345);

    expect(result.error?.issues[0].message).toBe('must be a string');
  });
});

describe('port', () => {
  it.each([
    [0, 0],
    [4000, 4000],
    ['4000', 4000],
    [' 65535 ', 65535],
  ])('accepts %p', (input, expected) => {
    expect(port().parse(input)).toBe(expected);
  });

  it.each([[-1], [65536], ['80a'], ['0x50'], ['1e3'], [''], [3.5], [true]])('rejects %p', (input) => {
    expect(port().safeParse(input).success).toBe(false);
  });
});

describe('logLevel', () => {
  it('defaults to info', () => {
    expect(loadConfig(z.object({ level: logLevel() }), {}).level).toBe('info');
  });

  it('reads ROKKS_LOG_LEVEL', () => {
    expect(loadConfig(z.object({ level: logLevel() }), { env: { ROKKS_LOG_LEVEL: 'warn' } }).level).toBe('warn');
  });

  it('rejects an unknown level', () => {
    expect(logLevel().safeParse('verbose').success).toBe(false);
  });
});

describe('dataDirectory', () => {
  it('defaults to .rokks under the working directory', () => {
    expect(loadConfig(z.object({ dir: dataDirectory({ cwd: '/opt/app' }) }), {}).dir).toBe('/opt/app/.rokks');
  });

  it('resolves ROKKS_DATA_DIR against the working directory', () => {
    const schema = z.object({ dir: dataDirectory({ cwd: '/opt/app' }) });

    expect(loadConfig(schema, { env: { ROKKS_DATA_DIR: 'state' } }).dir).toBe('/opt/app/state');
    expect(loadConfig(schema, { env: { ROKKS_DATA_DIR: '/var/lib/rokks' } }).dir).toBe('/var/lib/rokks');
  });

  it('rejects a blank path', () => {
    expect(dataDirectory().safeParse('   ').success).toBe(false);
  });
});

describe('flag', () => {
  it.each([
    [true, true],
    ['yes', true],
    ['1', true],
    ['off', false],
    [false, false],
  ])('reads %p', (input, expected) => {
    expect(flag().parse(input)).toBe(expected);
  });

  it('rejects other text', () => {
    expect(flag().safeParse('maybe').success).toBe(false);
  });
});
