import Database from 'better-sqlite3';

import { DocStoreError } from '../doc-store.errors';

const BUSY_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
]);
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const READ_ONLY_CODES = new Set(['SQLITE_READONLY', 'EROFS', 'EACCES', 'EPERM']);

function errorCode(error: unknown): string | undefined {
  if (error instanceof Database.SqliteError) {
    return error.code;
  }

  const code = (error as NodeJS.ErrnoException | null)?.code;

  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns storage failures that a retry or an operator can fix (a lock held
 * too long, a full or read-only disk) into `UNAVAILABLE`. Other errors,
 * including `DocStoreError`, pass through unchanged.
 */
export function translateStorageError(error: unknown): unknown {
  if (error instanceof DocStoreError) {
    return error;
  }

  const code = errorCode(error);

  if (code === undefined) {
    return error;
  }

  if (BUSY_CODES.has(code) || code.startsWith('SQLITE_BUSY')) {
    return new DocStoreError(
      'UNAVAILABLE',
      'The document database stayed locked by another connection past the busy timeout; retry the request.',
      { storageCode: code },
      { cause: error },
    );
  }

  if (DISK_FULL_CODES.has(code) || code.startsWith('SQLITE_FULL')) {
    return new DocStoreError(
      'UNAVAILABLE',
      'The disk of the document store is full.',
      { storageCode: code },
      { cause: error },
    );
  }

  if (READ_ONLY_CODES.has(code) || code.startsWith('SQLITE_READONLY')) {
    return new DocStoreError(
      'UNAVAILABLE',
      'The document store cannot write to its directory (read-only or permission denied).',
      { storageCode: code },
      { cause: error },
    );
  }

  return error;
}
