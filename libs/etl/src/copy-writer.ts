import { toCopyText, type Value } from '@rokks/transform';

import { abortable } from './abort.util';
import { EtlError } from './etl.error';
import { type LoadTargetWriter } from './etl.types';

/** COPY text gathered before one write: 256 KiB of UTF-8. */
export const COPY_BATCH_BYTES = 1 << 18;

/** The maximum number of UTF-8 bytes that one UTF-16 code unit of a JavaScript string encodes to. */
const MAX_BYTES_PER_CODE_UNIT = 3;

/**
 * Turns typed rows into COPY text and writes it to the load target in
 * batches of about `COPY_BATCH_BYTES`. Each `add` turns its rows into one
 * string and encodes it into the batch's buffer at once. So the text of a
 * chunk dies young in the garbage collector, and a batch waiting for its
 * write lives outside the JavaScript heap. A write is not awaited when it
 * starts, so the next batch is read and transformed while the target takes
 * the previous one. The next write waits for it, so at most one write is
 * pending and memory keeps at most two batches.
 */
export class CopyWriter {
  private written = 0;
  private batch: Buffer;
  /** The buffer of the previous batch, free again once its write has resolved. */
  private spare: Buffer | null = null;
  private used = 0;
  private rows = 0;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly writer: LoadTargetWriter,
    private readonly signal: AbortSignal | undefined,
    private readonly batchBytes = COPY_BATCH_BYTES,
  ) {
    this.batch = Buffer.allocUnsafe(batchBytes);
  }

  /** Rows the target has taken. */
  get rowsWritten(): number {
    return this.written;
  }

  async add(rows: readonly (readonly Value[])[]): Promise<void> {
    if (rows.length === 0) {
      return;
    }

    const text = toCopyLines(rows);
    let room = this.batch.length - this.used;

    if (room < text.length * MAX_BYTES_PER_CODE_UNIT) {
      const bytes = Buffer.byteLength(text, 'utf8');

      if (room < bytes) {
        await this.flush();
        room = this.batch.length - this.used;

        if (room < bytes) {
          // A chunk larger than a batch gets a buffer of its own size, used once.
          this.spare = this.batch;
          this.batch = Buffer.allocUnsafe(bytes);
        }
      }
    }

    this.used += this.batch.write(text, this.used, 'utf8');
    this.rows += rows.length;

    if (this.used >= this.batchBytes) {
      await this.flush();
    }
  }

  /**
   * Writes COPY text built elsewhere (by a block thread) as one write of its
   * own, after the batch gathered so far. Like `add`, it returns once the
   * write has started, and the next write waits for it. `onWritten` runs
   * once the target has taken the bytes, which are then free for reuse.
   */
  async addCopyText(bytes: Uint8Array, rows: number, onWritten?: () => void): Promise<void> {
    if (rows === 0) {
      onWritten?.();

      return;
    }

    await this.flush();
    await this.settle();
    // A Buffer over the same memory, as the batches are, for targets that treat the text as a Buffer.
    this.pending = this.writer.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).then(() => {
      this.written += rows;
      onWritten?.();
    });
    this.pending.catch(() => undefined);
  }

  /** Writes what is left and waits until the target has taken every row. */
  async end(): Promise<void> {
    await this.flush();
    await this.settle();
  }

  private async flush(): Promise<void> {
    await this.settle();

    if (this.rows === 0) {
      return;
    }

    const full = this.batch;
    const bytes = full.subarray(0, this.used);
    const rows = this.rows;

    // The target may keep the bytes until the write resolves, so the next
    // batch goes into the other buffer, and this one is reused after that.
    this.batch = this.spare ?? Buffer.allocUnsafe(this.batchBytes);
    this.spare = null;
    this.used = 0;
    this.rows = 0;
    this.pending = this.writer.write(bytes).then(() => {
      this.written += rows;

      if (full.length === this.batchBytes) {
        this.spare = full;
      }
    });
    // Marked handled now, because it may reject before the next settle() awaits it.
    this.pending.catch(() => undefined);
  }

  /** Waits for the pending write, or until the run is aborted. */
  private async settle(): Promise<void> {
    const pending = this.pending;

    if (pending === null) {
      return;
    }

    try {
      await abortable(pending, this.signal);
    } catch (error) {
      if (error instanceof EtlError) {
        throw error;
      }

      throw new EtlError(
        'LOAD_FAILED',
        `the load target rejected a write: ${String(error)}`,
        {},
        { cause: error },
      );
    } finally {
      this.pending = null;
    }
  }
}

/** The characters that `toCopyText` escapes in a string. */
const NEEDS_COPY_ESCAPE = /[\\\t\n\r]/u;

/** Bound once, because each call through the package's re-export would run its getter. */
const copyText = toCopyText;

/** Integers from -SMALL_INTEGER_LIMIT to SMALL_INTEGER_LIMIT get their text from a cache. */
const SMALL_INTEGER_LIMIT = 65_535;
/** The text of each small integer at index value + SMALL_INTEGER_LIMIT, filled on first use. */
const smallIntegerTexts: (string | undefined)[] = new Array<string | undefined>(
  2 * SMALL_INTEGER_LIMIT + 1,
);

/**
 * Writes a bigint in decimal. Integer columns mostly repeat small values, so
 * their text comes from an array instead of a conversion to a double and
 * V8's number-to-string cache. `Number(value)` is exact within the cache's
 * range, and a bigint outside it converts to a double outside it too.
 */
function integerText(value: bigint): string {
  const number = Number(value);

  if (number >= -SMALL_INTEGER_LIMIT && number <= SMALL_INTEGER_LIMIT) {
    return (smallIntegerTexts[number + SMALL_INTEGER_LIMIT] ??= String(number));
  }

  return copyText(value);
}

/** Writes rows as COPY text lines: values separated by tabs, each row ended by a newline. */
export function toCopyLines(rows: readonly (readonly Value[])[]): string {
  let text = '';

  for (let row = 0; row < rows.length; row++) {
    const values = rows[row];

    for (let index = 0; index < values.length; index++) {
      const value = values[index];

      if (index > 0) {
        text += '\t';
      }

      // A string without those characters goes in as it is, and every other value through toCopyText.
      if (typeof value === 'string') {
        text += NEEDS_COPY_ESCAPE.test(value) ? copyText(value) : value;
      } else if (typeof value === 'bigint') {
        text += integerText(value);
      } else {
        text += copyText(value);
      }
    }

    text += '\n';
  }

  return text;
}
