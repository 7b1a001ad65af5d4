import { setImmediate as nextTurn } from 'node:timers/promises';

import { type ByteSource, lineCutDialect } from '@rokks/file-reader';
import { type TransformSpec, type TransformStats } from '@rokks/transform';

import { ChunkProcessor } from '../chunk-processor';
import { CopyWriter } from '../copy-writer';
import { EtlError } from '../etl.error';
import {
  type LoadCommitResult,
  type LoadTargetWriter,
  type ReadSettings,
  type RowProblem,
} from '../etl.types';
import { createFileTransformer, firstRowNumberOf, openProfiledFile } from '../profiled-file';
import { RejectsFile } from '../rejects-file';
import { LOAD_CHUNK_ROWS, streamRows } from '../run-etl';
import { MemoryRejects } from '../testing/memory-rejects';
import { BlockPipeline } from './block-pipeline';
import { type BlockRunner, InlineBlockRunner } from './block-runners';
import { type BlockOutcome, type BlockTask, type BlockWorkSetup } from './block-work';

/** A load target writer that keeps a copy of every write, because the copy writer reuses its buffers. */
class MemoryWriter implements LoadTargetWriter {
  private readonly pieces: Buffer[] = [];

  get text(): string {
    return Buffer.concat(this.pieces).toString('utf8');
  }

  async write(copyText: string | Uint8Array): Promise<void> {
    this.pieces.push(
      typeof copyText === 'string' ? Buffer.from(copyText, 'utf8') : Buffer.from(copyText),
    );
    // Resolved a turn later, so the copy writer has a write pending while it goes on.
    await nextTurn();
  }

  commit(): Promise<LoadCommitResult> {
    return Promise.resolve({ tableId: 't_memory', rowsLoaded: 0, alreadyApplied: false });
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }
}

/** A rejects file that also keeps the problems it was given, in order. */
class RecordingRejectsFile extends RejectsFile {
  readonly problems: RowProblem[] = [];

  override async add(problems: readonly RowProblem[]): Promise<void> {
    this.problems.push(...problems);
    await super.add(problems);
  }
}

/** A runner that passes tasks to another and records the tasks and the reasons of unfinished blocks. */
class CountingRunner implements BlockRunner {
  tasks = 0;
  readonly unfinishedReasons: string[] = [];

  constructor(
    private readonly inner: BlockRunner,
    private readonly beforeRun: (task: BlockTask) => Promise<void> = () => Promise.resolve(),
  ) {}

  async run(task: BlockTask): Promise<BlockOutcome> {
    this.tasks += 1;
    await this.beforeRun(task);

    const outcome = await this.inner.run(task);

    if (!outcome.done) {
      this.unfinishedReasons.push(outcome.reason);
    }

    return outcome;
  }

