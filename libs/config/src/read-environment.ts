/**
 * Returns a frozen copy of the process environment. This is the one place
 * that reads `process.env`; code that needs a variable receives the copy
 * and passes it to `loadConfig`.
 */
export function readEnvironment(): Readonly<Record<string, string | undefined>> {
  return Object.freeze({ ...process.env });
}
