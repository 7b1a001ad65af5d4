import { type ColumnType } from '@rokks/transform';

/** One column of a table, as `table_metadata.column_map` stores it under the column id. */
export interface ColumnInfo {
  /** Physical column id, `f_<8 hex>`; never changes. */
  id: string;
  /** Logical name, the column name of the view. */
  name: string;
  /** The header text the column came from. */
  label: string;
  type: ColumnType;
  /** 1-based position in the view. */
  position: number;
}

/** A table's metadata: the physical id and the logical view over it. */
export interface TableInfo {
  /** Physical table id, `t_<32 hex>`; never changes. */
  id: string;
  workspace: string;
  /** Logical name, the name of the view. */
  name: string;
  /** Columns in view order. */
  columns: ColumnInfo[];
  /** Column id of the declared time column, or null. */
  timeColumn: string | null;
  rowCount: number;
  /** ISO 8601 UTC. */
  createdAt: string;
  updatedAt: string;
  /** Starts at 1 and grows by one with every change of the metadata. */
  version: number;
}

/** Where a workspace lives in the database. */
export interface WorkspaceInfo {
  workspace: string;
  /** Schema of the logical views: the search path of the workspace's queries. */
  viewSchema: string;
  /** Schema of the physical tables, which the workspace role cannot read. */
  dataSchema: string;
  /** NOLOGIN role that may read the views and nothing else. */
  role: string;
}
