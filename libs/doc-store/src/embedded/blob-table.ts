import type Database from 'better-sqlite3';

import { type BlobInfo } from '../doc-store';
import { type BlobFiles, removeFile, type WrittenTempFile } from './blob-files';

interface BlobRow {
  path: string;
  sha256: string;
  size: number;
  content_type: string | null;
  create_time: string;
  update_time: string;
}

function toBlobInfo(row: BlobRow): BlobInfo {
  return {
    path: row.path,
    size: row.size,
    sha256: row.sha256,
    contentType: row.content_type,
    createTime: row.create_time,
    updateTime: row.update_time,
  };
}

/** Upper bound of the paths that start with `prefix`: the prefix followed by bytes that no UTF-8 text contains. */
function prefixUpperBound(prefix: string): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.from([0xf4, 0x90])]);
}

/**
 * The path → content mapping in `blobs` and the reference counts in
 * `blob_objects`. Each object file is counted by the paths that point to
 * it; when the count reaches zero the file is removed in a later write
 * transaction, and a crash in between leaves a zero row for the garbage
 * collector.
 */
export class BlobTable {
  private readonly selectOne: Database.Statement<[string], BlobRow>;
  private readonly upsertBlob: Database.Statement<
    [string, string, number, string | null, string, string]
  >;
  private readonly deleteBlob: Database.Statement<[string]>;
  private readonly addReference: Database.Statement<[string, number]>;
  private readonly dropReference: Database.Statement<[string], number>;
  private readonly selectReferenceCount: Database.Statement<[string], number>;
  private readonly deleteObject: Database.Statement<[string]>;

  constructor(
    private readonly db: Database.Database,
    private readonly files: BlobFiles,
  ) {
    this.selectOne = db.prepare(
      'SELECT path, sha256, size, content_type, create_time, update_time FROM blobs WHERE path = ?',
    );
    this.upsertBlob = db.prepare(
      `INSERT INTO blobs (path, sha256, size, content_type, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
         content_type = excluded.content_type, update_time = excluded.update_time`,
    );
    this.deleteBlob = db.prepare('DELETE FROM blobs WHERE path = ?');
    this.addReference = db.prepare(
      `INSERT INTO blob_objects (sha256, size, ref_count) VALUES (?, ?, 1)
       ON CONFLICT (sha256) DO UPDATE SET ref_count = ref_count + 1`,
    );
    this.dropReference = db
      .prepare<[string], number>(
        'UPDATE blob_objects SET ref_count = ref_count - 1 WHERE sha256 = ? RETURNING ref_count',
      )
      .pluck();
    this.selectReferenceCount = db
      .prepare<[string], number>('SELECT ref_count FROM blob_objects WHERE sha256 = ?')
      .pluck();
    this.deleteObject = db.prepare('DELETE FROM blob_objects WHERE sha256 = ?');
  }

  get(path: string): BlobInfo | null {
    const row = this.selectOne.get(path);

    return row === undefined ? null : toBlobInfo(row);
  }

  /**
   * Moves the durable temporary file into place and points `path` at it, in
   * one write transaction: the mapping commits only after the file and its
   * directory entry are on disk. Returns the hash that lost its last
   * reference, if any, for `removeIfUnreferenced`.
   */
  commitPut(
    path: string,
    written: WrittenTempFile,
    contentType: string | null,
    now: string,
  ): { info: BlobInfo; released: string | null } {
    return this.db
      .transaction(() => {
        const previous = this.selectOne.get(path);

        this.files.installSync(written.tempPath, written.sha256);

        let released: string | null = null;

        if (previous?.sha256 !== written.sha256) {
          this.addReference.run(written.sha256, written.size);

          if (previous !== undefined && this.dropReference.get(previous.sha256) === 0) {
            released = previous.sha256;
          }
        }

        const createTime = previous?.create_time ?? now;

        this.upsertBlob.run(path, written.sha256, written.size, contentType, createTime, now);

        return {
          info: {
            path,
            size: written.size,
            sha256: written.sha256,
            contentType,
            createTime,
            updateTime: now,
          },
          released,
        };
      })
      .immediate();
  }

  /** Deletes the mapping of `path`; returns whether it existed and the hash that lost its last reference. */
  commitDelete(path: string): { existed: boolean; released: string | null } {
    return this.db
      .transaction(() => {
        const previous = this.selectOne.get(path);

        if (previous === undefined) {
          return { existed: false, released: null };
        }

        this.deleteBlob.run(path);

        return {
          existed: true,
          released: this.dropReference.get(previous.sha256) === 0 ? previous.sha256 : null,
        };
      })
      .immediate();
  }

  /**
   * Removes the object file and its row if no path refers to it any more.
   * The check and the removal share one write transaction, so a concurrent
   * put of the same bytes either comes first (and keeps the file) or
   * installs the file again afterwards.
   */
  removeIfUnreferenced(sha256: string): boolean {
    return this.db
      .transaction(() => {
        const count = this.selectReferenceCount.get(sha256);

        if (count !== 0) {
          return false;
        }

        removeFile(this.files.objectPath(sha256));
        this.deleteObject.run(sha256);

        return true;
      })
      .immediate();
  }

  /** Removes an object file that has no row at all (left by a crash between rename and commit). */
  removeIfUntracked(sha256: string): boolean {
    return this.db
      .transaction(() => {
        if (this.selectReferenceCount.get(sha256) !== undefined) {
          return false;
        }

        return removeFile(this.files.objectPath(sha256));
      })
      .immediate();
  }

  unreferencedHashes(): string[] {
    return this.db
      .prepare<[], string>('SELECT sha256 FROM blob_objects WHERE ref_count = 0')
      .pluck()
      .all();
  }

  trackedHashes(): Set<string> {
    return new Set(this.db.prepare<[], string>('SELECT sha256 FROM blob_objects').pluck().all());
  }

  /** Returns up to `limit` blobs whose path starts with `prefix` and sorts after `startAfter`, in path order. */
  list(prefix: string, startAfter: string | null, limit: number): BlobInfo[] {
    const conditions: string[] = [];
    const params: (string | Buffer | number)[] = [];

    if (prefix !== '') {
      conditions.push('path >= ?', 'path < CAST(? AS TEXT)');
      params.push(prefix, prefixUpperBound(prefix));
    }

    if (startAfter !== null) {
      conditions.push('path > ?');
      params.push(startAfter);
    }

    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.db
      .prepare<(string | Buffer | number)[], BlobRow>(
        `SELECT path, sha256, size, content_type, create_time, update_time FROM blobs ${where} ORDER BY path LIMIT ?`,
      )
      .all(...params, limit);

    return rows.map(toBlobInfo);
  }
}
