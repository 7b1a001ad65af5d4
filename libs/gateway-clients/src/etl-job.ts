import { type LoadMode } from '@rokks/etl';

/**
 * Payload of an ETL job, as data-transform submits it and the worker's ETL
 * handler reads it.
 */
export interface EtlJobPayload {
  /** Workspace of the file and of the target table. */
  workspace: string;
  /** Id of the uploaded file (`file_<32 hex>`). */
  fileId: string;
  /** Name the file was uploaded with, for messages and the rejects file's name. */
  fileName: string;
  /** The transformation spec as the client sent it; the handler validates it against the file. */
  spec: unknown;
  target: {
    /** Logical table name. */
    table: string;
    mode: LoadMode;
    /** Logical key columns, for `upsert` only. */
    key?: string[];
  };
  /** User id of the user who started the run, for the audit log. */
  actor: string;
}

/** Blob path, inside the workspace's blob store, of an uploaded file's bytes. */
export function uploadBlobPath(fileId: string): string {
  return `uploads/${fileId}`;
}
