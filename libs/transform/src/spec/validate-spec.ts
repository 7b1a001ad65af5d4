import { ErrorSink } from '../engine/error-sink';
import { planTransformation } from '../engine/planner';
import { type InputColumn } from '../types';
import { type SpecError } from './spec-error';
import { checkSpecShape } from './spec-shape';

/**
 * Checks a spec from an untrusted source and returns every problem found,
 * each with a JSON path (`steps[2].column`); an empty list means valid. With
 * the input columns it also checks column names, types and expressions, as
 * createTransformer does; without them only the shape and syntax.
 */
export function validateSpec(
  spec: unknown,
  columns?: readonly (string | InputColumn)[],
): SpecError[] {
  const shape = checkSpecShape(spec);

  if (shape.spec === null || columns === undefined) {
    return shape.errors;
  }

  const inputColumns = columns.map((column) =>
    typeof column === 'string' ? { name: column } : column,
  );

  return planTransformation(shape.spec, inputColumns, new ErrorSink('fail', 0)).errors;
}