  reuse(copyText: Uint8Array): void {
    this.inner.reuse(copyText);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The output of a read of a file: the COPY text, the rejects and the counters, or the error that stopped it. */
interface ReadOutcome {
  copyText: string;
  rejects: RowProblem[];
  stats: TransformStats | null;
  error: EtlError | null;
}

interface BlockReadOutcome extends ReadOutcome {
  tasks: number;
  unfinishedReasons: string[];
  encoding: string;
  byteOrderMarkBytes: number;
}

interface ReadCase {
  file: Buffer;
  spec: TransformSpec;
  /** The sample's maximum rows; a small sample leaves most rows to be checked against the inferred types. */
  sampleRows?: number;
  /** The size of the pieces the source yields. */
  pieceBytes?: number;
}

interface BlockOptions {
  blockBytes: number;
  maxBlocksAhead?: number;
  /** Runs before the inline runner reads a task; a rejection fails the task. */
  beforeRun?: (task: BlockTask) => Promise<void>;
  signal?: AbortSignal;
}

function settingsOf(readCase: ReadCase): ReadSettings {
  return { read: { chunkRows: LOAD_CHUNK_ROWS }, sample: { maxRows: readCase.sampleRows ?? 20 } };
}

/** Returns the file as a source of pieces of `pieceBytes` bytes. */
function sourceOf(readCase: ReadCase): ByteSource {
  const pieceBytes = readCase.pieceBytes ?? 1000;
  const pieces: Buffer[] = [];

  for (let start = 0; start < readCase.file.length; start += pieceBytes) {
    pieces.push(readCase.file.subarray(start, start + pieceBytes));
  }

  return pieces;
}

function etlErrorOf(error: unknown): EtlError {
  if (error instanceof EtlError) {
    return error;
  }

  throw error;
}

/** Reads the file on this thread as `runEtl` does without threads: the profiled file's chunks through one processor. */
async function readWhole(readCase: ReadCase): Promise<ReadOutcome> {
  const file = await openProfiledFile(sourceOf(readCase), settingsOf(readCase));
  const writer = new MemoryWriter();
  const copy = new CopyWriter(writer, undefined);
  const rejects = new RecordingRejectsFile(new MemoryRejects());

  try {
    const processor = new ChunkProcessor(
      createFileTransformer(readCase.spec, file),
      readCase.spec.onError ?? 'fail',
    );

    await streamRows(file, processor, rejects, copy, undefined);

    return {
      copyText: writer.text,
      rejects: rejects.problems,
      stats: processor.stats,
      error: null,
    };
  } catch (error) {
    return {
      copyText: writer.text,
      rejects: rejects.problems,
      stats: null,
      error: etlErrorOf(error),
    };
  } finally {
    await file.reader.close();
  }
}

/** Reads the file with a block pipeline on the inline runner, set up from the file's profile as `runEtl` sets it up. */
async function readInBlocks(readCase: ReadCase, options: BlockOptions): Promise<BlockReadOutcome> {
  const settings = settingsOf(readCase);
  const file = await openProfiledFile(sourceOf(readCase), settings);

  await file.reader.close();
  // Checks the spec against the columns, as runEtl does before it opens the pipeline.
  createFileTransformer(readCase.spec, file);

  const { detected } = file.reader;
  const dialect = lineCutDialect(detected, settings.read);

  if (dialect === null) {
    throw new Error(
      `the test file cannot be cut into blocks: it was read as ${detected.format} in ${detected.encoding}`,
    );
  }

  const setup: BlockWorkSetup = {
    spec: readCase.spec,
    inputColumns: file.inputColumns,
    firstRowNumber: firstRowNumberOf(file),
    policy: readCase.spec.onError ?? 'fail',
    dialect,
  };
  const runner = new CountingRunner(new InlineBlockRunner(setup), options.beforeRun);
  const writer = new MemoryWriter();
  const rejects = new RecordingRejectsFile(new MemoryRejects());
  const pipeline = new BlockPipeline({
    source: sourceOf(readCase),
    reopen: () => sourceOf(readCase),
    setup,
    runner,
    maxBlocksAhead: options.maxBlocksAhead ?? 4,
    blockBytes: options.blockBytes,
    rejects,
    copy: new CopyWriter(writer, options.signal),
    signal: options.signal,
  });
  let stats: TransformStats | null = null;
  let error: EtlError | null = null;

  try {
    await pipeline.run();
    stats = pipeline.stats;
  } catch (thrown) {
    error = etlErrorOf(thrown);
  }

  return {
    copyText: writer.text,
    rejects: rejects.problems,
    stats,
    error,
    tasks: runner.tasks,
    unfinishedReasons: runner.unfinishedReasons,
    encoding: dialect.encoding,
    byteOrderMarkBytes: dialect.byteOrderMarkBytes,
  };
}

/** Checks that the block read wrote what the whole-file read wrote, or stopped with the same error. */
function expectSameOutcome(blocks: ReadOutcome, whole: ReadOutcome): void {
  expect(blocks.error?.code).toBe(whole.error?.code);
  expect(blocks.error?.message).toBe(whole.error?.message);
  expect(blocks.error?.problems).toEqual(whole.error?.problems);

  if (whole.error === null) {
    expect(blocks.copyText).toBe(whole.copyText);
    expect(blocks.rejects).toEqual(whole.rejects);
    expect(blocks.stats).toEqual(whole.stats);
  }
}

/** Returns `count` CSV data rows; `replace(n)` may return other text for row `n` (1-based). */
function dataRows(count: number, replace: (n: number) => string | null = () => null): string[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    const day = String((n % 28) + 1).padStart(2, '0');

    return replace(n) ?? `${n},item_${n % 37},${(n * 0.5).toFixed(2)},2024-03-${day},note ${n}`;
  });
}

const HEADER = 'id,name,amount,day,note';

