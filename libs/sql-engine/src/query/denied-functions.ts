/**
 * Functions a query may not call, by lower-case name, with or without a
 * schema. They sleep, read or write server files, run SQL text of their own
 * (which the parser check never sees), change settings or roles, signal other
 * sessions, take locks that outlive a statement, or write.
 */
export const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  'set_config',
  'pg_cancel_backend',
  'pg_terminate_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_switch_wal',
  'pg_current_logfile',
  'pg_export_snapshot',
  'pg_import_system_collations',
  'pg_log_backend_memory_contexts',
  'pg_notify',
  'pg_show_all_settings',
  'pg_settings_get_flags',
  'pg_start_backup',
  'pg_stop_backup',
  'nextval',
  'setval',
  'txid_current',
  'pg_current_xact_id',
  'loread',
  'lowrite',
  'ts_stat',
  'ts_rewrite',
]);

/** Name prefixes of denied function families (`pg_sleep_for`, `lo_import`, `dblink_exec`, …). */
export const DENIED_FUNCTION_PREFIXES: readonly string[] = [
  'pg_sleep',
  'pg_read_',
  'pg_ls_',
  'pg_stat_',
  'pg_file_',
  'pg_logical_',
  'pg_replication_',
  'pg_create_',
  'pg_drop_',
  'pg_copy_',
  'pg_backup_',
  'pg_wal_replay_',
  'pg_advisory',
  'pg_try_advisory',
  'lo_',
  'dblink',
  'query_to_xml',
  'table_to_xml',
  'cursor_to_xml',
  'schema_to_xml',
  'database_to_xml',
];

/** Settings `current_setting` may read; every other one may reveal server internals. */
export const READABLE_SETTINGS: ReadonlySet<string> = new Set([
  'timezone',
  'datestyle',
  'intervalstyle',
  'server_version',
  'server_version_num',
  'search_path',
]);

export function isDeniedFunction(name: string): boolean {
  const lowerName = name.toLowerCase();

  return (
    DENIED_FUNCTIONS.has(lowerName) ||
    DENIED_FUNCTION_PREFIXES.some((prefix) => lowerName.startsWith(prefix))
  );
}
