import { randomUUID } from 'node:crypto';

import { ROLES, type Role } from '@rokks/auth-guard';

import { AuthError } from '../auth.errors';
import { type AuthDatabase } from '../storage/auth-database';

/** A stored user, without the password hash. */
export interface UserRecord {
  id: string;
  email: string;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
}

interface UserRow {
  id: string;
  email: string;
  email_key: string;
  password_hash: string | null;
  disabled: number;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
}

/** Returns the key two spellings of one address share: trimmed and lower-cased. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Users, their roles per workspace and their identity-provider accounts. */
export class UserStore {
  constructor(private readonly database: AuthDatabase) {}

  count(): number {
    return (this.database.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  findById(id: string): UserRecord | undefined {
    const row = this.database.prepare('SELECT * FROM users WHERE id = ?').get(id) as
      UserRow | undefined;

    return row === undefined ? undefined : toRecord(row);
  }

  findByEmail(email: string): UserRecord | undefined {
    return this.findRowByEmail(email).map(toRecord)[0];
  }

  /** Returns the user and its password hash (null for identity-provider-only users). */
  findCredentials(email: string): { user: UserRecord; passwordHash: string | null } | undefined {
    const row = this.findRowByEmail(email)[0];

    return row === undefined ? undefined : { user: toRecord(row), passwordHash: row.password_hash };
  }

  /**
   * Creates a user with roles in one workspace.
   *
   * @throws AuthError EMAIL_TAKEN when another user has the address.
   */
  create(
    input: { email: string; passwordHash: string | null; workspace: string; roles: Role[] },
    now = Date.now(),
  ): UserRecord {
    const id = randomUUID();

    this.database.transaction(() => {
      if (this.findRowByEmail(input.email).length > 0) {
        throw new AuthError(
          'EMAIL_TAKEN',
          `A user with the e-mail ${input.email.trim()} exists already.`,
        );
      }

      this.database
        .prepare(
          `INSERT INTO users (id, email, email_key, password_hash, disabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, 0, ?, ?)`,
        )
        .run(id, input.email.trim(), emailKey(input.email), input.passwordHash, now, now);
      this.writeRoles(id, input.workspace, input.roles);
    })();

    return this.findById(id) as UserRecord;
  }

  /** Lists every user, oldest first. */
  list(): UserRecord[] {
    const rows = this.database
      .prepare('SELECT * FROM users ORDER BY created_at, id')
      .all() as UserRow[];

    return rows.map(toRecord);
  }

  /** Returns the user's roles in the workspace, least privileged first. */
  rolesIn(userId: string, workspace: string): Role[] {
    const rows = this.database
      .prepare('SELECT role FROM user_roles WHERE user_id = ? AND workspace = ?')
      .all(userId, workspace) as { role: Role }[];
    const granted = new Set(rows.map((row) => row.role));

    return ROLES.filter((role) => granted.has(role));
  }

  /** Returns every workspace the user has a role in, with those roles. */
  workspacesOf(userId: string): Record<string, Role[]> {
    const rows = this.database
      .prepare('SELECT workspace, role FROM user_roles WHERE user_id = ? ORDER BY workspace')
      .all(userId) as { workspace: string; role: Role }[];
    const result: Record<string, Role[]> = {};

    for (const row of rows) {
      (result[row.workspace] ??= []).push(row.role);
    }

    for (const workspace of Object.keys(result)) {
      result[workspace] = ROLES.filter((role) => result[workspace].includes(role));
    }

    return result;
  }

  /** Replaces the user's roles in the workspace. */
  setRoles(userId: string, workspace: string, roles: Role[], now = Date.now()): void {
    this.database.transaction(() => {
      this.writeRoles(userId, workspace, roles);
      this.touch(userId, now);
    })();
  }

  setDisabled(userId: string, disabled: boolean, now = Date.now()): void {
    this.database
      .prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?')
      .run(disabled ? 1 : 0, now, userId);
  }

  setPasswordHash(userId: string, passwordHash: string, now = Date.now()): void {
    this.database
      .prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?')
      .run(passwordHash, now, userId);
  }

  markSignedIn(userId: string, now = Date.now()): void {
    this.database.prepare('UPDATE users SET last_sign_in_at = ? WHERE id = ?').run(now, userId);
  }

  /** Deletes the user with its roles, identities and sessions; returns false when it did not exist. */
  delete(userId: string): boolean {
    return this.database.prepare('DELETE FROM users WHERE id = ?').run(userId).changes > 0;
  }

  findByIdentity(provider: string, subject: string): UserRecord | undefined {
    const row = this.database
      .prepare(
        `SELECT u.* FROM user_identities i JOIN users u ON u.id = i.user_id
         WHERE i.provider = ? AND i.subject = ?`,
      )
      .get(provider, subject) as UserRow | undefined;

    return row === undefined ? undefined : toRecord(row);
  }

  linkIdentity(provider: string, subject: string, userId: string, now = Date.now()): void {
    this.database
      .prepare(
        `INSERT INTO user_identities (provider, subject, user_id, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (provider, subject) DO NOTHING`,
      )
      .run(provider, subject, userId, now);
  }

  private findRowByEmail(email: string): UserRow[] {
    const row = this.database
      .prepare('SELECT * FROM users WHERE email_key = ?')
      .get(emailKey(email)) as UserRow | undefined;

    return row === undefined ? [] : [row];
  }

  private writeRoles(userId: string, workspace: string, roles: Role[]): void {
    this.database
      .prepare('DELETE FROM user_roles WHERE user_id = ? AND workspace = ?')
      .run(userId, workspace);

    const insert = this.database.prepare(
      'INSERT INTO user_roles (user_id, workspace, role) VALUES (?, ?, ?)',
    );

    for (const role of new Set(roles)) {
      insert.run(userId, workspace, role);
    }
  }

  private touch(userId: string, now: number): void {
    this.database.prepare('UPDATE users SET updated_at = ? WHERE id = ?').run(now, userId);
  }
}

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    disabled: row.disabled === 1,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSignInAt: row.last_sign_in_at,
  };
}
