import { type Logger } from 'pino';

import { ByteInput, type ByteSource, CsvBlockReader, FileReaderError } from '@rokks/file-reader';
import { type TransformStats } from '@rokks/transform';

import { abortable, throwIfAborted } from '../abort.util';
import { ChunkProcessor } from '../chunk-processor';
import { type CopyWriter } from '../copy-writer';
import { EtlError } from '../etl.error';
import { type RowProblem } from '../etl.types';
import { type RejectsFile } from '../rejects-file';
import { type BlockRunner } from './block-runners';
import { findBlockCut } from './block-split';
import { type BlockDone, type BlockOutcome, type BlockUnfinished, type BlockWorkSetup, createBlockProcessor } from './block-work';
import { collectYoungGarbage } from './young-garbage.util';

/**
 * The usual size of a block. On the flights file, blocks of 256 KiB ran as
 * fast as blocks of 512 KiB, with the worker's peak RSS about 8 MB lower.
 */
export const BLOCK_BYTES = 1 << 18;

/**
 * A block grows until a line feed outside quotes ends it. Past this size
 * the rest of the file is read on the main thread, so a quote that never
 * closes cannot make a block hold the whole file.
 */
export const MAX_BLOCK_BYTES = 4 << 20;

/** Bytes read between two young collections of the main thread (`collectYoungGarbage`). */
const BYTES_PER_COLLECTION = 8 << 20;

/** Bytes are read from the blocks in slices of this size when the main thread reads them itself. */
const SLICE_BYTES = 64 * 1024;

export interface BlockPipelineOptions {
  /** The file's bytes from its first byte; opened again, because the sample was read by another reader. */
  source: ByteSource;
  /**
   * Opens the file again from its first byte. Under onError `fail`, a block
   * with bad data makes the pipeline read the file from the start to the
   * first problem with this source. The problems a `BAD_DATA` error lists
   * depend on chunks counted from the start of the file. Without `reopen`,
   * the rest of the file is read as after any other unfinished block.
   */
  reopen?: () => ByteSource;
  setup: BlockWorkSetup;
  runner: BlockRunner;
  /** The maximum number of blocks read and transformed ahead of the load. */
  maxBlocksAhead: number;
  blockBytes?: number;
  rejects: RejectsFile;
  copy: CopyWriter;
  signal?: AbortSignal;
  log?: Logger;
}

interface PendingBlock {
  index: number;
  /** The number of bytes in the block; its memory is with the runner until the outcome. */
  length: number;
  outcome: Promise<BlockOutcome>;
}

/** The maximum number of free block buffers kept for later blocks and runs. */
const MAX_FREE_BUFFERS = 8;

/** Free buffers larger than this, made for blocks of long records, are left to the garbage collector. */
const MAX_KEPT_BUFFER_BYTES = 4 * BLOCK_BYTES;

/**
 * Memory for blocks, reused once a block's outcome gives it back, in this
 * run and in later ones. A block owns a whole buffer, because its memory
 * moves to a thread and back. Buffers of one run alone outlived several
 * collections, so they waited for a full one and the worker's RSS grew by
 * a few MB with each run.
 */
class BlockBuffers {
  private readonly free: ArrayBuffer[] = [];

  /** Returns a buffer of at least `size` bytes. */
  take(size: number): Uint8Array {
    const index = this.free.findIndex((memory) => memory.byteLength >= size);

    return new Uint8Array(index >= 0 ? this.free.splice(index, 1)[0] : new ArrayBuffer(size));
  }

  give(bytes: Uint8Array): void {
    const memory = bytes.buffer;

    if (
      memory instanceof ArrayBuffer &&
      memory.byteLength > 0 &&
      memory.byteLength <= MAX_KEPT_BUFFER_BYTES &&
      this.free.length < MAX_FREE_BUFFERS
    ) {
      this.free.push(memory);
    }
  }
}

/** Block buffers shared by the runs of this thread, which take and give them one at a time. */
const blockBuffers = new BlockBuffers();

/**
 * Loads a CSV file in blocks that block threads read and transform at the
 * same time. Each block ends at a line feed outside quotes, and the COPY
 * text and rejects of the blocks reach the load target in file order, with
 * their rows and lines renumbered from the start of the file. When a block
 * comes back unfinished (it did not end at a record end, or its rows raised
 * an error), the main thread reads the rest of the file itself. So the
 * load, its rejects and its errors are those of a read of the whole file.
 */
