import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';

import { type BlobInfo } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';

/**
 * Passes blob bytes through. With `verify`, it fails at the end when their
 * size or SHA-256 differs from the stored metadata. A read error of the
 * source (such as a missing GridFS chunk) fails it with `DATA_CORRUPTED`.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash | null;
  private size = 0;

  constructor(
    private readonly info: BlobInfo,
    verify: boolean,
  ) {
    super();
    this.hash = verify ? createHash('sha256') : null;
  }

  /** Pipes `source` into a new stream and maps the source's errors; destroying the result stops the source. */
  static wrap(source: Readable, info: BlobInfo, verify: boolean): VerifyingStream {
    const stream = new VerifyingStream(info, verify);

    source.on('error', (error: unknown) => {
      stream.destroy(
        new DocStoreError(
          'DATA_CORRUPTED',
          `The stored content of blob ${JSON.stringify(info.path)} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
          { path: info.path },
          { cause: error },
        ),
      );
    });
    stream.on('close', () => source.destroy());
    source.pipe(stream);

    return stream;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash?.update(chunk);
    this.size += chunk.byteLength;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.hash === null) {
      callback();

      return;
    }

    const sha256 = this.hash.digest('hex');

    if (sha256 === this.info.sha256 && this.size === this.info.size) {
      callback();

      return;
    }

    callback(
      new DocStoreError(
        'DATA_CORRUPTED',
        `Stored blob ${JSON.stringify(this.info.path)} no longer matches its metadata: read ${this.size} bytes with SHA-256 ${sha256}, expected ${this.info.size} bytes with ${this.info.sha256}.`,
        { path: this.info.path, expected: this.info.sha256, actual: sha256 },
      ),
    );
  }
}
