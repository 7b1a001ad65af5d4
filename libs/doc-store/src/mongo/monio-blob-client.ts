import { Readable } from 'node:stream';
import { type ReadableStream as NodeWebStream } from 'node:stream/web';

import { type RequestInit, type Response } from 'undici';

import { type BlobInfo, type BlobPage, type BlobSource, type StoredBlob } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type CheckedListOptions, type CheckedPutOptions } from '../validation/blob-options.util';
import {
  decodeBlobInfo,
  docStoreErrorFrom,
  MONIO_BLOB_HEADERS,
  MONIO_ROUTES,
} from './monio-protocol';
import { VerifyingStream } from './verifying-stream';

/** `fetch` over mutual TLS with the internal secret: `meshFetch` of `@rokks/mesh` or the service kit's `MeshClient.fetch`. */
export type MonioFetch = (url: string, init?: RequestInit) => Promise<Response>;

function unavailable(action: string, error: unknown): DocStoreError {
  const reason =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);

  return new DocStoreError(
    'UNAVAILABLE',
    `MonIO could not be reached to ${action}: ${reason}`,
    {},
    { cause: error },
  );
}

/** Turns a non-2xx response into its `DocStoreError`, or `UNAVAILABLE` when the body has none. */
async function failure(response: Response, action: string): Promise<DocStoreError> {
  const body: unknown = await response.json().catch(() => null);

  return (
    docStoreErrorFrom(body) ??
    new DocStoreError(
      'UNAVAILABLE',
      `MonIO responded with status ${response.status} to ${action}.`,
      {
        status: response.status,
      },
    )
  );
}

/** Blob calls to MonIO's internal HTTPS routes; bytes stream in both directions. */
export class MonioBlobClient {
  constructor(
    private readonly fetch: MonioFetch,
    private readonly workspace: string,
  ) {}

  async put(
    baseUrl: string,
    path: string,
    source: BlobSource,
    options: CheckedPutOptions,
    maxBlobBytes: number,
  ): Promise<BlobInfo> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };

    if (options.expectedSha256 !== null) {
      headers[MONIO_BLOB_HEADERS.sha256] = options.expectedSha256;
    }

    if (options.contentType !== null) {
      headers[MONIO_BLOB_HEADERS.contentType] = options.contentType;
    }

    // The generator checks chunks and the limit before they leave, so a
    // string chunk or an oversized blob fails here, as in the other backends.
    // It keeps the source's own error, which fetch would wrap.
    let sourceError: { error: unknown } | undefined;

    async function* checkedBytes(): AsyncGenerator<Uint8Array> {
      let size = 0;

      try {
        for await (const chunk of source instanceof Uint8Array ? [source] : source) {
          if (!((chunk as unknown) instanceof Uint8Array)) {
            throw new DocStoreError(
              'INVALID_ARGUMENT',
              `Blob source for ${JSON.stringify(path)} produced a ${typeof chunk} chunk; it must produce bytes (Buffer or Uint8Array).`,
            );
          }

          size += chunk.byteLength;

          if (size > maxBlobBytes) {
            throw new DocStoreError(
              'BLOB_TOO_LARGE',
              `Blob ${JSON.stringify(path)} is larger than the limit of ${maxBlobBytes} bytes.`,
              { limit: maxBlobBytes },
            );
          }

          yield chunk;
        }
      } catch (error) {
        sourceError = { error };
        throw error;
      }
    }

    let response: Response;

    try {
      response = await this.fetch(this.objectUrl(baseUrl, path), {
        method: 'PUT',
        headers,
        body: checkedBytes(),
        duplex: 'half',
      });
    } catch (error) {
      throw sourceError === undefined
        ? unavailable(`store blob ${JSON.stringify(path)}`, error)
        : sourceError.error;
    }

    if (sourceError !== undefined) {
      await response.body?.cancel();
      throw sourceError.error;
    }

    if (!response.ok) {
      throw await failure(response, `store blob ${JSON.stringify(path)}`);
    }

    return (await response.json()) as BlobInfo;
  }

  async get(baseUrl: string, path: string): Promise<StoredBlob> {
    let response: Response;

    try {
      response = await this.fetch(this.objectUrl(baseUrl, path));
    } catch (error) {
      throw unavailable(`read blob ${JSON.stringify(path)}`, error);
    }

    if (!response.ok) {
      throw await failure(response, `read blob ${JSON.stringify(path)}`);
    }

    const info = decodeBlobInfo(response.headers.get(MONIO_BLOB_HEADERS.info));
    const body =
      response.body === null
        ? Readable.from([])
        : Readable.fromWeb(response.body as unknown as NodeWebStream<Uint8Array>);

    // MonIO verifies the bytes too, but aborts the transfer when they differ,
    // which arrives here as a cut-off stream; the hash check names the cause.
    return { info, stream: VerifyingStream.wrap(body, info, true, 'transfer') };
  }

  async delete(baseUrl: string, path: string): Promise<boolean> {
    const body = await this.json<{ deleted: boolean }>(
      this.objectUrl(baseUrl, path),
      { method: 'DELETE' },
      `delete blob ${JSON.stringify(path)}`,
    );

    return body.deleted;
  }

  async list(baseUrl: string, options: CheckedListOptions): Promise<BlobPage> {
    const url = new URL(MONIO_ROUTES.blobs, baseUrl);

    url.searchParams.set('workspace', this.workspace);
    url.searchParams.set('prefix', options.prefix);
    url.searchParams.set('limit', String(options.limit));

    if (options.startAfter !== null) {
      url.searchParams.set('startAfter', options.startAfter);
    }

    return this.json<BlobPage>(url.toString(), {}, 'list blobs');
  }

  private async json<T>(url: string, init: RequestInit, action: string): Promise<T> {
    let response: Response;

    try {
      response = await this.fetch(url, init);
    } catch (error) {
      throw unavailable(action, error);
    }

    if (!response.ok) {
      throw await failure(response, action);
    }

    return (await response.json()) as T;
  }

  private objectUrl(baseUrl: string, path: string): string {
    const url = new URL(MONIO_ROUTES.blobObject, baseUrl);

    url.searchParams.set('workspace', this.workspace);
    url.searchParams.set('path', path);

    return url.toString();
  }
}
