import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { run } from './main';
import { SessionStore } from './session-store';

describe('rokks command line', () => {
  let configDir: string;
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;

  beforeEach(() => {
    configDir = mkdtempSync(path.join(tmpdir(), 'rokks-cli-'));
    process.env.ROKKS_CONFIG_DIR = configDir;
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    stderr.mockRestore();
    stdout.mockRestore();
    delete process.env.ROKKS_CONFIG_DIR;
    rmSync(configDir, { recursive: true, force: true });
  });

  function printed(spy: jest.SpyInstance): string {
    return spy.mock.calls.map((call) => String(call[0])).join('');
  }

  it('prints the usage for --help', async () => {
    expect(await run(['--help'])).toBe(0);
    expect(printed(stdout)).toContain('import FILE --table NAME');
  });

  it('rejects an unknown command with 2', async () => {
    expect(await run(['frobnicate'])).toBe(2);
    expect(printed(stderr)).toContain('Unknown command frobnicate');
  });

  it('rejects an unknown option with 2', async () => {
    expect(await run(['tables', '--colour'])).toBe(2);
    expect(printed(stderr)).toContain("Unknown option '--colour'");
  });

  it('asks for a login first with 3', async () => {
    expect(await run(['tables'])).toBe(3);
    expect(printed(stderr)).toContain('rokks login');
  });

  it('rejects an invalid mode before any request', async () => {
    expect(await run(['import', 'data.csv', '--table', 't', '--mode', 'merge'])).toBe(2);
    expect(printed(stderr)).toContain('Invalid --mode merge');
  });

  it('rejects upsert without a key', async () => {
    expect(await run(['import', 'data.csv', '--table', 't', '--mode', 'upsert'])).toBe(2);
    expect(printed(stderr)).toContain('--key');
  });

  it('rejects a password on the command line', async () => {
    expect(await run(['login', '--email', 'a@example.com'])).toBe(2);
    expect(printed(stderr)).toContain('--password-stdin');
  });

  it('reports an unreachable platform with 1', async () => {
    // Nothing listens on port 9 (discard) of loopback here, so the connection is refused.
    new SessionStore(configDir).write({
      url: 'http://127.0.0.1:9',
      email: 'a@example.com',
      accessToken: 'token',
      expiresAt: Date.now() + 600_000,
      refreshCookie: 'rokks_refresh=x',
    });

    expect(await run(['query', 'SELECT 1'])).toBe(1);
    expect(printed(stderr)).toContain('Cannot reach Rokks at http://127.0.0.1:9');
  });
});
