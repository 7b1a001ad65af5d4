import { claimUniqueName, deriveColumnNames } from './column-names.util';

/** A column of an existing table, as its metadata stores it. */
export interface ExistingColumn {
  id: string;
  name: string;
  label: string;
}

/** The column that one header of a new load maps to, or the new column it needs. */
export interface HeaderMapping {
  /** 1-based position of the header in the load. */
  position: number;
  /** The header text exactly as the load has it. */
  label: string;
  /** The existing column's logical name, or the name proposed for a new column. */
  name: string;
  /** The existing column's physical id, or null when the header needs a new column. */
  columnId: string | null;
  matchedBy: 'label' | 'name' | null;
}

export interface ColumnMappingResult {
  /** One entry per header, in header order. */
  headers: HeaderMapping[];
  /** Existing columns that no header matched, in table order. */
  unmatchedColumns: ExistingColumn[];
}

/**
 * Maps the headers of a later load onto an existing table's columns. Each
 * column is matched at most once:
 * 1. by label: the header text equals the stored label exactly, first free
 *    column in table order;
 * 2. then by logical name: the name `deriveColumnNames` gives the header in
 *    this load equals the stored name.
 * Headers left over get `columnId: null` and a new name that is unique against
 * every existing name and the other new names. Appending the file a table was
 * created from therefore maps every header to the same column.
 */
export function mapHeadersToColumns(
  headers: readonly string[],
  existingColumns: readonly ExistingColumn[],
): ColumnMappingResult {
  const derived = deriveColumnNames(headers);
  const matched = new Set<ExistingColumn>();
  const mappings: HeaderMapping[] = headers.map((label, index) => ({
    position: index + 1,
    label,
    name: derived[index].name,
    columnId: null,
    matchedBy: null,
  }));

  const claim = (
    mapping: HeaderMapping,
    column: ExistingColumn,
    matchedBy: 'label' | 'name',
  ): void => {
    matched.add(column);
    mapping.columnId = column.id;
    mapping.name = column.name;
    mapping.matchedBy = matchedBy;
  };

  for (const mapping of mappings) {
    const column = existingColumns.find(
      (candidate) => !matched.has(candidate) && candidate.label === mapping.label,
    );

    if (column !== undefined) {
      claim(mapping, column, 'label');
    }
  }

  for (const mapping of mappings) {
    if (mapping.columnId !== null) {
      continue;
    }

    const column = existingColumns.find(
      (candidate) => !matched.has(candidate) && candidate.name === mapping.name,
    );

    if (column !== undefined) {
      claim(mapping, column, 'name');
    }
  }

  const takenNames = new Set(existingColumns.map((column) => column.name));

  for (const mapping of mappings) {
    if (mapping.columnId === null) {
      mapping.name = claimUniqueName(mapping.name, takenNames);
    }
  }

  return {
    headers: mappings,
    unmatchedColumns: existingColumns.filter((column) => !matched.has(column)),
  };
}
