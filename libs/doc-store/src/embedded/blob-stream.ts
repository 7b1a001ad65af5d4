import { createHash } from 'node:crypto';
import { createReadStream, openSync } from 'node:fs';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';

import { type BlobInfo, type StoredBlob } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type BlobFiles } from './blob-files';
import { type BlobTable } from './blob-table';

const READ_CHUNK_BYTES = 1024 * 1024;

/** Passes bytes through and fails at the end if their size or SHA-256 differs from the stored metadata. */
class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;

  constructor(private readonly info: BlobInfo) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.byteLength;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const sha256 = this.hash.digest('hex');

    if (sha256 === this.info.sha256 && this.size === this.info.size) {
      callback();

      return;
    }

    callback(
      new DocStoreError(
        'DATA_CORRUPTED',
        `Stored blob ${JSON.stringify(this.info.path)} no longer matches its metadata: read ${this.size} bytes with SHA-256 ${sha256}, expected ${this.info.size} bytes with ${sha256 === this.info.sha256 ? 'the same hash' : this.info.sha256}.`,
        { path: this.info.path, expected: this.info.sha256, actual: sha256 },
      ),
    );
  }
}

function notFound(path: string): DocStoreError {
  return new DocStoreError('NOT_FOUND', `Blob ${JSON.stringify(path)} not found.`, { path });
}

/**
 * Looks the blob up and opens its object file in one synchronous step. If a
 * concurrent delete or replace removed the file between the two, the
 * lookup runs again, so the caller sees the new state or NOT_FOUND.
 */
export function openBlobStream(
  blobs: BlobTable,
  files: BlobFiles,
  path: string,
  verify: boolean,
): StoredBlob {
  for (let attempt = 0; attempt < 3; attempt++) {
    const info = blobs.get(path);

    if (info === null) {
      throw notFound(path);
    }

    let descriptor: number;

    try {
      descriptor = openSync(files.objectPath(info.sha256), 'r');
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' &&
        blobs.get(path)?.sha256 !== info.sha256
      ) {
        continue;
      }

      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new DocStoreError(
          'DATA_CORRUPTED',
          `The object file of blob ${JSON.stringify(path)} is missing.`,
          {
            path,
            sha256: info.sha256,
          },
        );
      }

      throw error;
    }

    const file = createReadStream('', { fd: descriptor, highWaterMark: READ_CHUNK_BYTES });

    if (!verify) {
      return { info, stream: file };
    }

    const verifier = new VerifyingStream(info);

    // Errors reach the consumer through the verifier; the callback only keeps pipeline from raising them again.
    pipeline(file, verifier, () => undefined);

    return { info, stream: verifier as Readable };
  }

  throw notFound(path);
}
