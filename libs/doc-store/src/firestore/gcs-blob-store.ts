import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { pipeline, type Readable, type Writable } from 'node:stream';

import { type Bucket, type File, type FileMetadata } from '@google-cloud/storage';
import { type Logger } from 'pino';

import { decodeCursor, encodeCursor } from '../cursor.util';
import { type BlobInfo, type BlobPage, type BlobSource, type StoredBlob } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type CheckedListOptions } from '../validation/blob-options.util';
import { validateBlobPath } from '../validation/names.util';
import { storageStatus, translateStorageError } from './google-errors.util';
import { Sha256Verifier } from './sha256-verifier';

// Custom metadata of each blob object. Cloud Storage sets its own times on
// every upload and a content type on every object, so the blob's facts are
// kept here: the creation time survives a replacement, and a missing
// `rokks-content-type` means the blob has none.
const SHA256_KEY = 'rokks-sha256';
const CREATE_TIME_KEY = 'rokks-create-time';
const UPDATE_TIME_KEY = 'rokks-update-time';
const CONTENT_TYPE_KEY = 'rokks-content-type';

/**
 * Uploads in progress are objects under `<prefix>.uploads//`. The empty
 * segment makes their names invalid blob paths, so they never collide with
 * a blob and listings skip them.
 */
const UPLOAD_DIRECTORY = '.uploads//';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export interface GcsBlobStoreOptions {
  /** Object name prefix of every blob: "" or a string ending in "/". */
  prefix: string;
  maxBlobBytes: number;
  /** Bytes per resumable upload request; the upload keeps one such chunk in memory. */
  uploadChunkBytes: number;
  verifyReads: boolean;
  logger: Logger;
}

interface UploadedTemp {
  file: File;
  size: number;
  sha256: string;
}

async function* chunksOf(source: BlobSource): AsyncIterable<unknown> {
  if (source instanceof Uint8Array) {
    yield source;

    return;
  }

  yield* source;
}

function notFound(path: string): DocStoreError {
  return new DocStoreError('NOT_FOUND', `Blob ${JSON.stringify(path)} not found.`, { path });
}

function isValidBlobPath(path: string): boolean {
  try {
    validateBlobPath(path);

    return true;
  } catch {
    return false;
  }
}

/**
 * Blobs as Cloud Storage objects named `<prefix><path>`. A put streams the
 * bytes into a temporary object while hashing them, and only when the size
 * and hash pass does a server-side copy publish it under the blob's name,
 * with the hash and times as custom metadata. A failed or rejected put
 * therefore never replaces an existing blob.
 */
export class GcsBlobStore {
  constructor(
    private readonly bucket: Bucket,
    private readonly options: GcsBlobStoreOptions,
  ) {}

  async put(
    path: string,
    source: BlobSource,
    expectedSha256: string | null,
    contentType: string | null,
  ): Promise<BlobInfo> {
    const temp = await this.uploadTemp(path, source);

    try {
      if (expectedSha256 !== null && expectedSha256 !== temp.sha256) {
        throw new DocStoreError(
          'CHECKSUM_MISMATCH',
          `Blob ${JSON.stringify(path)} has SHA-256 ${temp.sha256}, not the expected ${expectedSha256}; nothing was stored.`,
          { expected: expectedSha256, actual: temp.sha256 },
        );
      }

      return await this.publish(path, temp, contentType);
    } finally {
      await this.deleteTemp(temp.file);
    }
  }

  async get(path: string): Promise<StoredBlob> {
    const file = this.bucket.file(this.objectName(path));
    let metadata: FileMetadata;

    try {
      [metadata] = await file.getMetadata();
    } catch (error) {
      if (storageStatus(error) === 404) {
        throw notFound(path);
      }

      throw translateStorageError(error);
    }

    const info = this.infoFromMetadata(path, metadata, true) as BlobInfo;
    // Reading the generation that the metadata describes keeps bytes and metadata together.
    const pinned = this.bucket.file(file.name, { generation: Number(metadata.generation) });
    const download = pinned.createReadStream({ validation: false });

    return { info, stream: this.options.verifyReads ? verified(download, info) : download };
  }

