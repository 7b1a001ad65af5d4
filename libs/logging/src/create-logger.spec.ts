import { createLogger } from './create-logger';
import { registerSecretValue } from './secret-values';
import { MemoryDestination } from './testing/memory-destination';

const SECRET = 'k3Y-9f1a7c0e4b2d8a6f_reg1stered';

describe('createLogger', () => {
  let destination: MemoryDestination;

  beforeAll(() => {
    registerSecretValue(SECRET);
  });

  beforeEach(() => {
    destination = new MemoryDestination();
  });

  it('writes JSON lines with service, ISO time and level label', () => {
    const logger = createLogger({ service: 'worker', destination });

    logger.info({ rows: 3 }, 'load finished');

    const [record] = destination.records();

    expect(record['service']).toBe('worker');
    expect(record['level']).toBe('info');
    expect(record['msg']).toBe('load finished');
    expect(record['rows']).toBe(3);
    expect(record['time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('honours the level', () => {
    const logger = createLogger({ service: 'worker', level: 'warn', destination });

    logger.info('hidden');
    logger.warn('shown');

    expect(destination.records().map((record) => record['msg'])).toEqual(['shown']);
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ service: 'worker', level: 'verbose', destination })).toThrow(
      'Invalid log level "verbose"',
    );
  });

  it('redacts secret-looking keys at any depth', () => {
    const logger = createLogger({ service: 'worker', destination });

    logger.info(
      {
        user: { email: 'a@example.com', password: 'hunter2hunter2' },
        source: { auth: { apiKey: 'ak-123456', refresh_token: 'rt-abcdef' } },
        headers: { Authorization: 'Basic dXNlcjpwYXNz', Cookie: 'sid=1' },
        list: [{ clientSecret: 'cs-998877' }],
        jwk: { kty: 'EC', crv: 'P-256', x: 'public-x', d: 'private-d' },
        promptTokens: 12,
      },
      'connector configured',
    );

    const text = destination.text;
    const [record] = destination.records();

    for (const leaked of ['hunter2hunter2', 'ak-123456', 'rt-abcdef', 'dXNlcjpwYXNz', 'sid=1', 'cs-998877', 'private-d']) {
      expect(text).not.toContain(leaked);
    }

    expect(record['user']).toEqual({ email: 'a@example.com', password: '[REDACTED]' });
    expect(record['jwk']).toMatchObject({ x: 'public-x', d: '[REDACTED]' });
    expect(record['promptTokens']).toBe(12);
  });

  it('redacts secret-looking keys inside errors', () => {
    const logger = createLogger({ service: 'worker', destination });
    const error = Object.assign(new Error('request failed'), { config: { headers: { authorization: 'Bearer abc123' } } });

    logger.error({ err: error }, 'upstream call failed');

    const [record] = destination.records();
    const serialized = record['err'] as Record<string, unknown>;

    expect(destination.text).not.toContain('abc123');
    expect(serialized['message']).toBe('request failed');
    expect(serialized['stack']).toContain('request failed');
    expect(serialized['type']).toBe('Error');
  });

  it('scrubs a registered value from messages', () => {
    const logger = createLogger({ service: 'worker', destination });

    logger.info(`connecting with ${SECRET}`);

    expect(destination.text).not.toContain(SECRET);
    expect(destination.records()[0]['msg']).toBe('connecting with [REDACTED]');
  });

  it('scrubs a registered value from error messages and stacks', () => {
    const logger = createLogger({ service: 'worker', destination });

    logger.error({ err: new Error(`login failed for token ${SECRET}`) }, 'sign-in failed');
    logger.error(new Error(`bad ${SECRET}`));

    expect(destination.text).not.toContain(SECRET);
    expect(destination.text).toContain('login failed for token [REDACTED]');
  });

  it('scrubs a registered value from nested objects and arrays', () => {
    const logger = createLogger({ service: 'worker', destination });

    logger.info({ outer: { inner: { note: `x${SECRET}y` } }, values: ['a', SECRET] }, 'nested');

    expect(destination.text).not.toContain(SECRET);
    expect(destination.records()[0]['values']).toEqual(['a', '[REDACTED]']);
  });

  it('scrubs a registered value from child bindings', () => {
    const logger = createLogger({ service: 'worker', destination }).child({ connection: `postgres://u:${SECRET}@db/x` });

    logger.info('child line');

    expect(destination.text).not.toContain(SECRET);
  });

  it('scrubs JSON-escaped and URL-encoded spellings', () => {
    const quoted = 'pa"ss\\word-with/slashes&more';
    const logger = createLogger({ service: 'worker', destination });

    registerSecretValue(quoted);
    logger.info({ note: quoted, url: `https://example.test/?p=${encodeURIComponent(quoted)}` }, 'escaped');

    expect(destination.text).not.toContain(JSON.stringify(quoted).slice(1, -1));
    expect(destination.text).not.toContain(encodeURIComponent(quoted));
    expect(destination.records()[0]['note']).toBe('[REDACTED]');
  });

  it('scrubs private keys and JSON web tokens by pattern', () => {
    const logger = createLogger({ service: 'worker', destination });
    const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n';
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';

    logger.info({ pemText: pem, note: `got ${jwt}` }, 'material');

    expect(destination.text).not.toContain('MIGHAgEAMBMGByqGSM49');
    expect(destination.text).not.toContain(jwt);
  });

  it('keeps circular references from looping', () => {
    const logger = createLogger({ service: 'worker', destination });
    const cyclic: Record<string, unknown> = { name: 'loop' };

    cyclic['self'] = cyclic;
    logger.info({ cyclic }, 'cycle');

    expect(destination.records()[0]['cyclic']).toEqual({ name: 'loop', self: '[Circular]' });
  });
});
