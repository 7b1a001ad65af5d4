import { isUtf8 } from 'node:buffer';

import { SqlEngineError } from '@rokks/sql-engine';

const NEWLINE = 0x0a;

/** Bytes gathered before a chunk goes to the database: large enough to keep calls few, small enough to keep memory flat. */
export const FLUSH_BYTES = 256 * 1024;

/** Maximum length of a row, in bytes, that the gateway buffers while it waits for the row's newline. */
export const MAX_ROW_BYTES = 64 * 1024 * 1024;

/**
 * Cuts a byte stream of PostgreSQL COPY text into UTF-8 strings that end at
 * a row boundary, as `LoadWriter.writeCopyText` requires. In COPY text a
 * newline inside a value is written as `\n`, so every newline byte ends a
 * row, and a newline byte never occurs inside a multi-byte UTF-8 sequence,
 * so cutting after it never splits a character. The bytes after the last
 * newline wait for the next chunk, also across requests of one load.
 */
export class CopyTextChunker {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Whether `pending` contains a newline, so that a flush has whole rows to return. */
  private pendingHasNewline = false;
  /** Bytes before `pending`, for the position in error messages. */
  private consumedBytes = 0;

  constructor(private readonly table: string) {}

  /** Bytes received and not yet returned as text: at most one flush plus a partial row. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Adds bytes; returns text to write when enough has gathered, else null. */
  push(chunk: Buffer): string | null {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Searching from the end finds a newline within one row of ordinary data.
    this.pendingHasNewline ||= chunk.lastIndexOf(NEWLINE) !== -1;

    if (!this.pendingHasNewline) {
      this.assertRowSize();

      return null;
    }

    return this.pendingBytes >= FLUSH_BYTES ? this.takeRows() : null;
  }

  /** Returns every whole row gathered so far, or null when there is none. */
  takeRows(): string | null {
    const bytes = this.concat();
    const end = bytes.lastIndexOf(NEWLINE) + 1;

    if (end === 0) {
      this.keep(bytes, 0);

      return null;
    }

    const text = this.decode(bytes.subarray(0, end));

    this.keep(bytes, end);

    return text;
  }

  /**
   * Returns the rest at the end of the load, with a final newline added
   * when the data did not end with one (COPY itself accepts a last row
   * without it), or null when nothing is left.
   */
  takeRest(): string | null {
    const rows = this.takeRows();
    const rest = this.concat();

    this.keep(rest, rest.length);

    if (rest.length === 0) {
      return rows;
    }

    return `${rows ?? ''}${this.decode(rest)}\n`;
  }

  private assertRowSize(): void {
    if (this.pendingBytes > MAX_ROW_BYTES) {
      throw new SqlEngineError('TOO_LARGE', `a row of the load into ${this.table} is longer than ${MAX_ROW_BYTES} bytes`, {
        table: this.table,
      });
    }
  }

  private concat(): Buffer {
    return this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
  }

  private keep(bytes: Buffer, from: number): void {
    this.consumedBytes += from;
    this.pending = from < bytes.length ? [bytes.subarray(from)] : [];
    this.pendingBytes = bytes.length - from;
    // Callers keep only bytes after the last newline, or bytes without one.
    this.pendingHasNewline = false;
  }

  private decode(bytes: Buffer): string {
    if (!isUtf8(bytes)) {
      throw new SqlEngineError(
        'INVALID_DATA',
        `the load into ${this.table} is not valid UTF-8 between bytes ${this.consumedBytes} and ${this.consumedBytes + bytes.length}`,
        { table: this.table },
      );
    }

    return bytes.toString('utf8');
  }
}
