import { toCopyRow, type Value } from '@rokks/transform';

import { abortable } from './abort.util';
import { EtlError } from './etl.error';
import { type LoadTargetWriter } from './etl.types';

/** COPY text gathered before one write: about 1 MiB of ASCII text. */
export const COPY_BATCH_CHARS = 1 << 20;

/**
 * Turns typed rows into COPY text and writes it to the load target in
 * batches of about `COPY_BATCH_CHARS`. A write is not awaited when it
 * starts, so the next batch is read and transformed while the target takes
 * the previous one. The next write waits for it, so at most one write is
 * pending and memory keeps at most two batches.
 */
export class CopyWriter {
  private written = 0;
  private text = '';
  private rows = 0;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly writer: LoadTargetWriter,
    private readonly signal: AbortSignal | undefined,
    private readonly batchChars = COPY_BATCH_CHARS,
  ) {}

  /** Rows the target has taken. */
  get rowsWritten(): number {
    return this.written;
  }

  async add(rows: readonly (readonly Value[])[]): Promise<void> {
    for (const row of rows) {
      this.text += toCopyRow(row);
    }

    this.rows += rows.length;

    if (this.text.length >= this.batchChars) {
      await this.flush();
    }
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

    const { text, rows } = this;

    this.text = '';
    this.rows = 0;
    this.pending = this.writer.write(text).then(() => {
      this.written += rows;
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

      throw new EtlError('LOAD_FAILED', `the load target rejected a write: ${String(error)}`, {}, { cause: error });
    } finally {
      this.pending = null;
    }
  }
}
