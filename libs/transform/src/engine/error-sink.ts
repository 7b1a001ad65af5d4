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
  private nullErrorsReported = 0;
  rowsRejected = 0;
  valuesNulled = 0;

  constructor(
    private readonly policy: OnErrorPolicy,
    private readonly maxErrors: number,
  ) {}

  /**
   * Reports one bad value and returns whether the row goes on. Under `null`
   * it returns true, and the caller puts null in the value's place. Under
   * `reject-row` it returns false. Under `fail` it throws TransformFailedError.
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

        if (this.nullErrorsReported < this.maxErrors) {
          this.nullErrorsReported += 1;
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
