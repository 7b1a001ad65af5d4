import { CsvBlockReader, type CsvDialect } from '@rokks/file-reader';
import { createTransformer, type InputColumn, type OnErrorPolicy, type TransformSpec } from '@rokks/transform';

import { ChunkProcessor } from '../chunk-processor';
import { toCopyLines } from '../copy-writer';
import { EtlError } from '../etl.error';
import { type RowProblem } from '../etl.types';

/** Everything a block worker needs besides the blocks; it crosses to a thread as structured clone. */
export interface BlockWorkSetup {
  spec: unknown;
  inputColumns: InputColumn[];
  /** The number of the file's first data row: 2 after a header, else 1. */
  firstRowNumber: number;
  policy: OnErrorPolicy;
  dialect: CsvDialect;
}

/**
 * A block of the file: bytes from a record start to a line feed, or to the
 * end of the file. The memory of `bytes` moves to the thread that reads
 * the block and comes back in the outcome as `bytes`.
 */
export interface BlockTask {
  index: number;
  bytes: Uint8Array;
  /** True for the block that starts the file, whose first record is the header if the file has one. */
  first: boolean;
  /** True for the block that ends the file. */
  last: boolean;
}

/**
 * A block read, transformed and written as COPY text. Rows, lines and
 * records are counted from the start of the block; the caller adds the
 * counts of the blocks before it.
 */
export interface BlockDone {
  index: number;
  done: true;
  /** The block's bytes, given back. */
  bytes: Uint8Array;
  /** The COPY text of the rows to load, in UTF-8. */
  copyText: Uint8Array;
  rowsOut: number;
  /** Records read, the header and malformed records included. */
  records: number;
  /** Data records read, malformed ones included, as the progress counts them. */
  rowsIn: number;
  lines: number;
  rowsRejected: number;
  valuesNulled: number;
  rejects: RowProblem[];
}

/**
 * A block the worker did not finish: it does not end at a record end (the
 * cut fell inside a quoted field), or reading or transforming it raised an
 * error. The caller reads the file on its own from the start of the block,
 * which gives the same result as a read of the whole file, errors included.
 */
export interface BlockUnfinished {
  index: number;
  done: false;
  /** The block's bytes, given back, for the caller to read. */
  bytes: Uint8Array;
  reason: string;
  /** True when a row of the block raised `BAD_DATA` under onError `fail`. */
  badData: boolean;
}

export type BlockOutcome = BlockDone | BlockUnfinished;

/** Text is decoded and parsed in slices of this size, so the rows of a slice die young in the collector. */
const SLICE_BYTES = 64 * 1024;

/**
 * Rows per chunk in a block thread, whose young generation is smaller than
 * the main thread's (BLOCK_THREAD_YOUNG_MB), so fewer rows are alive at
 * each collection. On the flights file, in four runs each, 250 took as
 * much CPU as 1,000 with that young generation, with a peak RSS about
 * 10 MB lower.
 */
const BLOCK_CHUNK_ROWS = 250;

/** Creates a chunk processor over a new transformer of the load's spec. */
export function createBlockProcessor(setup: BlockWorkSetup): ChunkProcessor {
  const transformer = createTransformer(setup.spec, setup.inputColumns, { firstRowNumber: setup.firstRowNumber });

  return new ChunkProcessor(transformer, setup.policy);
}

/** Returns whether a spec can run on blocks apart: it has no step that carries state from row to row. */
export function runsOnBlocks(spec: TransformSpec): boolean {
  return spec.steps.every((step) => step.op !== 'dedupe' && !(step.op === 'fill' && step.method === 'previous'));
}

/**
 * Reads, transforms and writes blocks of a CSV file as COPY text, each on
 * its own. Each block thread runs one per load, and the tests run one on
 * the main thread (`InlineBlockRunner`).
 */
export class BlockWorker {
  private readonly processor: ChunkProcessor;

