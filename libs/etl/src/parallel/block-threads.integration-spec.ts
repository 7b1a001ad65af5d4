import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import pino from 'pino';

import { buildProjects } from '@rokks/testing';

import {
  type EtlResult,
  type LoadCommitResult,
  type LoadRequest,
  type LoadTarget,
  type LoadTargetWriter,
} from '../etl.types';
import type * as EtlLibrary from '../index';
import { MemoryRejects } from '../testing/memory-rejects';
import type * as BlockRunners from './block-runners';

/** A finished load: its COPY text as the target received it, and whether it was committed. */
interface MemoryLoad {
  request: LoadRequest;
  text: string;
  state: 'committed' | 'aborted';
}

/** A load target that keeps each load's COPY text in memory. It copies each write, because the caller reuses the bytes. */
class MemoryLoadTarget implements LoadTarget {
  readonly loads: MemoryLoad[] = [];

  begin(request: LoadRequest): Promise<LoadTargetWriter> {
    const pieces: Buffer[] = [];
    const finish = (state: MemoryLoad['state']): MemoryLoad => {
      const load = { request, text: Buffer.concat(pieces).toString('utf8'), state };

      this.loads.push(load);

      return load;
    };

    return Promise.resolve({
      write: (copyText: string | Uint8Array) => {
        pieces.push(
          typeof copyText === 'string' ? Buffer.from(copyText, 'utf8') : Buffer.from(copyText),
        );

        return Promise.resolve();
      },
      commit: (): Promise<LoadCommitResult> => {
        const load = finish('committed');
        const rowsLoaded = load.text === '' ? 0 : load.text.split('\n').length - 1;

        return Promise.resolve({ tableId: 't_memory', rowsLoaded, alreadyApplied: false });
      },
      abort: () => {
        finish('aborted');

        return Promise.resolve();
      },
    });
  }
}

/** The output of one run of the built `runEtl`: its result or error, the load, the rejects files and the log. */
interface RunOutcome {
  result: EtlResult | null;
  /** The code of the EtlError that stopped the run. */
  errorCode: string | null;
  errorMessage: string | null;
  load: MemoryLoad | undefined;
  rejects: string[];
  /** The `msg` of every log line. */
  logMessages: string[];
}

const HEADER = 'id,code,amount,note';
const ROWS = 200_000;
const PIECE_BYTES = 64 * 1024;

/** Returns data row `n` (1-based), about 20 bytes long. */
function shortRow(n: number): string {
  return `${n},c${n % 97},${(n % 40) / 4},n${n % 13}`;
}

