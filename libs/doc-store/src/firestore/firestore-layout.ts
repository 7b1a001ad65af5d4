import {
  type CollectionReference,
  type DocumentReference,
  type Firestore,
} from 'firebase-admin/firestore';

import { DocStoreError, describeValue } from '../doc-store.errors';
import { validateCollectionId, validateDocumentId } from '../validation/names.util';

/** Subcollection under a document id that keeps its highest version after a delete. */
const TOMBSTONE_COLLECTION = '$rokks';
const TOMBSTONE_DOCUMENT = 'tombstone';
const HEALTH_COLLECTION = '$rokks-health';

/**
 * Where the store's data lives in Firestore. Collection `c` is the
 * Firestore collection `<rootPath>/c` (top level when `rootPath` is empty)
 * and document `id` is `<rootPath>/c/id`. A deleted document leaves
 * `<rootPath>/c/id/$rokks/tombstone` with its last version, so a re-created
 * document continues from there.
 */
export class FirestoreLayout {
  readonly rootSegments: readonly string[];

  constructor(
    private readonly db: Firestore,
    rootPath: string,
  ) {
    this.rootSegments = parseRootPath(rootPath);
  }

  collection(collection: string): CollectionReference {
    const root = this.rootSegments.join('/');

    return root === '' ? this.db.collection(collection) : this.db.doc(root).collection(collection);
  }

  document(collection: string, id: string): DocumentReference {
    return this.collection(collection).doc(id);
  }

  tombstone(collection: string, id: string): DocumentReference {
    return this.document(collection, id).collection(TOMBSTONE_COLLECTION).doc(TOMBSTONE_DOCUMENT);
  }

  /** A document that is never written; reading it checks that Firestore responds. */
  healthProbe(): DocumentReference {
    return this.collection(HEALTH_COLLECTION).doc('probe');
  }

  /** Path segments of a document below the database, for Firestore's size measure. */
  pathSegments(collection: string, id: string): string[] {
    return [...this.rootSegments, collection, id];
  }
}

/** Checks a root path: empty, or document path segments (an even number of valid ids). */
function parseRootPath(rootPath: string): string[] {
  if (rootPath === '') {
    return [];
  }

  const segments = rootPath.split('/');

  if (segments.length % 2 !== 0) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid Firestore rootPath ${describeValue(rootPath)}: expected a document path with an even number of segments, such as "rokks/production", or "" for top-level collections.`,
    );
  }

  segments.forEach((segment, index) =>
    index % 2 === 0 ? validateCollectionId(segment) : validateDocumentId(segment),
  );

  return segments;
}
