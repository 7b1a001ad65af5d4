import Database from 'better-sqlite3';

import { RegistryStartupError } from '../registry.errors';
import { MIGRATIONS } from './migrations';

export type RegistryDatabase = Database.Database;

const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (or creates) the registry database: WAL journal, `synchronous=FULL` so
 * a committed transaction survives a crash or power loss, a busy timeout for
 * concurrent writers, foreign keys on, a full integrity check, then the schema
 * migrations. Throws `RegistryStartupError` when the file is damaged or was
 * written by a newer schema.
 */
export function openRegistryDatabase(filePath: string): RegistryDatabase {
  let database: RegistryDatabase;

  try {
    database = new Database(filePath);
  } catch (error) {
    throw new RegistryStartupError(
      'DATABASE_UNREADABLE',
      `Cannot open the registry database ${filePath}: ${describe(error)}. Check that the data directory exists and is writable.`,
      { cause: error },
    );
  }

  try {
    applyPragmas(database, filePath);
    checkIntegrity(database, filePath);
    migrate(database, filePath);
  } catch (error) {
    database.close();
    throw error;
  }

  return database;
}

/** Returns the schema version the database is at. */
export function schemaVersion(database: RegistryDatabase): number {
  return database.pragma('user_version', { simple: true }) as number;
}

function applyPragmas(database: RegistryDatabase, filePath: string): void {
  try {
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    throw corruptDatabase(filePath, describe(error), error);
  }
}

function checkIntegrity(database: RegistryDatabase, filePath: string): void {
  let problems: string[];

  try {
    const rows = database.pragma('integrity_check') as { integrity_check: string }[];

    problems = rows.map((row) => row.integrity_check).filter((message) => message !== 'ok');
  } catch (error) {
    throw corruptDatabase(filePath, describe(error), error);
  }

  if (problems.length > 0) {
    throw corruptDatabase(filePath, problems.slice(0, 5).join('; '));
  }
}

function migrate(database: RegistryDatabase, filePath: string): void {
  const current = schemaVersion(database);
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;

  if (current > latest) {
    throw new RegistryStartupError(
      'DATABASE_TOO_NEW',
      `The registry database ${filePath} has schema version ${current}, but this registry build knows versions up to ${latest}. Run a newer registry build.`,
    );
  }

  for (const migration of MIGRATIONS) {
    if (migration.version <= current) {
      continue;
    }

    // user_version lives in the database header, so it commits or rolls back
    // together with the migration's tables.
    database.transaction(() => {
      database.exec(migration.sql);
      database.pragma(`user_version = ${migration.version}`);
    })();
  }
}

function corruptDatabase(filePath: string, detail: string, cause?: unknown): RegistryStartupError {
  return new RegistryStartupError(
    'DATABASE_CORRUPT',
    `The registry database ${filePath} failed its integrity check (${detail}). Restore it from a backup; moving it aside starts an empty registry with a new CA and new secrets.`,
    { cause },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
