import {
  type DocumentSize,
  type JsonMap,
  type StoredDocument,
  type WritePrecondition,
} from '../doc-store';
import { DocStoreError, describeValue } from '../doc-store.errors';
import { MAX_BATCH_WRITES, MAX_DOCUMENT_BYTES } from '../doc-store.limits';
import {
  canonicalDocumentData,
  checkDocumentData,
  isPlainObject,
  jsonDocumentBytes,
} from './document-data.util';
import { validateCollectionId, validateDocumentId } from './names.util';

/** A write after every check that does not need the stored document. */
export type CheckedWrite =
  | {
      op: 'set';
      collection: string;
      id: string;
      data: JsonMap;
      precondition: WritePrecondition | null;
    }
  | {
      op: 'merge';
      collection: string;
      id: string;
      data: JsonMap;
      precondition: WritePrecondition | null;
    }
  | { op: 'delete'; collection: string; id: string; precondition: WritePrecondition | null };

export function documentLabel(collection: string, id: string): string {
  return `${collection}/${id}`;
}

/**
 * Measures document data by the JSON measure of the 1 MiB limit, after
 * checking the names and the data (`measureDocument` of the embedded and
 * MongoDB backends).
 */
export function measureJsonDocument(collection: string, id: string, data: unknown): DocumentSize {
  validateCollectionId(collection);
  validateDocumentId(id);

  return { size: jsonDocumentBytes(canonicalDocumentData(data)), limit: MAX_DOCUMENT_BYTES };
}

/** Checks a precondition that may come from a request (`If-Match`, `If-None-Match`). */
export function checkPrecondition(value: unknown): WritePrecondition | null {
  if (value === undefined || value === null) {
    return null;
  }

  if (isPlainObject(value)) {
    const keys = Object.keys(value);

    if (keys.length === 1 && keys[0] === 'version') {
      const version = value.version;

      if (typeof version === 'number' && Number.isSafeInteger(version) && version > 0) {
        return { version };
      }
    }

    if (keys.length === 1 && keys[0] === 'exists' && typeof value.exists === 'boolean') {
      return { exists: value.exists };
    }
  }

  throw new DocStoreError(
    'INVALID_ARGUMENT',
    `Invalid precondition ${describeValue(value)}: expected { version: <positive integer> } or { exists: true | false }.`,
  );
}

/** Checks one write of a batch, or the arguments of a single write. */
export function checkWrite(write: unknown): CheckedWrite {
  if (!isPlainObject(write)) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid write ${describeValue(write)}: expected an object with op, collection and id.`,
    );
  }

  const collection = validateCollectionId(write.collection);
  const id = validateDocumentId(write.id);
  const precondition = checkPrecondition(write.precondition);
  const label = documentLabel(collection, id);

  switch (write.op) {
    case 'set':
    case 'merge':
      return {
        op: write.op,
        collection,
        id,
        data: checkDocumentData(write.data, label).data,
        precondition,
      };

    case 'delete':
      if (write.data !== undefined) {
        throw new DocStoreError(
          'INVALID_ARGUMENT',
          `Invalid delete of ${label}: a delete takes no data.`,
        );
      }

      return { op: 'delete', collection, id, precondition };

    default:
      throw new DocStoreError(
        'INVALID_ARGUMENT',
        `Invalid write op ${describeValue(write.op)} for ${label}: use "set", "merge" or "delete".`,
      );
  }
}

/** Checks a whole batch: 1 to 500 writes. */
export function checkBatch(writes: unknown): CheckedWrite[] {
  if (!Array.isArray(writes) || writes.length === 0 || writes.length > MAX_BATCH_WRITES) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid batch: expected an array of 1 to ${MAX_BATCH_WRITES} writes, got ${Array.isArray(writes) ? `${writes.length} writes` : describeValue(writes)}.`,
      { limit: MAX_BATCH_WRITES },
    );
  }

  return writes.map((write: unknown, index) => {
    try {
      return checkWrite(write);
    } catch (error) {
      throw inBatch(error, index);
    }
  });
}

/** Prefixes an error of one write with its position in the batch, keeping the code. */
export function inBatch(error: unknown, index: number): unknown {
  if (!(error instanceof DocStoreError)) {
    return error;
  }

  return new DocStoreError(
    error.code,
    `Batch write ${index} failed, so no write of the batch was applied: ${error.message}`,
    {
      ...error.details,
      batchIndex: index,
    },
    { cause: error },
  );
}

/**
 * Raises `PRECONDITION_FAILED` unless the stored document (null when
 * missing) satisfies the precondition of a write.
 */
export function enforcePrecondition(
  label: string,
  stored: Pick<StoredDocument, 'version'> | null,
  precondition: WritePrecondition | null,
): void {
  if (precondition === null) {
    return;
  }

  const actualVersion = stored?.version ?? null;

  if ('version' in precondition) {
    if (actualVersion === precondition.version) {
      return;
    }

    const found = actualVersion === null ? 'does not exist' : `has version ${actualVersion}`;

    throw new DocStoreError(
      'PRECONDITION_FAILED',
      `Document ${label} ${found}, but the write expected version ${precondition.version}; read it again and retry.`,
      { expectedVersion: precondition.version, actualVersion },
    );
  }

  if (precondition.exists && actualVersion === null) {
    throw new DocStoreError(
      'PRECONDITION_FAILED',
      `Document ${label} does not exist, but the write requires it to exist.`,
      {
        expectedVersion: null,
        actualVersion,
      },
    );
  }

  if (!precondition.exists && actualVersion !== null) {
    throw new DocStoreError(
      'PRECONDITION_FAILED',
      `Document ${label} already exists (version ${actualVersion}), but the write may only create it.`,
      { expectedVersion: null, actualVersion },
    );
  }
}
