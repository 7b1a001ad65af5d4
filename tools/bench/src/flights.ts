import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';

import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

export const FLIGHTS_COLUMNS = ['date', 'delay', 'distance', 'origin', 'destination'] as const;

interface FlightRecord {
  date: Date;
  delay: bigint | number;
  distance: bigint | number;
  origin: string;
  destination: string;
}

const workspaceRoot = path.resolve(__dirname, '../../../..');

export function sharedDataPath(...parts: string[]): string {
  return path.resolve(workspaceRoot, '..', 'shared', 'data', ...parts);
}

export function benchDataPath(...parts: string[]): string {
  return path.join(workspaceRoot, 'bench-data', ...parts);
}

// The parquet file stores local departure times as timestamps without a zone;
// they are written back the way a CSV export would show them.
function formatLocalTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Reads flight records from the parquet file in row-group sized batches and
 * passes each batch on as rows of strings, as a CSV reader would produce them.
 */
export async function readFlightBatches(
  limit: number,
  onBatch: (rows: string[][]) => Promise<void> | void,
): Promise<void> {
  const file = await asyncBufferFromFile(sharedDataPath('real', 'flights-3m.parquet'));
  const metadata = await parquetMetadataAsync(file);
  const total = Math.min(limit, Number(metadata.num_rows));
  const batchSize = 250_000;

  for (let start = 0; start < total; start += batchSize) {
    const end = Math.min(total, start + batchSize);
    const records = (await parquetReadObjects({
      file,
      metadata,
      compressors,
      rowStart: start,
      rowEnd: end,
    })) as FlightRecord[];
    const rows = records.map((record) => [
      formatLocalTime(record.date),
      String(record.delay),
      String(record.distance),
      record.origin,
      record.destination,
    ]);

    await onBatch(rows);
  }
}

/** Writes the first `limit` flights as a CSV file under bench-data/ once and returns its path. */
export async function ensureFlightsCsv(limit: number): Promise<string> {
  const target = benchDataPath(`flights-${limit}.csv`);

  if (existsSync(target)) {
    return target;
  }

  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  const output = createWriteStream(partial);

  output.write(`${FLIGHTS_COLUMNS.join(',')}\n`);
  await readFlightBatches(limit, async (rows) => {
    const text = rows.map((row) => row.join(',')).join('\n') + '\n';

    if (!output.write(text)) {
      await once(output, 'drain');
    }
  });
  output.end();
  await once(output, 'finish');
  renameSync(partial, target);

  return target;
}
