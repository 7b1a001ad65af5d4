import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import { type BlobInfo } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';

/** Passes blob bytes through and fails at the end when their size or SHA-256 differs from the blob's metadata. */
export class Sha256Verifier extends Transform {
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
        `Stored blob ${JSON.stringify(this.info.path)} no longer matches its metadata: read ${this.size} bytes with SHA-256 ${sha256}, expected ${this.info.size} bytes with SHA-256 ${this.info.sha256}.`,
        { path: this.info.path, expected: this.info.sha256, actual: sha256 },
      ),
    );
  }
}
