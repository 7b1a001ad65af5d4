import { mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { AUTH_MIGRATIONS } from './migrations';

export type AuthDatabase = Database.Database;

const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (or creates) `<serviceDataDir>/auth.sqlite`: WAL journal,
 * `synchronous=FULL` so a committed sign-out or role change survives a
 * crash, foreign keys on, then the schema migrations.
 *
 * @throws Error when the file cannot be opened, fails its integrity check
 * or was written by a newer schema.
 */
export function openAuthDatabase(serviceDataDir: string): AuthDatabase {
  mkdirSync(serviceDataDir, { recursive: true });

  const filePath = path.join(serviceDataDir, 'auth.sqlite');
  const database = new Database(filePath);

  try {
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    checkIntegrity(database, filePath);
    migrate(database, filePath);
  } catch (error) {
    database.close();
    throw error;
  }

  return database;
}

function checkIntegrity(database: AuthDatabase, filePath: string): void {
  const rows = database.pragma('quick_check') as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((message) => message !== 'ok');

  if (problems.length > 0) {
    throw new Error(
      `The auth database ${filePath} is damaged (${problems.slice(0, 3).join('; ')}). Restore it from a backup.`,
    );
  }
}

function migrate(database: AuthDatabase, filePath: string): void {
  const current = database.pragma('user_version', { simple: true }) as number;
  const latest = AUTH_MIGRATIONS[AUTH_MIGRATIONS.length - 1].version;

  if (current > latest) {
    throw new Error(
      `The auth database ${filePath} has schema version ${current}, but this build supports versions up to ${latest}. Run a newer auth service.`,
    );
  }

  for (const migration of AUTH_MIGRATIONS) {
    if (migration.version > current) {
      database.transaction(() => {
        database.exec(migration.sql);
        database.pragma(`user_version = ${migration.version}`);
      })();
    }
  }
}
