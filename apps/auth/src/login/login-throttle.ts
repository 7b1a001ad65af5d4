import { AuthError } from '../auth.errors';
import { type AuthDatabase } from '../storage/auth-database';

export interface LoginThrottleLimits {
  /** Attempts one client may make per window. */
  clientMaxAttempts: number;
  clientWindowSeconds: number;
  /** Failed attempts in a row after which the account is locked. */
  accountMaxFailures: number;
  lockoutSeconds: number;
}

/**
 * Rate limits for `POST /auth/login`, kept in the database so a restart
 * does not reset them. Two limits apply: attempts per client (an IP
 * address) in a sliding window, and failed attempts in a row per account.
 * The account is the lower-cased e-mail whether or not a user has it, so a
 * lockout reveals nothing about which addresses exist.
 */
export class LoginThrottle {
  constructor(
    private readonly database: AuthDatabase,
    private readonly limits: LoginThrottleLimits,
  ) {}

  /**
   * Throws when the client or the account may not try now.
   *
   * @throws AuthError TOO_MANY_ATTEMPTS (client) or ACCOUNT_LOCKED, each with `retryAfterSeconds`.
   */
  assertMayAttempt(client: string, account: string, now = Date.now()): void {
    const windowStart = now - this.limits.clientWindowSeconds * 1000;
    const recent = this.database
      .prepare(
        'SELECT count(*) AS n, min(at) AS oldest FROM login_attempts WHERE client = ? AND at > ?',
      )
      .get(client, windowStart) as { n: number; oldest: number | null };

    if (recent.n >= this.limits.clientMaxAttempts) {
      const retryAfterMs = (recent.oldest ?? now) + this.limits.clientWindowSeconds * 1000 - now;

      throw new AuthError(
        'TOO_MANY_ATTEMPTS',
        'Too many sign-in attempts from this client; wait and try again.',
        {
          retryAfterSeconds: toSeconds(retryAfterMs),
        },
      );
    }

    const lockout = this.database
      .prepare('SELECT locked_until FROM account_lockouts WHERE account = ?')
      .get(account) as { locked_until: number | null } | undefined;

    if (lockout?.locked_until != null && lockout.locked_until > now) {
      throw new AuthError(
        'ACCOUNT_LOCKED',
        'This account is locked after repeated failed sign-ins; wait and try again.',
        {
          retryAfterSeconds: toSeconds(lockout.locked_until - now),
        },
      );
    }
  }

  /**
   * Records an attempt. A failure counts towards the account's lockout, and
   * the failure that reaches the limit locks it; a success clears the count.
   * Returns whether this attempt locked the account.
   */
  record(
    client: string,
    account: string,
    succeeded: boolean,
    now = Date.now(),
  ): { locked: boolean } {
    return this.database.transaction(() => {
      this.database
        .prepare('INSERT INTO login_attempts (at, client, account, succeeded) VALUES (?, ?, ?, ?)')
        .run(now, client, account, succeeded ? 1 : 0);

      if (succeeded) {
        this.database.prepare('DELETE FROM account_lockouts WHERE account = ?').run(account);

        return { locked: false };
      }

      const row = this.database
        .prepare(
          `INSERT INTO account_lockouts (account, failures, locked_until) VALUES (?, 1, NULL)
           ON CONFLICT (account) DO UPDATE SET
             failures = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1 ELSE failures + 1 END,
             locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN NULL ELSE locked_until END
           RETURNING failures`,
        )
        .get(account, now, now) as { failures: number };

      if (row.failures < this.limits.accountMaxFailures) {
        return { locked: false };
      }

      this.database
        .prepare('UPDATE account_lockouts SET locked_until = ? WHERE account = ?')
        .run(now + this.limits.lockoutSeconds * 1000, account);

      return { locked: true };
    })();
  }

  /** Deletes attempts older than every window, and expired lockouts. */
  prune(now = Date.now()): void {
    const oldest =
      now - Math.max(this.limits.clientWindowSeconds, this.limits.lockoutSeconds) * 1000;

    this.database.prepare('DELETE FROM login_attempts WHERE at < ?').run(oldest);
    this.database
      .prepare('DELETE FROM account_lockouts WHERE locked_until IS NOT NULL AND locked_until < ?')
      .run(now);
  }
}

function toSeconds(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1000));
}
