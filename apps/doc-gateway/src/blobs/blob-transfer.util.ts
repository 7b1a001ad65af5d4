import { type FastifyReply, type FastifyRequest } from 'fastify';

import {
  type BlobInfo,
  type BlobPage,
  type DocStore,
  DocStoreError,
  type StoredBlob,
} from '@rokks/doc-store';

/**
 * Request header with the hex SHA-256 that an uploaded blob must have, and
 * response header with the stored blob's SHA-256. On an upload whose bytes
 * differ, nothing is stored and the response is 400 `CHECKSUM_MISMATCH`.
 */
export const SHA256_HEADER = 'x-content-sha256';

/** Path of a blob route: everything after `/blobs/`, decoded. */
export function blobPath(request: FastifyRequest): string {
  return (request.params as Record<string, string | undefined>)['*'] ?? '';
}

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];

  if (Array.isArray(value)) {
    throw new DocStoreError('INVALID_ARGUMENT', `Invalid request: send the ${name} header once.`);
  }

  return value;
}

/**
 * Streams the request body into the blob at `path`. A `Content-Length` over
 * the limit is rejected before any byte is read; a body without one is
 * rejected as soon as it passes the limit.
 */
export async function receiveBlob(
  store: DocStore,
  path: string,
  request: FastifyRequest,
  maxBlobBytes: number,
): Promise<BlobInfo> {
  const declared = Number(singleHeader(request, 'content-length') ?? Number.NaN);

  if (Number.isFinite(declared) && declared > maxBlobBytes) {
    throw new DocStoreError(
      'BLOB_TOO_LARGE',
      `Blob ${JSON.stringify(path)} is ${declared} bytes (Content-Length), over the limit of ${maxBlobBytes} bytes.`,
      { limit: maxBlobBytes, size: declared },
    );
  }

  return store.putBlob(path, request.raw, {
    expectedSha256: singleHeader(request, SHA256_HEADER),
    contentType: singleHeader(request, 'content-type'),
  });
}

/** Sends a blob's bytes as they are read, with its length, type and SHA-256 in the headers. */
export function sendBlob(reply: FastifyReply, blob: StoredBlob): FastifyReply {
  const { info, stream } = blob;

  return reply
    .header('content-type', info.contentType ?? 'application/octet-stream')
    .header('content-length', info.size)
    .header('etag', `"${info.sha256}"`)
    .header(SHA256_HEADER, info.sha256)
    .header('last-modified', new Date(info.updateTime).toUTCString())
    .send(stream);
}

/** Reads the listing options of `GET …/blobs?prefix=&limit=&startAfter=`; the store checks their values. */
export async function listBlobs(
  store: DocStore,
  query: Record<string, string | string[] | undefined>,
): Promise<BlobPage> {
  const read = (name: string): string | undefined => {
    const value = query[name];

    if (Array.isArray(value)) {
      throw new DocStoreError('INVALID_ARGUMENT', `Invalid query string: send ${name} once.`);
    }

    return value;
  };

  const limit = read('limit');

  return store.listBlobs({
    prefix: read('prefix'),
    // A number-like value becomes a number; anything else reaches the store's check as it is.
    limit:
      limit !== undefined && /^\d+$/u.test(limit) ? Number(limit) : (limit as unknown as number),
    startAfter: read('startAfter'),
  });
}