  constructor(private readonly setup: BlockWorkSetup) {
    this.processor = createBlockProcessor(setup);
  }

  run(task: BlockTask): BlockOutcome {
    try {
      return this.read(task);
    } catch (error) {
      return {
        index: task.index,
        done: false,
        bytes: task.bytes,
        reason: error instanceof Error ? error.message : String(error),
        badData: error instanceof EtlError && error.code === 'BAD_DATA',
      };
    }
  }

  private read(task: BlockTask): BlockOutcome {
    const { dialect } = this.setup;
    const before = this.processor.stats;
    // Numbered from the block's start; only the block that starts the file has a header.
    const reader = new CsvBlockReader(
      { ...dialect, header: task.first && dialect.header, chunkRows: BLOCK_CHUNK_ROWS },
      { byteOffset: 0, recordsBefore: 0, linesBefore: 0 },
    );
    const text = new CopyTextBuffer(task.bytes.length);
    const rejects: RowProblem[] = [];

    for (let start = 0; start < task.bytes.length; start += SLICE_BYTES) {
      reader.push(task.bytes.subarray(start, start + SLICE_BYTES));
      this.process(reader, text, rejects);
    }

    if (task.last) {
      reader.end();
      this.process(reader, text, rejects);
    } else if (reader.atRecordStart) {
      reader.flushRows();
      this.process(reader, text, rejects);
    } else {
      return { index: task.index, done: false, bytes: task.bytes, reason: 'the block ends inside a record', badData: false };
    }

    const after = this.processor.stats;

    return {
      index: task.index,
      done: true,
      bytes: task.bytes,
      copyText: text.bytes(),
      rowsOut: after.rowsOut - before.rowsOut,
      records: reader.lastRecordNumber,
      rowsIn: after.rowsIn - before.rowsIn,
      lines: reader.linesCompleted,
      rowsRejected: after.rowsRejected - before.rowsRejected,
      valuesNulled: after.valuesNulled - before.valuesNulled,
      rejects,
    };
  }

  private process(reader: CsvBlockReader, text: CopyTextBuffer, rejects: RowProblem[]): void {
    for (const chunk of reader.take()) {
      const processed = this.processor.process(chunk);

      text.add(toCopyLines(processed.rows));

      for (const reject of processed.rejects) {
        rejects.push(reject);
      }
    }
  }
}

/** The maximum number of spare COPY text buffers a thread keeps. */
const MAX_SPARE_BUFFERS = 4;

/** Memory of COPY text that the main thread has written and given back, for the next blocks. */
const spareBuffers: ArrayBuffer[] = [];

/**
 * Keeps the memory of a block's COPY text for a later block, once the load
 * target has taken it. Without it, every block would leave its text to the
 * main thread's garbage collector, which lets much of it pile up.
 */
export function reuseCopyTextMemory(memory: ArrayBuffer): void {
  if (spareBuffers.length < MAX_SPARE_BUFFERS && memory.byteLength > 0) {
    spareBuffers.push(memory);
  }
}

/**
 * COPY text in one buffer that grows by doubling. The buffer is allocated
 * outside Node's pool, so its memory can move to another thread.
 */
class CopyTextBuffer {
  private buffer: Buffer;
  private used = 0;

  constructor(expectedBytes: number) {
    const size = Math.max(expectedBytes, 1024);
    const spare = spareBuffers.findIndex((memory) => memory.byteLength >= size);

    this.buffer = spare >= 0 ? Buffer.from(spareBuffers.splice(spare, 1)[0]) : Buffer.allocUnsafeSlow(size);
  }

  add(text: string): void {
    // At most three bytes per UTF-16 code unit.
    if (this.buffer.length - this.used < text.length * 3) {
      const needed = this.used + Buffer.byteLength(text, 'utf8');

      if (needed > this.buffer.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.buffer.length * 2));

        this.buffer.copy(grown, 0, 0, this.used);
        this.buffer = grown;
      }
    }

    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.used);
  }
}
