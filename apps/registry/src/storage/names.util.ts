const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const ENTRY_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;

/** Service names double as DNS names in certificates: lowercase letters, digits, hyphens. */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME_PATTERN.test(name);
}

/** Configuration keys and secret names: a letter, then letters, digits, `_`, `.` or `-` (max 128). */
export function isEntryName(name: string): boolean {
  return ENTRY_NAME_PATTERN.test(name);
}