/** Returns a CSV file of `ROWS` short rows; `replace(n)` may return other text for row `n`. */
function shortRowsFile(replace: (n: number) => string | null = () => null): Buffer {
  const lines = [HEADER];

  for (let n = 1; n <= ROWS; n += 1) {
    lines.push(replace(n) ?? shortRow(n));
  }

  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

function piecesOf(file: Buffer): Buffer[] {
  const pieces: Buffer[] = [];

  for (let start = 0; start < file.length; start += PIECE_BYTES) {
    pieces.push(file.subarray(start, start + PIECE_BYTES));
  }

  return pieces;
}

describe('runEtl on block threads', () => {
  let buildDir: string;
  let etl: typeof EtlLibrary;
  let runs = 0;

  beforeAll(async () => {
    // Block threads run only compiled code, so the test loads runEtl from a build.
    buildDir = await buildProjects(['etl']);
    etl = require(path.join(buildDir, 'libs/etl/src/index.js')) as typeof EtlLibrary;
  }, 180_000);

  afterAll(async () => {
    if (buildDir === undefined) {
      return;
    }

    // The threads live in the pool of the built module, which the test closes itself.
    const runnersPath = path.join(buildDir, 'libs/etl/src/parallel/block-runners.js');
    const runners = require(runnersPath) as typeof BlockRunners;
    const script = runners.blockThreadScript();

    if (script !== null) {
      await runners.sharedBlockThreadPool(script).close();
    }

    rmSync(buildDir, { recursive: true, force: true });
  });

  async function run(
    file: Buffer,
    spec: unknown,
    table: string,
    threads: number,
  ): Promise<RunOutcome> {
    runs += 1;

    const loadTarget = new MemoryLoadTarget();
    const rejects = new MemoryRejects();
    const logMessages: string[] = [];
    const logStream = new Writable({
      write(line: Buffer, _encoding, done) {
        logMessages.push((JSON.parse(line.toString('utf8')) as { msg: string }).msg);
        done();
      },
    });
    let result: EtlResult | null = null;
    let errorCode: string | null = null;
    let errorMessage: string | null = null;

    try {
      result = await etl.runEtl({
        source: () => piecesOf(file),
        threads,
        spec,
        target: { table, mode: 'create' },
        loadTarget,
        loadId: `threads-${runs}`,
        rejects,
        logger: pino({ level: 'info' }, logStream),
      });
    } catch (error) {
      if (!(error instanceof etl.EtlError)) {
        throw error;
      }

      errorCode = error.code;
      errorMessage = error.message;
    }

    return {
      result,
      errorCode,
      errorMessage,
      load: loadTarget.loads[0],
      rejects: [...rejects.files.values()],
      logMessages,
    };
  }

  /** Runs the file with two threads and without, and checks that both loaded the same rows and rejects. */
  async function expectSameRuns(
    file: Buffer,
    spec: unknown,
    table: string,
  ): Promise<{ threaded: RunOutcome; alone: RunOutcome }> {
    const threaded = await run(file, spec, table, 2);
    const alone = await run(file, spec, table, 0);

    expect(threaded.logMessages).toContain('etl file read in blocks');
    expect(alone.logMessages).not.toContain('etl file read in blocks');
    expect(threaded.errorCode).toBe(alone.errorCode);
    expect(threaded.errorMessage).toBe(alone.errorMessage);
    expect(threaded.result).toEqual(alone.result);
    expect(threaded.load?.state).toBe(alone.load?.state);
    expect(threaded.rejects).toEqual(alone.rejects);

    // An aborted load keeps whatever was written before the error, which depends on how the file was cut.
    if (alone.load?.state === 'committed') {
      // Compared as a boolean, so a mismatch does not print megabytes.
      expect(threaded.load?.text === alone.load?.text).toBe(true);
    }

    return { threaded, alone };
  }

  const castAmount = { op: 'cast', column: 'amount', type: 'float' };

  it('loads a clean file as one thread does', async () => {
    const file = shortRowsFile();
    const { threaded } = await expectSameRuns(file, { steps: [castAmount] }, 'clean');

    expect(file.length).toBeGreaterThan(6 * 512 * 1024);
    expect(threaded.result?.rowsLoaded).toBe(ROWS);
    expect(threaded.load?.text.startsWith('1\tc1\t0.25\tn1\n')).toBe(true);
    expect(threaded.logMessages).not.toContain(
      'etl block read stopped; the rest of the file is read on the main thread',
    );
  }, 120_000);

  it('rejects rows with lines from the file start', async () => {
    // Row 100,000 has a quoted line feed, so from there on the line is one more than the record number.
    const file = shortRowsFile((n) => {
      if (n === 100_000) {
        return '100000,c1,1.5,"two\nlines"';
      }

      if (n === 50_000 || n === 150_001) {
        return `${n},c1,abc,bad`;
      }

      return n === 120_000 ? '120000,c1' : null;
    });
    const { threaded } = await expectSameRuns(
      file,
      { steps: [castAmount], onError: 'reject-row' },
      'rejects',
    );

    expect(threaded.result).toMatchObject({ rowsLoaded: ROWS - 3, rowsRejected: 3 });
    expect(threaded.rejects).toEqual([
      [
        'line,row,column,value,reason,record',
        '50001,50001,amount,abc,cannot read as float: not a number,',
        '120002,120001,,,"2 fields, expected 4","120000,c1"',
        '150003,150002,amount,abc,cannot read as float: not a number,',
        '',
      ].join('\n'),
    ]);
  }, 120_000);

  it('reads the rest on the main thread after a stray quote', async () => {
    // Row 60,000 has a quote inside an unquoted field, so the next cut falls inside the quoted line feed of row 60,010.
    const file = shortRowsFile((n) => {
      if (n === 60_000) {
        return '60000,c"1,1.5,stray';
      }

      if (n === 60_010) {
        return '60010,c1,2.5,"two\nlines"';
      }

      return n === 90_000 ? '90000,c1,abc,bad' : null;
    });
    const { threaded } = await expectSameRuns(
      file,
      { steps: [castAmount], onError: 'reject-row' },
      'stray_quote',
    );

    expect(threaded.logMessages).toContain(
      'etl block read stopped; the rest of the file is read on the main thread',
    );
    expect(threaded.result).toMatchObject({ rowsLoaded: ROWS - 1, rowsRejected: 1 });
    expect(threaded.load?.text).toContain('\n60000\tc"1\t1.5\tstray\n');
    expect(threaded.rejects[0]).toContain('\n90002,90001,amount,abc,');
  }, 120_000);

  it('fails with the same BAD_DATA error', async () => {
    const file = shortRowsFile((n) => (n === 170_000 ? '170000,c1,abc,bad' : null));
    const { threaded } = await expectSameRuns(file, { steps: [castAmount] }, 'bad_data');

    expect(threaded.errorCode).toBe('BAD_DATA');
    expect(threaded.errorMessage).toContain('line 170001, column "amount", value "abc"');
    expect(threaded.load?.state).toBe('aborted');
  }, 120_000);

  it('exits with an idle pool thread', () => {
    // With carriage returns alone as line ends no block can be cut, so the whole file is one block and the second thread gets none.
    const dir = mkdtempSync(path.join(tmpdir(), 'etl-threads-exit-'));
    const csvPath = path.join(dir, 'stray.csv');
    const script = `
      const fs = require('node:fs');
      const { runEtl } = require(${JSON.stringify(path.join(buildDir, 'libs/etl/src/index.js'))});
      const writer = { write: async () => {}, commit: async () => ({ tableId: 't', rowsLoaded: 0, alreadyApplied: false }), abort: async () => {} };
      runEtl({
        source: () => fs.createReadStream(${JSON.stringify(csvPath)}),
        threads: 2,
        spec: { steps: [] },
        target: { table: 'exits', mode: 'create' },
        loadTarget: { begin: async () => writer },
        loadId: 'exits',
        rejects: { open: async () => { throw new Error('no rejects expected'); } },
      }).then(() => console.log('loaded'), (error) => { console.error(error); process.exitCode = 1; });
    `;

    try {
      writeFileSync(csvPath, shortRowsFile().toString('utf8').replaceAll('\n', '\r'));

      // The time limit only ends a child that hangs; without it a failure would hang the test run.
      const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });

      expect(child.stderr).toBe('');
      expect(child.signal).toBeNull();
      expect(child.status).toBe(0);
      expect(child.stdout).toBe('loaded\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
