import { canonicalNumericText, exactDouble } from './numeric-text.util';

/** Containers nested deeper than this are refused rather than risk the call stack. */
const MAX_DEPTH = 256;

/** Thrown inside the normaliser and turned into a failure reason at its edge. */
class JsonSyntaxError extends Error {}

/**
 * Normalises JSON text the way `JSON.stringify(JSON.parse(text))` would
 * (no white space, strings re-escaped, numbers in their shortest form), except
 * that a number no double can hold keeps its digits as written, so ids above
 * 2^53 survive. Duplicate keys stay, as PostgreSQL's json type keeps them.
 * Returns the normalised text, or the reason the input is not JSON.
 */
export function normalizeJsonText(text: string): { json: string } | { reason: string } {
  const reader = { text, index: 0 };

  try {
    skipSpace(reader);

    const json = readValue(reader, 0);

    skipSpace(reader);

    if (reader.index !== text.length) {
      throw new JsonSyntaxError(`unexpected text at character ${reader.index + 1}`);
    }

    return { json };
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      return { reason: `not valid JSON (${error.message})` };
    }

    throw error;
  }
}

interface Reader {
  text: string;
  index: number;
}

function skipSpace(reader: Reader): void {
  const text = reader.text;

  while (reader.index < text.length) {
    const code = text.charCodeAt(reader.index);

    if (code !== 32 && code !== 9 && code !== 10 && code !== 13) {
      return;
    }

    reader.index++;
  }
}

function expectLiteral(reader: Reader, literal: string): string {
  if (!reader.text.startsWith(literal, reader.index)) {
    throw new JsonSyntaxError(`unexpected text at character ${reader.index + 1}`);
  }

  reader.index += literal.length;

  return literal;
}

function readValue(reader: Reader, depth: number): string {
  if (depth > MAX_DEPTH) {
    throw new JsonSyntaxError(`nested deeper than ${MAX_DEPTH} levels`);
  }

  const code = reader.text.charCodeAt(reader.index);

  switch (code) {
    case 123:
      return readObject(reader, depth);
    case 91:
      return readArray(reader, depth);
    case 34:
      return readString(reader);
    case 116:
      return expectLiteral(reader, 'true');
    case 102:
      return expectLiteral(reader, 'false');
    case 110:
      return expectLiteral(reader, 'null');
    default:
      if (code === 45 || (code >= 48 && code <= 57)) {
        return readNumber(reader);
      }

      throw new JsonSyntaxError(
        reader.index >= reader.text.length ? 'unexpected end' : `unexpected text at character ${reader.index + 1}`,
      );
  }
}

function readObject(reader: Reader, depth: number): string {
  const members: string[] = [];

  reader.index++;
  skipSpace(reader);

  if (reader.text.charCodeAt(reader.index) === 125) {
    reader.index++;

    return '{}';
  }

  for (;;) {
    if (reader.text.charCodeAt(reader.index) !== 34) {
      throw new JsonSyntaxError(`expected a quoted key at character ${reader.index + 1}`);
    }

    const key = readString(reader);

    skipSpace(reader);
    expectLiteral(reader, ':');
    skipSpace(reader);
    members.push(`${key}:${readValue(reader, depth + 1)}`);
    skipSpace(reader);

    const next = reader.text.charCodeAt(reader.index);

    reader.index++;

    if (next === 125) {
      return `{${members.join(',')}}`;
    }

    if (next !== 44) {
      throw new JsonSyntaxError(`expected , or } at character ${reader.index}`);
    }

    skipSpace(reader);
  }
}

function readArray(reader: Reader, depth: number): string {
  const items: string[] = [];

  reader.index++;
  skipSpace(reader);

  if (reader.text.charCodeAt(reader.index) === 93) {
    reader.index++;

    return '[]';
  }

  for (;;) {
    items.push(readValue(reader, depth + 1));
    skipSpace(reader);

    const next = reader.text.charCodeAt(reader.index);

    reader.index++;

    if (next === 93) {
      return `[${items.join(',')}]`;
    }

    if (next !== 44) {
      throw new JsonSyntaxError(`expected , or ] at character ${reader.index}`);
    }

    skipSpace(reader);
  }
}

function readString(reader: Reader): string {
  const text = reader.text;
  const start = reader.index;
  let index = start + 1;
  let escaped = false;

  while (index < text.length) {
    const code = text.charCodeAt(index);

    if (code === 34) {
      break;
    }

    if (code < 32) {
      throw new JsonSyntaxError(`control character in a string at character ${index + 1}`);
    }

    if (code === 92) {
      escaped = true;
      index++;
    }

    index++;
  }

  if (index >= text.length) {
    throw new JsonSyntaxError('a string is not closed');
  }

  reader.index = index + 1;

  const literal = text.slice(start, index + 1);

  if (!escaped) {
    return literal;
  }

  try {
    return JSON.stringify(JSON.parse(literal) as string);
  } catch {
    throw new JsonSyntaxError(`invalid escape in the string at character ${start + 1}`);
  }
}

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

function readNumber(reader: Reader): string {
  JSON_NUMBER.lastIndex = reader.index;

  const match = JSON_NUMBER.exec(reader.text);

  if (match === null) {
    throw new JsonSyntaxError(`invalid number at character ${reader.index + 1}`);
  }

  reader.index += match[0].length;

  const literal = match[0];
  const numeric = canonicalNumericText(literal);
  const double = numeric === null ? null : exactDouble(numeric);

  return double === null ? literal : JSON.stringify(double);
}

/**
 * Writes a JavaScript value as JSON text like `JSON.stringify`, except that
 * a bigint becomes a bare number with all its digits. Returns the reason
 * instead for a value nested too deeply (or a cycle), or one whose `toJSON`
 * throws.
 */
export function serializeJsonValue(value: unknown): { json: string } | { reason: string } {
  try {
    return { json: writeValue(value, 0) ?? 'null' };
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      return { reason: error.message };
    }

    return { reason: `cannot be written as JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

function writeValue(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) {
    throw new JsonSyntaxError(`nested deeper than ${MAX_DEPTH} levels (or a cycle)`);
  }

  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) {
        return 'null';
      }

      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => writeValue(item, depth + 1) ?? 'null').join(',')}]`;
      }

      const withToJson = value as { toJSON?: unknown };

      if (typeof withToJson.toJSON === 'function') {
        return writeValue((withToJson.toJSON as () => unknown)(), depth + 1);
      }

      const members: string[] = [];

      for (const [key, member] of Object.entries(value)) {
        const written = writeValue(member, depth + 1);

        if (written !== undefined) {
          members.push(`${JSON.stringify(key)}:${written}`);
        }
      }

      return `{${members.join(',')}}`;
    }

    default:
      return undefined;
  }
}
