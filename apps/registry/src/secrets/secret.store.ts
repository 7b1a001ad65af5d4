import { type SecretCipher } from '../crypto/secret-cipher';
import { type RegistryDatabase } from '../storage/registry-database';

/** A secret's metadata: the API never returns the value itself. */
export interface SecretSummary {
  name: string;
  /** Services that receive the value in their bootstrap response. */
  services: string[];
  updatedAt: string;
}

interface SecretRow {
  name: string;
  nonce: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
  updated_at: string;
}

/**
 * Secrets encrypted at rest (see `SecretCipher`), and the entitlement table
 * that lists which services receive each one. `onValue` is called with every
 * value the store reads or writes, so the caller can register it with the log
 * scrubber.
 */
export class SecretStore {
  constructor(
    private readonly database: RegistryDatabase,
    private readonly cipher: SecretCipher,
    private readonly onValue: (value: string) => void,
  ) {}

  /** Stores a secret; `services`, when given, replaces its entitlements. */
  set(name: string, value: string, services?: readonly string[], now = new Date()): SecretSummary {
    this.onValue(value);

    const encrypted = this.cipher.encrypt(value, name);
    const updatedAt = now.toISOString();

    this.database.transaction(() => {
      this.database
        .prepare(
          `INSERT INTO secrets (name, nonce, ciphertext, auth_tag, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,
             auth_tag = excluded.auth_tag, updated_at = excluded.updated_at`,
        )
        .run(name, encrypted.nonce, encrypted.ciphertext, encrypted.authTag, updatedAt);

      if (services !== undefined) {
        this.database.prepare('DELETE FROM secret_entitlements WHERE secret_name = ?').run(name);

        const grant = this.database.prepare(
          'INSERT INTO secret_entitlements (secret_name, service) VALUES (?, ?)',
        );

        for (const service of new Set(services)) {
          grant.run(name, service);
        }
      }
    })();

    return { name, services: this.entitledServices(name), updatedAt };
  }

  /** Returns the decrypted value, or undefined when no secret has that name. */
  get(name: string): string | undefined {
    const row = this.database
      .prepare('SELECT name, nonce, ciphertext, auth_tag, updated_at FROM secrets WHERE name = ?')
      .get(name) as SecretRow | undefined;

    return row === undefined ? undefined : this.decryptRow(row);
  }

  has(name: string): boolean {
    return this.database.prepare('SELECT 1 FROM secrets WHERE name = ?').get(name) !== undefined;
  }

  /** Deletes a secret and its entitlements; returns false when it did not exist. */
  delete(name: string): boolean {
    return this.database.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes > 0;
  }

  list(): SecretSummary[] {
    const rows = this.database
      .prepare('SELECT name, updated_at FROM secrets ORDER BY name')
      .all() as Pick<SecretRow, 'name' | 'updated_at'>[];

    return rows.map((row) => ({
      name: row.name,
      services: this.entitledServices(row.name),
      updatedAt: row.updated_at,
    }));
  }

  /** Returns the decrypted secrets the service is entitled to, by name. */
  valuesFor(service: string): Record<string, string> {
    const rows = this.database
      .prepare(
        `SELECT s.name, s.nonce, s.ciphertext, s.auth_tag, s.updated_at FROM secrets s
         JOIN secret_entitlements e ON e.secret_name = s.name
         WHERE e.service = ? ORDER BY s.name`,
      )
      .all(service) as SecretRow[];
    const values: Record<string, string> = {};

    for (const row of rows) {
      values[row.name] = this.decryptRow(row);
    }

    return values;
  }

  /**
   * Decrypts every stored secret once. Run at start-up: it proves the master
   * key opens all of them and hands each value to `onValue`. Throws
   * `DecryptionError` on the first value that fails.
   */
  verifyAll(): number {
    const rows = this.database
      .prepare('SELECT name, nonce, ciphertext, auth_tag, updated_at FROM secrets')
      .all() as SecretRow[];

    for (const row of rows) {
      this.decryptRow(row);
    }

    return rows.length;
  }

  private entitledServices(name: string): string[] {
    const rows = this.database
      .prepare('SELECT service FROM secret_entitlements WHERE secret_name = ? ORDER BY service')
      .all(name) as { service: string }[];

    return rows.map((row) => row.service);
  }

  private decryptRow(row: SecretRow): string {
    const value = this.cipher.decryptText(
      { nonce: row.nonce, ciphertext: row.ciphertext, authTag: row.auth_tag },
      row.name,
    );

    this.onValue(value);

    return value;
  }
}
