// Limits that every backend enforces the same way, so a client sees the same
// errors whichever backend a deployment runs. Document size, nesting depth
// and map key length are Firestore's limits (Firestore "Quotas and limits"
// page, Standard edition), so the Firestore backend can store whatever the
// other backends accept. Batch size and `in` values are this library's caps.

/** Maximum size of a document's data, measured as UTF-8 bytes of its JSON encoding. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** Maximum depth of nested maps and arrays in a document, counting the top-level map as 1. */
export const MAX_NESTING_DEPTH = 20;

/** Maximum length of a collection id or document id, in UTF-8 bytes. */
export const MAX_ID_BYTES = 512;

/** Maximum length of a map key in document data, in UTF-8 bytes. */
export const MAX_FIELD_NAME_BYTES = 1500;

/** Maximum length of a blob path, in UTF-8 bytes (the Cloud Storage object name limit). */
export const MAX_BLOB_PATH_BYTES = 1024;

/** Maximum length of a blob's content type. */
export const MAX_CONTENT_TYPE_LENGTH = 255;

/** Maximum number of writes in one batch. */
export const MAX_BATCH_WRITES = 500;

/** Maximum number of values in an `in` filter. */
export const MAX_IN_VALUES = 30;

/** Maximum number of `where` clauses in one query. */
export const MAX_WHERE_CLAUSES = 16;

/** Maximum number of `orderBy` fields in one query. */
export const MAX_ORDER_BY_FIELDS = 8;

/** Page size of a query or blob listing that sets no `limit`. */
export const DEFAULT_PAGE_SIZE = 100;

/** Maximum `limit` of a query or blob listing. */
export const MAX_PAGE_SIZE = 1000;

/** Default maximum blob size (2 GiB, the file upload limit of the platform); backends take their own value. */
export const DEFAULT_MAX_BLOB_BYTES = 2 * 1024 * 1024 * 1024;