  async delete(path: string): Promise<boolean> {
    try {
      await this.bucket.file(this.objectName(path)).delete();

      return true;
    } catch (error) {
      if (storageStatus(error) === 404) {
        return false;
      }

      throw translateStorageError(error);
    }
  }

  async list(options: CheckedListOptions): Promise<BlobPage> {
    const scope = `blobs\u0000${options.prefix}`;
    const after = options.startAfter === null ? null : decodeBlobCursor(options.startAfter, scope);
    const wanted = options.limit + 1;
    const blobs: BlobInfo[] = [];
    let pageToken: string | undefined;

    try {
      do {
        const [files, nextQuery] = await this.bucket.getFiles({
          prefix: this.objectName(options.prefix),
          // startOffset is inclusive, so the cursor's own path comes back and is skipped below.
          startOffset: after === null ? undefined : this.objectName(after),
          maxResults: Math.min(1000, wanted + 1),
          pageToken,
          autoPaginate: false,
        });

        for (const file of files) {
          const info = this.listedInfo(file, after);

          if (info !== null && blobs.length < wanted) {
            blobs.push(info);
          }
        }

        pageToken = (nextQuery as { pageToken?: string } | null)?.pageToken;
      } while (blobs.length < wanted && pageToken !== undefined);
    } catch (error) {
      throw translateStorageError(error);
    }

    const page = blobs.slice(0, options.limit);
    const last = page.at(-1);

    return {
      blobs: page,
      nextCursor:
        blobs.length > options.limit && last !== undefined
          ? encodeCursor(scope, [last.path])
          : null,
    };
  }

  async checkHealth(): Promise<void> {
    try {
      await this.bucket.getMetadata();
    } catch (error) {
      throw new DocStoreError(
        'UNAVAILABLE',
        `Cloud Storage bucket ${JSON.stringify(this.bucket.name)} is not reachable.`,
        {},
        { cause: error },
      );
    }
  }

  private objectName(path: string): string {
    return `${this.options.prefix}${path}`;
  }

  /** Streams the source into a new temporary object while counting and hashing it. */
  private async uploadTemp(path: string, source: BlobSource): Promise<UploadedTemp> {
    const file = this.bucket.file(`${this.options.prefix}${UPLOAD_DIRECTORY}${randomUUID()}`);
    const upload = file.createWriteStream({
      resumable: true,
      chunkSize: this.options.uploadChunkBytes,
      contentType: DEFAULT_CONTENT_TYPE,
      validation: 'crc32c',
    });
    const finished = once(upload, 'finish');
    const hash = createHash('sha256');
    let size = 0;
    // Tells a failure of the source (passed on as it is) from one of the upload.
    let uploading = false;

    // Until the upload ends, errors surface through `finished` or a write.
    finished.catch(() => undefined);

    try {
      for await (const chunk of chunksOf(source)) {
        size += this.checkChunk(path, chunk, size);
        // A copy, so a producer that reuses its buffer cannot change bytes already hashed.
        const bytes = Buffer.from(chunk as Uint8Array);

        hash.update(bytes);
        uploading = true;
        await writeWithBackpressure(upload, bytes);
        uploading = false;
      }

      uploading = true;
      upload.end();
      await finished;
    } catch (error) {
      // Destroying the stream abandons the resumable session, so no object is created.
      upload.destroy();
      throw uploading ? translateStorageError(error) : error;
    }

    return { file, size, sha256: hash.digest('hex') };
  }

  /** Checks one chunk and returns its length. */
  private checkChunk(path: string, chunk: unknown, sizeSoFar: number): number {
    if (!(chunk instanceof Uint8Array)) {
      throw new DocStoreError(
        'INVALID_ARGUMENT',
        `Blob source for ${JSON.stringify(path)} produced a ${typeof chunk} chunk; it must produce bytes (Buffer or Uint8Array).`,
      );
    }

    if (sizeSoFar + chunk.byteLength > this.options.maxBlobBytes) {
      throw new DocStoreError(
        'BLOB_TOO_LARGE',
        `Blob ${JSON.stringify(path)} is larger than the limit of ${this.options.maxBlobBytes} bytes.`,
        { limit: this.options.maxBlobBytes },
      );
    }

    return chunk.byteLength;
  }

