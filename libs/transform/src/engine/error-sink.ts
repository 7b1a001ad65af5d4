import { type OnErrorPolicy, type TransformError } from '../types';
import { TransformFailedError } from './transform-failed.error';
import { valueText } from './value-text.util';

/**
 * Applies the spec's onError policy to bad values, and keeps the current row
 * number, the errors of the current chunk and the error counters.
 */
export class ErrorSink {
  /** Source row number of the row being transformed. */
  rowNumber = 0;
  /** Errors reported since the last takeErrors(). */
  private errors: TransformError[] = [];
  /** Errors kept so far under the `null` policy, which caps them at maxErrors. */
  private kept = 0;
  rowsRejected = 0;
  valuesNulled = 0;

  constructor(
    private readonly policy: OnErrorPolicy,
    private readonly maxErrors: number,
  ) {}

  /**
   * Reports one bad value. Returns true when the row goes on with null in the
   * value's place (`null` policy), false when the row is rejected
   * (`reject-row`); throws TransformFailedError under `fail`.
   */
  report(column: string | null, value: unknown, message: string): boolean {
    const error: TransformError = {
      row: this.rowNumber,
      column,
      value: value === null || value === undefined ? null : valueText(value),
      message,
    };

    switch (this.policy) {
      case 'fail':
        throw new TransformFailedError(error);
      case 'reject-row':
        this.rowsRejected += 1;
        this.errors.push(error);

        return false;
      case 'null':
        this.valuesNulled += 1;

        if (this.kept < this.maxErrors) {
          this.kept += 1;
          this.errors.push(error);
        }

        return true;
    }
  }

  takeErrors(): TransformError[] {
    const errors = this.errors;

    this.errors = [];

    return errors;
  }
}
