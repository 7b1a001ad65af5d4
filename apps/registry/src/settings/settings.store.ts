import { type RegistryDatabase } from '../storage/registry-database';

/** Names of the registry's own key-value settings. */
export type SettingName = 'master_key_check' | 'bootstrap_token_sha256';

/** Small key-value settings the registry keeps for itself. */
export class SettingsStore {
  constructor(private readonly database: RegistryDatabase) {}

  get(name: SettingName): string | undefined {
    const row = this.database.prepare('SELECT value FROM settings WHERE name = ?').get(name) as
      { value: string } | undefined;

    return row?.value;
  }

  set(name: SettingName, value: string, now = new Date()): void {
    this.database
      .prepare(
        `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(name, value, now.toISOString());
  }
}
