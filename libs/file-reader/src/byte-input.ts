import { type ReadProgress } from './file-reader.types';

/**
 * The bytes of a file: a Node `Readable`, any iterable of byte pieces, or the whole
 * file as one `Uint8Array`. Strings, as a whole file or as pieces, count as UTF-8.
 */
export type ByteSource = Uint8Array | string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * The maximum piece decoded at once; larger pieces from the source are cut. Rows of
 * a smaller piece reach the consumer sooner, so fewer of them outlive V8's young
 * generation. Pieces of 1 MiB made the reader about a third slower (BENCHMARKS.md).
 */
const MAX_PIECE_BYTES = 64 * 1024;

export interface ByteSample {
  bytes: Uint8Array;
  /** True when the sample is the whole file. */
  complete: boolean;
}

/**
 * Reads a source piece by piece, only when asked, and counts the bytes. The
 * pieces read for the detection sample are kept and given out again first.
 */
export class ByteInput {
  private readonly iterator: AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string>;
  private replay: Uint8Array[] = [];
  private replayBytes = 0;
  private finished = false;

  constructor(
    source: ByteSource,
    private readonly progress: ReadProgress,
  ) {
    if (typeof source === 'string' || source instanceof Uint8Array) {
      this.iterator = [source][Symbol.iterator]();
    } else {
      this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    }
  }

  /** Returns the next piece, at most 64 KiB, or null at the end of the file. */
  async next(): Promise<Uint8Array | null> {
    const piece = this.replay.length > 0 ? this.takeReplayed() : await this.readSource();

    if (piece === null || piece.length <= MAX_PIECE_BYTES) {
      return piece;
    }

    this.replay.unshift(piece.subarray(MAX_PIECE_BYTES));
    this.replayBytes += piece.length - MAX_PIECE_BYTES;

    return piece.subarray(0, MAX_PIECE_BYTES);
  }

  /** Reads until `size` bytes or the end of the file are buffered, and returns the first `size` bytes. */
  async sample(size: number): Promise<ByteSample> {
    while (this.replayBytes < size) {
      const piece = await this.readSource();

      if (piece === null) {
        break;
      }

      this.replay.push(piece);
      this.replayBytes += piece.length;
    }

    const bytes = new Uint8Array(Math.min(size, this.replayBytes));
    let offset = 0;

    for (const piece of this.replay) {
      if (offset >= bytes.length) {
        break;
      }

      const part = piece.subarray(0, bytes.length - offset);

      bytes.set(part, offset);
      offset += part.length;
    }

    return { bytes, complete: this.finished && this.replayBytes <= size };
  }

  /** Stops reading and lets the source release what it holds (a `Readable` is destroyed). */
  async close(): Promise<void> {
    this.replay = [];
    this.replayBytes = 0;

    if (!this.finished) {
      this.finished = true;
      await this.iterator.return?.();
    }
  }

  private takeReplayed(): Uint8Array {
    const piece = this.replay.shift() as Uint8Array;

    this.replayBytes -= piece.length;

    return piece;
  }

  private async readSource(): Promise<Uint8Array | null> {
    while (!this.finished) {
      const result = await this.iterator.next();

      if (result.done === true) {
        this.finished = true;

        return null;
      }

      const piece = typeof result.value === 'string' ? Buffer.from(result.value, 'utf8') : result.value;

      this.progress.bytesRead += piece.length;

      if (piece.length > 0) {
        return piece;
      }
    }

    return null;
  }
}
