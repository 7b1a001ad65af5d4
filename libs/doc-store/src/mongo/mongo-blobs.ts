import { createHash } from 'node:crypto';

import { type Db, GridFSBucket, type GridFSBucketWriteStream, ObjectId } from 'mongodb';
import { type Logger } from 'pino';

import { decodeCursor, encodeCursor } from '../cursor.util';
import { type BlobInfo, type BlobPage, type BlobSource, type StoredBlob } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type CheckedListOptions } from '../validation/blob-options.util';
import { BLOB_BUCKET, META_COLLECTIONS } from './mongo-names.util';
import { VerifyingStream } from './verifying-stream';

/** A blob path and the GridFS file that contains its bytes. */
interface BlobRecord {
  _id: string;
  fileId: ObjectId;
  size: number;
  sha256: string;
  contentType: string | null;
  createTime: string;
  updateTime: string;
}

/** A GridFS file being written; it outlives the upload only when the writer crashed. */
interface UploadRecord {
  _id: ObjectId;
  path: string;
  startedAt: Date;
}

interface GridFsFile {
  _id: ObjectId;
  metadata?: { path?: string; replacedAt?: Date };
}

export interface BlobSettings {
  maxBlobBytes: number;
  verifyBlobReads: boolean;
  /** Age after which an unfinished upload counts as crashed and its chunks are removed. */
  staleUploadAgeMs: number;
  /** Time a replaced or deleted blob's file stays, so reads that already started can finish. */
  replacedFileGraceMs: number;
}

export interface BlobGarbageResult {
  /** Unfinished uploads whose chunks were removed. */
  removedUploads: number;
  /** Replaced or deleted files removed after their grace time. */
  removedFiles: number;
  /** Files that no path uses any more, found by the full scan and scheduled for removal. */
  scheduledFiles: number;
}

function toBlobInfo(record: BlobRecord): BlobInfo {
  return {
    path: record._id,
    size: record.size,
    sha256: record.sha256,
    contentType: record.contentType,
    createTime: record.createTime,
    updateTime: record.updateTime,
  };
}

function notFound(path: string): DocStoreError {
  return new DocStoreError('NOT_FOUND', `Blob ${JSON.stringify(path)} not found.`, { path });
}

/** Writes one chunk, waiting for the stream to drain when its buffer is full. */
async function writeChunk(stream: GridFSBucketWriteStream, chunk: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);

    stream.once('error', onError);

    const flushed = stream.write(chunk, (error) => {
      if (error !== undefined && error !== null) {
        reject(error);
      }
    });

    if (flushed) {
      stream.off('error', onError);
      resolve();
    } else {
      stream.once('drain', () => {
        stream.off('error', onError);
        resolve();
      });
    }
  });
}

