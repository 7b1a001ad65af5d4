import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';

import { type BlobInfo } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';

/**
 * Passes blob bytes through. With `verify`, it fails at the end when their
 * size or SHA-256 differs from the stored metadata.
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

  /**
   * Pipes `source` into a new stream; destroying the result stops the
   * source. A read error of `storage` (a missing GridFS chunk, say) becomes
   * `DATA_CORRUPTED`; one of a `transfer` (a cut connection) `UNAVAILABLE`.
   */
  static wrap(
    source: Readable,
    info: BlobInfo,
    verify: boolean,
    origin: 'storage' | 'transfer' = 'storage',
  ): VerifyingStream {
    const stream = new VerifyingStream(info, verify);

    source.on('error', (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      const mapped =
        origin === 'storage'
          ? new DocStoreError(
              'DATA_CORRUPTED',
              `The stored content of blob ${JSON.stringify(info.path)} cannot be read: ${reason}`,
              { path: info.path },
              { cause: error },
            )
          : new DocStoreError(
              'UNAVAILABLE',
              `The transfer of blob ${JSON.stringify(info.path)} broke off: ${reason}`,
              { path: info.path },
              { cause: error },
            );

      stream.destroy(mapped);
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
