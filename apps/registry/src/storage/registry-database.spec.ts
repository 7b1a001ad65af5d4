import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';

import { RegistryStartupError } from '../registry.errors';
import { MIGRATIONS } from './migrations';
import { openRegistryDatabase, schemaVersion } from './registry-database';

describe('openRegistryDatabase', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'rokks-registry-db-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('creates the schema with durable settings', () => {
    const database = openRegistryDatabase(path.join(directory, 'registry.sqlite'));

    try {
      expect(schemaVersion(database)).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(database.pragma('synchronous', { simple: true })).toBe(2);
      expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(database.pragma('foreign_keys', { simple: true })).toBe(1);

      const tables = (
        database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string;
        }[]
      )
        .map((row) => row.name)
        .sort();

      expect(tables).toEqual([
        'certificate_authority',
        'config_entries',
        'identity_providers',
        'jwt_signing_keys',
        'secret_entitlements',
        'secrets',
        'service_instances',
        'settings',
      ]);
    } finally {
      database.close();
    }
  });

  it('reopens without migrating again', () => {
    const filePath = path.join(directory, 'registry.sqlite');

    openRegistryDatabase(filePath).close();

    const database = openRegistryDatabase(filePath);

    expect(schemaVersion(database)).toBe(MIGRATIONS.length);
    database.close();
  });

  it('rejects a file that is not a database', () => {
    const filePath = path.join(directory, 'registry.sqlite');

    writeFileSync(filePath, Buffer.alloc(8192, 0x5a));

    expect(() => openRegistryDatabase(filePath)).toThrow(
      expect.objectContaining({
        code: 'DATABASE_CORRUPT',
        message: expect.stringContaining(filePath),
      }),
    );
  });

  it('rejects a database with a damaged page', () => {
    const filePath = path.join(directory, 'registry.sqlite');
    const database = openRegistryDatabase(filePath);

    const insert = database.prepare(
      "INSERT INTO config_entries VALUES ('*', ?, '\"x\"', '2024-01-01T00:00:00.000Z')",
    );

    for (let index = 0; index < 2000; index += 1) {
      insert.run(`key-${index}`);
    }

    database.pragma('wal_checkpoint(TRUNCATE)');
    database.close();

    // Overwrite the middle of the file, which contains b-tree pages of the table.
    const raw = new Database(filePath);
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const pageCount = raw.pragma('page_count', { simple: true }) as number;

    raw.close();

    const bytes = readFileSync(filePath);

    bytes.fill(
      0xff,
      pageSize * Math.floor(pageCount / 2),
      pageSize * (Math.floor(pageCount / 2) + 2),
    );
    writeFileSync(filePath, bytes);

    expect(() => openRegistryDatabase(filePath)).toThrow(RegistryStartupError);
    expect(() => openRegistryDatabase(filePath)).toThrow(/failed its integrity check/);
  });

  it('rejects a schema newer than this build', () => {
    const filePath = path.join(directory, 'registry.sqlite');
    const raw = new Database(filePath);

    raw.pragma('user_version = 999');
    raw.close();

    expect(() => openRegistryDatabase(filePath)).toThrow(
      expect.objectContaining({
        code: 'DATABASE_TOO_NEW',
        message: expect.stringContaining('schema version 999'),
      }),
    );
  });
});
