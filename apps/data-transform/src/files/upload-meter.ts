import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import { TransformHttpError } from '../http/transform-http.error';

/**
 * Passes an upload's bytes through while it counts them and computes their
 * SHA-256. Past `maxBytes` it fails with a 413 error, so the copy to the
 * blob store stops and the partial blob is discarded.
 */
export class UploadMeter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    super();
  }

  /** Lower-case hex SHA-256 of the bytes; read it once, after the stream ended. */
  digest(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;

    if (this.bytes > this.maxBytes) {
      callback(tooLarge(this.maxBytes));

      return;
    }

    this.hash.update(chunk);
    callback(null, chunk);
  }
}

/** Builds the 413 of an upload; `declared` is the Content-Length when that alone exceeds the limit. */
export function tooLarge(maxBytes: number, declared?: number): TransformHttpError {
  const size = declared === undefined ? 'The upload is over' : `The upload's Content-Length of ${declared} bytes is over`;

  return new TransformHttpError(
    'TOO_LARGE',
    `${size} the limit of ${maxBytes} bytes; split the file or ask an administrator to raise TRANSFORM_MAX_UPLOAD_BYTES.`,
    { limit: maxBytes },
  );
}
