import { createReadStream } from 'node:fs';
import path from 'node:path';

/** The shared data folder beside the repository checkout: `<repository>/../shared/data`. */
export const SHARED_DATA = path.resolve(__dirname, '../../../..', '../shared/data');

/** Returns a source factory over a file of the shared data folder, read in 64 KiB pieces. */
export function sharedFile(...parts: string[]): () => NodeJS.ReadableStream & AsyncIterable<Buffer> {
  const file = path.join(SHARED_DATA, ...parts);

  return () => createReadStream(file, { highWaterMark: 64 * 1024 });
}
