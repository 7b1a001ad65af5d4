import { type RawValue } from '@rokks/transform';

import { type FileChunk, type ReadProgress, type RowError } from './file-reader.types';

/**
 * Collects rows and row errors into chunks of at most `chunkRows` entries. The rows of
 * a chunk are consecutive records, because a row that follows an error starts a new
 * chunk. So `firstRowNumber + i` is always the record number of `rows[i]`.
 */
export class ChunkBuilder {
  /** Chunks that are complete and wait for the consumer. */
  readonly ready: FileChunk[] = [];

  private rows: RawValue[][] = [];
  private lineNumbers: number[] = [];
  private errors: RowError[] = [];
  private firstRowNumber = 0;

  constructor(
    private readonly chunkRows: number,
    private readonly progress: ReadProgress,
  ) {}

  addRow(values: RawValue[], row: number, line: number): void {
    if (this.errors.length > 0 || this.rows.length >= this.chunkRows) {
      this.flush();
    }

    if (this.rows.length === 0) {
      this.firstRowNumber = row;
    }

    this.rows.push(values);
    this.lineNumbers.push(line);
    this.progress.rowsRead += 1;
  }

  addError(error: RowError): void {
    if (this.rows.length + this.errors.length >= this.chunkRows) {
      this.flush();
    }

    if (this.rows.length === 0 && this.errors.length === 0) {
      this.firstRowNumber = error.row;
    }

    this.errors.push(error);
    this.progress.rowsRead += 1;
    this.progress.rowErrors += 1;
  }

  /** Moves the rows and errors collected so far into a ready chunk. */
  flush(): void {
    if (this.rows.length === 0 && this.errors.length === 0) {
      return;
    }

    this.ready.push({
      rows: this.rows,
      firstRowNumber: this.firstRowNumber,
      lineNumbers: this.lineNumbers,
      errors: this.errors,
    });
    this.rows = [];
    this.lineNumbers = [];
    this.errors = [];
  }
}