async function endUpload(stream: GridFSBucketWriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/gu;

/**
 * Blob storage in GridFS. A put streams into a new GridFS file, then points
 * the path's record at it in one write. The file it replaced is marked, and
 * garbage collection removes it after a grace time, so reads in progress
 * finish. A record of each upload in progress lets garbage collection
 * remove the chunks of a crashed upload.
 */
export class MongoBlobStore {
  private readonly bucket: GridFSBucket;

  constructor(
    private readonly db: Db,
    private readonly settings: BlobSettings,
    private readonly logger: Logger,
  ) {
    this.bucket = new GridFSBucket(db, { bucketName: BLOB_BUCKET });
  }

  private get records() {
    return this.db.collection<BlobRecord>(META_COLLECTIONS.blobs);
  }

  private get uploads() {
    return this.db.collection<UploadRecord>(META_COLLECTIONS.blobUploads);
  }

  private get files() {
    return this.db.collection<GridFsFile>(`${BLOB_BUCKET}.files`);
  }

  private get chunks() {
    return this.db.collection<{ files_id: ObjectId }>(`${BLOB_BUCKET}.chunks`);
  }

  /** Creates the indexes that garbage collection and listing use. */
  async prepare(): Promise<void> {
    await this.records.createIndex({ fileId: 1 });
    await this.uploads.createIndex({ startedAt: 1 });
    await this.files.createIndex({ 'metadata.replacedAt': 1 }, { sparse: true });
  }

  async put(
    path: string,
    source: BlobSource,
    expectedSha256: string | null,
    contentType: string | null,
  ): Promise<BlobInfo> {
    const fileId = new ObjectId();

    await this.uploads.insertOne({ _id: fileId, path, startedAt: new Date() });

    let written: { size: number; sha256: string };

    try {
      written = await this.upload(fileId, path, source, contentType);
    } catch (error) {
      await this.forgetUpload(fileId);
      throw error;
    }

    if (expectedSha256 !== null && expectedSha256 !== written.sha256) {
      await this.removeFile(fileId);
      await this.forgetUpload(fileId);

      throw new DocStoreError(
        'CHECKSUM_MISMATCH',
        `Blob ${JSON.stringify(path)} has SHA-256 ${written.sha256}, not the expected ${expectedSha256}; nothing was stored.`,
        { expected: expectedSha256, actual: written.sha256 },
      );
    }

    const now = new Date().toISOString();
    const previous = await this.records.findOneAndUpdate(
      { _id: path },
      {
        $set: { fileId, size: written.size, sha256: written.sha256, contentType, updateTime: now },
        $setOnInsert: { createTime: now },
      },
      { upsert: true, returnDocument: 'before' },
    );

    await this.uploads.deleteOne({ _id: fileId });

    if (previous !== null) {
      await this.markReplaced(previous.fileId);
    }

    return {
      path,
      size: written.size,
      sha256: written.sha256,
      contentType,
      createTime: previous?.createTime ?? now,
      updateTime: now,
    };
  }

  async get(path: string): Promise<StoredBlob> {
    const record = await this.records.findOne({ _id: path });

    if (record === null) {
      throw notFound(path);
    }

    const info = toBlobInfo(record);
    const source = this.bucket.openDownloadStream(record.fileId);

    return { info, stream: VerifyingStream.wrap(source, info, this.settings.verifyBlobReads) };
  }

  async delete(path: string): Promise<boolean> {
    const removed = await this.records.findOneAndDelete({ _id: path });

    if (removed === null) {
      return false;
    }

    await this.markReplaced(removed.fileId);

    return true;
  }

  async list(options: CheckedListOptions): Promise<BlobPage> {
    const scope = `blobs\u0000${options.prefix}`;
    const startAfter =
      options.startAfter === null ? null : decodePathCursor(options.startAfter, scope);
    const condition: Record<string, unknown> = {};

    if (options.prefix !== '') {
      // An anchored regular expression without flags uses the `_id` index as a range.
      condition.$regex = new RegExp(`^${options.prefix.replace(REGEX_SPECIAL, '\\$&')}`);
    }

    if (startAfter !== null) {
      condition.$gt = startAfter;
    }

    const records = await this.records
      .find(Object.keys(condition).length === 0 ? {} : { _id: condition })
      .sort({ _id: 1 })
      .limit(options.limit + 1)
      .toArray();
    const page = records.slice(0, options.limit).map((record) => toBlobInfo(record));
    const last = page.at(-1);

    return {
      blobs: page,
      nextCursor:
        records.length > options.limit && last !== undefined
          ? encodeCursor(scope, [last.path])
          : null,
    };
  }

  /**
   * Removes the chunks of crashed uploads and the files of replaced or
   * deleted blobs past their grace time. `fullScan` also looks for files
   * that no path uses and that nothing marked, which a crash right after a
   * put or delete leaves, and schedules them for removal.
   */
  async collectGarbage(options: { fullScan: boolean }): Promise<BlobGarbageResult> {
    const now = Date.now();
    const result: BlobGarbageResult = { removedUploads: 0, removedFiles: 0, scheduledFiles: 0 };
    const staleUploads = await this.uploads
      .find({ startedAt: { $lt: new Date(now - this.settings.staleUploadAgeMs) } })
      .toArray();

    for (const upload of staleUploads) {
      if (
        (await this.records.findOne({ fileId: upload._id }, { projection: { _id: 1 } })) === null
      ) {
        await this.removeFile(upload._id);
        result.removedUploads++;
      }

      await this.uploads.deleteOne({ _id: upload._id });
    }

    const expired = await this.files
      .find(
        { 'metadata.replacedAt': { $lt: new Date(now - this.settings.replacedFileGraceMs) } },
        { projection: { _id: 1 } },
      )
      .toArray();

    for (const file of expired) {
      await this.removeFile(file._id);
      result.removedFiles++;
    }

    if (options.fullScan) {
      result.scheduledFiles = await this.scheduleUnusedFiles();
    }

    if (result.removedUploads + result.removedFiles + result.scheduledFiles > 0) {
      this.logger.info(result, 'blob garbage collected');
    }

    return result;
  }

  private async scheduleUnusedFiles(): Promise<number> {
    let scheduled = 0;
    const unmarked = this.files.find(
      { 'metadata.replacedAt': { $exists: false } },
      { projection: { _id: 1 } },
    );

    for await (const file of unmarked) {
      const used = await this.records.findOne({ fileId: file._id }, { projection: { _id: 1 } });
      const uploading = await this.uploads.findOne({ _id: file._id }, { projection: { _id: 1 } });

      if (used === null && uploading === null) {
        await this.markReplaced(file._id);
        scheduled++;
      }
    }

    return scheduled;
  }

  /** Streams the source into a new GridFS file and removes the chunks written so far on any failure. */
  private async upload(
    fileId: ObjectId,
    path: string,
    source: BlobSource,
    contentType: string | null,
  ): Promise<{ size: number; sha256: string }> {
    const stream = this.bucket.openUploadStreamWithId(fileId, path, {
      metadata: { path, contentType },
    });

    // Errors reach the caller through writeChunk, endUpload or abort. This
    // listener keeps a late one (a pending write after abort) from being unhandled.
    stream.on('error', () => undefined);

    const hash = createHash('sha256');
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

        if (size > this.settings.maxBlobBytes) {
          throw new DocStoreError(
            'BLOB_TOO_LARGE',
            `Blob ${JSON.stringify(path)} is larger than the limit of ${this.settings.maxBlobBytes} bytes.`,
            { limit: this.settings.maxBlobBytes },
          );
        }

        // Hashed before the write, which copies the bytes, so a producer
        // that reuses its buffer cannot make them differ from the hash.
        hash.update(chunk);
        await writeChunk(stream, chunk);
      }

      await endUpload(stream);
    } catch (error) {
      await stream.abort().catch((abortError: unknown) => {
        this.logger.warn(
          { err: abortError, path },
          'GridFS upload abort failed, garbage collection will remove its chunks',
        );
      });
      await this.removeFile(fileId).catch(() => undefined);
      throw error;
    }

    return { size, sha256: hash.digest('hex') };
  }

  private async forgetUpload(fileId: ObjectId): Promise<void> {
    await this.uploads.deleteOne({ _id: fileId }).catch((error: unknown) => {
      this.logger.warn(
        { err: error, fileId: fileId.toHexString() },
        'upload record removal failed, garbage collection will remove it',
      );
    });
  }

  private async markReplaced(fileId: ObjectId): Promise<void> {
    await this.files.updateOne({ _id: fileId }, { $set: { 'metadata.replacedAt': new Date() } });
  }

  /** Removes a GridFS file and its chunks; the files document may already be gone. */
  private async removeFile(fileId: ObjectId): Promise<void> {
    await this.files.deleteOne({ _id: fileId });
    await this.chunks.deleteMany({ files_id: fileId });
  }
}

function decodePathCursor(cursor: string, scope: string): string {
  const [path] = decodeCursor(cursor, scope, 1);

  if (typeof path !== 'string') {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid startAfter: the cursor is damaged; restart the listing without it.',
    );
  }

  return path;
}