export class BlockPipeline {
  private readonly pending: PendingBlock[] = [];
  private readonly buffers = blockBuffers;
  /** The outcome of the block that came back unfinished, which stays first in `pending`. */
  private unfinished: BlockUnfinished | null = null;
  private readonly totals: TransformStats = { rowsIn: 0, rowsOut: 0, rowsRejected: 0, valuesNulled: 0 };
  private fallbackProcessor: ChunkProcessor | null = null;
  private nextIndex = 0;
  private byteOffset = 0;
  private recordsBefore = 0;
  private linesBefore = 0;
  private bomLeft: number;
  private readSinceCollection = 0;

  constructor(private readonly options: BlockPipelineOptions) {
    // The byte order mark is part of no block.
    this.bomLeft = options.setup.dialect.byteOrderMarkBytes;
  }

  /** Counters over the blocks loaded so far. */
  get stats(): TransformStats {
    const fallback = this.fallbackProcessor?.stats;

    if (fallback === undefined) {
      return { ...this.totals };
    }

    return {
      rowsIn: this.totals.rowsIn + fallback.rowsIn,
      rowsOut: this.totals.rowsOut + fallback.rowsOut,
      rowsRejected: this.totals.rowsRejected + fallback.rowsRejected,
      valuesNulled: this.totals.valuesNulled + fallback.valuesNulled,
    };
  }

  /** Reads the whole file into the copy writer and the rejects file, and waits until the target has taken the last rows. */
  async run(): Promise<void> {
    const input = new ByteInput(this.options.source, { bytesRead: 0, rowsRead: 0, rowErrors: 0 });

    try {
      const rest = await this.readBlocks(input);

      if (rest !== null) {
        await this.options.runner.close();

        if (this.unfinished?.badData === true && this.options.reopen !== undefined) {
          await this.findFirstProblem(this.options.reopen);
        }

        await this.readAlone(input, rest.pieces, rest.reason);
      }

      await this.options.copy.end();
    } finally {
      await this.options.runner.close();
      await input.close();
    }
  }

  /**
   * Cuts the file into blocks and loads their outcomes in order. Returns
   * null when every block was loaded, else the bytes not loaded yet (the
   * unfinished block's first) and the reason.
   */
  private async readBlocks(input: ByteInput): Promise<{ pieces: Uint8Array[]; reason: string } | null> {
    const blockBytes = this.options.blockBytes ?? BLOCK_BYTES;
    const quote = this.options.setup.dialect.quote.charCodeAt(0);
    let pieces: Uint8Array[] = [];
    let buffered = 0;
    let nextCut = blockBytes;

    for (;;) {
      const piece = await this.nextPiece(input);

      if (piece === null) {
        break;
      }

      pieces.push(piece);
      buffered += piece.length;
      this.readSinceCollection += piece.length;

      if (this.readSinceCollection >= BYTES_PER_COLLECTION) {
        this.readSinceCollection = 0;
        collectYoungGarbage();
      }

      if (buffered < nextCut) {
        continue;
      }

      const buffer = this.buffers.take(Math.max(buffered, blockBytes * 2));
      const joined = join(pieces, buffered, buffer);
      const cut = findBlockCut(joined, quote);

      if (cut < 0) {
        pieces = [joined.slice()];
        this.buffers.give(buffer);

        if (buffered > MAX_BLOCK_BYTES) {
          return this.restNotLoaded(pieces, `no record ends in ${buffered} bytes`);
        }

        // Tried again once the block has doubled, so the joins stay linear in its size.
        nextCut = buffered * 2;
        continue;
      }

      // The rest is copied out, because the buffer goes with the block.
      pieces = cut < buffered ? [joined.slice(cut)] : [];
      this.dispatch(joined.subarray(0, cut), false);
      buffered -= cut;
      nextCut = blockBytes;

      while (this.pending.length >= this.options.maxBlocksAhead) {
        const reason = await this.loadFirstPending();

        if (reason !== null) {
          return this.restNotLoaded(pieces, reason);
        }
      }
    }

    if (buffered > 0 || this.nextIndex === 0) {
      this.dispatch(join(pieces, buffered, this.buffers.take(buffered)), true);
      pieces = [];
    }

    while (this.pending.length > 0) {
      const reason = await this.loadFirstPending();

      if (reason !== null) {
        return this.restNotLoaded(pieces, reason);
      }
    }

    return null;
  }

