import type { ColumnType } from '@rokks/transform';

import { assertColumnId, assertTableId } from './ids.util';
import { describeValue, NamingError } from './naming.exception';
import { toPostgresType } from './postgres-types';
import { quoteIdent, quoteQualifiedName } from './sql-quote.util';

/** A column of the physical table: its `f_<hex>` id and transform type. */
export interface PhysicalColumn {
  id: string;
  type: ColumnType;
}

/** The physical table `schema.t_<hex>` and the columns to create or add. */
export interface PhysicalTableDefinition {
  schema: string;
  tableId: string;
  columns: readonly PhysicalColumn[];
}

/** A column of the logical view: the physical column it reads and the logical name it shows. */
export interface ViewColumn {
  id: string;
  name: string;
}

/** The logical view over one physical table; the view lives in `viewSchema`, or in `schema` when that is absent. */
export interface LogicalViewDefinition {
  schema: string;
  tableId: string;
  viewSchema?: string;
  viewName: string;
  /** The view's columns, in view order; a physical column may be left out but not listed twice. */
  columns: readonly ViewColumn[];
}

export interface ViewReference {
  schema: string;
  name: string;
}

function rejectDefinition(message: string): never {
  throw new NamingError('INVALID_DEFINITION', message);
}

function checkColumnIds(ids: readonly string[], tableId: string): void {
  if (ids.length === 0) {
    rejectDefinition(`no columns given for table ${describeValue(tableId)}: list at least one`);
  }

  const seen = new Set<string>();

  for (const id of ids) {
    assertColumnId(id);

    if (seen.has(id)) {
      rejectDefinition(
        `column id ${describeValue(id)} is listed twice for table ${describeValue(tableId)}`,
      );
    }

    seen.add(id);
  }
}

function columnDefinitions(table: PhysicalTableDefinition): string[] {
  assertTableId(table.tableId);
  checkColumnIds(
    table.columns.map((column) => column.id),
    table.tableId,
  );

  return table.columns.map((column) => `${quoteIdent(column.id)} ${toPostgresType(column.type)}`);
}

/** Builds `CREATE TABLE "schema"."t_…" ("f_…" type, …)` for a new physical table. */
export function buildCreateTableSql(table: PhysicalTableDefinition): string {
  const columns = columnDefinitions(table);

  return `CREATE TABLE ${quoteQualifiedName(table.schema, table.tableId)} (${columns.join(', ')})`;
}

/** Builds `ALTER TABLE "schema"."t_…" ADD COLUMN "f_…" type, …` for columns a later load brings. */
export function buildAddColumnsSql(table: PhysicalTableDefinition): string {
  const additions = columnDefinitions(table).map((definition) => `ADD COLUMN ${definition}`);

  return `ALTER TABLE ${quoteQualifiedName(table.schema, table.tableId)} ${additions.join(', ')}`;
}

/** Builds `CREATE VIEW "viewSchema"."name" AS SELECT "f_…" AS "logical", … FROM "schema"."t_…"`. */
export function buildCreateViewSql(view: LogicalViewDefinition): string {
  assertTableId(view.tableId);
  checkColumnIds(
    view.columns.map((column) => column.id),
    view.tableId,
  );

  const names = new Set<string>();

  for (const column of view.columns) {
    if (names.has(column.name)) {
      rejectDefinition(
        `logical name ${describeValue(column.name)} is used twice in view ${describeValue(view.viewName)}`,
      );
    }

    names.add(column.name);
  }

  const selectList = view.columns.map(
    (column) => `${quoteIdent(column.id)} AS ${quoteIdent(column.name)}`,
  );
  const viewName = quoteQualifiedName(view.viewSchema ?? view.schema, view.viewName);
  const tableName = quoteQualifiedName(view.schema, view.tableId);

  return `CREATE VIEW ${viewName} AS SELECT ${selectList.join(', ')} FROM ${tableName}`;
}

/**
 * Builds the statements that replace the logical view `previousView` with
 * `view`, for a rename of the table or of any column, or a changed column list.
 * `CREATE OR REPLACE VIEW` cannot rename or drop a view column, so the plan is
 * `DROP VIEW IF EXISTS previous` then `CREATE VIEW next`: run both in one
 * transaction so readers never see the view missing. The physical table is only
 * read by the view, never altered. A view that other views depend on makes the
 * DROP fail (no CASCADE), and grants or comments on the old view are not carried
 * over: the caller re-applies them in the same transaction.
 */
export function buildRenamePlan(
  previousView: ViewReference,
  view: LogicalViewDefinition,
): string[] {
  const createView = buildCreateViewSql(view);

  return [
    `DROP VIEW IF EXISTS ${quoteQualifiedName(previousView.schema, previousView.name)}`,
    createView,
  ];
}
