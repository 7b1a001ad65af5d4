export { decodeCursor, encodeCursor } from './cursor.util';
export {
  type BatchWrite,
  type BatchWriteResult,
  type BlobInfo,
  type BlobPage,
  type BlobSource,
  type DocStore,
  type DocumentPage,
  type DocumentQuery,
  type DocumentSize,
  type JsonMap,
  type JsonValue,
  type ListBlobsOptions,
  type OrderByClause,
  type PutBlobOptions,
  type SortDirection,
  type StoredBlob,
  type StoredDocument,
  WHERE_OPERATORS,
  type WhereClause,
  type WhereOperator,
  type WriteOptions,
  type WritePrecondition,
} from './doc-store';
export {
  DOC_STORE_ERROR_STATUS,
  DocStoreError,
  type DocStoreErrorCode,
  type DocStoreErrorDetails,
  isDocStoreError,
} from './doc-store.errors';
export * from './doc-store.limits';
export {
  EmbeddedDocStore,
  type EmbeddedDocStoreOptions,
  type StorageSettings,
} from './embedded/embedded-doc-store';
export { type GarbageCollectionResult } from './embedded/garbage-collector';
export { mergeDocumentData } from './merge.util';
export { checkBlobSource, checkListOptions, checkPutOptions } from './validation/blob-options.util';
export { checkDocumentData, measureDocumentData } from './validation/document-data.util';
export {
  RESERVED_COLLECTION_ID,
  validateBlobPath,
  validateBlobPrefix,
  validateCollectionId,
  validateDocumentId,
} from './validation/names.util';
export {
  type FieldPath,
  type NormalizedQuery,
  normalizeQuery,
  parseFieldPath,
} from './validation/query.util';
export {
  checkBatch,
  checkPrecondition,
  type CheckedWrite,
  checkWrite,
  enforcePrecondition,
} from './validation/write.util';
export {
  FirestoreDocStore,
  type FirestoreDocStoreOptions,
} from './firestore/firestore-doc-store';
export * from './mongo';
