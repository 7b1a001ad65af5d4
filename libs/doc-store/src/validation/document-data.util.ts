import { type JsonMap, type JsonValue } from '../doc-store';
import { DocStoreError, describeValue } from '../doc-store.errors';
import { MAX_DOCUMENT_BYTES, MAX_FIELD_NAME_BYTES, MAX_NESTING_DEPTH } from '../doc-store.limits';
import { hasLoneSurrogate, utf8Length } from './names.util';

const RESERVED_FIELD_NAME = /^__.*__$/su;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }

  const prototype: unknown = Object.getPrototypeOf(value);

  return prototype === Object.prototype || prototype === null;
}

function invalidData(field: string, reason: string): DocStoreError {
  const where = field === '' ? 'document data' : `field ${describeValue(field)}`;

  return new DocStoreError('INVALID_ARGUMENT', `Invalid ${where}: ${reason}.`, { field });
}

function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Returns why `key` cannot be a map key in document data, or null when it can. */
export function fieldNameProblem(key: string): string | null {
  if (key.length === 0) {
    return 'map keys cannot be empty';
  }

  if (key.includes('.')) {
    return 'map keys cannot contain "." because queries use it to separate path segments';
  }

  if (key.startsWith('$')) {
    return 'map keys cannot start with "$"';
  }

  if (RESERVED_FIELD_NAME.test(key)) {
    return 'map keys that start and end with "__" are reserved';
  }

  if (hasLoneSurrogate(key)) {
    return 'map keys cannot contain an unpaired UTF-16 surrogate';
  }

  if (utf8Length(key) > MAX_FIELD_NAME_BYTES) {
    return `map keys are limited to ${MAX_FIELD_NAME_BYTES} UTF-8 bytes`;
  }

  return null;
}

/** Copies a JSON value, checking it on the way; map keys come out sorted so equal values have equal JSON text. */
function canonicalValue(
  value: unknown,
  field: string,
  depth: number,
  insideArray: boolean,
): JsonValue {
  if (value === null || typeof value === 'boolean') {
    return value;
  }

  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw invalidData(field, `${String(value)} is not a JSON number`);
    }

    return value;
  }

  if (typeof value === 'string') {
    if (hasLoneSurrogate(value)) {
      throw invalidData(field, 'the string contains an unpaired UTF-16 surrogate');
    }

    return value;
  }

  if (depth > MAX_NESTING_DEPTH) {
    throw invalidData(field, `maps and arrays nest deeper than ${MAX_NESTING_DEPTH} levels`);
  }

  if (Array.isArray(value)) {
    if (insideArray) {
      throw invalidData(
        field,
        'an array cannot directly contain another array; wrap the inner array in a map',
      );
    }

    return canonicalArray(value, field, depth);
  }

  if (isPlainObject(value)) {
    return canonicalMap(value, field, depth);
  }

  throw invalidData(field, `${describeType(value)} is not a JSON value`);
}

function canonicalArray(value: unknown[], field: string, depth: number): JsonValue[] {
  const copy: JsonValue[] = [];

  for (let index = 0; index < value.length; index++) {
    const elementField = `${field}[${index}]`;

    if (!(index in value)) {
      throw invalidData(elementField, 'arrays cannot have holes');
    }

    copy.push(canonicalValue(value[index], elementField, depth + 1, true));
  }

  return copy;
}

function canonicalMap(value: Record<string, unknown>, field: string, depth: number): JsonMap {
  const copy: JsonMap = {};

  for (const key of Object.keys(value).sort()) {
    const problem = fieldNameProblem(key);
    const keyField = childPath(field, key);

    if (problem !== null) {
      throw invalidData(keyField, problem);
    }

    const child = value[key];

    if (child === undefined) {
      throw invalidData(keyField, 'undefined is not a JSON value; use null or leave the key out');
    }

    copy[key] = canonicalValue(child, keyField, depth + 1, false);
  }

  return copy;
}

function describeType(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }

  if (typeof value === 'object' && value !== null) {
    const constructorName = (value as { constructor?: { name?: unknown } }).constructor?.name;

    return typeof constructorName === 'string'
      ? `a ${constructorName} object`
      : 'an object with a custom prototype';
  }

  return `a ${typeof value}`;
}

/** Returns a checked, key-sorted copy of any JSON value (used for query operands). */
export function canonicalJsonValue(value: unknown, field: string): JsonValue {
  return canonicalValue(value, field, 1, false);
}

export interface CheckedDocumentData {
  data: JsonMap;
  /** JSON text of `data` with sorted map keys. */
  json: string;
  /** UTF-8 length of `json`. */
  bytes: number;
}

/**
 * Checks document data (a plain object of JSON values) and measures it.
 * `label` ("users/alice") names the document in the size error.
 */
export function checkDocumentData(value: unknown, label: string): CheckedDocumentData {
  return measureDocumentData(canonicalDocumentData(value), label);
}

/** Returns a checked, key-sorted copy of document data, without the size check. */
export function canonicalDocumentData(value: unknown): JsonMap {
  if (!isPlainObject(value)) {
    throw invalidData(
      '',
      `expected a JSON object, got ${Array.isArray(value) ? 'an array' : describeType(value)}`,
    );
  }

  return canonicalMap(value, '', 1);
}

/** Returns the UTF-8 length of the JSON encoding of checked data, the measure of the 1 MiB limit. */
export function jsonDocumentBytes(data: JsonMap): number {
  return utf8Length(JSON.stringify(data));
}

/** Measures data that is already checked, such as the result of a merge. */
export function measureDocumentData(data: JsonMap, label: string): CheckedDocumentData {
  const json = JSON.stringify(data);
  const bytes = utf8Length(json);

  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new DocStoreError(
      'DOCUMENT_TOO_LARGE',
      `Document ${label} is ${bytes} bytes as JSON, over the limit of ${MAX_DOCUMENT_BYTES} bytes (1 MiB).`,
      { size: bytes, limit: MAX_DOCUMENT_BYTES },
    );
  }

  return { data, json, bytes };
}
