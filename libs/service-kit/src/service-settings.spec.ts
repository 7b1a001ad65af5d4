import { ConfigError, loadConfig } from '@rokks/config';

import { baseSettingsSchema, expandDottedKeys } from './service-settings';

describe('expandDottedKeys', () => {
  it('nests dotted keys', () => {
    expect(expandDottedKeys({ 'probe.timeoutMs': 100, 'probe.intervalMs': 5000, port: 1 })).toEqual(
      {
        probe: { timeoutMs: 100, intervalMs: 5000 },
        port: 1,
      },
    );
  });

  it('lets a value win over a longer key', () => {
    expect(expandDottedKeys({ 'a.b': 2, a: 1 })).toEqual({ a: 1 });
  });

  it('keeps undotted keys as they are', () => {
    expect(expandDottedKeys({ 'feature-flag': true })).toEqual({ 'feature-flag': true });
  });
});

describe('baseSettingsSchema', () => {
  const schema = baseSettingsSchema({ port: 4001 });

  it('defaults to the given port and loopback', () => {
    const settings = loadConfig(schema, { env: { ROKKS_DATA_DIR: '/tmp/rokks' } });

    expect(settings).toMatchObject({
      port: 4001,
      host: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      dataDir: '/tmp/rokks',
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
    expect(settings.microservicePort).toBeUndefined();
  });

  it('takes the environment over the registry', () => {
    const settings = loadConfig(schema, {
      env: { ROKKS_PORT: '4101', ROKKS_MICROSERVICE_PORT: '5101' },
      registry: { port: 4201, advertisedHost: 'auth' },
    });

    expect(settings.port).toBe(4101);
    expect(settings.microservicePort).toBe(5101);
    expect(settings.advertisedHost).toBe('auth');
  });

  it('lists every invalid setting at once', () => {
    let error: unknown;

    try {
      loadConfig(schema, { env: { ROKKS_PORT: 'eighty', ROKKS_SHUTDOWN_TIMEOUT_MS: '5' } });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.env)).toEqual([
      'ROKKS_PORT',
      'ROKKS_SHUTDOWN_TIMEOUT_MS',
    ]);
  });
});