  /** Hands a block to the runner. `bytes` must start its own buffer, whose memory goes with it. */
  private dispatch(bytes: Uint8Array, last: boolean): void {
    const index = this.nextIndex;
    // Read before the run, because a thread runner moves the memory and leaves `bytes` empty.
    const length = bytes.length;
    const outcome = this.options.runner.run({ index, bytes, first: index === 0, last });

    // Handled now, because the outcome of a block after an unfinished one is awaited only for its bytes.
    outcome.catch(() => undefined);
    this.nextIndex += 1;
    this.pending.push({ index, length, outcome });
  }

  /**
   * Waits for the first pending block and loads it; returns the reason when
   * it came back unfinished, and then the block stays first.
   */
  private async loadFirstPending(): Promise<string | null> {
    const first = this.pending[0];
    const outcome = await this.outcomeOf(first);

    if (!outcome.done) {
      this.unfinished = outcome;

      return outcome.reason;
    }

    this.pending.shift();
    this.buffers.give(outcome.bytes);
    await this.load(outcome, first.length);

    return null;
  }

  /** Waits for a block's outcome. Without one, its bytes are lost, so a failed thread fails the run. */
  private async outcomeOf(block: PendingBlock): Promise<BlockOutcome> {
    try {
      return await abortable(block.outcome, this.options.signal);
    } catch (error) {
      if (error instanceof EtlError) {
        throw error;
      }

      throw new EtlError('READ_FAILED', `the file could not be read: a block thread failed: ${String(error)}`, {}, { cause: error });
    }
  }

  private async load(block: BlockDone, bytes: number): Promise<void> {
    const { recordsBefore, linesBefore } = this;
    const rejects = block.rejects.map(
      (problem): RowProblem => ({
        ...problem,
        row: problem.row + recordsBefore,
        line: problem.line === null ? null : problem.line + linesBefore,
      }),
    );

    this.totals.rowsIn += block.rowsIn;
    this.totals.rowsOut += block.rowsOut;
    this.totals.rowsRejected += block.rowsRejected;
    this.totals.valuesNulled += block.valuesNulled;
    this.recordsBefore += block.records;
    this.linesBefore += block.lines;
    this.byteOffset += bytes;

    await this.options.rejects.add(rejects);
    await this.options.copy.addCopyText(block.copyText, block.rowsOut, () => this.options.runner.reuse(block.copyText));
  }

  /**
   * Returns the bytes not loaded yet, in file order: those of the pending
   * blocks, which come back with their outcomes, then `pieces`. The
   * pending blocks are dropped.
   */
  private async restNotLoaded(pieces: Uint8Array[], reason: string): Promise<{ pieces: Uint8Array[]; reason: string }> {
    const rest: Uint8Array[] = [];

    for (const block of this.pending) {
      const outcome = this.unfinished?.index === block.index ? this.unfinished : await this.outcomeOf(block);

      rest.push(outcome.bytes);
    }

    this.pending.length = 0;
    rest.push(...pieces);

    return { pieces: rest, reason };
  }

  /**
   * Reads the file from its first byte on this thread, writing nothing, and
   * throws the first problem as a read of the whole file throws it. Returns
   * when the file has no problem after all, so the caller goes on.
   */
  private async findFirstProblem(reopen: () => ByteSource): Promise<void> {
    const { setup, signal } = this.options;
    const input = new ByteInput(reopen(), { bytesRead: 0, rowsRead: 0, rowErrors: 0 });
    const reader = new CsvBlockReader(setup.dialect, { byteOffset: 0, recordsBefore: 0, linesBefore: 0 });
    const processor = createBlockProcessor(setup);
    let markLeft = setup.dialect.byteOrderMarkBytes;

    this.options.log?.info(
      { reason: this.unfinished?.reason ?? null },
      'etl block read found bad data; the file is read again to the first problem',
    );

    try {
      for (;;) {
        throwIfAborted(signal);

        let piece = await readPiece(input, signal);

        if (piece === null) {
          break;
        }

        const skipped = Math.min(markLeft, piece.length);

        markLeft -= skipped;
        piece = piece.subarray(skipped);
        readOrFail(() => reader.push(piece));
        processChunks(reader, processor);
      }

      readOrFail(() => reader.end());
      processChunks(reader, processor);
      processor.finish();
    } finally {
      await input.close();
    }
  }

