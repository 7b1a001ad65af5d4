/**
 * Encodes PostgreSQL text output as the JSON values of the result contract.
 * Numbers become JSON numbers when no digit is lost, else strings. Dates are
 * `YYYY-MM-DD`, timestamps ISO 8601 in UTC with `Z`, booleans and null stay.
 */

export type JsonValue = string | number | boolean | null;

/** PostgreSQL type oids the encoder treats specially. */
export const TYPE_OIDS = {
  bool: 16,
  bytea: 17,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** Result column type names: the transform column types where one fits. */
const CONTRACT_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [TYPE_OIDS.bool, 'boolean'],
  [TYPE_OIDS.int2, 'integer'],
  [TYPE_OIDS.int4, 'integer'],
  [TYPE_OIDS.int8, 'integer'],
  [TYPE_OIDS.oid, 'integer'],
  [TYPE_OIDS.float4, 'float'],
  [TYPE_OIDS.float8, 'float'],
  [TYPE_OIDS.numeric, 'numeric'],
  [TYPE_OIDS.text, 'text'],
  [TYPE_OIDS.varchar, 'text'],
  [TYPE_OIDS.bpchar, 'text'],
  [TYPE_OIDS.name, 'text'],
  [TYPE_OIDS.date, 'date'],
  [TYPE_OIDS.timestamp, 'timestamp'],
  [TYPE_OIDS.timestamptz, 'timestamptz'],
  [TYPE_OIDS.json, 'json'],
  [TYPE_OIDS.jsonb, 'json'],
]);

/** Returns the contract name of a type oid, or null when it has none (the caller then uses PostgreSQL's name). */
export function contractTypeName(typeId: number): string | null {
  return CONTRACT_TYPE_NAMES.get(typeId) ?? null;
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Canonical `<sign><digits>e<exponent>` form of a decimal text, or null when it is not a finite decimal. */
function canonicalDecimal(text: string): string | null {
  const match = DECIMAL_PATTERN.exec(text);

  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) {
    return null;
  }

  const fraction = match[3] ?? '';
  let digits = `${match[2]}${fraction}`.replace(/^0+/, '');
  let exponent = Number(match[4] ?? '0') - fraction.length;

  if (digits === '') {
    return '0';
  }

  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent += 1;
  }

  return `${match[1] === '-' ? '-' : ''}${digits}e${exponent}`;
}

/**
 * Returns the decimal as a JSON number when the double that JavaScript reads
 * from it prints back as the same decimal value, else the text unchanged. So
 * the JSON text always states the stored value: 2^60 is a double, but it
 * prints as 1152921504606847000 and therefore stays a string.
 */
export function decimalToJson(text: string): number | string {
  const number = Number(text);

  if (!Number.isFinite(number)) {
    return text;
  }

  const original = canonicalDecimal(text);

  if (original === null || original !== canonicalDecimal(String(number))) {
    return text;
  }

  // -0 and 0 are the same decimal; JSON has no negative zero.
  return number === 0 ? 0 : number;
}

const TIMESTAMP_TEXT = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(\+00)?$/;

/**
 * Rewrites PostgreSQL's ISO output (`2024-03-31 01:00:00.5+00`, session time
 * zone UTC) as `2024-03-31T01:00:00.5Z`. A timestamp without time zone is read
 * as UTC. BC dates and infinities stay as PostgreSQL prints them.
 */
export function timestampToIso(text: string): string {
  const match = TIMESTAMP_TEXT.exec(text);

  return match === null ? text : `${match[1]}T${match[2]}Z`;
}

/** Encodes one value of PostgreSQL text output with type `typeId`. */
export function encodeValue(text: string | null, typeId: number): JsonValue {
  if (text === null) {
    return null;
  }

  switch (typeId) {
    case TYPE_OIDS.bool:
      return text === 't' || text === 'true';
    case TYPE_OIDS.int2:
    case TYPE_OIDS.int4:
    case TYPE_OIDS.oid:
      return Number(text);
    case TYPE_OIDS.float4:
    case TYPE_OIDS.float8: {
      const number = Number(text);

      return Number.isFinite(number) ? number : text;
    }

    case TYPE_OIDS.int8:
    case TYPE_OIDS.numeric:
      return decimalToJson(text);
    case TYPE_OIDS.timestamp:
    case TYPE_OIDS.timestamptz:
      return timestampToIso(text);
    default:
      return text;
  }
}
