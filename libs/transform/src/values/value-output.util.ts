import { type ColumnType, type Value } from '../types';
import { exactDouble } from './numeric-text.util';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** A typed value as a JavaScript value ready for `JSON.stringify`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Converts a typed value to what an API puts in JSON. Integers within
 * ±(2^53 − 1) and numerics that a double represents exactly (`19.90` →
 * 19.9) become numbers, and larger or longer ones strings with every digit.
 * Dates and times stay text. A json column's value is parsed, so numbers
 * beyond a double's precision lose digits: `toJsonText` embeds it exactly.
 */
export function toJsonValue(value: Value, type: ColumnType): JsonValue {
  if (value === null) {
    return null;
  }

  switch (typeof value) {
    case 'bigint':
      return value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value.toString();
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    default:
      break;
  }

  if (type === 'numeric') {
    return exactDouble(value) ?? value;
  }

  if (type === 'json') {
    return JSON.parse(value) as JsonValue;
  }

  return value;
}

/** Writes a typed value as JSON text, exactly: a json column's text is embedded as it is. */
export function toJsonText(value: Value, type: ColumnType): string {
  if (type === 'json' && typeof value === 'string') {
    return value;
  }

  return JSON.stringify(toJsonValue(value, type));
}

const NEEDS_COPY_ESCAPE = /[\\\t\n\r]/;

/**
 * Writes a typed value in PostgreSQL's COPY text format: `\N` for null,
 * `t`/`f` for booleans, and backslash, tab, newline and carriage return
 * escaped in strings. The common string without those characters is
 * returned as it is.
 */
export function toCopyText(value: Value): string {
  switch (typeof value) {
    case 'string':
      return NEEDS_COPY_ESCAPE.test(value) ? escapeCopyText(value) : value;
    case 'bigint':
      return bigIntText(value);
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    default:
      return '\\N';
  }
}

/**
 * Writes a bigint in decimal. A safe integer goes through a double, which
 * gives the same digits at about half the cost of `bigint.toString()` and
 * hits V8's cache of number strings. Any bigint of magnitude 2^53 or more
 * converts to a double of at least 2^53, so it is never taken for a safe one.
 */
function bigIntText(value: bigint): string {
  const number = Number(value);

  return Number.isSafeInteger(number) ? String(number) : value.toString();
}

function escapeCopyText(value: string): string {
  let escaped = '';
  let start = 0;

  for (let index = 0; index < value.length; index++) {
    let replacement: string;

    switch (value.charCodeAt(index)) {
      case 92:
        replacement = '\\\\';
        break;
      case 9:
        replacement = '\\t';
        break;
      case 10:
        replacement = '\\n';
        break;
      case 13:
        replacement = '\\r';
        break;
      default:
        continue;
    }

    escaped += value.slice(start, index) + replacement;
    start = index + 1;
  }

  return escaped + value.slice(start);
}

/** Writes one row as a COPY text line: values separated by tabs, ended by a newline. */
export function toCopyRow(values: readonly Value[]): string {
  let line = '';

  for (let index = 0; index < values.length; index++) {
    line += index === 0 ? toCopyText(values[index]) : `\t${toCopyText(values[index])}`;
  }

  return `${line}\n`;
}
