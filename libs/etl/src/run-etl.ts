import { type Logger } from 'pino';

import { type ByteSource, lineCutDialect } from '@rokks/file-reader';
import { type TransformSpec, type TransformStats } from '@rokks/transform';

import { abortable, throwIfAborted } from './abort.util';
import { ChunkProcessor } from './chunk-processor';
import { CopyWriter } from './copy-writer';
import { EtlError, type EtlErrorCode } from './etl.error';
import {
  type EtlProgress,
  type EtlResult,
  type EtlTargetOptions,
  LOAD_MODES,
  type LoadColumn,
  type LoadCommitResult,
  type LoadTarget,
  type LoadTargetWriter,
  type ReadSettings,
  type RejectsSink,
} from './etl.types';
import { BlockPipeline } from './parallel/block-pipeline';
import { blockThreadScript, sharedBlockThreadPool } from './parallel/block-runners';
import { runsOnBlocks } from './parallel/block-work';
import { createFileTransformer, firstRowNumberOf, openProfiledFileUnlessAborted, type ProfiledFile } from './profiled-file';
import { RejectsFile } from './rejects-file';
import { toLoadColumns } from './source-columns.util';

export const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

/**
 * Rows per chunk of a load, unless `read.chunkRows` sets another number. A row
 * lives until its chunk is transformed and written as COPY text, and rows
 * that outlive two young-generation collections are copied to the old
 * generation. On the flights file, chunks of 1,000 rows took about a
 * quarter less CPU than the reader's default of 5,000 (BENCHMARKS.md).
 */
export const LOAD_CHUNK_ROWS = 1000;

/** Codes of runs stopped by their input or by the caller rather than by a failing component. */
const EXPECTED_STOPS: ReadonlySet<EtlErrorCode> = new Set([
  'INVALID_OPTIONS',
  'INVALID_SPEC',
  'NO_COLUMNS',
  'BAD_DATA',
  'READ_FAILED',
  'ABORTED',
]);

/** Blocks of the file read ahead of the load per block thread. */
const BLOCKS_AHEAD_PER_THREAD = 2;

export interface RunEtlOptions extends ReadSettings {
  /**
   * Opens the file's bytes: a Node `Readable` or any async iterable of byte
   * pieces. Called once, or again when the file is read in blocks by
   * threads: for the whole file after the sample, and under onError `fail`
   * once more to find the first bad row.
   */
  source: () => ByteSource;
  /**
   * Threads that read and transform blocks of a CSV file at the same time;
   * 0, the default, reads the file on the calling thread. Blocks are used
   * only for a CSV file in UTF-8 or Windows-1252 that is larger than the
   * sample. The spec's steps must carry nothing from row to row (no
   * `dedupe`, no `fill` from the previous row), and this code must run
   * compiled.
   */
  threads?: number;
  /** The transformation spec, validated against the file's columns. */
  spec: unknown;
  target: EtlTargetOptions;
  loadTarget: LoadTarget;
  /** The load's id, passed to `LoadTarget.begin`. */
  loadId: string;
  signal?: AbortSignal;
  /** Called about every `progressIntervalMs` while the run goes on, and once at the end of a run that succeeds. */
  onProgress?: (progress: EtlProgress) => void;
  progressIntervalMs?: number;
  /** The sink of the rejects file, opened only when a row is rejected. */
  rejects: RejectsSink;
  logger?: Logger;
}

/**
 * Runs one ETL load. It reads the file as a stream, infers the types from
 * the sample and names the columns. Then it transforms every chunk with the
 * spec and writes the rows to the load target as COPY text, while the next
 * chunk is read and transformed. Memory keeps the sample and about two
 * batches, whatever the file size. On any failure the load is aborted, so
 * nothing is loaded, and an `EtlError` is thrown.
 */
