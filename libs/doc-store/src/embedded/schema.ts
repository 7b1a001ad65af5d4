import type Database from 'better-sqlite3';

import { DocStoreError } from '../doc-store.errors';

/** Schema version in `PRAGMA user_version`; bump it with a migration when the tables change. */
export const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS store_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;

INSERT OR IGNORE INTO store_meta (key, value) VALUES ('last_version', 0);

-- data is SQLite JSONB; queries read it with json_type, json_extract and json_each.
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  create_time TEXT NOT NULL,
  update_time TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (collection, id)
) STRICT;

-- Field paths that have a pair of virtual generated columns on documents.
CREATE TABLE IF NOT EXISTS query_fields (
  field TEXT PRIMARY KEY,
  column_stem TEXT NOT NULL UNIQUE
) STRICT;

-- Partial indexes created on demand, one per queried (collection, field).
CREATE TABLE IF NOT EXISTS field_indexes (
  collection TEXT NOT NULL,
  field TEXT NOT NULL,
  index_name TEXT NOT NULL UNIQUE,
  PRIMARY KEY (collection, field)
) STRICT;

-- One row per content file on disk; ref_count counts the blob paths that use it.
CREATE TABLE IF NOT EXISTS blob_objects (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  ref_count INTEGER NOT NULL CHECK (ref_count >= 0)
) STRICT;

CREATE TABLE IF NOT EXISTS blobs (
  path TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL REFERENCES blob_objects (sha256),
  size INTEGER NOT NULL,
  content_type TEXT,
  create_time TEXT NOT NULL,
  update_time TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS blobs_by_sha256 ON blobs (sha256);
`;

export interface ConnectionSettings {
  busyTimeoutMs: number;
}

/**
 * Sets the connection up and creates the tables. `synchronous = FULL` makes
 * every commit durable before it returns, also across a power loss. WAL
 * with NORMAL could lose the last commits then, and a blob row must never be
 * lost after the caller was told its bytes were stored.
 */
export function prepareDatabase(db: Database.Database, settings: ConnectionSettings): void {
  db.pragma(`busy_timeout = ${Math.trunc(settings.busyTimeoutMs)}`);

  const journalMode = db.pragma('journal_mode = WAL', { simple: true });

  if (journalMode !== 'wal') {
    throw new DocStoreError(
      'UNAVAILABLE',
      `Failed to switch the document database to WAL mode (it stays in ${String(journalMode)} mode).`,
    );
  }

  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');

  const version = db.pragma('user_version', { simple: true }) as number;

  if (version > SCHEMA_VERSION) {
    throw new DocStoreError(
      'UNAVAILABLE',
      `The document database has schema version ${version}, newer than version ${SCHEMA_VERSION} of this library; upgrade the service.`,
    );
  }

  db.transaction(() => {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
