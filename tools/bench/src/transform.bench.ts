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
    { op: 'derive', column: 'delay_per_100_miles', type: 'float', expr: 'delay * 100.0 / distance' },
    { op: 'filter', expr: 'delay > 0' },
  ],
  onError: 'reject-row',
};

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 3;
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

function transformOnce(rows: string[][]): { seconds: number; rowsOut: number; rejected: number } {
  const inputColumns: InputColumn[] = FLIGHTS_COLUMNS.map((name) => ({ name, type: 'text' }));
  const started = performance.now();
  const transformer = createTransformer(FLIGHTS_SPEC, inputColumns);

  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    transformer.push(rows.slice(start, start + CHUNK_ROWS));
  }

  transformer.finish();
  const seconds = (performance.now() - started) / 1000;

  return { seconds, rowsOut: transformer.stats.rowsOut, rejected: transformer.stats.rowsRejected };
}

async function main(): Promise<void> {
  const rows = await loadRows();
  const timings: number[] = [];
  let last = { seconds: 0, rowsOut: 0, rejected: 0 };

  for (let run = 0; run < RUNS; run += 1) {
    last = transformOnce(rows);
    timings.push(last.seconds);
    console.log(`run ${run + 1}: ${(rows.length / last.seconds).toFixed(0)} rows/s`);
  }

  timings.sort((a, b) => a - b);
  const median = timings[Math.floor(timings.length / 2)];
  const rowsPerSecond = Math.round(rows.length / median);
  // maxRSS is in kilobytes and covers the whole process, the parquet read included.
  const peakMegabytes = Math.round(process.resourceUsage().maxRSS / 1024);

  recordResult('transform', {
    rows: rows.length,
    rowsOut: last.rowsOut,
    rowsRejected: last.rejected,
    medianSeconds: Number(median.toFixed(3)),
    rowsPerSecond,
    peakRssMegabytes: peakMegabytes,
    runs: RUNS,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
