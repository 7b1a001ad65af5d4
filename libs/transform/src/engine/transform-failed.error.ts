import { type TransformError } from '../types';

/** Thrown under the `fail` policy at the first bad value; the transformer emits nothing after it. */
export class TransformFailedError extends Error {
  override readonly name = 'TransformFailedError';

  constructor(readonly error: TransformError) {
    const where =
      error.column === null ? `row ${error.row}` : `row ${error.row}, column "${error.column}"`;

    super(`transformation failed at ${where}: ${error.message}`);
  }
}
