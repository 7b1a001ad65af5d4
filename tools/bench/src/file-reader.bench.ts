// Compares the file reader's CSV parser with csv-parse, papaparse and uDSV.
// First it checks correctness on the importer cases: each library must give
// the reader's rows, with null and '' kept apart, for the text whole and in
// 1-character pieces. Then it measures speed on the flights CSV (about
// 106 MB, 3,000,000 rows).
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/file-reader.bench.js [runs]
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

import { parse as createCsvParse } from 'csv-parse';
import Papa from 'papaparse';
import { inferSchema, initParser } from 'udsv';

import { openFileReader, type DetectedFormat } from '@rokks/file-reader';
import { type RawValue } from '@rokks/transform';

import { ensureFlightsCsv, sharedDataPath } from './flights';
import { recordResult } from './results';

type Row = RawValue[];

interface Candidate {
  name: string;
  /** Timed runs over the flights file; 1 for a candidate that takes minutes per run. */
  runs?: number;
  /** Parses CSV text that arrives in pieces, header included, and passes on each record after the header. */
  parse(pieces: AsyncIterable<string>, delimiter: string, onRow: (row: Row) => void): Promise<void>;
}

const FLIGHTS_ROWS = 3_000_000;
const RUNS = Number(process.argv[2] ?? 5);

async function* decodePieces(bytes: AsyncIterable<Uint8Array>, encoding: string): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);

  for await (const piece of bytes) {
    yield decoder.decode(piece, { stream: true });
  }

  yield decoder.decode();
}

// csv-parse 7.0.3 builds a context object with three nested spreads for every
// field it passes to `cast`, which makes it about 30 times slower than without.
const csvParseCandidate: Candidate = {
  name: 'csv-parse 7',
  runs: 1,
  async parse(pieces, delimiter, onRow) {
    let header = true;
    const parser = createCsvParse({
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      // csv-parse gives '' for both, and only context.quoting marks the quoted empty field.
      cast: (value, context) => (value === '' && !context.quoting ? null : value),
    });

    parser.on('data', (record: Row) => {
      if (header) {
        header = false;
      } else {
        onRow(record);
      }
    });
    Readable.from(pieces).pipe(parser);
    await finished(parser);
  },
};

const papaparseCandidate: Candidate = {
  name: 'papaparse 5',
  async parse(pieces, delimiter, onRow) {
    let header = true;

    await new Promise<void>((resolve, reject) => {
      Papa.parse<string[]>(Readable.from(pieces), {
        delimiter,
        skipEmptyLines: true,
        chunk: (results) => {
          for (const record of results.data) {
            if (header) {
              header = false;
            } else {
              onRow(record);
            }
          }
        },
        complete: () => resolve(),
        error: (error: Error) => reject(error),
      });
    });
  },
};

const udsvCandidate: Candidate = {
  name: 'udsv 0.7',
  async parse(pieces, delimiter, onRow) {
    let parser: ReturnType<typeof initParser> | null = null;
    let head = '';
    const onRecord = (record: string[]): void => {
      onRow(record);
    };

    for await (const text of pieces) {
      if (parser !== null) {
        parser.chunk<string[]>(text, parser.stringArrs, onRecord);
        continue;
      }

      // uDSV infers its schema from the first piece, which must hold the whole header.
      head += text;

      if (head.includes('\n')) {
        parser = initParser(inferSchema(head, { col: delimiter }));
        parser.chunk<string[]>(head, parser.stringArrs, onRecord);
      }
    }

    if (parser === null && head.length > 0) {
      parser = initParser(inferSchema(head, { col: delimiter }));
      parser.chunk<string[]>(head, parser.stringArrs, onRecord);
    }

    parser?.end();
  },
};

const LIBRARIES = [csvParseCandidate, papaparseCandidate, udsvCandidate];

interface CaseExpectation {
  detected: DetectedFormat;
  /** Every record after the header, in order: rows and the records reported as errors. */
  records: Row[];
}

async function readWithFileReader(bytes: Uint8Array): Promise<CaseExpectation> {
  const reader = await openFileReader([bytes]);
  const records: { row: number; values: Row }[] = [];

  for await (const chunk of reader) {
    chunk.rows.forEach((values, index) => records.push({ row: chunk.firstRowNumber + index, values }));
    chunk.errors.forEach((error) => records.push({ row: error.row, values: error.values ?? [] }));
  }

  records.sort((first, second) => first.row - second.row);

  return { detected: reader.detected, records: records.map((record) => record.values) };
}

