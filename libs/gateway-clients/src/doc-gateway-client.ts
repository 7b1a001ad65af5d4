import { type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';

import { type RequestInit } from 'undici';

import { type GatewayConnection, ServiceCaller } from './gateway-connection';

export const DOC_GATEWAY_SERVICE = 'doc-gateway';

/** Header that names the workspace of an internal blob call. */
export const WORKSPACE_HEADER = 'x-rokks-workspace';

/** Header with the hex SHA-256 an uploaded blob must have; a mismatch stores nothing and fails with 400. */
export const SHA256_HEADER = 'x-content-sha256';

/** A stored blob's metadata, as the doc gateway returns it. */
export interface BlobInfo {
  path: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  contentType: string | null;
  /** ISO 8601 UTC timestamp of the first put of this path. */
  createTime: string;
  /** ISO 8601 UTC timestamp of the latest put of this path. */
  updateTime: string;
}

export interface BlobPage {
  /** Blobs in ascending order of the UTF-8 bytes of their paths. */
  blobs: BlobInfo[];
  /** The `startAfter` of the next page, or null on the last page. */
  nextCursor: string | null;
}

/** The bytes of a blob upload; an async iterable or a `Readable` streams. */
export type BlobBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface PutBlobOptions {
  /** Expected hex SHA-256 of the body; the gateway stores nothing when the bytes differ. */
  sha256?: string;
  contentType?: string;
  /** Body length, when known; the gateway rejects a length over its limit before reading. */
  contentLength?: number;
  signal?: AbortSignal;
}

export interface ListBlobsOptions {
  prefix?: string;
  limit?: number;
  /** The `nextCursor` of the previous page. */
  startAfter?: string;
  signal?: AbortSignal;
}

/** A blob being downloaded: its size and checksum from the response headers, and its bytes as a stream. */
export interface BlobDownload {
  size: number;
  sha256: string | null;
  contentType: string | null;
  stream: Readable;
}

/**
 * Client of the doc gateway's internal blob API (`/internal/blobs/<path>`),
 * which streams bodies both ways. Every method takes the workspace whose
 * blob store it uses, and throws a `GatewayError` when the call fails.
 */
export class DocGatewayClient {
  private readonly caller: ServiceCaller;

  constructor(connection: GatewayConnection) {
    this.caller = new ServiceCaller(DOC_GATEWAY_SERVICE, connection);
  }

  /** Streams `body` into the blob at `path`, replacing any blob there, and returns the stored blob's metadata. */
  async putBlob(workspace: string, path: string, body: BlobBody, options: PutBlobOptions = {}): Promise<BlobInfo> {
    const headers: Record<string, string> = {
      [WORKSPACE_HEADER]: workspace,
      'content-type': options.contentType ?? 'application/octet-stream',
    };

    if (options.sha256 !== undefined) {
      headers[SHA256_HEADER] = options.sha256;
    }

    if (options.contentLength !== undefined) {
      headers['content-length'] = String(options.contentLength);
    }

    const action = `Uploading blob ${JSON.stringify(path)}`;

    if (this.caller.canSend) {
      return this.caller.sendForJson<BlobInfo>(action, blobRoute(path), {
        method: 'PUT',
        headers,
        body: typeof body === 'string' || body instanceof Uint8Array || body instanceof Readable ? body : Readable.from(body, { objectMode: false }),
        signal: options.signal,
      });
    }

    const streamed = typeof body !== 'string' && !(body instanceof Uint8Array);
    const init: RequestInit = {
      method: 'PUT',
      headers,
      body: body as RequestInit['body'],
      signal: options.signal,
      ...(streamed ? { duplex: 'half' as const } : {}),
    };

    return this.caller.json<BlobInfo>(action, blobRoute(path), init);
  }

  /** Starts downloading the blob at `path`; a missing blob fails with status 404. */
  async getBlob(workspace: string, path: string, options: { signal?: AbortSignal } = {}): Promise<BlobDownload> {
    const action = `Downloading blob ${JSON.stringify(path)}`;
    const headers = { [WORKSPACE_HEADER]: workspace };

    if (this.caller.canSend) {
      const sent = await this.caller.send(action, blobRoute(path), { method: 'GET', headers, signal: options.signal }, [200]);

      return {
        size: Number(singleHeader(sent.headers, 'content-length') ?? Number.NaN),
        sha256: singleHeader(sent.headers, SHA256_HEADER) ?? null,
        contentType: singleHeader(sent.headers, 'content-type') ?? null,
        stream: sent.body,
      };
    }

    const response = await this.caller.call(action, blobRoute(path), { method: 'GET', headers, signal: options.signal }, [200]);
    const body = response.body;
    const stream = body === null ? Readable.from([]) : Readable.fromWeb(body as Parameters<typeof Readable.fromWeb>[0]);

    return {
      size: Number(response.headers.get('content-length') ?? Number.NaN),
      sha256: response.headers.get(SHA256_HEADER),
      contentType: response.headers.get('content-type'),
      stream,
    };
  }

  /** Deletes the blob at `path`; deleting a missing blob succeeds. */
  async deleteBlob(workspace: string, path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const response = await this.caller.call(
      `Deleting blob ${JSON.stringify(path)}`,
      blobRoute(path),
      { method: 'DELETE', headers: { [WORKSPACE_HEADER]: workspace }, signal: options.signal },
      [200, 204],
    );

    await response.body?.cancel();
  }

  /** Lists one page of blobs, optionally only those whose path starts with `prefix`. */
  async listBlobs(workspace: string, options: ListBlobsOptions = {}): Promise<BlobPage> {
    const query = new URLSearchParams();

    if (options.prefix !== undefined) {
      query.set('prefix', options.prefix);
    }

    if (options.limit !== undefined) {
      query.set('limit', String(options.limit));
    }

    if (options.startAfter !== undefined) {
      query.set('startAfter', options.startAfter);
    }

    const search = query.size > 0 ? `?${query.toString()}` : '';

    return this.caller.json<BlobPage>('Listing blobs', `/internal/blobs${search}`, {
      method: 'GET',
      headers: { [WORKSPACE_HEADER]: workspace },
      signal: options.signal,
    });
  }
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];

  return Array.isArray(value) ? value[0] : value;
}

/** Builds the route of a blob path: each segment percent-encoded, the slashes kept. */
function blobRoute(path: string): string {
  return `/internal/blobs/${path.split('/').map(encodeURIComponent).join('/')}`;
}
