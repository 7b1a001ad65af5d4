import { MAX_IDENTIFIER_BYTES } from './logical-name.util';
import { describeValue, NamingError } from './naming.exception';
import { hasLoneSurrogate, utf8ByteLength } from './utf8.util';

/**
 * Quotes a PostgreSQL identifier: wraps it in double quotes and doubles the
 * double quotes inside. Throws `INVALID_IDENTIFIER` for an empty string, a NUL
 * character, a lone surrogate (no UTF-8 form), or more than 63 bytes of UTF-8,
 * which PostgreSQL would silently cut and so could merge two names.
 */
export function quoteIdent(identifier: string): string {
  let problem: string | null = null;

  if (typeof identifier !== 'string' || identifier.length === 0) {
    problem = 'an identifier must be a non-empty string';
  } else if (identifier.includes('\0')) {
    problem = 'an identifier cannot contain a NUL character';
  } else if (hasLoneSurrogate(identifier)) {
    problem = 'an identifier cannot contain a lone UTF-16 surrogate';
  } else if (utf8ByteLength(identifier) > MAX_IDENTIFIER_BYTES) {
    problem = `an identifier is at most ${MAX_IDENTIFIER_BYTES} bytes of UTF-8, this one has ${utf8ByteLength(identifier)}`;
  }

  if (problem !== null) {
    throw new NamingError(
      'INVALID_IDENTIFIER',
      `invalid identifier ${describeValue(identifier)}: ${problem}`,
    );
  }

  return `"${identifier.replaceAll('"', '""')}"`;
}

/** Quotes `schema.name` with each part through `quoteIdent`. */
export function quoteQualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * Quotes a string as a PostgreSQL literal: single quotes doubled, and when the
 * text has a backslash the `E'…'` form with backslashes doubled, so the result
 * reads the same whatever `standard_conforming_strings` is. Throws
 * `INVALID_LITERAL` for a NUL character or a lone surrogate, which PostgreSQL
 * text cannot hold.
 */
export function quoteLiteral(value: string): string {
  let problem: string | null = null;

  if (typeof value !== 'string') {
    problem = 'a literal must be a string';
  } else if (value.includes('\0')) {
    problem = 'PostgreSQL text cannot contain a NUL character';
  } else if (hasLoneSurrogate(value)) {
    problem = 'a literal cannot contain a lone UTF-16 surrogate';
  }

  if (problem !== null) {
    throw new NamingError('INVALID_LITERAL', `invalid literal ${describeValue(value)}: ${problem}`);
  }

  const quoted = value.replaceAll("'", "''");

  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
