import { type JsonValue } from '../job.types';

/**
 * Returns where `value` stops being plain JSON (a path such as
 * `payload.rows[3]` and the reason), or null when it is JSON: null, booleans,
 * finite numbers, strings, arrays and plain objects only.
 */
export function findNonJson(value: unknown, path: string, depth = 0): string | null {
  if (depth > 100) {
    return `${path} nests deeper than 100 levels`;
  }

  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return null;
  }

  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot represent`;
  }

  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      if (!(index in value)) {
        return `${path}[${index}] is a hole in a sparse array`;
      }

      const problem = findNonJson(value[index], `${path}[${index}]`, depth + 1);

      if (problem !== null) {
        return problem;
      }
    }

    return null;
  }

  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;

    if (prototype !== Object.prototype && prototype !== null) {
      return `${path} is a ${value.constructor?.name ?? 'class instance'}, not a plain object`;
    }

    for (const [key, item] of Object.entries(value)) {
      const problem = findNonJson(item, `${path}.${key}`, depth + 1);

      if (problem !== null) {
        return problem;
      }
    }

    return null;
  }

  return `${path} is of type ${typeof value}`;
}

/** Parses a JSON column or field; null and undefined mean JSON null. */
export function parseJson(text: string | null | undefined): JsonValue {
  return text == null ? null : (JSON.parse(text) as JsonValue);
}
