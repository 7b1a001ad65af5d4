import { deriveColumnNames, mapHeadersToColumns } from '@rokks/naming';
import {
  type CastOptions,
  type ColumnType,
  type InferredColumn,
  type InputColumn,
  type OutputColumn,
  type TransformSpec,
} from '@rokks/transform';

import { type ExistingColumn, type LoadColumn } from './etl.types';

/** A column of the file: its header, the name a spec uses for it, and the existing column it maps onto. */
export interface SourceColumn {
  /** 1-based position in the file. */
  position: number;
  /** The header text exactly as in the file. */
  label: string;
  /** Logical name: derived from the header, or the stored name of the existing column it maps onto. */
  name: string;
  columnId: string | null;
  /** The existing column's type, when known. */
  existingType: ColumnType | null;
}

/**
 * Names the file's columns. Without existing columns, each gets the logical
 * name `deriveColumnNames` gives its header. With them, headers map onto
 * existing columns by label, then by logical name, and keep those columns'
 * names, so a spec written against the table's names applies to the file.
 */
export function nameSourceColumns(
  headers: readonly string[],
  existingColumns: readonly ExistingColumn[] = [],
): SourceColumn[] {
  if (existingColumns.length === 0) {
    return deriveColumnNames(headers).map((named, index) => ({
      position: index + 1,
      label: headers[index],
      name: named.name,
      columnId: null,
      existingType: null,
    }));
  }

  const byId = new Map(existingColumns.map((column) => [column.id, column]));

  return mapHeadersToColumns(headers, existingColumns).headers.map((mapping) => ({
    position: mapping.position,
    label: mapping.label,
    name: mapping.name,
    columnId: mapping.columnId,
    existingType: mapping.columnId === null ? null : (byId.get(mapping.columnId)?.type ?? null),
  }));
}

/**
 * Builds the transformer's input columns. Each column's pending type is the
 * type of the existing column it maps onto, else the inferred type. A spec's
 * `cast` overrides either, because the transformer reads a cast column's raw
 * text with the cast's own options.
 */
export function toInputColumns(columns: readonly SourceColumn[], inferred: readonly InferredColumn[]): InputColumn[] {
  return columns.map((column, index) => {
    const inference = inferred[index];
    const type = column.existingType ?? inference.inferredType;

    return { name: column.name, type, castOptions: castOptionsFor(type, inference) };
  });
}

/** Picks the inferred cast options for a type: those of the inferred type, else of an alternative of that type. */
function castOptionsFor(type: ColumnType, inference: InferredColumn): CastOptions {
  if (type === inference.inferredType) {
    return inference.castOptions;
  }

  return inference.alternatives.find((alternative) => alternative.type === type)?.castOptions ?? {};
}

/**
 * Labels the output columns: a column keeps the header text of the source
 * column it came from through renames, and a derived or split column is
 * labelled with its name. `columnId` is set when an existing column has the
 * output column's name.
 */
export function toLoadColumns(
  spec: TransformSpec,
  source: readonly SourceColumn[],
  output: readonly OutputColumn[],
  existingColumns: readonly ExistingColumn[] = [],
): LoadColumn[] {
  const labels = new Map(source.map((column) => [column.name, column.label]));

  for (const step of spec.steps) {
    switch (step.op) {
      case 'rename': {
        const label = labels.get(step.from);

        labels.delete(step.from);
        labels.set(step.to, label ?? step.to);
        break;
      }

      case 'derive':
        if (!labels.has(step.column)) {
          labels.set(step.column, step.column);
        }

        break;
      case 'split':
        labels.delete(step.column);

        for (const name of step.into) {
          labels.set(name, name);
        }

        break;
      default:
        break;
    }
  }

  const idsByName = new Map(existingColumns.map((column) => [column.name, column.id]));

  return output.map((column) => ({
    name: column.name,
    label: labels.get(column.name) ?? column.name,
    type: column.type,
    columnId: idsByName.get(column.name) ?? null,
  }));
}
