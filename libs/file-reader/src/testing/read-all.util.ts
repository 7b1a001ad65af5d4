import { readFileSync } from 'node:fs';
import path from 'node:path';

import { type RawValue } from '@rokks/transform';

import { type ByteSource } from '../byte-input';
import { openFileReader } from '../file-reader';
import { type DetectedFormat, type FileChunk, type FileReaderOptions, type RowError } from '../file-reader.types';

/** The shared data folder beside the repository checkout: `<repository>/../shared/data`. */
export const SHARED_DATA = path.resolve(__dirname, '../../../..', '../shared/data');

export function readSharedFile(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(path.join(SHARED_DATA, ...parts)));
}

export interface ReadResult {
  detected: DetectedFormat;
  columns: string[];
  rows: RawValue[][];
  /** The record number of each row, from the chunk's firstRowNumber. */
  rowNumbers: number[];
  lineNumbers: number[];
  errors: RowError[];
  chunks: FileChunk[];
}

/** Reads a whole source through the file reader and gathers every chunk. */
export async function readAll(source: ByteSource, options: FileReaderOptions = {}): Promise<ReadResult> {
  const reader = await openFileReader(source, options);
  const result: ReadResult = {
    detected: reader.detected,
    columns: reader.detected.columns,
    rows: [],
    rowNumbers: [],
    lineNumbers: [],
    errors: [],
    chunks: [],
  };

  for await (const chunk of reader) {
    result.chunks.push(chunk);
    chunk.rows.forEach((row, index) => {
      result.rows.push(row);
      result.rowNumbers.push(chunk.firstRowNumber + index);
    });
    result.lineNumbers.push(...chunk.lineNumbers);
    result.errors.push(...chunk.errors);
  }

  return result;
}

/** Cuts bytes into pieces of the given sizes, repeating the sizes until the bytes run out. */
export function splitBytes(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let offset = 0;
  let index = 0;

  while (offset < bytes.length) {
    const size = Math.max(1, sizes[index % sizes.length]);

    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
    index += 1;
  }

  return pieces;
}

/** Encodes text as UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
