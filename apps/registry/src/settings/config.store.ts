import { type RegistryDatabase } from '../storage/registry-database';

const GLOBAL_SCOPE = '*';

export interface ConfigEntry {
  key: string;
  /** Service name, or null for an entry that applies to every service. */
  service: string | null;
  value: unknown;
  updatedAt: string;
}

interface ConfigRow {
  scope: string;
  key: string;
  value_json: string;
  updated_at: string;
}

/** Configuration entries, global or per service, stored as JSON. */
export class ConfigStore {
  constructor(private readonly database: RegistryDatabase) {}

  set(service: string | null, key: string, value: unknown, now = new Date()): ConfigEntry {
    const updatedAt = now.toISOString();

    this.database
      .prepare(
        `INSERT INTO config_entries (scope, key, value_json, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
      )
      .run(service ?? GLOBAL_SCOPE, key, JSON.stringify(value), updatedAt);

    return { key, service, value, updatedAt };
  }

  /** Deletes an entry; returns false when it did not exist. */
  delete(service: string | null, key: string): boolean {
    const result = this.database
      .prepare('DELETE FROM config_entries WHERE scope = ? AND key = ?')
      .run(service ?? GLOBAL_SCOPE, key);

    return result.changes > 0;
  }

  /** Lists the entries of one scope (null: the global entries), sorted by key. */
  list(service: string | null): ConfigEntry[] {
    const rows = this.database
      .prepare(
        'SELECT scope, key, value_json, updated_at FROM config_entries WHERE scope = ? ORDER BY key',
      )
      .all(service ?? GLOBAL_SCOPE) as ConfigRow[];

    return rows.map(toEntry);
  }

  /** Returns the global entries overlaid with the service's own entries. */
  resolve(service: string): Record<string, unknown> {
    const rows = this.database
      .prepare(
        `SELECT scope, key, value_json, updated_at FROM config_entries
         WHERE scope IN (?, ?) ORDER BY CASE scope WHEN ? THEN 0 ELSE 1 END, key`,
      )
      .all(GLOBAL_SCOPE, service, GLOBAL_SCOPE) as ConfigRow[];
    const config: Record<string, unknown> = {};

    for (const row of rows) {
      config[row.key] = JSON.parse(row.value_json) as unknown;
    }

    return config;
  }
}

function toEntry(row: ConfigRow): ConfigEntry {
  return {
    key: row.key,
    service: row.scope === GLOBAL_SCOPE ? null : row.scope,
    value: JSON.parse(row.value_json) as unknown,
    updatedAt: row.updated_at,
  };
}
