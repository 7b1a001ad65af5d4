import { type IncomingMessage } from 'node:http';
import { type Readable } from 'node:stream';

import { Injectable } from '@nestjs/common';

import { DocGatewayClient, GatewayError, uploadBlobPath } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type DataTransformSettings } from '../data-transform.settings';
import { TransformHttpError } from '../http/transform-http.error';
import { isFileId, newFileId, uploadInfoBlobPath } from './file-id.util';
import { tooLarge, UploadMeter } from './upload-meter';

/** An uploaded file's metadata, stored as JSON beside its bytes. */
export interface StoredFile {
  fileId: string;
  /** The name given at upload, such as `weather.csv`. */
  name: string;
  bytes: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  /** The `Content-Type` of the upload request, if it had one. */
  contentType: string | null;
  /** User id of the uploader. */
  uploadedBy: string;
  /** ISO 8601 UTC timestamp. */
  uploadedAt: string;
}

export interface UploadRequest {
  workspace: string;
  name: string;
  actor: string;
  body: IncomingMessage;
}

/**
 * Uploaded files in the doc gateway's blob store of each workspace: the
 * bytes at `uploads/<fileId>` and the metadata at `upload-info/<fileId>.json`.
 * A file exists once its metadata is stored, which happens after its bytes are.
 */
@Injectable()
export class FileStore {
  constructor(
    private readonly docs: DocGatewayClient,
    private readonly context: ServiceContext<DataTransformSettings>,
    @InjectPinoLogger('FileStore') private readonly logger: PinoLogger,
  ) {}

  /**
   * Streams a request body to the blob store while it counts the bytes. A
   * declared `Content-Length` over the limit is rejected before any byte is
   * read, and a body without one as soon as it passes the limit. On any
   * failure the partial blob is deleted.
   */
  async upload(request: UploadRequest): Promise<StoredFile> {
    const maxBytes = this.context.settings.maxUploadBytes;
    const declared = declaredLength(request.body);

    if (declared !== undefined && declared > maxBytes) {
      throw tooLarge(maxBytes, declared);
    }

    const fileId = newFileId();
    const path = uploadBlobPath(fileId);
    const meter = new UploadMeter(maxBytes);
    const contentType = singleHeader(request.body, 'content-type') ?? null;
    let copyError: unknown;

    // A failing meter detaches from the request instead of destroying it,
    // so the socket stays open for the 413 response and Node discards the rest.
    meter.once('error', (error) => {
      copyError = error;
      request.body.unpipe(meter);
    });
    request.body.once('error', (error) => meter.destroy(error));
    request.body.once('close', () => {
      if (!request.body.complete) {
        meter.destroy(new Error(`the client closed the connection before the end of upload ${fileId}`));
      }
    });
    request.body.pipe(meter);

    try {
      const blob = await this.docs.putBlob(request.workspace, path, meter, {
        contentLength: declared,
        contentType: contentType ?? undefined,
      });

      if (blob.size !== meter.bytes) {
        throw new Error(`The blob store kept ${blob.size} of the ${meter.bytes} bytes of upload ${fileId}.`);
      }

      // The doc gateway hashes the bytes it stores, and mutual TLS protects
      // them on the way, so this service does not hash them a second time.
      const file: StoredFile = {
        fileId,
        name: request.name,
        bytes: meter.bytes,
        sha256: blob.sha256,
        contentType,
        uploadedBy: request.actor,
        uploadedAt: new Date().toISOString(),
      };

      await this.docs.putBlob(request.workspace, uploadInfoBlobPath(fileId), JSON.stringify(file), {
        contentType: 'application/json',
      });
      this.logger.info(
        { workspace: request.workspace, fileId, bytes: file.bytes, actor: request.actor },
        'file uploaded',
      );

      return file;
    } catch (error) {
      request.body.unpipe(meter);
      meter.destroy();
      await this.discard(request.workspace, fileId);

      if (copyError instanceof TransformHttpError) {
        throw copyError;
      }

      // The doc gateway's own blob limit may be lower than this service's.
      if (error instanceof GatewayError && error.status === 413) {
        throw new TransformHttpError('TOO_LARGE', `The blob store rejected the upload as too large: ${error.message}`);
      }

      throw error;
    }
  }

  /** Returns a file's metadata; throws 404 when the workspace has no such file. */
  async describe(workspace: string, fileId: string): Promise<StoredFile> {
    if (!isFileId(fileId)) {
      throw notFound(fileId);
    }

    try {
      const download = await this.docs.getBlob(workspace, uploadInfoBlobPath(fileId));
      const chunks: Buffer[] = [];

      for await (const chunk of download.stream) {
        chunks.push(chunk as Buffer);
      }

      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as StoredFile;
    } catch (error) {
      throw isMissing(error) ? notFound(fileId) : error;
    }
  }

  /** Opens a file's bytes as a stream; throws 404 when the workspace has no such file. */
  async open(workspace: string, fileId: string, signal?: AbortSignal): Promise<{ file: StoredFile; stream: Readable }> {
    const file = await this.describe(workspace, fileId);

    try {
      const download = await this.docs.getBlob(workspace, uploadBlobPath(fileId), { signal });

      return { file, stream: download.stream };
    } catch (error) {
      throw isMissing(error) ? notFound(fileId) : error;
    }
  }

  /** Deletes what an upload stored, and logs a failure instead of raising it. */
  private async discard(workspace: string, fileId: string): Promise<void> {
    for (const path of [uploadInfoBlobPath(fileId), uploadBlobPath(fileId)]) {
      try {
        await this.docs.deleteBlob(workspace, path);
      } catch (error) {
        this.logger.warn({ err: error, workspace, fileId, path }, 'deleting the blob of a failed upload failed');
      }
    }
  }
}

function notFound(fileId: string): TransformHttpError {
  return new TransformHttpError(
    'NOT_FOUND',
    `File ${JSON.stringify(fileId)} not found in this workspace; upload it with POST /api/transform/files.`,
    { fileId },
  );
}

function isMissing(error: unknown): boolean {
  return error instanceof GatewayError && error.status === 404;
}

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];

  if (Array.isArray(value)) {
    throw new TransformHttpError('INVALID_ARGUMENT', `Invalid request: send the ${name} header once.`, {
      field: name,
    });
  }

  return value;
}

function declaredLength(request: IncomingMessage): number | undefined {
  const value = singleHeader(request, 'content-length');

  return value === undefined ? undefined : Number(value);
}