  /** Reads the rest of the file on this thread, from the first byte not loaded. */
  private async readAlone(input: ByteInput, pieces: Uint8Array[], reason: string): Promise<void> {
    const { setup, log } = this.options;

    log?.info(
      { byteOffset: this.byteOffset, rowsBefore: this.recordsBefore, reason },
      'etl block read stopped; the rest of the file is read on the main thread',
    );

    const reader = new CsvBlockReader(setup.dialect, {
      byteOffset: this.byteOffset,
      recordsBefore: this.recordsBefore,
      linesBefore: this.linesBefore,
    });
    const processor = createBlockProcessor(setup);

    this.fallbackProcessor = processor;

    for (const piece of pieces) {
      for (let start = 0; start < piece.length; start += SLICE_BYTES) {
        await this.readPiece(reader, processor, piece.subarray(start, start + SLICE_BYTES));
      }
    }

    for (;;) {
      const piece = await this.nextPiece(input);

      if (piece === null) {
        break;
      }

      await this.readPiece(reader, processor, piece);
    }

    readOrFail(() => reader.end());
    await this.loadChunks(reader, processor);

    const last = processor.finish();

    await this.options.rejects.add(last.rejects);
    await this.options.copy.add(last.rows);
  }

  private async readPiece(reader: CsvBlockReader, processor: ChunkProcessor, piece: Uint8Array): Promise<void> {
    throwIfAborted(this.options.signal);
    readOrFail(() => reader.push(piece));
    await this.loadChunks(reader, processor);
  }

  private async loadChunks(reader: CsvBlockReader, processor: ChunkProcessor): Promise<void> {
    for (const chunk of reader.take()) {
      const processed = processor.process(chunk);

      await this.options.rejects.add(processed.rejects);
      await this.options.copy.add(processed.rows);
    }
  }

  /** Returns the next piece of the file after the byte order mark, or null at its end. */
  private async nextPiece(input: ByteInput): Promise<Uint8Array | null> {
    let piece = await readPiece(input, this.options.signal);

    if (piece !== null && this.bomLeft > 0) {
      const skipped = Math.min(this.bomLeft, piece.length);

      this.bomLeft -= skipped;
      piece = piece.subarray(skipped);
    }

    return piece;
  }
}

/** Copies pieces of `length` bytes in all into the start of `buffer`, and returns that part of it. */
function join(pieces: readonly Uint8Array[], length: number, buffer: Uint8Array): Uint8Array {
  let offset = 0;

  for (const piece of pieces) {
    buffer.set(piece, offset);
    offset += piece.length;
  }

  return buffer.subarray(0, length);
}

/** Processes the chunks the reader has completed, writing nothing. */
function processChunks(reader: CsvBlockReader, processor: ChunkProcessor): void {
  for (const chunk of reader.take()) {
    processor.process(chunk);
  }
}

/** Returns the next piece of the source, or null at its end; a failing source raises `READ_FAILED`. */
async function readPiece(input: ByteInput, signal: AbortSignal | undefined): Promise<Uint8Array | null> {
  try {
    return await abortable(input.next(), signal);
  } catch (error) {
    if (error instanceof EtlError) {
      throw error;
    }

    throw new EtlError('READ_FAILED', `the file could not be read: the source failed: ${String(error)}`, {}, { cause: error });
  }
}

/** Runs a read step and turns the reader's errors into `READ_FAILED`, as a read of the whole file does. */
function readOrFail(read: () => void): void {
  try {
    read();
  } catch (error) {
    if (error instanceof FileReaderError) {
      throw new EtlError('READ_FAILED', `the file could not be read: ${error.message}`, {}, { cause: error });
    }

    throw error;
  }
}
