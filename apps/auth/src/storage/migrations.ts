/**
 * Schema versions of the auth database, applied in order; `user_version`
 * records the last one applied. Never edit a released migration: append one.
 * Times are milliseconds since the Unix epoch (INTEGER), so comparisons and
 * expiry arithmetic need no parsing.
 */
export const AUTH_MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description:
      'users, roles, identities, sessions, refresh tokens, login attempts, sign-in flows',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        -- lower-cased e-mail: two spellings of one address are one account.
        email_key TEXT NOT NULL UNIQUE,
        -- argon2id PHC string, or NULL for users who sign in only through an identity provider.
        password_hash TEXT,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_sign_in_at INTEGER
      ) STRICT;

      CREATE TABLE user_roles (
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        workspace TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
        PRIMARY KEY (user_id, workspace, role)
      ) STRICT;

      CREATE INDEX user_roles_by_workspace ON user_roles (workspace, role);

      -- Accounts at identity providers, by the provider's stable subject id.
      CREATE TABLE user_identities (
        provider TEXT NOT NULL,
        subject TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (provider, subject)
      ) STRICT;

      -- A session is one refresh-token family: every rotation stays in it.
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        workspace TEXT NOT NULL,
        method TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_refreshed_at INTEGER,
        revoked_at INTEGER,
        revoke_reason TEXT
      ) STRICT;

      CREATE INDEX sessions_by_user ON sessions (user_id);

      -- Only a SHA-256 of each token's secret part is stored.
      CREATE TABLE refresh_tokens (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        secret_hash BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) STRICT;

      CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

      CREATE TABLE login_attempts (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        client TEXT NOT NULL,
        account TEXT NOT NULL,
        succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
      ) STRICT;

      CREATE INDEX login_attempts_by_client ON login_attempts (client, at);

      -- Failed logins in a row per account (an e-mail key, whether or not a user has it).
      CREATE TABLE account_lockouts (
        account TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until INTEGER
      ) STRICT;

      -- Identity-provider sign-ins under way, by a SHA-256 of their state value.
      CREATE TABLE oidc_flows (
        state_hash TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        nonce TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        browser_hash TEXT NOT NULL,
        return_to TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE service_state (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];