  /** Copies the verified temporary object to the blob's name with the blob's metadata. */
  private async publish(
    path: string,
    temp: UploadedTemp,
    contentType: string | null,
  ): Promise<BlobInfo> {
    const target = this.bucket.file(this.objectName(path));
    const updateTime = new Date().toISOString();

    try {
      const previous = await this.readInfo(path, target);
      const createTime = previous?.createTime ?? updateTime;
      const custom: Record<string, string> = {
        [SHA256_KEY]: temp.sha256,
        [CREATE_TIME_KEY]: createTime,
        [UPDATE_TIME_KEY]: updateTime,
      };

      if (contentType !== null) {
        custom[CONTENT_TYPE_KEY] = contentType;
      }

      // NOTE: two concurrent puts of one path can both read the old
      // createTime or both find none; the later copy wins either way.
      await temp.file.copy(target, {
        contentType: contentType ?? DEFAULT_CONTENT_TYPE,
        metadata: custom,
      });

      return { path, size: temp.size, sha256: temp.sha256, contentType, createTime, updateTime };
    } catch (error) {
      throw translateStorageError(error);
    }
  }

  private async readInfo(path: string, file: File): Promise<BlobInfo | null> {
    try {
      const [metadata] = await file.getMetadata();

      return this.infoFromMetadata(path, metadata, false);
    } catch (error) {
      if (storageStatus(error) === 404) {
        return null;
      }

      throw error;
    }
  }

  private async deleteTemp(file: File): Promise<void> {
    try {
      await file.delete({ ignoreNotFound: true });
    } catch (error) {
      this.options.logger.warn(
        { err: error, object: file.name },
        'temporary upload object not deleted; a bucket lifecycle rule on the uploads prefix removes it',
      );
    }
  }

  private listedInfo(file: File, after: string | null): BlobInfo | null {
    const path = file.name.slice(this.options.prefix.length);

    if (path === after || !isValidBlobPath(path)) {
      return null;
    }

    return this.infoFromMetadata(path, file.metadata, false);
  }

  /**
   * Builds the blob's info from its object metadata. An object without the
   * custom metadata was not written by this store: `get` reports it as
   * `DATA_CORRUPTED`, listings and put skip it (returning null).
   */
  private infoFromMetadata(path: string, metadata: FileMetadata, strict: boolean): BlobInfo | null {
    const custom = (metadata.metadata ?? {}) as Record<string, unknown>;
    const sha256 = custom[SHA256_KEY];
    const createTime = custom[CREATE_TIME_KEY];
    const updateTime = custom[UPDATE_TIME_KEY];
    const contentType = custom[CONTENT_TYPE_KEY];

    if (
      typeof sha256 !== 'string' ||
      typeof createTime !== 'string' ||
      typeof updateTime !== 'string'
    ) {
      if (!strict) {
        return null;
      }

      throw new DocStoreError(
        'DATA_CORRUPTED',
        `Object ${JSON.stringify(metadata.name ?? path)} has no doc-store metadata; it was not written through the doc store.`,
        { path },
      );
    }

    return {
      path,
      size: Number(metadata.size),
      sha256,
      contentType: typeof contentType === 'string' ? contentType : null,
      createTime,
      updateTime,
    };
  }
}

async function writeWithBackpressure(stream: Writable, chunk: Buffer): Promise<void> {
  if (!stream.write(chunk)) {
    await once(stream, 'drain');
  }
}

function verified(download: Readable, info: BlobInfo): Readable {
  const verifier = new Sha256Verifier(info);

  // pipeline destroys the verifier with the download's error, so readers see it.
  pipeline(download, verifier, () => undefined);

  return verifier;
}

function decodeBlobCursor(cursor: string, scope: string): string {
  const [path] = decodeCursor(cursor, scope, 1);

  if (typeof path !== 'string') {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid startAfter: the cursor is damaged; restart the listing without it.',
    );
  }

  return path;
}
