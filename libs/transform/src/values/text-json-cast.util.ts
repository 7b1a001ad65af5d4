import { type Caster } from '../types';
import { castFail, castOk, NULL_RESULT } from './cast-result.util';
import { normalizeJsonText, serializeJsonValue } from './json-text.util';

const HAS_NUL = 'contains a NUL character (U+0000), which PostgreSQL text cannot store';

/**
 * Text keeps strings exactly (no trimming: a blank string stays a string),
 * writes numbers and booleans in their JSON spelling, and objects as JSON.
 */
export function createTextCaster(): Caster {
  return (value) => {
    switch (typeof value) {
      case 'string':
        return value.includes('\u0000') ? castFail(HAS_NUL) : castOk(value);
      case 'number':
        return castOk(Number.isFinite(value) ? JSON.stringify(value) : String(value));
      case 'bigint':
        return castOk(value.toString());
      case 'boolean':
        return castOk(value ? 'true' : 'false');
      default: {
        if (value === null || value === undefined) {
          return NULL_RESULT;
        }

        const written = serializeJsonValue(value);

        if ('reason' in written) {
          return castFail(written.reason);
        }

        return written.json.includes('\\u0000') ? castFail(HAS_NUL) : castOk(written.json);
      }
    }
  };
}

/**
 * JSON reads a string as JSON text and normalises it; any other value is
 * written as JSON. A blank string is null, like a blank cell in every type
 * but text.
 */
export function createJsonCaster(): Caster {
  return (value) => {
    if (value === null || value === undefined) {
      return NULL_RESULT;
    }

    if (typeof value === 'string') {
      if (value.trim() === '') {
        return NULL_RESULT;
      }

      const normalized = normalizeJsonText(value);

      return 'json' in normalized ? castOk(normalized.json) : castFail(normalized.reason);
    }

    const written = serializeJsonValue(value);

    return 'json' in written ? castOk(written.json) : castFail(written.reason);
  };
}
