import { type InputColumn, type RawValue, type TransformResult } from '../types';
import { createTransformer, type TransformerOptions } from './transformer';

export interface RunTransformationOptions extends TransformerOptions {
  /**
   * The input columns: required for array rows; for object rows, the keys to
   * read (default: the keys of the first row, all typed text).
   */
  columns?: readonly (string | InputColumn)[];
}

type InputRow = readonly RawValue[] | Readonly<Record<string, unknown>>;

function toInputColumns(columns: readonly (string | InputColumn)[]): InputColumn[] {
  return columns.map((column) => (typeof column === 'string' ? { name: column } : column));
}

/**
 * Runs a spec over rows in memory: arrays in column order (with
 * `options.columns`) or objects keyed by column name, where a missing key
 * reads as null. It pushes every row through createTransformer in one chunk
 * and finishes, so it gives exactly what the streaming form gives. Throws
 * SpecValidationError for an invalid spec, and TransformFailedError under the
 * `fail` policy.
 */
export function runTransformation(
  rows: readonly InputRow[],
  spec: unknown,
  options: RunTransformationOptions = {},
): TransformResult {
  const first = rows[0];
  const objectRows = first !== undefined && !Array.isArray(first);

  if (options.columns === undefined && !objectRows && rows.length > 0) {
    throw new TypeError('runTransformation needs options.columns for rows given as arrays');
  }

  const columns = toInputColumns(
    options.columns ?? (objectRows ? Object.keys(first).map((name) => ({ name })) : []),
  );
  const transformer = createTransformer(spec, columns, options);
  const arrays = objectRows
    ? rows.map((row) => objectToArray(row, columns))
    : (rows as readonly RawValue[][]);
  const pushed = transformer.push(arrays);
  const finished = transformer.finish();

  return {
    columns: [...transformer.columns],
    rows: pushed.rows.concat(finished.rows),
    errors: pushed.errors.concat(finished.errors),
    stats: transformer.stats,
  };
}

function objectToArray(row: InputRow, columns: readonly InputColumn[]): RawValue[] {
  if (Array.isArray(row)) {
    throw new TypeError('runTransformation got a mix of array rows and object rows');
  }

  const record = row as Readonly<Record<string, unknown>>;

  // Own properties only, so a column named "constructor" never reads Object.prototype.
  return columns.map((column) =>
    Object.hasOwn(record, column.name) ? ((record[column.name] ?? null) as RawValue) : null,
  );
}