export async function runEtl(options: RunEtlOptions): Promise<EtlResult> {
  checkRunOptions(options);
  throwIfAborted(options.signal);

  const started = Date.now();
  const log = options.logger?.child({ loadId: options.loadId, table: options.target.table });
  const settings: ReadSettings = { ...options, read: { chunkRows: LOAD_CHUNK_ROWS, ...options.read } };
  const file = await openProfiledFileUnlessAborted(openSource(options), settings, options.signal);
  const rejects = new RejectsFile(options.rejects);
  let writer: LoadTargetWriter | null = null;
  let counters: { readonly stats: TransformStats } | null = null;
  let copy: CopyWriter | null = null;
  const progress = (): EtlProgress => ({
    rowsRead: counters?.stats.rowsIn ?? 0,
    rowsLoaded: copy?.rowsWritten ?? 0,
    rowsRejected: counters?.stats.rowsRejected ?? 0,
  });
  const timer = startProgressTimer(options, progress, log);

  log?.info({ mode: options.target.mode, columns: file.columns.length }, 'etl load started');

  try {
    const transformer = createFileTransformer(options.spec, file);
    const columns = toLoadColumns(options.spec as TransformSpec, file.columns, transformer.columns, options.existingColumns);

    checkKey(options.target, columns);
    writer = await beginLoad(options, columns);
    copy = new CopyWriter(writer, options.signal);

    const blocks = openBlockPipeline(options, settings, file, rejects, copy, log);

    if (blocks === null) {
      const processor = new ChunkProcessor(transformer, (options.spec as TransformSpec).onError ?? 'fail');

      counters = processor;
      await streamRows(file, processor, rejects, copy, options.signal);
    } else {
      counters = blocks;
      await blocks.run();
    }

    const rejectsFileId = await rejects.close();
    const committed = await commitLoad(writer, options.signal);
    const stats = counters.stats;

    writer = null;
    clearInterval(timer);
    reportProgress(options, { rowsRead: stats.rowsIn, rowsLoaded: committed.rowsLoaded, rowsRejected: stats.rowsRejected }, log);
    log?.info(
      { tableId: committed.tableId, rowsLoaded: committed.rowsLoaded, rowsRejected: stats.rowsRejected, durationMs: Date.now() - started },
      'etl load finished',
    );

    return {
      tableId: committed.tableId,
      table: options.target.table,
      rowsLoaded: committed.rowsLoaded,
      rowsRejected: stats.rowsRejected,
      valuesNulled: stats.valuesNulled,
      ...(rejectsFileId === undefined ? {} : { rejectsFileId }),
      columns,
      alreadyApplied: committed.alreadyApplied,
    };
  } catch (error) {
    await cleanUp(writer, rejects, log);
    logStop(log, error, progress());
    throw error;
  } finally {
    clearInterval(timer);
    await closeReader(file, options.signal, log);
  }
}

/**
 * Sends every chunk through the processor, its rejects to the rejects file
 * and its rows to the load target, then waits until the target has taken
 * the last rows. A chunk is transformed while the previous batch is written.
 * Exported for the block pipeline's tests, which compare with it.
 */
export async function streamRows(
  file: ProfiledFile,
  processor: ChunkProcessor,
  rejects: RejectsFile,
  copy: CopyWriter,
  signal: AbortSignal | undefined,
): Promise<void> {
  for await (const chunk of file.chunks(signal)) {
    throwIfAborted(signal);

    const processed = processor.process(chunk);

    await rejects.add(processed.rejects);
    await copy.add(processed.rows);
  }

  const last = processor.finish();

  await rejects.add(last.rejects);
  await copy.add(last.rows);
  await copy.end();
}

/**
 * Returns a pipeline that reads the file again in blocks on `options.threads`
 * threads, and closes the sample's reader first. Returns null when the file
 * is read on this thread: no threads are requested, the file or the spec
 * does not allow blocks, or the threads' script is not compiled.
 */
function openBlockPipeline(
  options: RunEtlOptions,
  settings: ReadSettings,
  file: ProfiledFile,
  rejects: RejectsFile,
  copy: CopyWriter,
  log: Logger | undefined,
): BlockPipeline | null {
  const threads = options.threads ?? 0;
  const spec = options.spec as TransformSpec;
  const dialect = lineCutDialect(file.reader.detected, settings.read);
  const script = blockThreadScript();

  if (threads <= 0 || file.sample.complete || dialect === null || !runsOnBlocks(spec) || script === null) {
    return null;
  }

  const setup = {
    spec: options.spec,
    inputColumns: file.inputColumns,
    firstRowNumber: firstRowNumberOf(file),
    policy: spec.onError ?? 'fail',
    dialect,
  };

  log?.info({ threads }, 'etl file read in blocks');
  // The blocks start from the first byte, so the sample's download is not needed any more.
  file.reader.close().catch((error: unknown) => log?.warn({ err: error }, 'etl source close failed'));

  return new BlockPipeline({
    source: openSource(options),
    reopen: () => openSource(options),
    setup,
    runner: sharedBlockThreadPool(script).runner(setup, threads),
    maxBlocksAhead: threads * BLOCKS_AHEAD_PER_THREAD,
    rejects,
    copy,
    signal: options.signal,
    log,
  });
}

function openSource(options: RunEtlOptions): ByteSource {
  try {
    return options.source();
  } catch (error) {
    throw new EtlError('READ_FAILED', `the file could not be opened: ${String(error)}`, {}, { cause: error });
  }
}

