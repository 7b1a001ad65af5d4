import { MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';

import { DocStoreError } from '../doc-store.errors';

/** Code mongod uses for a duplicate key in a unique index. */
export const DUPLICATE_KEY = 11000;

export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === DUPLICATE_KEY
  );
}

/**
 * Turns driver errors that mean "MongoDB cannot be reached" into
 * `UNAVAILABLE` (503), keeping the cause; every other error passes unchanged.
 */
export function translateMongoError(error: unknown): unknown {
  if (error instanceof DocStoreError) {
    return error;
  }

  if (
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoTopologyClosedError
  ) {
    return new DocStoreError(
      'UNAVAILABLE',
      'MongoDB is not reachable; retry later.',
      {},
      { cause: error },
    );
  }

  return error;
}
