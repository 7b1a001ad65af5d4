import { Transform, type TransformCallback } from 'node:stream';

/** Raised in the body stream when a request body exceeds its limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Passes a request body through while counting it, and fails with
 * `BodyTooLargeError` as soon as it exceeds `limitBytes`. Chunks flow on as
 * they arrive: nothing is buffered beyond the stream's own high-water mark.
 */
export class BodyLimit extends Transform {
  private received = 0;

  constructor(readonly limitBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;

    if (this.received > this.limitBytes) {
      callback(new BodyTooLargeError(this.limitBytes));

      return;
    }

    callback(null, chunk);
  }
}
