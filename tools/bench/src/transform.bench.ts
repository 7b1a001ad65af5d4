import os from 'node:os';
import { performance } from 'node:perf_hooks';

import { createTransformer, type InputColumn, type TransformSpec } from '@rokks/transform';

import { FLIGHTS_COLUMNS, readFlightBatches } from './flights';
import { recordResult } from './results';

/** Three casts, one derived column and one filter over the flights data. */
export const FLIGHTS_SPEC: TransformSpec = {
  steps: [
    { op: 'cast', column: 'date', type: 'timestamp', format: 'yyyy-MM-dd HH:mm:ss' },
    { op: 'cast', column: 'delay', type: 'integer' },
    { op: 'cast', column: 'distance', type: 'integer' },
    { op: 'derive', column: 'route', type: 'text', expr: "origin || '-' || destination" },
    { op: 'filter', expr: 'delay > 0' },
  ],
  onError: 'reject-row',
};

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 5;
const CHUNK_ROWS = 10_000;

async function loadRows(): Promise<string[][]> {
  const rows: string[][] = [];

  await readFlightBatches(ROWS, (batch) => {
    for (const row of batch) {
      rows.push(row);
    }
  });

  return rows;
}

interface RunFigures {
  seconds: number;
  cpuSeconds: number;
  rowsOut: number;
  rejected: number;
}

// Wall time and the process's CPU time are both kept: on a busy machine the
// CPU time still tells what one core can do.
function transformOnce(rows: string[][]): RunFigures {
  const inputColumns: InputColumn[] = FLIGHTS_COLUMNS.map((name) => ({ name, type: 'text' }));
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const transformer = createTransformer(FLIGHTS_SPEC, inputColumns);

  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    transformer.push(rows.slice(start, start + CHUNK_ROWS));
  }

  transformer.finish();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  return { seconds, cpuSeconds, rowsOut: transformer.stats.rowsOut, rejected: transformer.stats.rowsRejected };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const rows = await loadRows();
  const runs: RunFigures[] = [];

  for (let run = 0; run < RUNS; run += 1) {
    const figures = transformOnce(rows);

    runs.push(figures);
    console.log(
      `run ${run + 1}: ${Math.round(rows.length / figures.seconds)} rows/s, ` +
        `${Math.round(rows.length / figures.cpuSeconds)} rows per CPU second`,
    );
  }

  const last = runs[runs.length - 1];
  const median = medianOf(runs.map((figures) => figures.seconds));
  const medianCpu = medianOf(runs.map((figures) => figures.cpuSeconds));
  const rowsPerSecond = Math.round(rows.length / median);
  // maxRSS is in kilobytes and covers the whole process, the parquet read included.
  const peakMegabytes = Math.round(process.resourceUsage().maxRSS / 1024);

  recordResult('transform', {
    rows: rows.length,
    rowsOut: last.rowsOut,
    rowsRejected: last.rejected,
    medianSeconds: Number(median.toFixed(3)),
    rowsPerSecond,
    medianCpuSeconds: Number(medianCpu.toFixed(3)),
    rowsPerCpuSecond: Math.round(rows.length / medianCpu),
    loadAverage: os.loadavg()[0],
    peakRssMegabytes: peakMegabytes,
    runs: RUNS,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
