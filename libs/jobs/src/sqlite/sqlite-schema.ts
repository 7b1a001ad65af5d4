import Database from 'better-sqlite3';

/** Schema version in `PRAGMA user_version`; bump it with a migration when the tables change. */
export const SCHEMA_VERSION = 1;

// Times are milliseconds since the epoch. payload, backoff, progress and
// result are JSON text. A running job holds a lease: lease_token names the
// claim, and only that claim may renew, complete, fail or release the job.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL,
  idempotency_key TEXT,
  max_attempts INTEGER NOT NULL,
  backoff TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at INTEGER NOT NULL,
  lease_token TEXT,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  cancel_requested_at INTEGER,
  progress TEXT NOT NULL,
  result TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency_key ON jobs (type, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- The claim order within a type: priority, then the time the job became due,
-- then submit order. Engines claim each type's free slots separately, so the
-- type leads and a claim reads only the first due entries of its type.
DROP INDEX IF EXISTS jobs_due;
CREATE INDEX IF NOT EXISTS jobs_queued_by_type ON jobs (type, priority, run_at, id)
  WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS jobs_lease_expiry ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at)
  WHERE status IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX IF NOT EXISTS jobs_status_id ON jobs (status, id);
CREATE INDEX IF NOT EXISTS jobs_type_id ON jobs (type, id);

CREATE TABLE IF NOT EXISTS job_logs (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
) STRICT, WITHOUT ROWID;
`;

export interface OpenOptions {
  busyTimeoutMs: number;
  /** FULL for job state, so a committed claim or completion survives a power loss; NORMAL for progress and logs. */
  synchronous: 'FULL' | 'NORMAL';
}

/** Opens a connection with WAL, the busy timeout and foreign keys, and creates or checks the schema. */
export function openJobDatabase(file: string, options: OpenOptions): Database.Database {
  const db = new Database(file, { timeout: options.busyTimeoutMs });

  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('foreign_keys = ON');

    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;

      if (version > SCHEMA_VERSION) {
        throw new Error(
          `The job database ${file} has schema version ${version}, newer than this engine's ${SCHEMA_VERSION}; upgrade the worker.`,
        );
      }

      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } catch (error) {
    db.close();
    throw error;
  }

  return db;
}
