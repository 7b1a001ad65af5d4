import { type FormEvent, useId, useMemo, useState } from 'react';

import {
  COLUMN_TYPES,
  type ColumnType,
  formatSpecError,
  type InputColumn,
  ON_ERROR_POLICIES,
  type OnErrorPolicy,
  type RawValue,
  runTransformation,
  SpecValidationError,
  type Step,
  TransformFailedError,
  type TransformResult,
  type TransformSpec,
} from '@rokks/transform';

import { type ProfileSchema } from '../api/types';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';

type PreviewOutcome =
  | { kind: 'result'; result: TransformResult }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'failed'; message: string };

/** Shows a step as one line of text, for the step list. */
export function describeStep(step: Step): string {
  switch (step.op) {
    case 'cast': {
      const options = [
        step.format === undefined ? null : `format ${step.format}`,
        step.timezone === undefined ? null : `zone ${step.timezone}`,
      ]
        .filter((option) => option !== null)
        .join(', ');

      return `Cast ${step.column} to ${step.type}${options === '' ? '' : ` (${options})`}`;
    }

    case 'rename':
      return `Rename ${step.from} to ${step.to}`;
    case 'select':
      return `Keep ${step.columns.join(', ')}`;
    case 'drop':
      return `Drop ${step.columns.join(', ')}`;
    case 'derive':
      return `Derive ${step.column} = ${step.expr}`;
    case 'filter':
      return `Keep rows where ${step.expr}`;
    default:
      return `${step.op} ${JSON.stringify(step)}`;
  }
}

/** Builds the transformer's input columns from the profile: each column with its inferred type and cast options. */
function toInputColumns(schema: ProfileSchema): InputColumn[] {
  return schema.columns.map((column) => ({
    name: column.name,
    type: column.inferredType,
    ...(column.castOptions === undefined ? {} : { castOptions: column.castOptions }),
  }));
}

/** Runs the spec on the profile's sample rows, the same function the worker runs on the whole file. */
export function previewSpec(
  schema: ProfileSchema,
  rows: readonly Record<string, unknown>[],
  spec: TransformSpec,
): PreviewOutcome {
  try {
    const result = runTransformation(rows as readonly Record<string, RawValue>[], spec, {
      columns: toInputColumns(schema),
      firstRowNumber: schema.header ? 2 : 1,
    });

    return { kind: 'result', result };
  } catch (error) {
    if (error instanceof SpecValidationError) {
      return { kind: 'invalid', problems: error.errors.map(formatSpecError) };
    }

    if (error instanceof TransformFailedError) {
      return { kind: 'failed', message: error.message };
    }

    throw error;
  }
}

interface TransformEditorProps {
  schema: ProfileSchema;
  rows: readonly Record<string, unknown>[];
  spec: TransformSpec;
  onChange: (spec: TransformSpec) => void;
}

/**
 * Edits the steps of a transformation spec and previews it at once in the
 * browser on the sample rows, with rejected rows and their reasons beside
 * the result.
 */
