import { type SchemaObject } from '@nestjs/swagger';

// OpenAPI schemas of the bodies; the store checks every request itself.

export const DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'version', 'createTime', 'updateTime', 'data'],
  properties: {
    id: { type: 'string' },
    version: { type: 'integer', description: 'Grows with every write; also sent as the ETag.' },
    createTime: { type: 'string', format: 'date-time' },
    updateTime: { type: 'string', format: 'date-time' },
    data: { type: 'object', additionalProperties: true },
  },
};

export const DOCUMENT_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['documents', 'nextCursor'],
  properties: {
    documents: { type: 'array', items: DOCUMENT_SCHEMA },
    nextCursor: {
      type: 'string',
      nullable: true,
      description: 'Pass as `startAfter` for the next page; null on the last page.',
    },
  },
};

export const QUERY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    where: {
      type: 'array',
      description: '`[field, operator, value]` clauses, at most 16; all must match.',
      items: { type: 'array', minItems: 3, maxItems: 3, items: {} },
    },
    orderBy: {
      type: 'array',
      description: '`[field, "asc" | "desc"]` pairs, at most 8.',
      items: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
    },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    startAfter: { type: 'string', description: '`nextCursor` of the previous page.' },
  },
};

export const BLOB_INFO_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['path', 'size', 'sha256', 'contentType', 'createTime', 'updateTime'],
  properties: {
    path: { type: 'string' },
    size: { type: 'integer', description: 'Bytes.' },
    sha256: { type: 'string', description: 'Lower-case hex SHA-256 of the bytes.' },
    contentType: { type: 'string', nullable: true },
    createTime: { type: 'string', format: 'date-time' },
    updateTime: { type: 'string', format: 'date-time' },
  },
};

export const BLOB_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['blobs', 'nextCursor'],
  properties: {
    blobs: { type: 'array', items: BLOB_INFO_SCHEMA },
    nextCursor: { type: 'string', nullable: true },
  },
};