function csvFile(rows: readonly string[], lineEnd = '\n'): Buffer {
  return Buffer.from(`${[HEADER, ...rows].join(lineEnd)}${lineEnd}`, 'utf8');
}

const castAmount = { op: 'cast', column: 'amount', type: 'float' } as const;

/** Returns, for every fourth row from row 3 on, a row whose quoted note has line feeds, a comma and doubled quotes. */
function multilineNote(n: number): string | null {
  return n % 4 === 3
    ? `${n},item_${n},${n}.25,2024-03-01,"first line ${n}\nsecond, ""quoted"" line\nthird"`
    : null;
}

const BLOCK_SIZES = [64, 200, 1024, 4096];

const withByteOrderMark: ReadCase = {
  file: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csvFile(dataRows(300, multilineNote))]),
  spec: { steps: [] },
  // Pieces of 2 bytes split the byte order mark itself.
  pieceBytes: 2,
};

const windows1252: ReadCase = {
  file: Buffer.from(
    `${HEADER}\n${dataRows(300, (n) => (n % 5 === 0 ? `${n},café_${n},${n}.5,2024-03-02,crème brûlée` : null)).join('\n')}\n`,
    'latin1',
  ),
  spec: { steps: [] },
};

describe('BlockPipeline', () => {
  describe('equal to a whole-file read', () => {
    const cases: [string, ReadCase][] = [
      ['clean file', { file: csvFile(dataRows(300)), spec: { steps: [] } }],
      [
        'clean file in small pieces',
        {
          file: csvFile(dataRows(300)),
          spec: { steps: [{ op: 'filter', expr: 'id % 3 = 0' }] },
          pieceBytes: 7,
        },
      ],
      [
        'quoted line feeds across cuts',
        { file: csvFile(dataRows(300, multilineNote)), spec: { steps: [] } },
      ],
      [
        'CRLF line ends',
        {
          file: csvFile(
            dataRows(300, (n) => multilineNote(n)?.replaceAll('\n', '\r\n') ?? null),
            '\r\n',
          ),
          spec: { steps: [] },
        },
      ],
      ['UTF-8 byte order mark', withByteOrderMark],
      ['Windows-1252 text', windows1252],
      [
        'stray quote without a later quoted line feed',
        {
          file: csvFile(
            dataRows(300, (n) => (n === 120 ? '120,it"em,1.5,2024-03-01,stray' : null)),
          ),
          spec: { steps: [] },
        },
      ],
      [
        'ragged rows and bad values under reject-row',
        {
          file: csvFile(
            dataRows(300, (n) => {
              if (n === 7 || n === 150 || n === 151) {
                return `${n},item,abc,2024-03-01,bad amount`;
              }

              if (n === 60) {
                return `${n},item,1.5,2024-03-01,note,extra`;
              }

              if (n === 200) {
                return `${n},short`;
              }

              return multilineNote(n);
            }),
          ),
          spec: { steps: [castAmount], onError: 'reject-row' },
        },
      ],
      [
        'bad values after the sample under reject-row',
        {
          file: csvFile(
            dataRows(300, (n) =>
              n === 100 || n === 250 ? `${n},item,,not a date,bad day` : multilineNote(n),
            ),
          ),
          spec: { steps: [], onError: 'reject-row' },
          sampleRows: 50,
        },
      ],
      [
        'bad values and ragged rows under null',
        {
          file: csvFile(
            dataRows(300, (n) => {
              if (n === 30 || n === 230) {
                return `${n},item,abc,2024-03-01,bad amount`;
              }

              if (n === 90) {
                return `${n},short`;
              }

              if (n === 170) {
                return `${n},item,1.5,2024-03-01,note,extra`;
              }

              return multilineNote(n);
            }),
          ),
          spec: { steps: [castAmount], onError: 'null' },
        },
      ],
      [
        'quote never closed at the end under null',
        {
          file: Buffer.concat([
            csvFile(dataRows(300, multilineNote)),
            Buffer.from('301,item,1.5,2024-03-01,"never closed\nstill open\n'),
          ]),
          spec: { steps: [], onError: 'null' },
        },
      ],
      [
        'file without a header',
        {
          file: Buffer.from(
            `${dataRows(300, (n) => (n === 222 ? '222,item,abc,2024-03-01,x' : null)).join('\n')}\n`,
          ),
          spec: { steps: [], onError: 'reject-row' },
        },
      ],
    ];

    describe.each(cases)('%s', (_name, readCase) => {
      let whole: ReadOutcome;

      beforeAll(async () => {
        whole = await readWhole(readCase);
      });

      it('has rows to compare', () => {
        expect(whole.error).toBeNull();
        expect(whole.copyText.length).toBeGreaterThan(1000);
      });

      it.each(BLOCK_SIZES)('in blocks of %i bytes', async (blockBytes) => {
        const blocks = await readInBlocks(readCase, { blockBytes });

        expect(blocks.unfinishedReasons).toEqual([]);
        expect(blocks.tasks).toBeGreaterThan(1);
        expectSameOutcome(blocks, whole);
      });
    });

    it('skips the UTF-8 byte order mark', async () => {
      const blocks = await readInBlocks(withByteOrderMark, { blockBytes: 64 });

      expect(blocks.byteOrderMarkBytes).toBe(3);
      expect(blocks.copyText.startsWith('1\titem_1\t')).toBe(true);
    });

    it('reads Windows-1252 text', async () => {
      const blocks = await readInBlocks(windows1252, { blockBytes: 64 });

      expect(blocks.encoding).toBe('windows-1252');
      expect(blocks.copyText).toContain('5\tcafé_5\t5.5\t2024-03-02\tcrème brûlée\n');
    });

    it('reads more than 10 blocks of 64 bytes', async () => {
      const blocks = await readInBlocks(
        { file: csvFile(dataRows(300)), spec: { steps: [] } },
        { blockBytes: 64 },
      );

      expect(blocks.tasks).toBeGreaterThan(10);
    });

    it('loads every block with one block ahead', async () => {
      const readCase: ReadCase = {
        file: csvFile(dataRows(300, multilineNote)),
        spec: { steps: [castAmount], onError: 'reject-row' },
      };
      const whole = await readWhole(readCase);
      const blocks = await readInBlocks(readCase, { blockBytes: 128, maxBlocksAhead: 1 });

      expectSameOutcome(blocks, whole);
    });
  });

  describe('fallback to the main thread', () => {
    /** Row 120 has a quote inside an unquoted field, and row 130 a quoted line feed that a cut can split. */
    const strayQuote: ReadCase = {
      file: csvFile(
        dataRows(300, (n) => {
          if (n === 120) {
            return '120,it"em,1.5,2024-03-01,stray';
          }

          return n === 130 ? '130,item,2.5,2024-03-01,"first\nsecond"' : null;
        }),
      ),
      spec: { steps: [castAmount], onError: 'reject-row' },
    };

    it.each(BLOCK_SIZES)('reads a stray quote in blocks of %i bytes', async (blockBytes) => {
      const whole = await readWhole(strayQuote);
      const blocks = await readInBlocks(strayQuote, { blockBytes });

      expect(whole.copyText).toContain('120\tit"em\t1.5');
      expect(blocks.unfinishedReasons).toEqual(['the block ends inside a record']);
      expectSameOutcome(blocks, whole);
    });

    it('rejects rows after the stray quote with lines from the file start', async () => {
      const withRejects: ReadCase = {
        ...strayQuote,
        file: csvFile(
          dataRows(300, (n) => {
            if (n === 120) {
              return '120,it"em,1.5,2024-03-01,stray';
            }

            if (n === 130) {
              return '130,item,2.5,2024-03-01,"first\nsecond"';
            }

            return n === 20 || n === 140 || n === 290 ? `${n},item,abc,2024-03-01,bad` : null;
          }),
        ),
      };
      const whole = await readWhole(withRejects);
      const blocks = await readInBlocks(withRejects, { blockBytes: 256 });

      expect(blocks.unfinishedReasons).toHaveLength(1);
      expect(blocks.rejects.map((problem) => [problem.row, problem.line])).toEqual([
        [21, 21],
        [141, 142],
        [291, 292],
      ]);
      expectSameOutcome(blocks, whole);
    });

    describe('onError fail', () => {
      const failCases: [string, ReadCase][] = [
        [
          'bad value',
          {
            file: csvFile(
              dataRows(300, (n) =>
                n === 211 ? '211,item,abc,2024-03-01,bad amount' : multilineNote(n),
              ),
            ),
            spec: { steps: [castAmount], onError: 'fail' },
          },
        ],
        [
          'ragged row',
          {
            file: csvFile(dataRows(300, (n) => (n === 180 ? '180,item,1.5' : multilineNote(n)))),
            spec: { steps: [], onError: 'fail' },
          },
        ],
        [
          'bad value after the sample',
          {
            file: csvFile(
              dataRows(300, (n) =>
                n === 260 ? '260,item,1.5,31/02/2024,bad day' : multilineNote(n),
              ),
            ),
            spec: { steps: [] },
            sampleRows: 100,
          },
        ],
      ];

      describe.each(failCases)('%s', (_name, readCase) => {
        let whole: ReadOutcome;

        beforeAll(async () => {
          whole = await readWhole(readCase);
        });

        it('stops the whole-file read with BAD_DATA', () => {
          expect(whole.error?.code).toBe('BAD_DATA');
        });

        it.each(BLOCK_SIZES)('stops in blocks of %i bytes', async (blockBytes) => {
          const blocks = await readInBlocks(readCase, { blockBytes });

          // Blocks read after the unfinished one on the same worker come back unfinished too, because its transformer has failed.
          expect(blocks.unfinishedReasons[0]).toContain('nothing was loaded');
          expectSameOutcome(blocks, whole);
        });
      });
    });
  });

  // Under "fail", BAD_DATA lists the first problem and the malformed records after it in the same
  // chunk, so the pipeline reads the file again from its start to find them.
  it('lists the same problems when a chunk ends at the bad value', async () => {
    const readCase: ReadCase = {
      // Data row 1000 ends the whole-file read's first chunk of LOAD_CHUNK_ROWS rows, and row 1001 is ragged.
      file: csvFile(
        dataRows(1100, (n) => {
          if (n === 1000) {
            return '1000,item,abc,2024-03-01,bad';
          }

          return n === 1001 ? '1001,item' : null;
        }),
      ),
      spec: { steps: [castAmount], onError: 'fail' },
    };
    const whole = await readWhole(readCase);
    const blocks = await readInBlocks(readCase, { blockBytes: 1024 });

    expect(whole.error?.problems).toHaveLength(1);
    expectSameOutcome(blocks, whole);
  });

  describe('failures', () => {
    const readCase: ReadCase = { file: csvFile(dataRows(300, multilineNote)), spec: { steps: [] } };

    it('fails with READ_FAILED when the runner rejects a block', async () => {
      const blocks = await readInBlocks(readCase, {
        blockBytes: 256,
        beforeRun: (task) =>
          task.index === 3
            ? Promise.reject(new Error('the test runner stopped'))
            : Promise.resolve(),
      });

      expect(blocks.error?.code).toBe('READ_FAILED');
      expect(blocks.error?.message).toBe(
        'the file could not be read: a block thread failed: Error: the test runner stopped',
      );
      expect(blocks.tasks).toBeGreaterThan(3);
    });

    it('counts error byte offsets from the file start', async () => {
      // The invalid byte is past the 64 KiB that the encoding is detected from.
      const text = csvFile(dataRows(3000)).toString('latin1');
      const bytes = Buffer.from(text.replace('\n2900,item_14', '\n2900,item_\xff'), 'latin1');
      const invalidText: ReadCase = { file: bytes, spec: { steps: [] } };
      const whole = await readWhole(invalidText);
      const blocks = await readInBlocks(invalidText, {
        blockBytes: 4096,
        // Moves the memory as a post to a thread does, which leaves the pipeline's view of the block empty.
        beforeRun: (task) => {
          task.bytes = structuredClone(task.bytes, { transfer: [task.bytes.buffer as ArrayBuffer] });

          return Promise.resolve();
        },
      });

      expect(blocks.encoding).toBe('utf-8');
      expect(whole.error?.message).toContain(`at byte ${bytes.indexOf(0xff)}`);
      expectSameOutcome(blocks, whole);
    });

    it('stops with ABORTED when the signal fires', async () => {
      const controller = new AbortController();
      const blocks = await readInBlocks(readCase, {
        blockBytes: 256,
        signal: controller.signal,
        beforeRun: (task) => {
          if (task.index === 5) {
            controller.abort(new Error('cancelled by the test'));
          }

          return Promise.resolve();
        },
      });

      expect(blocks.error?.code).toBe('ABORTED');
      expect((blocks.error?.cause as Error).message).toBe('cancelled by the test');
      expect(blocks.copyText.length).toBeLessThan((await readWhole(readCase)).copyText.length);
    });
  });
});
