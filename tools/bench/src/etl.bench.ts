// Measures runEtl over the flights CSV: read, parse, sample and infer, transform,
// and COPY text, into a load target that takes every write at once, so the
// figure is the pipeline's own cost without a database.
//
//   node tools/build/build.mjs bench && node dist/tools/bench/src/etl.bench.js [rows] [runs]
import { createReadStream } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import { type LoadTarget, runEtl, type RejectsSink } from '@rokks/etl';

import { ensureFlightsCsv } from './flights';
import { recordResult } from './results';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);

/** The end-to-end bench's spec: three casts, one derived column and one filter. */
const SPEC = {
  steps: [
    { op: 'cast', column: 'date', type: 'timestamp', format: 'yyyy-MM-dd HH:mm:ss' },
    { op: 'cast', column: 'delay', type: 'integer' },
    { op: 'cast', column: 'distance', type: 'integer' },
    { op: 'derive', column: 'route', type: 'text', expr: "origin || '-' || destination" },
    { op: 'filter', expr: 'delay > 0' },
  ],
  onError: 'reject-row',
};

interface DiscardCounts {
  writes: number;
  chars: number;
}

/** Returns a load target that drops what it is given and counts the writes and characters. */
function discardingTarget(counts: DiscardCounts): LoadTarget {
  return {
    begin: () => {
      let rows = 0;

      return Promise.resolve({
        write: (copyText: string) => {
          counts.writes += 1;
          counts.chars += copyText.length;

          for (let index = copyText.indexOf('\n'); index !== -1; index = copyText.indexOf('\n', index + 1)) {
            rows += 1;
          }

          return Promise.resolve();
        },
        commit: () => Promise.resolve({ tableId: 't_discarded', rowsLoaded: rows, alreadyApplied: false }),
        abort: () => Promise.resolve(),
      });
    },
  };
}

const noRejects: RejectsSink = {
  open: () => Promise.reject(new Error('the flights data has no bad values, so nothing should be rejected')),
};

interface RunFigures {
  seconds: number;
  cpuSeconds: number;
  rowsLoaded: number;
  writes: number;
  copyMegabytes: number;
}

async function runOnce(file: string, run: number): Promise<RunFigures> {
  const counts: DiscardCounts = { writes: 0, chars: 0 };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await runEtl({
    source: () => createReadStream(file, { highWaterMark: 1 << 20 }),
    spec: SPEC,
    target: { table: 'flights', mode: 'create' },
    loadTarget: discardingTarget(counts),
    loadId: `bench-${run}`,
    rejects: noRejects,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);

  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rowsLoaded: result.rowsLoaded,
    writes: counts.writes,
    copyMegabytes: Math.round(counts.chars / 2 ** 20),
  };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const file = await ensureFlightsCsv(ROWS);
  const runs: RunFigures[] = [];

  for (let run = 0; run < RUNS; run += 1) {
    const figures = await runOnce(file, run);

    runs.push(figures);
    console.log(
      `run ${run + 1}: ${Math.round(ROWS / figures.seconds)} rows/s, ${Math.round(ROWS / figures.cpuSeconds)} rows per CPU second`,
    );
  }

  const median = medianOf(runs.map((figures) => figures.seconds));
  const medianCpu = medianOf(runs.map((figures) => figures.cpuSeconds));

  recordResult('etl', {
    rows: ROWS,
    rowsLoaded: runs[0].rowsLoaded,
    writes: runs[0].writes,
    copyMegabytes: runs[0].copyMegabytes,
    medianSeconds: Number(median.toFixed(3)),
    rowsPerSecond: Math.round(ROWS / median),
    medianCpuSeconds: Number(medianCpu.toFixed(3)),
    rowsPerCpuSecond: Math.round(ROWS / medianCpu),
    loadAverage: os.loadavg()[0],
    // maxRSS is in kilobytes and covers the whole process over every run.
    peakRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024),
    runs: RUNS,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
