export { type MonioFetch } from './monio-blob-client';
export { MonioDocStore, type MonioDocStoreOptions } from './monio-doc-store';
export {
  decodeBlobInfo,
  DEFAULT_MONIO_WORKSPACE,
  docStoreErrorFrom,
  encodeBlobInfo,
  errorBodyOf,
  MONIO_BLOB_HEADERS,
  MONIO_PATTERNS,
  MONIO_ROUTES,
  type MonioErrorBody,
  type MonioInfo,
  type MonioOperation,
} from './monio-protocol';
export { MongoDocStore, type MongoDocStoreOptions, type RecoveryResult } from './mongo-doc-store';
export { type BlobGarbageResult } from './mongo-blobs';
export { documentCollectionName } from './mongo-names.util';
