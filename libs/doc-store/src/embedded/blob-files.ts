import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { type BlobSource } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { BufferedFileWriter } from './buffered-file-writer';

/** Bytes gathered before each write to the temporary file, so small chunks do not each cost a system call. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/**
 * Bytes written between two background flushes of a large blob. The final
 * fsync then has at most this much left to write: on a 106 MB upload it
 * took about 55 ms when it had the whole file to flush.
 */
const BACKGROUND_SYNC_BYTES = 16 * 1024 * 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/u;
const TEMP_SUFFIX = '.part';

export interface WrittenTempFile {
  tempPath: string;
  size: number;
  sha256: string;
}

export interface TempFileEntry {
  path: string;
  modifiedMs: number;
}

function isErrorCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

/** Flushes a directory, so a rename or new entry in it survives a crash. */
export function fsyncDirectory(directory: string): void {
  const descriptor = openSync(directory, 'r');

  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Removes a file, returning false when it was already gone. */
export function removeFile(path: string): boolean {
  try {
    unlinkSync(path);

    return true;
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) {
      return false;
    }

    throw error;
  }
}

async function* chunksOf(source: BlobSource): AsyncIterable<unknown> {
  if (source instanceof Uint8Array) {
    yield source;

    return;
  }

  yield* source;
}

/**
 * Content-addressed files under `<root>/objects/<first two hex digits>/<sha256>`.
 * New content is streamed into `<root>/tmp/<uuid>.part`, fsynced, and only
 * then renamed into place, so an object file is always complete.
 */
export class BlobFiles {
  readonly objectsDirectory: string;
  readonly tempDirectory: string;
  /** Temporary files of puts in progress in this process, which the garbage collector leaves alone. */
  private readonly activeTempPaths = new Set<string>();

  constructor(root: string) {
    this.objectsDirectory = join(root, 'objects');
    this.tempDirectory = join(root, 'tmp');
  }

  async create(): Promise<void> {
    await mkdir(this.objectsDirectory, { recursive: true });
    await mkdir(this.tempDirectory, { recursive: true });
  }

  objectPath(sha256: string): string {
    return join(this.objectsDirectory, sha256.slice(0, 2), sha256);
  }

  /**
   * Streams `source` into a new temporary file while computing its SHA-256,
   * then fsyncs and closes it. Raises `BLOB_TOO_LARGE` as soon as the bytes
   * pass `maxBytes`. On any failure the temporary file is removed and the
   * source is closed.
   */
  async writeTemp(
    source: BlobSource,
    maxBytes: number,
    blobPath: string,
  ): Promise<WrittenTempFile> {
    const tempPath = join(this.tempDirectory, `${randomUUID()}${TEMP_SUFFIX}`);

    this.activeTempPaths.add(tempPath);

    let handle: FileHandle;

    try {
      handle = await open(tempPath, 'wx', 0o600);
    } catch (error) {
      this.activeTempPaths.delete(tempPath);

      throw error;
    }

    const hash = createHash('sha256');
    const writer = new BufferedFileWriter(handle, WRITE_BUFFER_BYTES);
    let size = 0;
    let syncedUpTo = 0;
    // A flush of the data written so far, running while more arrives; its failure surfaces at the final sync.
    let backgroundSync: Promise<void> | null = null;

    try {
      for await (const chunk of chunksOf(source)) {
        if (!(chunk instanceof Uint8Array)) {
          throw new DocStoreError(
            'INVALID_ARGUMENT',
            `Blob source for ${JSON.stringify(blobPath)} produced a ${typeof chunk} chunk; it must produce bytes (Buffer or Uint8Array).`,
          );
        }

        size += chunk.byteLength;

        if (size > maxBytes) {
          throw new DocStoreError(
            'BLOB_TOO_LARGE',
            `Blob ${JSON.stringify(blobPath)} is larger than the limit of ${maxBytes} bytes.`,
            { limit: maxBytes },
          );
        }

        // The chunk is hashed and copied before the next one is requested, so a
        // producer that reuses its buffer cannot make the bytes differ from the hash.
        hash.update(chunk);
        await writer.append(chunk);

        if (size - syncedUpTo >= BACKGROUND_SYNC_BYTES && backgroundSync === null) {
          syncedUpTo = size;
          backgroundSync = handle.datasync().finally(() => {
            backgroundSync = null;
          });
          backgroundSync.catch(() => undefined);
        }
      }

      await writer.finish();
      await backgroundSync;
      await handle.sync();
      await handle.close();
    } catch (error) {
      await writer.abandon();
      await handle.close().catch(() => undefined);
      this.releaseTemp(tempPath);

      throw error;
    }

    return { tempPath, size, sha256: hash.digest('hex') };
  }

  /**
   * Renames a complete temporary file to its object path and fsyncs the
   * object's directory, which makes the rename durable. An existing object with the same hash is replaced
   * by identical bytes. Synchronous, so that the caller can run it inside a
   * SQLite write transaction.
   */
  installSync(tempPath: string, sha256: string): void {
    const shard = join(this.objectsDirectory, sha256.slice(0, 2));

    if (mkdirSync(shard, { recursive: true }) !== undefined) {
      fsyncDirectory(this.objectsDirectory);
    }

    renameSync(tempPath, this.objectPath(sha256));
    fsyncDirectory(shard);
  }

  /** Removes a temporary file unless it was installed already, and stops protecting it from the garbage collector. */
  releaseTemp(tempPath: string): void {
    removeFile(tempPath);
    this.activeTempPaths.delete(tempPath);
  }

  isActiveTemp(tempPath: string): boolean {
    return this.activeTempPaths.has(tempPath);
  }

  /** Lists the hashes of all object files, for the garbage collector. */
  async listObjectHashes(): Promise<string[]> {
    const hashes: string[] = [];

    for (const shard of await readdir(this.objectsDirectory)) {
      for (const name of await readdir(join(this.objectsDirectory, shard)).catch(() => [])) {
        if (SHA256_HEX.test(name) && name.startsWith(shard)) {
          hashes.push(name);
        }
      }
    }

    return hashes;
  }

  /** Lists temporary files with their modification times. */
  async listTempFiles(): Promise<TempFileEntry[]> {
    const entries: TempFileEntry[] = [];

    for (const name of await readdir(this.tempDirectory)) {
      if (!name.endsWith(TEMP_SUFFIX)) {
        continue;
      }

      const path = join(this.tempDirectory, name);

      try {
        entries.push({ path, modifiedMs: (await stat(path)).mtimeMs });
      } catch (error) {
        if (!isErrorCode(error, 'ENOENT')) {
          throw error;
        }
      }
    }

    return entries;
  }
}
