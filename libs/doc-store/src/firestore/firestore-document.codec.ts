import { type DocumentData } from 'firebase-admin/firestore';

import { type JsonMap, type JsonValue, type StoredDocument } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { isPlainObject } from '../validation/document-data.util';
import { utf8Length } from '../validation/names.util';
import { compareStrings } from './json-values.util';

// Metadata fields live beside the data fields. Data keys cannot start with
// `$` (a document-data rule of every backend), so they never collide.
export const VERSION_FIELD = '$version';
export const CREATE_TIME_FIELD = '$createTime';
export const UPDATE_TIME_FIELD = '$updateTime';

const METADATA_FIELDS = new Set([VERSION_FIELD, CREATE_TIME_FIELD, UPDATE_TIME_FIELD]);

/** Firestore's maximum document size, in its own storage size measure (Firestore "Quotas and limits"). */
export const FIRESTORE_MAX_DOCUMENT_BYTES = 1024 * 1024;

/** Encodes a document for Firestore: the data fields plus version and timestamps. */
export function encodeDocument(document: Omit<StoredDocument, 'id'>): DocumentData {
  return {
    ...document.data,
    [VERSION_FIELD]: document.version,
    [CREATE_TIME_FIELD]: document.createTime,
    [UPDATE_TIME_FIELD]: document.updateTime,
  };
}

function corrupted(label: string, problem: string): DocStoreError {
  return new DocStoreError(
    'DATA_CORRUPTED',
    `Firestore document ${label} ${problem}; it was not written through the doc store.`,
    { document: label },
  );
}

/** Decodes a Firestore document written by `encodeDocument`, with map keys sorted. */
export function decodeDocument(id: string, fields: DocumentData, label: string): StoredDocument {
  const version: unknown = fields[VERSION_FIELD];
  const createTime: unknown = fields[CREATE_TIME_FIELD];
  const updateTime: unknown = fields[UPDATE_TIME_FIELD];

  if (
    typeof version !== 'number' ||
    !Number.isSafeInteger(version) ||
    typeof createTime !== 'string' ||
    typeof updateTime !== 'string'
  ) {
    throw corrupted(
      label,
      `has no valid ${VERSION_FIELD}, ${CREATE_TIME_FIELD} or ${UPDATE_TIME_FIELD}`,
    );
  }

  const data: JsonMap = {};

  for (const key of Object.keys(fields).sort(compareStrings)) {
    if (!METADATA_FIELDS.has(key)) {
      data[key] = toJsonValue(fields[key], key, label);
    }
  }

  return { id, version, createTime, updateTime, data };
}

/** Converts a value the Firestore client decoded into a JSON value; other Firestore types are DATA_CORRUPTED. */
function toJsonValue(value: unknown, field: string, label: string): JsonValue {
  if (
    value === null ||
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value))
  ) {
    return value;
  }

  if (Array.isArray(value)) {
    return value.map((element: unknown, index) =>
      toJsonValue(element, `${field}[${index}]`, label),
    );
  }

  if (isPlainObject(value)) {
    const map: JsonMap = {};

    for (const key of Object.keys(value).sort(compareStrings)) {
      map[key] = toJsonValue(value[key], `${field}.${key}`, label);
    }

    return map;
  }

  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;

  throw corrupted(label, `contains a ${kind} value in field ${JSON.stringify(field)}`);
}

/**
 * Computes the storage size that Firestore counts for a document, by the
 * rules of Firestore's "Storage size calculations" page. The document name
 * counts each path segment's UTF-8 length plus 1, plus 16. Each field name
 * counts its UTF-8 length plus 1. Strings count their UTF-8 length plus 1,
 * numbers 8, booleans and null 1, maps and arrays the sum of their parts.
 * The document adds 32.
 */
export function firestoreDocumentSize(
  pathSegments: readonly string[],
  fields: DocumentData,
): number {
  const nameSize = pathSegments.reduce((sum, segment) => sum + utf8Length(segment) + 1, 16);

  return nameSize + mapSize(fields) + 32;
}

function mapSize(map: Record<string, unknown>): number {
  let size = 0;

  for (const [key, value] of Object.entries(map)) {
    size += utf8Length(key) + 1 + valueSize(value);
  }

  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') {
    return utf8Length(value) + 1;
  }

  if (typeof value === 'number') {
    return 8;
  }

  if (Array.isArray(value)) {
    return value.reduce((sum: number, element: unknown) => sum + valueSize(element), 0);
  }

  if (isPlainObject(value)) {
    return mapSize(value);
  }

  return 1;
}
