/**
 * Schema versions, applied in order; the database's `user_version` records the
 * last one applied. Never edit a released migration: append a new one.
 */
export const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'settings, configuration, secrets, service instances, identity providers, CA',
    sql: `
      CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      -- scope is '*' for global entries, otherwise a service name.
      CREATE TABLE config_entries (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      ) STRICT;

      -- AES-256-GCM with a 96-bit nonce; the secret name is the associated data.
      CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL,
        auth_tag BLOB NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE secret_entitlements (
        secret_name TEXT NOT NULL REFERENCES secrets (name) ON DELETE CASCADE,
        service TEXT NOT NULL,
        PRIMARY KEY (secret_name, service)
      ) STRICT;

      CREATE TABLE service_instances (
        id TEXT PRIMARY KEY,
        service TEXT NOT NULL,
        url TEXT NOT NULL,
        certificate_fingerprint TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        last_heartbeat_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;

      CREATE INDEX service_instances_by_expiry ON service_instances (expires_at);

      CREATE TABLE identity_providers (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        issuer TEXT NOT NULL,
        client_id TEXT NOT NULL,
        client_secret_name TEXT REFERENCES secrets (name) ON DELETE SET NULL,
        scopes TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE certificate_authority (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        certificate_pem TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        private_key_nonce BLOB NOT NULL,
        private_key_ciphertext BLOB NOT NULL,
        private_key_auth_tag BLOB NOT NULL,
        not_after TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE jwt_signing_keys (
        kid TEXT PRIMARY KEY,
        public_jwk TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
];
