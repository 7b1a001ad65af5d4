import { compareStrings } from '../json-values.util';

/**
 * A Firestore `Value` as a plain object with exactly one kind set, the
 * shape that the generated `Value.fromObject` of `@firestore-emulator/proto`
 * takes.
 */
export type PlainValue =
  | { null_value: 0 }
  | { boolean_value: boolean }
  | { integer_value: number }
  | { double_value: number }
  | { timestamp_value: { seconds: number; nanos: number } }
  | { string_value: string }
  | { bytes_value: Uint8Array }
  | { reference_value: string }
  | { geo_point_value: { latitude: number; longitude: number } }
  | { array_value: { values: PlainValue[] } }
  | { map_value: { fields: Record<string, PlainValue> } };

/** The parts of a generated `Value` message that the server reads (`has_*` shows which kind is set). */
export interface ProtoValue {
  has_null_value: boolean;
  has_boolean_value: boolean;
  boolean_value: boolean;
  has_integer_value: boolean;
  integer_value: number;
  has_double_value: boolean;
  double_value: number;
  has_timestamp_value: boolean;
  timestamp_value: { seconds: number; nanos: number };
  has_string_value: boolean;
  string_value: string;
  has_bytes_value: boolean;
  bytes_value: Uint8Array;
  has_reference_value: boolean;
  reference_value: string;
  has_geo_point_value: boolean;
  geo_point_value: { latitude: number; longitude: number };
  has_array_value: boolean;
  array_value: { values: ProtoValue[] };
  has_map_value: boolean;
  map_value: { fields: Map<string, ProtoValue> };
}

/** Converts a generated `Value` message into a plain value. */
export function plainValue(value: ProtoValue): PlainValue {
  if (value.has_null_value) {
    return { null_value: 0 };
  }

  if (value.has_boolean_value) {
    return { boolean_value: value.boolean_value };
  }

  if (value.has_integer_value) {
    return { integer_value: Number(value.integer_value) };
  }

  if (value.has_double_value) {
    return { double_value: value.double_value };
  }

  if (value.has_timestamp_value) {
    const { seconds, nanos } = value.timestamp_value;

    return { timestamp_value: { seconds: Number(seconds), nanos } };
  }

  if (value.has_string_value) {
    return { string_value: value.string_value };
  }

  if (value.has_bytes_value) {
    return { bytes_value: value.bytes_value };
  }

  if (value.has_reference_value) {
    return { reference_value: value.reference_value };
  }

  if (value.has_geo_point_value) {
    const { latitude, longitude } = value.geo_point_value;

    return { geo_point_value: { latitude, longitude } };
  }

  if (value.has_array_value) {
    return { array_value: { values: value.array_value.values.map(plainValue) } };
  }

  if (value.has_map_value) {
    return { map_value: { fields: plainFields(value.map_value.fields) } };
  }

  throw new Error('Invalid Firestore value: no value kind is set.');
}

export function plainFields(fields: Map<string, ProtoValue>): Record<string, PlainValue> {
  const plain: Record<string, PlainValue> = {};

  for (const [key, value] of fields) {
    plain[key] = plainValue(value);
  }

  return plain;
}

// Firestore's order of value types: null, booleans, numbers (integers and
// doubles together), timestamps, strings, bytes, references, geo points,
// arrays, maps (Firestore "Supported data types" page). Vectors are not
// served. This server puts NaN before the other numbers.
function typeRank(value: PlainValue): number {
  if ('null_value' in value) return 0;
  if ('boolean_value' in value) return 1;
  if ('integer_value' in value || 'double_value' in value) return 2;
  if ('timestamp_value' in value) return 3;
  if ('string_value' in value) return 4;
  if ('bytes_value' in value) return 5;
  if ('reference_value' in value) return 6;
  if ('geo_point_value' in value) return 7;
  if ('array_value' in value) return 8;

  return 9;
}

/** Returns the rank of a value's type class, so range filters can match only values of the operand's class. */
export const valueTypeClass = typeRank;

function numberOf(value: PlainValue): number {
  return 'integer_value' in value
    ? value.integer_value
    : (value as { double_value: number }).double_value;
}

function compareNumbers(left: number, right: number): number {
  if (Number.isNaN(left) || Number.isNaN(right)) {
    return Number(!Number.isNaN(left)) - Number(!Number.isNaN(right));
  }

  if (left === right) {
    return 0;
  }

  return left < right ? -1 : 1;
}

function compareReferences(left: string, right: string): number {
  const leftSegments = left.split('/');
  const rightSegments = right.split('/');

  for (let index = 0; index < Math.min(leftSegments.length, rightSegments.length); index++) {
    const order = compareStrings(leftSegments[index], rightSegments[index]);

    if (order !== 0) {
      return order;
    }
  }

  return leftSegments.length - rightSegments.length;
}

