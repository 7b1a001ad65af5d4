import { type JsonValue } from './value-encoding.util';

export interface ResultColumn {
  name: string;
  /** A transform column type (`integer`, `float`, `text`, …) where one fits, else PostgreSQL's type name. */
  type: string;
}

/** The result of a query or a widget query, as the API returns it. */
export interface QueryResult {
  columns: ResultColumn[];
  rows: JsonValue[][];
  rowCount: number;
  /** True when rows or values were left out because of the row limit or a size cap. */
  truncated: boolean;
}
