import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { SecretCipher } from '../crypto/secret-cipher';
import { SecretStore } from '../secrets/secret.store';
import { ConfigStore } from '../settings/config.store';
import { openRegistryDatabase } from './registry-database';

const REPOSITORY_ROOT = path.resolve(__dirname, '../../../..');
const WRITE_LOOP = path.join(__dirname, '../testing/write-loop.ts');

/**
 * Runs the write loop until it has reported `minimumCommits` commits and a
 * random extra moment has passed, kills it with SIGKILL, and returns the last
 * index it reported as committed.
 */
function writeUntilKilled(
  databasePath: string,
  firstIndex: number,
  masterKeyHex: string,
  minimumCommits: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register', WRITE_LOOP, databasePath, String(firstIndex), masterKeyHex],
      {
        cwd: REPOSITORY_ROOT,
        env: {
          PATH: process.env.PATH,
          TS_NODE_TRANSPILE_ONLY: 'true',
          TS_NODE_PROJECT: path.join(REPOSITORY_ROOT, 'tsconfig.spec.json'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let lastCommitted = -1;
    let buffered = '';
    let errors = '';
    let killScheduled = false;

    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();

      const lines = buffered.split('\n');

      buffered = lines.pop() ?? '';

      for (const line of lines) {
        lastCommitted = Number(line.replace('committed ', ''));
      }

      if (!killScheduled && lastCommitted - firstIndex + 1 >= minimumCommits) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 50));
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`The write loop exited before it was killed: ${errors}`));

        return;
      }

      resolve(lastCommitted);
    });
  });
}

describe('registry database after SIGKILL', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'rokks-crash-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('reopens intact with every reported commit', async () => {
    const databasePath = path.join(directory, 'registry.sqlite');
    const masterKey = randomBytes(32);
    let nextIndex = 0;

    openRegistryDatabase(databasePath).close();

    for (let round = 0; round < 3; round += 1) {
      const lastCommitted = await writeUntilKilled(
        databasePath,
        nextIndex,
        masterKey.toString('hex'),
        200,
      );

      expect(lastCommitted).toBeGreaterThanOrEqual(nextIndex + 199);

      // openRegistryDatabase runs PRAGMA integrity_check and throws on damage.
      const database = openRegistryDatabase(databasePath);

      try {
        expect(database.pragma('integrity_check', { simple: true })).toBe('ok');

        const entries = new ConfigStore(database).resolve('worker');
        const secrets = new SecretStore(database, new SecretCipher(masterKey), () => undefined);

        for (let index = 0; index <= lastCommitted; index += 1) {
          expect(entries[`entry-${index}`]).toEqual(expect.objectContaining({ index }));
        }

        // Spot-check that committed secrets still decrypt, including the last one.
        for (const index of [0, Math.floor(lastCommitted / 2), lastCommitted]) {
          expect(secrets.get(`SECRET_${index}`)).toMatch(new RegExp(`^value-${index}-x+$`));
        }

        const stored = database
          .prepare("SELECT count(*) AS count FROM config_entries WHERE scope = '*'")
          .get() as {
          count: number;
        };

        const storedSecrets = database.prepare('SELECT count(*) AS count FROM secrets').get() as {
          count: number;
        };

        // The loop may have committed one more round after its last report,
        // and each round writes the entry and the secret together.
        expect(stored.count - (lastCommitted + 1)).toBeLessThanOrEqual(1);
        expect(storedSecrets.count).toBe(stored.count);
        nextIndex = stored.count;
      } finally {
        database.close();
      }
    }
  }, 60_000);
});