function checkRunOptions(options: RunEtlOptions): void {
  const { target } = options;
  const problems: string[] = [];

  if (typeof target.table !== 'string' || target.table.length === 0) {
    problems.push('target.table must be a non-empty logical table name');
  }

  if (!(LOAD_MODES as readonly string[]).includes(target.mode)) {
    problems.push(`target.mode must be one of ${LOAD_MODES.join(', ')}, got ${JSON.stringify(target.mode)}`);
  }

  if (target.mode === 'upsert' && (target.key === undefined || target.key.length === 0)) {
    problems.push('target.key must name at least one column for mode "upsert"');
  }

  if (target.mode !== 'upsert' && target.key !== undefined && target.key.length > 0) {
    problems.push(`target.key applies only to mode "upsert", not ${JSON.stringify(target.mode)}`);
  }

  if (typeof options.loadId !== 'string' || options.loadId.length === 0) {
    problems.push('loadId must be a non-empty string');
  }

  const threads = options.threads ?? 0;

  if (!Number.isInteger(threads) || threads < 0) {
    problems.push(`threads must be a whole number of 0 or more, got ${String(threads)}`);
  }

  const interval = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;

  if (!Number.isFinite(interval) || interval <= 0) {
    problems.push(`progressIntervalMs must be a positive number, got ${String(interval)}`);
  }

  if (problems.length > 0) {
    throw new EtlError('INVALID_OPTIONS', `invalid ETL options: ${problems.join('; ')}`);
  }
}

function checkKey(target: EtlTargetOptions, columns: readonly LoadColumn[]): void {
  const names = new Set(columns.map((column) => column.name));
  const missing = (target.key ?? []).filter((name) => !names.has(name));

  if (missing.length > 0) {
    throw new EtlError(
      'INVALID_OPTIONS',
      `target.key names columns that the transformed rows do not have: ${missing.map((name) => JSON.stringify(name)).join(', ')}; the columns are ${[...names].join(', ')}`,
    );
  }

  if (new Set(target.key).size !== (target.key ?? []).length) {
    throw new EtlError('INVALID_OPTIONS', `target.key names a column twice: ${(target.key ?? []).join(', ')}`);
  }
}

/** Starts the load; a load that starts after an abort is aborted when it is ready. */
async function beginLoad(options: RunEtlOptions, columns: readonly LoadColumn[]): Promise<LoadTargetWriter> {
  let beginning: Promise<LoadTargetWriter>;

  try {
    beginning = options.loadTarget.begin({
      table: options.target.table,
      mode: options.target.mode,
      key: options.target.mode === 'upsert' ? [...(options.target.key ?? [])] : null,
      loadId: options.loadId,
      columns,
    });
  } catch (error) {
    throw toLoadError('the load target could not start the load', error);
  }

  try {
    return await abortable(beginning, options.signal);
  } catch (error) {
    beginning.then((writer) => writer.abort()).catch(() => undefined);
    throw toLoadError('the load target could not start the load', error);
  }
}

async function commitLoad(writer: LoadTargetWriter, signal: AbortSignal | undefined): Promise<LoadCommitResult> {
  throwIfAborted(signal);

  try {
    // Not raced with the signal, because once the commit is sent only the target can tell whether it applied.
    return await writer.commit();
  } catch (error) {
    throw toLoadError('the load target could not commit the load', error);
  }
}

function toLoadError(action: string, error: unknown): EtlError {
  if (error instanceof EtlError) {
    return error;
  }

  return new EtlError('LOAD_FAILED', `${action}: ${String(error)}`, {}, { cause: error });
}

/** Calls `onProgress`. An error it throws is logged, because inside a timer it would crash the process. */
function reportProgress(options: RunEtlOptions, progress: EtlProgress, log: Logger | undefined): void {
  try {
    options.onProgress?.(progress);
  } catch (error) {
    log?.warn({ err: error }, 'etl progress callback failed');
  }
}

function startProgressTimer(options: RunEtlOptions, progress: () => EtlProgress, log: Logger | undefined): NodeJS.Timeout {
  const timer = setInterval(
    () => reportProgress(options, progress(), log),
    options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
  );

  timer.unref();

  return timer;
}

/** Logs a stopped run: problems with the data, the spec or the options at info, other failures at error. */
function logStop(log: Logger | undefined, error: unknown, progress: EtlProgress): void {
  const expected = error instanceof EtlError && EXPECTED_STOPS.has(error.code);

  if (expected) {
    log?.info({ err: error, ...progress }, 'etl load stopped');
  } else {
    log?.error({ err: error, ...progress }, 'etl load failed');
  }
}

/** Aborts the load and discards the rejects file; their own failures are logged, not thrown over the first error. */
async function cleanUp(writer: LoadTargetWriter | null, rejects: RejectsFile, log: Logger | undefined): Promise<void> {
  if (writer !== null) {
    try {
      await writer.abort();
    } catch (error) {
      log?.warn({ err: error }, 'etl load abort failed');
    }
  }

  try {
    await rejects.abort();
  } catch (error) {
    log?.warn({ err: error }, 'etl rejects file discard failed');
  }
}

/**
 * Closes the reader and its source. After an abort it does not wait, because
 * a source that hangs would hang the close too.
 */
async function closeReader(file: ProfiledFile, signal: AbortSignal | undefined, log: Logger | undefined): Promise<void> {
  const closing = file.reader.close().catch((error: unknown) => log?.warn({ err: error }, 'etl source close failed'));

  if (signal?.aborted !== true) {
    await closing;
  }
}
