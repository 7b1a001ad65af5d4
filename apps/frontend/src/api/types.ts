import { type CastOptions, type ColumnType } from '@rokks/transform';

export interface TableColumn {
  id: string;
  name: string;
  type: ColumnType;
}

export interface TableInfo {
  id: string;
  name: string;
  columns: TableColumn[];
  rowCount: number;
  timeColumn?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The result of `/api/sql/query` and `/api/sql/widget-query`. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

export interface ProfileColumn {
  name: string;
  label?: string;
  inferredType: ColumnType;
  /** Options the inferred type is read with (a date format, say), as the load uses them. */
  castOptions?: CastOptions;
  nullCount: number;
  distinctEstimate: number;
  sample: string[];
  ambiguous?: boolean;
  alternatives?: { type: ColumnType }[];
}

/** The `schema` event of a file profile. */
export interface ProfileSchema {
  format: string;
  encoding: string;
  delimiter: string | null;
  header: boolean;
  columns: ProfileColumn[];
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  attempts: number;
  progress: { rowsRead: number; rowsLoaded: number; rowsRejected: number } | null;
  result: {
    tableId: string;
    table: string;
    rowsLoaded: number;
    rowsRejected: number;
    rejectsFileId?: string;
  } | null;
  error: { message?: string } | string | null;
}

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** A document of the doc gateway. */
export interface StoredDocument<T> {
  id: string;
  version: number;
  createTime: string;
  updateTime: string;
  data: T;
}
