import { createHash } from 'node:crypto';

import { utf8Length } from '../validation/names.util';

/** Maximum UTF-8 length of a collection id that keeps its own name in MongoDB (the namespace limit is 255 bytes). */
const MAX_DIRECT_NAME_BYTES = 100;

/** Collections of the store's own bookkeeping; document collections never start with `meta.`. */
export const META_COLLECTIONS = {
  /** The document version counter. */
  counters: 'meta.counters',
  /** Blob paths, each pointing at its GridFS file. */
  blobs: 'meta.blobs',
  /** GridFS files being written, so a crashed upload can be cleaned up. */
  blobUploads: 'meta.blobUploads',
  /** Headers of batches applied without a transaction. */
  batches: 'meta.batches',
  /** Before and after images of the documents of those batches. */
  batchEntries: 'meta.batchEntries',
} as const;

/** GridFS bucket of blob contents: `blobs.files` and `blobs.chunks`. */
export const BLOB_BUCKET = 'blobs';

/**
 * Returns the MongoDB collection that stores a doc-store collection:
 * `doc.<id>` for ids of up to 100 UTF-8 bytes without `$`, and
 * `dochash.<sha256 hex>` for the others, whose names MongoDB would reject or
 * which would pass the namespace length limit. The two forms cannot collide,
 * because `doc.` and `dochash.` differ in their fourth character.
 */
export function documentCollectionName(collection: string): string {
  if (utf8Length(collection) <= MAX_DIRECT_NAME_BYTES && !collection.includes('$')) {
    return `doc.${collection}`;
  }

  return `dochash.${createHash('sha256').update(collection, 'utf8').digest('hex')}`;
}
