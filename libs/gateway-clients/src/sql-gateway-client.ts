import { type ExistingColumn, type LoadMode } from '@rokks/etl';
import { type ColumnType } from '@rokks/transform';

import { type GatewayConnection, ServiceCaller } from './gateway-connection';
import { GatewayError } from './gateway-error';
import { SqlGatewayLoadTarget } from './sql-gateway-load-target';

export const SQL_GATEWAY_SERVICE = 'sql-gateway';

/** A table as the SQL gateway's internal API returns it. */
export interface TableView {
  /** Physical table id (`t_<32 hex>`); never changes. */
  id: string;
  /** Logical name. */
  name: string;
  columns: { id: string; name: string; label: string; type: ColumnType }[];
  rowCount: number;
  /** Column id of the time column, or null. */
  timeColumn: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The state of a load, as every Load API route returns it. */
export interface LoadStatus {
  loadId: string;
  workspace: string;
  table: string;
  mode: LoadMode;
  state: 'open' | 'committed';
  /** The load id had committed before: rows are ignored and nothing changes. */
  alreadyApplied: boolean;
  bytesReceived: number;
  startedAt: string;
  result?: {
    loadId: string;
    tableId: string;
    table: string;
    mode: LoadMode;
    rowsLoaded: number;
    /** Rows of the table after the load; absent when it had been applied before. */
    rowCount?: number;
    addedColumns: string[];
    alreadyApplied: boolean;
  };
}

/** Client of the SQL gateway's internal table and load APIs; failures throw `GatewayError`. */
export class SqlGatewayClient {
  readonly caller: ServiceCaller;

  constructor(connection: GatewayConnection) {
    this.caller = new ServiceCaller(SQL_GATEWAY_SERVICE, connection);
  }

  /** Returns the table with this logical name or id, or null when the workspace has none. */
  async findTable(workspace: string, table: string, options: { signal?: AbortSignal } = {}): Promise<TableView | null> {
    try {
      return await this.caller.json<TableView>(
        `Reading table ${JSON.stringify(table)}`,
        `/internal/tables/${encodeURIComponent(table)}?workspace=${encodeURIComponent(workspace)}`,
        { method: 'GET', signal: options.signal },
      );
    } catch (error) {
      if (error instanceof GatewayError && error.status === 404) {
        return null;
      }

      throw error;
    }
  }

  /** Returns the columns of an existing table in the form `runEtl` maps a file's headers onto, or undefined when there is no such table. */
  async existingColumns(workspace: string, table: string, options: { signal?: AbortSignal } = {}): Promise<ExistingColumn[] | undefined> {
    const found = await this.findTable(workspace, table, options);

    return found?.columns.map((column) => ({ id: column.id, name: column.name, label: column.label, type: column.type }));
  }

  /** Returns a load target that loads into tables of `workspace`; see `MAX_ROWS_REQUEST_BYTES`. */
  loadTarget(workspace: string, maxRequestBytes?: number): SqlGatewayLoadTarget {
    return new SqlGatewayLoadTarget(this.caller, workspace, maxRequestBytes);
  }
}