/** Compares two values in Firestore's order; strings compare by UTF-8 bytes. */
export function compareValues(left: PlainValue, right: PlainValue): number {
  const rankOrder = typeRank(left) - typeRank(right);

  if (rankOrder !== 0) {
    return rankOrder;
  }

  if ('boolean_value' in left && 'boolean_value' in right) {
    return Number(left.boolean_value) - Number(right.boolean_value);
  }

  if ('string_value' in left && 'string_value' in right) {
    return compareStrings(left.string_value, right.string_value);
  }

  if ('reference_value' in left && 'reference_value' in right) {
    return compareReferences(left.reference_value, right.reference_value);
  }

  if ('timestamp_value' in left && 'timestamp_value' in right) {
    return (
      compareNumbers(left.timestamp_value.seconds, right.timestamp_value.seconds) ||
      compareNumbers(left.timestamp_value.nanos, right.timestamp_value.nanos)
    );
  }

  if ('bytes_value' in left && 'bytes_value' in right) {
    return Buffer.compare(Buffer.from(left.bytes_value), Buffer.from(right.bytes_value));
  }

  if ('geo_point_value' in left && 'geo_point_value' in right) {
    return (
      compareNumbers(left.geo_point_value.latitude, right.geo_point_value.latitude) ||
      compareNumbers(left.geo_point_value.longitude, right.geo_point_value.longitude)
    );
  }

  if ('array_value' in left && 'array_value' in right) {
    return compareLists(left.array_value.values, right.array_value.values);
  }

  if ('map_value' in left && 'map_value' in right) {
    return compareMaps(left.map_value.fields, right.map_value.fields);
  }

  if (typeRank(left) === 2) {
    return compareNumbers(numberOf(left), numberOf(right));
  }

  return 0;
}

function compareLists(left: PlainValue[], right: PlainValue[]): number {
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const order = compareValues(left[index], right[index]);

    if (order !== 0) {
      return order;
    }
  }

  return left.length - right.length;
}

function compareMaps(left: Record<string, PlainValue>, right: Record<string, PlainValue>): number {
  const leftKeys = Object.keys(left).sort(compareStrings);
  const rightKeys = Object.keys(right).sort(compareStrings);

  for (let index = 0; index < Math.min(leftKeys.length, rightKeys.length); index++) {
    const order =
      compareStrings(leftKeys[index], rightKeys[index]) ||
      compareValues(left[leftKeys[index]], right[rightKeys[index]]);

    if (order !== 0) {
      return order;
    }
  }

  return leftKeys.length - rightKeys.length;
}

export function valuesEqual(left: PlainValue, right: PlainValue): boolean {
  return compareValues(left, right) === 0;
}

export function isNaNValue(value: PlainValue): boolean {
  return 'double_value' in value && Number.isNaN(value.double_value);
}

/**
 * Splits a Firestore field path into segments. Segments that are not
 * simple names are quoted with backticks, inside which `\` escapes the
 * next character.
 */
export function parseFieldPath(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  let quoted = false;

  for (let index = 0; index < path.length; index++) {
    const character = path[index];

    if (quoted && character === '\\') {
      index++;
      current += path[index] ?? '';
    } else if (character === '`') {
      quoted = !quoted;
    } else if (character === '.' && !quoted) {
      segments.push(current);
      current = '';
    } else {
      current += character;
    }
  }

  segments.push(current);

  return segments;
}

/** Returns the value at a field path of a document's fields, or undefined when a segment is missing. */
export function valueAt(
  fields: Record<string, PlainValue>,
  segments: readonly string[],
): PlainValue | undefined {
  let value: PlainValue | undefined = fields[segments[0]];

  for (const segment of segments.slice(1)) {
    if (value === undefined || !('map_value' in value)) {
      return undefined;
    }

    value = value.map_value.fields[segment];
  }

  return value;
}

/** Sets (or with `value` undefined, deletes) the value at a field path, creating maps on the way. */
export function setValueAt(
  fields: Record<string, PlainValue>,
  segments: readonly string[],
  value: PlainValue | undefined,
): void {
  let map = fields;

  for (const segment of segments.slice(0, -1)) {
    let next = map[segment];

    if (next === undefined || !('map_value' in next)) {
      if (value === undefined) {
        return;
      }

      next = { map_value: { fields: {} } };
      map[segment] = next;
    }

    map = next.map_value.fields;
  }

  const last = segments[segments.length - 1];

  if (value === undefined) {
    delete map[last];
  } else {
    map[last] = value;
  }
}
