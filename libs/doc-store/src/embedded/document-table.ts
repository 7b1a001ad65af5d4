import type Database from 'better-sqlite3';

import { type JsonMap, type StoredDocument } from '../doc-store';
import { mergeDocumentData } from '../merge.util';
import { measureDocumentData } from '../validation/document-data.util';
import { type CheckedWrite, documentLabel, enforcePrecondition } from '../validation/write.util';

/** A documents row with `data` read back as JSON text. */
export interface DocumentRow {
  id: string;
  version: number;
  create_time: string;
  update_time: string;
  data: string;
}

export function toStoredDocument(row: DocumentRow): StoredDocument {
  return {
    id: row.id,
    version: row.version,
    createTime: row.create_time,
    updateTime: row.update_time,
    data: JSON.parse(row.data) as JsonMap,
  };
}

/** Reads and writes rows of `documents`; the caller runs writes inside a write transaction. */
export class DocumentTable {
  private readonly selectOne: Database.Statement<[string, string], DocumentRow>;
  private readonly selectVersion: Database.Statement<
    [string, string],
    Pick<DocumentRow, 'version' | 'create_time'>
  >;
  private readonly insertOne: Database.Statement<[string, string, number, string, string, string]>;
  private readonly updateOne: Database.Statement<[number, string, string, string, string]>;
  private readonly deleteOne: Database.Statement<[string, string]>;
  private readonly nextVersion: Database.Statement<[], number>;

  constructor(db: Database.Database) {
    this.selectOne = db.prepare(
      'SELECT id, version, create_time, update_time, json(data) AS data FROM documents WHERE collection = ? AND id = ?',
    );
    this.selectVersion = db.prepare(
      'SELECT version, create_time FROM documents WHERE collection = ? AND id = ?',
    );
    this.insertOne = db.prepare(
      'INSERT INTO documents (collection, id, version, create_time, update_time, data) VALUES (?, ?, ?, ?, ?, jsonb(?))',
    );
    this.updateOne = db.prepare(
      'UPDATE documents SET version = ?, update_time = ?, data = jsonb(?) WHERE collection = ? AND id = ?',
    );
    this.deleteOne = db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?');
    // Versions come from one counter for the whole store, so a document id
    // never sees a version twice, even after a delete and a re-create.
    this.nextVersion = db
      .prepare<[], number>(
        "UPDATE store_meta SET value = value + 1 WHERE key = 'last_version' RETURNING value",
      )
      .pluck();
  }

  get(collection: string, id: string): StoredDocument | null {
    const row = this.selectOne.get(collection, id);

    return row === undefined ? null : toStoredDocument(row);
  }

  /**
   * Applies one checked write at time `now` and returns the document after
   * it (null after a delete), or raises the precondition or size error.
   * Must run inside a write transaction.
   */
  apply(write: CheckedWrite, now: string): { document: StoredDocument | null; existed: boolean } {
    const label = documentLabel(write.collection, write.id);
    const stored = this.selectVersion.get(write.collection, write.id) ?? null;

    enforcePrecondition(label, stored, write.precondition);

    if (write.op === 'delete') {
      if (stored !== null) {
        this.deleteOne.run(write.collection, write.id);
      }

      return { document: null, existed: stored !== null };
    }

    const data =
      write.op === 'merge' && stored !== null
        ? this.mergedData(write.collection, write.id, write.data)
        : write.data;
    const measured = measureDocumentData(data, label);
    const version = this.nextVersion.get() as number;

    if (stored === null) {
      this.insertOne.run(write.collection, write.id, version, now, now, measured.json);

      return {
        document: { id: write.id, version, createTime: now, updateTime: now, data: measured.data },
        existed: false,
      };
    }

    this.updateOne.run(version, now, measured.json, write.collection, write.id);

    return {
      document: {
        id: write.id,
        version,
        createTime: stored.create_time,
        updateTime: now,
        data: measured.data,
      },
      existed: true,
    };
  }

  private mergedData(collection: string, id: string, patch: JsonMap): JsonMap {
    const row = this.selectOne.get(collection, id) as DocumentRow;

    return mergeDocumentData(JSON.parse(row.data) as JsonMap, patch);
  }
}
