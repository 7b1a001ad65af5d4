export { type Backend, type BackendKind, type RawResult, type SqlTransaction } from './backends/backend';
export { type PgliteFactory, type PgliteLike } from './backends/pglite.backend';
export { type ColumnInfo, type TableInfo, type WorkspaceInfo } from './catalog/catalog.types';
export { type NewColumn, type NewTable, type TableRename } from './catalog/table-catalog.service';
export { WORKSPACE_PATTERN } from './catalog/workspace-names.util';
export {
  isSqlEngineError,
  SQL_ENGINE_ERROR_STATUS,
  SqlEngineError,
  type SqlEngineErrorCode,
  type SqlEngineErrorDetails,
} from './errors/sql-engine.exception';
export {
  LOAD_MODES,
  type LoadColumn,
  type LoadMode,
  type LoadOptions,
  type LoadResult,
  type LoadWriter,
} from './load/load.types';
export { DEFAULT_QUERY_LIMITS, PGLITE_MAX_PLAN_COST, type QueryLimits } from './query/query-limits';
export { type QueryResult, type ResultColumn } from './query/query-result';
export { type JsonValue } from './query/value-encoding.util';
export {
  type BackendOptions,
  type EngineLogger,
  type QueryRequest,
  SqlEngine,
  type SqlEngineOptions,
  type WidgetQueryRequest,
} from './sql-engine';
export {
  WIDGET_AGGREGATES,
  WIDGET_FILTER_OPS,
  type WidgetAggregate,
  type WidgetFilter,
  type WidgetFilterOp,
  type WidgetMeasure,
  type WidgetOrder,
  type WidgetQuery,
  type WidgetTimeBucket,
} from './widget/widget-query.types';
