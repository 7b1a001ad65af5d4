import { SpecValidationError } from '../spec/spec-error';
import { checkSpecShape } from '../spec/spec-shape';
import {
  type InputColumn,
  type OutputColumn,
  type RawValue,
  type TransformError,
  type TransformStats,
  type Value,
} from '../types';
import { ErrorSink } from './error-sink';
import { type Plan, type RowOp } from './plan';
import { planTransformation } from './planner';
import { TransformFailedError } from './transform-failed.error';

export interface TransformerOptions {
  /**
   * Source row number of the first row pushed (default 2: the first data
   * record after a header record). Pass 1 for a file without a header.
   */
  firstRowNumber?: number;
  /** Most errors reported under the `null` policy (default 1000); stats.valuesNulled still counts every one. */
  maxErrors?: number;
}

/** The rows that left the pipeline during one push() or finish(), and the errors reported meanwhile. */
export interface ChunkResult {
  rows: Value[][];
  errors: TransformError[];
}

export interface Transformer {
  /** The output columns, in order, with their types. */
  readonly columns: readonly OutputColumn[];
  /** Counters so far, over every chunk. */
  readonly stats: TransformStats;
  /**
   * Transforms a chunk of rows, each an array of raw values in input column
   * order. Rows are numbered from `firstRowNumber`, else on from the last chunk.
   */
  push(rows: readonly (readonly RawValue[])[], firstRowNumber?: number): ChunkResult;
  /** Flushes rows held back by a `dedupe` that keeps the last row; the transformer takes no rows after this. */
  finish(): ChunkResult;
}

export const DEFAULT_MAX_ERRORS = 1000;

/**
 * Compiles a spec against the input columns into a streaming transformer.
 * Throws SpecValidationError when the spec is invalid for these columns.
 */
export function createTransformer(
  spec: unknown,
  inputColumns: readonly InputColumn[],
  options: TransformerOptions = {},
): Transformer {
  const shape = checkSpecShape(spec);

  if (shape.spec === null) {
    throw new SpecValidationError(shape.errors);
  }

  const sink = new ErrorSink(shape.spec.onError ?? 'fail', options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const { plan, errors } = planTransformation(shape.spec, inputColumns, sink);

  if (plan === null) {
    throw new SpecValidationError(errors);
  }

  return new PlannedTransformer(plan, sink, options.firstRowNumber ?? 2);
}

class PlannedTransformer implements Transformer {
  readonly columns: readonly OutputColumn[];
  private state: 'open' | 'finished' | 'failed' = 'open';
  private nextRowNumber: number;
  private rowsIn = 0;
  private rowsOut = 0;
  /** One row array reused for every input row; buffered rows get their own copy. */
  private readonly scratch: unknown[];
  /** The ops of a plan without a keep-last dedupe, which `push` runs in its own loop; else null. */
  private readonly singleSegmentOps: readonly RowOp[] | null;
  /** The number of output columns when they are slots 0 to n - 1 in order, else -1. Then an output row is a slice of the row. */
  private readonly slicedWidth: number;

  constructor(
    private readonly plan: Plan,
    private readonly sink: ErrorSink,
    firstRowNumber: number,
  ) {
    this.columns = plan.columns;
    this.nextRowNumber = firstRowNumber;
    this.scratch = new Array<unknown>(plan.width).fill(null);
    this.singleSegmentOps = plan.segments.length === 1 ? plan.segments[0].ops : null;
    this.slicedWidth = plan.outputSlots.every((slot, index) => slot === index)
      ? plan.outputSlots.length
      : -1;
  }

  get stats(): TransformStats {
    return {
      rowsIn: this.rowsIn,
      rowsOut: this.rowsOut,
      rowsRejected: this.sink.rowsRejected,
      valuesNulled: this.sink.valuesNulled,
    };
  }

  push(rows: readonly (readonly RawValue[])[], firstRowNumber?: number): ChunkResult {
    this.requireOpen('push');

    const output: Value[][] = [];
    const { sink, scratch, singleSegmentOps: ops } = this;
    const { inputCount } = this.plan;
    let rowNumber = firstRowNumber ?? this.nextRowNumber;

    // This loop runs once per input row. It stays in this method rather than
    // in a closure passed to guard(), so its variables stay local.
    try {
      for (let row = 0; row < rows.length; row += 1) {
        const raw = rows[row];

        sink.rowNumber = rowNumber;
        rowNumber += 1;
        this.rowsIn += 1;

        if (raw.length !== inputCount && !this.reportRagged(raw.length)) {
          continue;
        }

        for (let index = 0; index < inputCount; index += 1) {
          scratch[index] = raw[index] ?? null;
        }

        if (ops === null) {
          this.run(0, scratch, output);
          continue;
        }

        let passed = true;

        for (let op = 0; op < ops.length; op += 1) {
          if (!ops[op](scratch)) {
            passed = false;
            break;
          }
        }

        if (passed) {
          this.emit(scratch, output);
        }
      }
    } catch (error) {
      this.markFailed(error);

      throw error;
    }

    this.nextRowNumber = rowNumber;

    return { rows: output, errors: sink.takeErrors() };
  }

  finish(): ChunkResult {
    this.requireOpen('finish');

    const output: Value[][] = [];
    const { segments } = this.plan;

    this.guard(() => {
      segments.forEach((segment, index) => {
        for (const buffered of segment.buffer?.drain() ?? []) {
          this.sink.rowNumber = buffered.rowNumber;
          this.run(index + 1, buffered.row, output);
        }
      });
    });

    this.state = 'finished';

    return { rows: output, errors: this.sink.takeErrors() };
  }

  private requireOpen(method: string): void {
    if (this.state !== 'open') {
      throw new Error(`cannot call ${method}() on a transformer that has ${this.state}`);
    }
  }

  /** Marks the transformer failed when the `fail` policy stops it, so later calls throw. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.markFailed(error);

      throw error;
    }
  }

  private markFailed(error: unknown): void {
    if (error instanceof TransformFailedError) {
      this.state = 'failed';
    }
  }

  /** Reports a row with too few or too many values; if it goes on, missing values read as null and extra ones are dropped. */
  private reportRagged(length: number): boolean {
    const expected = this.plan.inputCount;

    return this.sink.report(null, null, `row has ${length} values, expected ${expected}`);
  }

  /** Runs a row through the segments from `first` on, into the output or into a dedupe buffer. */
  private run(first: number, row: unknown[], output: Value[][]): void {
    const { segments } = this.plan;

    for (let index = first; index < segments.length; index += 1) {
      const { ops, buffer } = segments[index];

      for (let op = 0; op < ops.length; op += 1) {
        if (!ops[op](row)) {
          return;
        }
      }

      if (buffer !== null) {
        buffer.add(row, this.sink.rowNumber);

        return;
      }
    }

    this.emit(row, output);
  }

  /** Adds the output columns of a row that passed every step to the output. */
  private emit(row: readonly unknown[], output: Value[][]): void {
    const { slicedWidth } = this;

    this.rowsOut += 1;

    if (slicedWidth >= 0) {
      output.push(row.slice(0, slicedWidth) as Value[]);

      return;
    }

    const { outputSlots } = this.plan;
    const out = new Array<Value>(outputSlots.length);

    for (let index = 0; index < outputSlots.length; index += 1) {
      out[index] = row[outputSlots[index]] as Value;
    }

    output.push(out);
  }
}
