import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { describeJobEngineContract } from '../testing';
import { SqliteJobEngine } from './sqlite-job-engine';
import { SCHEMA_VERSION } from './sqlite-schema';

const directory = mkdtempSync(join(tmpdir(), 'jobs-sqlite-'));

function databaseFile(storeId: string): string {
  return join(directory, `${storeId}.db`);
}

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describeJobEngineContract('sqlite', {
  openEngine: async (storeId, options) =>
    SqliteJobEngine.open({ ...options, file: databaseFile(storeId), eventPollIntervalMs: 25 }),
  dropStore: async (storeId) => {
    await Promise.all(
      ['', '-wal', '-shm'].map(async (suffix) =>
        rm(`${databaseFile(storeId)}${suffix}`, { force: true }),
      ),
    );
  },
});

describe('SqliteJobEngine storage', () => {
  it('creates the database in WAL mode with the current schema', async () => {
    const file = databaseFile('storage-wal');
    const engine = await SqliteJobEngine.open({ file });

    await engine.submit({ type: 'ETL' });
    await engine.close();

    const db = new Database(file, { readonly: true });

    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT count(*) AS count FROM jobs').get()).toEqual({ count: 1 });
    db.close();
  });

  it('refuses a database with a newer schema', async () => {
    const file = databaseFile('storage-newer');
    const db = new Database(file);

    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();

    await expect(SqliteJobEngine.open({ file })).rejects.toThrow(/newer than this engine/u);
  });
});