/** Drops the empty field a trailing delimiter leaves, as the file reader does. */
function dropTrailingField(rows: Row[], expectation: CaseExpectation): Row[] {
  if (!expectation.detected.trailingDelimiter) {
    return rows;
  }

  const width = expectation.detected.columns.length;

  return rows.map((row) => (row.length === width + 1 && (row[width] === null || row[width] === '') ? row.slice(0, width) : row));
}

async function* splitText(text: string, size: number): AsyncGenerator<string> {
  for (let start = 0; start < text.length; start += size) {
    yield text.slice(start, start + size);
  }
}

/** Returns the cases a library gets wrong, each with the first difference. */
async function checkCases(candidate: Candidate): Promise<string[]> {
  const casesFolder = sharedDataPath('cases');
  const failures: string[] = [];

  for (const file of readdirSync(casesFolder).filter((name) => name.endsWith('.csv'))) {
    const bytes = new Uint8Array(readFileSync(`${casesFolder}/${file}`));
    const expectation = await readWithFileReader(bytes);
    const text = new TextDecoder(expectation.detected.encoding).decode(bytes);

    for (const pieceSize of [text.length, 1]) {
      const rows: Row[] = [];

      try {
        await candidate.parse(splitText(text, pieceSize), expectation.detected.delimiter ?? ',', (row) => rows.push(row));
      } catch (error) {
        failures.push(`${file} (pieces of ${pieceSize}): ${(error as Error).message}`);
        break;
      }

      const actual = JSON.stringify(dropTrailingField(rows, expectation));
      const expected = JSON.stringify(expectation.records);

      if (actual !== expected) {
        failures.push(`${file} (pieces of ${pieceSize}): got ${actual.slice(0, 120)}, expected ${expected.slice(0, 120)}`);
        break;
      }
    }
  }

  return failures;
}

interface Timing {
  seconds: number;
  cpuSeconds: number;
  rows: number;
}

async function timeRun(run: () => Promise<number>): Promise<Timing> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const rows = await run();
  const cpu = process.cpuUsage(cpuStarted);

  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows };
}

function runFileReader(file: string): () => Promise<number> {
  return async () => {
    const reader = await openFileReader(createReadStream(file));
    let rows = 0;

    for await (const chunk of reader) {
      rows += chunk.rows.length;
    }

    return rows;
  };
}

function runLibrary(candidate: Candidate, file: string): () => Promise<number> {
  return async () => {
    let rows = 0;

    await candidate.parse(decodePieces(createReadStream(file), 'utf-8'), ',', () => {
      rows += 1;
    });

    return rows;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const gate: Record<string, string[]> = {};

  for (const candidate of LIBRARIES) {
    gate[candidate.name] = await checkCases(candidate);
    console.log(`${candidate.name}: ${gate[candidate.name].length === 0 ? 'all cases right' : gate[candidate.name].join('\n  ')}`);
  }

  const file = await ensureFlightsCsv(FLIGHTS_ROWS);
  const megabytes = statSync(file).size / 1e6;
  const runners: { name: string; runs: number; run: () => Promise<number> }[] = [
    { name: '@rokks/file-reader', runs: RUNS, run: runFileReader(file) },
    ...LIBRARIES.map((candidate) => ({ name: candidate.name, runs: Math.min(RUNS, candidate.runs ?? RUNS), run: runLibrary(candidate, file) })),
  ];
  const timings = new Map<string, Timing[]>(runners.map((runner) => [runner.name, []]));

  // Runs take turns, so a burst of load on a shared machine hits every candidate alike.
  for (let round = 0; round < RUNS; round += 1) {
    for (const runner of runners.filter((candidate) => candidate.runs > round)) {
      const timing = await timeRun(runner.run);

      timings.get(runner.name)?.push(timing);
      console.log(`${runner.name} run ${round + 1}: ${(megabytes / timing.seconds).toFixed(1)} MB/s, ${timing.rows} rows`);
    }
  }

  const figures = runners.map(({ name }) => {
    const runs = timings.get(name) ?? [];

    return {
      name,
      correctOnCases: name === '@rokks/file-reader' ? true : gate[name].length === 0,
      caseFailures: gate[name] ?? [],
      rows: runs[0]?.rows,
      bestMBPerSecond: Number((megabytes / Math.min(...runs.map((run) => run.seconds))).toFixed(1)),
      medianMBPerSecond: Number((megabytes / median(runs.map((run) => run.seconds))).toFixed(1)),
      medianMBPerCpuSecond: Number((megabytes / median(runs.map((run) => run.cpuSeconds))).toFixed(1)),
    };
  });

  recordResult('file-reader', { file, megabytes: Number(megabytes.toFixed(1)), runs: RUNS, candidates: figures });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
