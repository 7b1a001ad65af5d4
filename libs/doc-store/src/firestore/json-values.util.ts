import { type JsonMap, type JsonValue } from '../doc-store';
import { isPlainObject } from '../validation/document-data.util';

/** Rank of each JSON type in the sort order of queries: null < booleans < numbers < strings < arrays < maps. */
function typeRank(value: JsonValue): number {
  if (value === null) {
    return 0;
  }

  if (typeof value === 'boolean') {
    return 1;
  }

  if (typeof value === 'number') {
    return 2;
  }

  if (typeof value === 'string') {
    return 3;
  }

  return Array.isArray(value) ? 4 : 5;
}

/** Compares two strings by Unicode code point, which is the order of their UTF-8 bytes. */
export function compareStrings(left: string, right: string): number {
  // JavaScript's `<` compares UTF-16 code units, which puts U+E000–U+FFFF after
  // supplementary characters; the UTF-8 bytes give code point order.
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

function compareNumbers(left: number, right: number): number {
  if (left < right) {
    return -1;
  }

  return left > right ? 1 : 0;
}

/**
 * Compares two JSON values in the query sort order. Values of one type
 * compare by content; arrays compare element by element and maps key by
 * key, which is one fixed order (the contract leaves it unspecified).
 */
export function compareJsonValues(left: JsonValue, right: JsonValue): number {
  const rankDifference = typeRank(left) - typeRank(right);

  if (rankDifference !== 0) {
    return Math.sign(rankDifference);
  }

  if (typeof left === 'boolean' || typeof left === 'number') {
    return compareNumbers(Number(left), Number(right));
  }

  if (typeof left === 'string') {
    return compareStrings(left, right as string);
  }

  if (Array.isArray(left)) {
    return compareArrays(left, right as JsonValue[]);
  }

  return left === null ? 0 : compareMaps(left, right as JsonMap);
}

function compareArrays(left: JsonValue[], right: JsonValue[]): number {
  const shared = Math.min(left.length, right.length);

  for (let index = 0; index < shared; index++) {
    const order = compareJsonValues(left[index], right[index]);

    if (order !== 0) {
      return order;
    }
  }

  return compareNumbers(left.length, right.length);
}

function compareMaps(left: JsonMap, right: JsonMap): number {
  const leftKeys = Object.keys(left).sort(compareStrings);
  const rightKeys = Object.keys(right).sort(compareStrings);
  const shared = Math.min(leftKeys.length, rightKeys.length);

  for (let index = 0; index < shared; index++) {
    const keyOrder = compareStrings(leftKeys[index], rightKeys[index]);

    if (keyOrder !== 0) {
      return keyOrder;
    }

    const valueOrder = compareJsonValues(left[leftKeys[index]], right[rightKeys[index]]);

    if (valueOrder !== 0) {
      return valueOrder;
    }
  }

  return compareNumbers(leftKeys.length, rightKeys.length);
}

/** Tests two JSON values for equality: maps by content whatever their key order, and no equality across types. */
export function jsonEquals(left: JsonValue, right: JsonValue): boolean {
  return typeRank(left) === typeRank(right) && compareJsonValues(left, right) === 0;
}

/** Returns the value at a field path of map keys, or undefined when a segment is missing or not a map. */
export function valueAtPath(data: JsonMap, segments: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = data;

  for (const segment of segments) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) {
      return undefined;
    }

    current = (current as JsonMap)[segment];
  }

  return current;
}
