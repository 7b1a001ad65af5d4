export {
  buildAddColumnsSql,
  buildCreateTableSql,
  buildCreateViewSql,
  buildRenamePlan,
  type LogicalViewDefinition,
  type PhysicalColumn,
  type PhysicalTableDefinition,
  type ViewColumn,
  type ViewReference,
} from './ddl.util';
export {
  mapHeadersToColumns,
  type ColumnMappingResult,
  type ExistingColumn,
  type HeaderMapping,
} from './column-mapping.util';
export { deriveColumnNames, type NamedColumn } from './column-names.util';
export {
  assertColumnId,
  assertTableId,
  generateColumnId,
  generateColumnIds,
  generateTableId,
  isColumnId,
  isTableId,
} from './ids.util';
export {
  DIGIT_PREFIX,
  isLogicalName,
  MAX_IDENTIFIER_BYTES,
  RESERVED_WORD_SUFFIX,
  toLogicalName,
} from './logical-name.util';
export { NamingError, type NamingErrorCode } from './naming.exception';
export { POSTGRES_TYPES, toPostgresType } from './postgres-types';
export { POSTGRES_RESERVED_WORDS } from './reserved-words';
export { quoteIdent, quoteLiteral, quoteQualifiedName } from './sql-quote.util';
export { fnv1a32Hex, utf8ByteLength } from './utf8.util';
