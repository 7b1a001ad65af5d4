import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import Database from 'better-sqlite3';

import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ReadinessChecks, ServiceContext } from '@rokks/service-kit';

import { DAY_MS, type WorkerSettings } from '../worker.settings';

/** One audit entry. `id` grows with every append; `at` is ISO 8601 UTC. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

/** Entry fields a caller sends; the log sets `id` and `at`. */
export interface AuditRecord {
  actor: string;
  action: string;
  target?: string | null;
  details?: unknown;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** Entries at or after this time. */
  since?: Date;
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** A page of entries, newest first; a null `nextCursor` means the end. */
export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export const AUDIT_DEFAULT_PAGE_SIZE = 50;
export const AUDIT_MAX_PAGE_SIZE = 500;

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
}

// The triggers reject every UPDATE and every DELETE, except a DELETE of an
// entry older than `retention_guard.cutoff` while that column is set. Only
// the pruner sets it, inside its transaction, and it clears it again before
// the commit, so other connections always read it as NULL.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
CREATE TABLE IF NOT EXISTS retention_guard (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  cutoff TEXT
);
INSERT OR IGNORE INTO retention_guard (only_row, cutoff) VALUES (1, NULL);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit log entries cannot be changed');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (
  SELECT 1 FROM retention_guard WHERE cutoff IS NOT NULL AND OLD.at < cutoff
)
BEGIN
  SELECT RAISE(ABORT, 'audit log entries cannot be deleted');
END;
`;

/** Invalid query value; the HTTP layer returns 400 naming `field`. */
export class AuditQueryError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuditQueryError';
  }
}

function encodeCursor(id: number): string {
  return Buffer.from(`a:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^a:(\d{1,15})$/u.exec(Buffer.from(cursor, 'base64url').toString());

  if (match === null) {
    throw new AuditQueryError('cursor', 'Invalid cursor: pass the nextCursor of a previous page.');
  }

  return Number(match[1]);
}

/**
 * The append-only audit log: a SQLite table in the worker's data dir (WAL,
 * `synchronous=FULL`, so an acknowledged entry survives a power loss).
 * Entries are only appended and read, because triggers reject UPDATE and DELETE.
 * The one exception is the retention pruner (`pruneExpired`), which deletes
 * entries older than `AUDIT_RETENTION_DAYS` under the retention guard.
 */
@Injectable()
export class AuditLog implements OnModuleInit, OnApplicationShutdown {
  private db: Database.Database | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: ServiceContext<WorkerSettings>,
    private readonly readiness: ReadinessChecks,
    @InjectPinoLogger('AuditLog') private readonly logger: PinoLogger,
  ) {}

  /** Path of the database file. */
  get file(): string {
    return join(this.context.serviceDataDir, 'audit.db');
  }

  onModuleInit(): void {
    mkdirSync(dirname(this.file), { recursive: true });

    const db = new Database(this.file);

    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    this.db = db;
    this.readiness.register('audit', () => {
      db.prepare('SELECT 1').get();

      return Promise.resolve({});
    });
    this.pruneExpired();
    this.pruneTimer = setInterval(() => {
      try {
        this.pruneExpired();
      } catch (error) {
        this.logger.error({ err: error }, 'audit retention failed');
      }
    }, this.context.settings.auditPruneIntervalMs);
    this.pruneTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruneTimer);
    this.db?.close();
    this.db = undefined;
  }

  /** Appends an entry and returns it. */
  append(record: AuditRecord): AuditEntry {
    const at = new Date().toISOString();
    const details = record.details === undefined ? null : JSON.stringify(record.details);
    const row = this.database
      .prepare<[string, string, string, string | null, string | null], { id: number }>(
        'INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?) RETURNING id',
      )
      .get(at, record.actor, record.action, record.target ?? null, details);

    return {
      id: row?.id ?? 0,
      at,
      actor: record.actor,
      action: record.action,
      target: record.target ?? null,
      details: record.details ?? null,
    };
  }

  /** Lists entries newest first (by id, so pages are stable while entries are appended). */
  list(query: AuditQuery = {}): AuditPage {
    const limit = query.limit ?? AUDIT_DEFAULT_PAGE_SIZE;
    const conditions: string[] = [];
    const values: (string | number)[] = [];

    if (query.cursor !== undefined) {
      conditions.push('id < ?');
      values.push(decodeCursor(query.cursor));
    }

    if (query.actor !== undefined) {
      conditions.push('actor = ?');
      values.push(query.actor);
    }

    if (query.action !== undefined) {
      conditions.push('action = ?');
      values.push(query.action);
    }

    if (query.since !== undefined) {
      conditions.push('at >= ?');
      values.push(query.since.toISOString());
    }

    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = this.database
      .prepare<(string | number)[], AuditRow>(
        `SELECT id, at, actor, action, target, details FROM audit_log ${where} ORDER BY id DESC LIMIT ?`,
      )
      .all(...values, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);

    return {
      entries: page.map((row) => ({
        ...row,
        details: row.details === null ? null : (JSON.parse(row.details) as unknown),
      })),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null,
    };
  }

  /** Deletes entries older than the audit retention; returns how many. */
  pruneExpired(now = new Date()): number {
    const cutoff = new Date(now.getTime() - this.context.settings.auditRetentionDays * DAY_MS);
    const db = this.database;
    const removed = db.transaction(() => {
      db.prepare('UPDATE retention_guard SET cutoff = ? WHERE only_row = 1').run(
        cutoff.toISOString(),
      );

      const result = db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff.toISOString());

      db.prepare('UPDATE retention_guard SET cutoff = NULL WHERE only_row = 1').run();

      return result.changes;
    })();

    if (removed > 0) {
      this.logger.info({ removed, cutoff: cutoff.toISOString() }, 'audit entries expired');
    }

    return removed;
  }

  private get database(): Database.Database {
    if (this.db === undefined) {
      throw new Error('The audit log is closed.');
    }

    return this.db;
  }
}
