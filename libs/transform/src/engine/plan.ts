import {
  type CastOptions,
  type Caster,
  type ColumnType,
  type OutputColumn,
  type Value,
} from '../types';

/** Runs one step on one row in place; returns false when the row leaves (filtered, a duplicate or rejected). */
export type RowOp = (row: unknown[]) => boolean;

/** Rows held back by a `dedupe` with keep `last` until finish(), in the order of their last occurrence. */
export class LastRowBuffer {
  private readonly rows = new Map<unknown, { row: unknown[]; rowNumber: number }>();

  constructor(private readonly keyOf: (row: readonly unknown[]) => unknown) {}

  add(row: readonly unknown[], rowNumber: number): void {
    const key = this.keyOf(row);

    // Deleting first moves the key to the end of the Map's insertion order.
    this.rows.delete(key);
    this.rows.set(key, { row: row.slice(), rowNumber });
  }

  drain(): { row: unknown[]; rowNumber: number }[] {
    const rows = [...this.rows.values()];

    this.rows.clear();

    return rows;
  }
}

/** Steps up to a `dedupe` keep `last` (or the end); `buffer` is null for the last segment. */
export interface Segment {
  ops: RowOp[];
  buffer: LastRowBuffer | null;
}

/**
 * The compiled pipeline. A row is an array of `width` slots: slots
 * 0..inputCount-1 hold the input values, and each derive or split writes a
 * new slot, so renames, selects and drops never move values.
 */
export interface Plan {
  inputCount: number;
  width: number;
  segments: Segment[];
  /** Slot of each output column, in output order. */
  outputSlots: number[];
  columns: OutputColumn[];
}

/** A column as the planner tracks it between steps. */
export interface ScopeColumn {
  name: string;
  slot: number;
  type: ColumnType;
  /** True while the slot contains the raw value, which `caster` converts to `type` when first needed. */
  pending: boolean;
  caster: Caster | null;
  /** The step that made the column typed, for messages: `steps[1] (cast)`. */
  typedBy: string;
  /** Set when the derive that defines the column has errors, so later steps do not repeat them. */
  failed?: boolean;
}

export type { CastOptions, Value };