export function TransformEditor({ schema, rows, spec, onChange }: TransformEditorProps) {
  const preview = useMemo(() => previewSpec(schema, rows, spec), [schema, rows, spec]);
  const columnNames =
    preview.kind === 'result'
      ? preview.result.columns.map((column) => column.name)
      : schema.columns.map((column) => column.name);

  const setSteps = (steps: Step[]): void => onChange({ ...spec, steps });
  const removeStep = (index: number): void =>
    setSteps(spec.steps.filter((_step, position) => position !== index));
  const moveStep = (index: number, offset: number): void => {
    const steps = [...spec.steps];
    const [step] = steps.splice(index, 1);

    steps.splice(index + offset, 0, step);
    setSteps(steps);
  };

  return (
    <section aria-labelledby="editor-heading" className="editor">
      <h2 id="editor-heading">Transformation</h2>
      <div className="editor-columns">
        <div>
          <h3>Steps</h3>
          {spec.steps.length === 0 ? (
            <p>No steps: the file loads as profiled, with the inferred types.</p>
          ) : (
            <ol className="steps" aria-label="Steps">
              {spec.steps.map((step, index) => (
                <li key={`${index}-${describeStep(step)}`}>
                  <span>{describeStep(step)}</span>
                  <span className="step-actions">
                    <button
                      type="button"
                      disabled={index === 0}
                      onClick={() => moveStep(index, -1)}
                      aria-label={`Move step ${index + 1} up`}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      disabled={index === spec.steps.length - 1}
                      onClick={() => moveStep(index, 1)}
                      aria-label={`Move step ${index + 1} down`}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      onClick={() => removeStep(index)}
                      aria-label={`Remove step ${index + 1}: ${describeStep(step)}`}
                    >
                      Remove
                    </button>
                  </span>
                </li>
              ))}
            </ol>
          )}
          <CastStepForm columns={columnNames} onAdd={(step) => setSteps([...spec.steps, step])} />
          <Field label="On a bad value">
            {(id) => (
              <select
                id={id}
                value={spec.onError ?? 'reject-row'}
                onChange={(event) =>
                  onChange({ ...spec, onError: event.target.value as OnErrorPolicy })
                }
              >
                {ON_ERROR_POLICIES.map((policy) => (
                  <option key={policy} value={policy}>
                    {policy === 'reject-row'
                      ? 'reject the row'
                      : policy === 'fail'
                        ? 'fail the load'
                        : 'store null'}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <PreviewView outcome={preview} sampleRows={rows.length} />
      </div>
    </section>
  );
}

function CastStepForm({
  columns,
  onAdd,
}: {
  columns: readonly string[];
  onAdd: (step: Step) => void;
}) {
  const id = useId();
  const [column, setColumn] = useState('');
  const [type, setType] = useState<ColumnType>('date');
  const [format, setFormat] = useState('');
  const chosen = columns.includes(column) ? column : (columns[0] ?? '');

  const submit = (event: FormEvent): void => {
    event.preventDefault();

    const trimmed = format.trim();

    onAdd({ op: 'cast', column: chosen, type, ...(trimmed === '' ? {} : { format: trimmed }) });
    setFormat('');
  };

  return (
    <form className="cast-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Add a cast step</h4>
      <Field label="Column">
        {(id) => (
          <select id={id} value={chosen} onChange={(event) => setColumn(event.target.value)}>
            {columns.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Type">
        {(id) => (
          <select
            id={id}
            value={type}
            onChange={(event) => setType(event.target.value as ColumnType)}
          >
            {COLUMN_TYPES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Format (optional)">
        {(id) => (
          <input
            id={id}
            value={format}
            onChange={(event) => setFormat(event.target.value)}
            placeholder="yyyy-MM-dd, epoch_s"
            aria-describedby={`${id}-format-help`}
          />
        )}
      </Field>
      <p id={`${id}-format-help`} className="help">
        date-fns tokens for dates and times, or epoch_s / epoch_ms.
      </p>
      <button type="submit" disabled={chosen === ''}>
        Add cast step
      </button>
    </form>
  );
}

function PreviewView({ outcome, sampleRows }: { outcome: PreviewOutcome; sampleRows: number }) {
  if (outcome.kind === 'invalid') {
    return (
      <div className="error" role="alert">
        <p>The spec is invalid:</p>
        <ul>
          {outcome.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
        <p className="hint">Remove or change the step named above.</p>
      </div>
    );
  }

  if (outcome.kind === 'failed') {
    return (
      <div className="error" role="alert">
        <p>{outcome.message}</p>
        <p className="hint">Fix the step, or choose to reject bad rows instead of failing.</p>
      </div>
    );
  }

  const { result } = outcome;

  return (
    <div className="preview" aria-live="polite">
      <h3>Preview</h3>
      <p data-testid="preview-stats">
        {result.stats.rowsOut} of {sampleRows} sample rows pass, {result.stats.rowsRejected}{' '}
        rejected.
      </p>
      <DataTable
        caption="Preview rows"
        columns={result.columns}
        rows={result.rows.slice(0, 20)}
        testId="preview-rows"
      />
      <DataTable
        caption="Rejected rows"
        columns={[{ name: 'row' }, { name: 'column' }, { name: 'value' }, { name: 'reason' }]}
        rows={result.errors.map((error) => [error.row, error.column, error.value, error.message])}
        empty="No rejected rows."
        testId="preview-rejects"
      />
    </div>
  );
}
