import { randomUUID } from 'node:crypto';

import { type AuthDatabase } from '../storage/auth-database';
import {
  generateRefreshToken,
  hashRefreshSecret,
  parseRefreshToken,
  refreshSecretMatches,
} from './refresh-token.util';

/** A sign-in session: one refresh-token family. */
export interface SessionRecord {
  id: string;
  userId: string;
  workspace: string;
  /** `password` or `oidc:<provider>`. */
  method: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
}

/** Outcome of presenting a refresh token. */
export type RefreshOutcome =
  | { kind: 'rotated'; session: SessionRecord; refreshToken: string; refreshExpiresAt: number }
  | { kind: 'reused'; session: SessionRecord }
  | { kind: 'rejected'; reason: 'malformed' | 'unknown' | 'expired' | 'revoked' };

interface SessionRow {
  id: string;
  user_id: string;
  workspace: string;
  method: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
}

interface RefreshTokenRow {
  id: string;
  session_id: string;
  secret_hash: Buffer;
  expires_at: number;
  used_at: number | null;
}

/**
 * Sessions and their refresh tokens. Each refresh marks the presented
 * token used and issues the next one in the same session. A used token
 * presented again means it was copied, so the whole session is revoked,
 * unless it is the session's last used token and the grace window after its
 * use is still open: that is two tabs refreshing at once.
 */
export class SessionStore {
  constructor(private readonly database: AuthDatabase) {}

  /** Starts a session and returns it with its first refresh token. */
  create(
    input: {
      userId: string;
      workspace: string;
      method: string;
      maxAgeSeconds: number;
      refreshTtlSeconds: number;
    },
    now = Date.now(),
  ): { session: SessionRecord; refreshToken: string; refreshExpiresAt: number } {
    const id = randomUUID();
    const expiresAt = now + input.maxAgeSeconds * 1000;

    return this.database.transaction(() => {
      this.database
        .prepare(
          `INSERT INTO sessions (id, user_id, workspace, method, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(id, input.userId, input.workspace, input.method, now, expiresAt);

      const session = this.find(id) as SessionRecord;
      const issued = this.issue(session, input.refreshTtlSeconds, now);

      return { session, ...issued };
    })();
  }

  find(id: string): SessionRecord | undefined {
    const row = this.database.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as
      SessionRow | undefined;

    return row === undefined ? undefined : toSession(row);
  }

  /** Presents a refresh token: rotates it, or reports why it is rejected. */
  refresh(token: string, refreshTtlSeconds: number, reuseGraceSeconds = 0, now = Date.now()): RefreshOutcome {
    return this.database.transaction((): RefreshOutcome => {
      const found = this.lookUp(token);

      if ('reason' in found) {
        return { kind: 'rejected', reason: found.reason };
      }

      const { row, session } = found;

      if (session.revokedAt !== null) {
        return { kind: 'rejected', reason: 'revoked' };
      }

      if (row.used_at !== null) {
        if (session.expiresAt > now && this.withinReuseGrace(row, reuseGraceSeconds, now)) {
          // The other tab's rotation remains valid, and this request gets a token of its own.
          return { kind: 'rotated', session, ...this.issue(session, refreshTtlSeconds, now) };
        }

        this.revoke(session.id, 'refresh-token-reuse', now);

        return { kind: 'reused', session: this.find(session.id) as SessionRecord };
      }

      if (row.expires_at <= now || session.expiresAt <= now) {
        return { kind: 'rejected', reason: 'expired' };
      }

      this.database.prepare('UPDATE refresh_tokens SET used_at = ? WHERE id = ?').run(now, row.id);
      this.database
        .prepare('UPDATE sessions SET last_refreshed_at = ? WHERE id = ?')
        .run(now, session.id);

      return { kind: 'rotated', session, ...this.issue(session, refreshTtlSeconds, now) };
    })();
  }

  /** Returns the live session a refresh token belongs to, without rotating it. */
  sessionOf(token: string, now = Date.now()): SessionRecord | undefined {
    const found = this.lookUp(token);

    if ('reason' in found || found.session.revokedAt !== null || found.session.expiresAt <= now) {
      return undefined;
    }

    return found.session;
  }

  /** Revokes a session; a revoked one keeps its first reason. */
  revoke(sessionId: string, reason: string, now = Date.now()): void {
    this.database
      .prepare(
        'UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL',
      )
      .run(now, reason, sessionId);
  }

  /** Revokes every live session of a user; returns how many. */
  revokeAllOf(userId: string, reason: string, now = Date.now()): number {
    return this.database
      .prepare(
        'UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL',
      )
      .run(now, reason, userId).changes;
  }

  /** Deletes sessions that ended more than `retentionMs` ago, with their tokens. */
  prune(retentionMs: number, now = Date.now()): number {
    const cutoff = now - retentionMs;

    return this.database
      .prepare(
        'DELETE FROM sessions WHERE expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?)',
      )
      .run(cutoff, cutoff).changes;
  }

  /** Returns whether a used token is the session's last used one and was used less than the grace window ago. */
  private withinReuseGrace(row: RefreshTokenRow, reuseGraceSeconds: number, now: number): boolean {
    if (row.used_at === null || now - row.used_at > reuseGraceSeconds * 1000) {
      return false;
    }

    const latest = this.database
      .prepare('SELECT max(used_at) AS latest FROM refresh_tokens WHERE session_id = ?')
      .get(row.session_id) as { latest: number | null };

    return latest.latest === row.used_at;
  }

  private issue(
    session: SessionRecord,
    refreshTtlSeconds: number,
    now: number,
  ): { refreshToken: string; refreshExpiresAt: number } {
    const generated = generateRefreshToken();
    // A refresh token never outlives its session.
    const refreshExpiresAt = Math.min(now + refreshTtlSeconds * 1000, session.expiresAt);

    this.database
      .prepare(
        `INSERT INTO refresh_tokens (id, session_id, secret_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(generated.id, session.id, hashRefreshSecret(generated.secret), now, refreshExpiresAt);

    return { refreshToken: generated.token, refreshExpiresAt };
  }

  private lookUp(
    token: string,
  ): { row: RefreshTokenRow; session: SessionRecord } | { reason: 'malformed' | 'unknown' } {
    const parts = parseRefreshToken(token);

    if (parts === undefined) {
      return { reason: 'malformed' };
    }

    const row = this.database
      .prepare(
        'SELECT id, session_id, secret_hash, expires_at, used_at FROM refresh_tokens WHERE id = ?',
      )
      .get(parts.id) as RefreshTokenRow | undefined;

    if (row === undefined || !refreshSecretMatches(parts.secret, row.secret_hash)) {
      return { reason: 'unknown' };
    }

    return { row, session: this.find(row.session_id) as SessionRecord };
  }
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    workspace: row.workspace,
    method: row.method,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
  };
}
