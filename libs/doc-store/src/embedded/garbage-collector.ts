import { type Logger } from 'pino';

import { type BlobFiles, removeFile } from './blob-files';
import { type BlobTable } from './blob-table';

export interface GarbageCollectionResult {
  /** Object files removed because no blob path refers to them. */
  removedObjects: number;
  /** Temporary files removed, left behind by puts that never finished. */
  removedTempFiles: number;
}

/**
 * Removes what a crash can leave behind: object files whose last reference
 * was dropped (a row with count zero), object files renamed into place
 * whose transaction never committed (no row), and temporary files older
 * than `staleTempFileAgeMs` that no put of this process is writing.
 */
export async function collectGarbage(
  table: BlobTable,
  files: BlobFiles,
  staleTempFileAgeMs: number,
  logger: Logger,
): Promise<GarbageCollectionResult> {
  let removedObjects = 0;
  let removedTempFiles = 0;

  for (const sha256 of table.unreferencedHashes()) {
    if (table.removeIfUnreferenced(sha256)) {
      removedObjects++;
    }
  }

  const tracked = table.trackedHashes();

  for (const sha256 of await files.listObjectHashes()) {
    // Checked again inside a write transaction, since a put may have committed since the listing.
    if (!tracked.has(sha256) && table.removeIfUntracked(sha256)) {
      removedObjects++;
    }
  }

  const staleBefore = Date.now() - staleTempFileAgeMs;

  for (const entry of await files.listTempFiles()) {
    if (
      entry.modifiedMs <= staleBefore &&
      !files.isActiveTemp(entry.path) &&
      removeFile(entry.path)
    ) {
      removedTempFiles++;
    }
  }

  if (removedObjects > 0 || removedTempFiles > 0) {
    logger.info({ removedObjects, removedTempFiles }, 'blob garbage collected');
  }

  return { removedObjects, removedTempFiles };
}
