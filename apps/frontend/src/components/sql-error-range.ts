/** Characters of an identifier or a literal's body, which the error mark extends over. */
const TOKEN_CHARACTER = /[\p{L}\p{N}_$"'.]/u;

/**
 * Returns the range of the statement to mark for an error at `position`:
 * the token that starts there, or one character. `position` is the 1-based
 * character position that the SQL gateway sends in `details.position`. A
 * position just past the end (a statement that stops too early) marks the
 * last character. Returns null for an empty statement.
 *
 * NOTE: the gateway counts parser positions in UTF-16 code units, as this
 * function does. PostgreSQL counts its own positions in code points, so a
 * database error after an emoji or another astral character is marked one
 * place early per such character.
 */
export function sqlErrorRange(sql: string, position: number): { from: number; to: number } | null {
  if (sql.length === 0 || !Number.isFinite(position)) {
    return null;
  }

  const from = Math.min(Math.max(Math.trunc(position) - 1, 0), sql.length - 1);
  let to = from + 1;

  while (to < sql.length && TOKEN_CHARACTER.test(sql[from]) && TOKEN_CHARACTER.test(sql[to])) {
    to += 1;
  }

  return { from, to };
}

/** Returns the 1-based line and column of a 0-based offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, Math.max(0, offset)).split('\n');

  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}
