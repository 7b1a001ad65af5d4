import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';

import {
  formatSpecError,
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
import { formatCell } from '../components/DataTable';
import { Field } from '../components/Field';
import { ColumnMenu } from './ColumnMenu';
import { ServerCheck } from './ServerCheck';
import { StepForm } from './StepForm';
import {
  applyColumnSettings,
  columnsAfter,
  columnSettings,
  type ColumnSettings,
  describeCastOptions,
  describeStep,
  EMPTY_FIELDS,
  stepToFields,
  toInputColumns,
} from './steps';

export { describeStep } from './steps';

type PreviewOutcome =
  | { kind: 'result'; result: TransformResult }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'failed'; message: string };

/** The number of preview rows shown. The counts cover every sample row. */
const PREVIEW_ROWS_SHOWN = 20;

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
  /** The uploaded file for the server check, which is not offered without it. */
  fileId?: string;
}

/**
 * Edits the steps of a transformation spec and previews it at once in the
 * browser on the sample rows, with rejected rows and their reasons beside
 * the result.
 */
export function TransformEditor({ schema, rows, spec, onChange, fileId }: TransformEditorProps) {
  const preview = useMemo(() => previewSpec(schema, rows, spec), [schema, rows, spec]);
  const sourceNames = schema.columns.map((column) => column.name);
  const columnNames =
    preview.kind === 'result'
      ? preview.result.columns.map((column) => column.name)
      : (columnsAfter(schema, spec.steps) ?? sourceNames);
  const [editing, setEditing] = useState<number | null>(null);
  const [focusTarget, setFocusTarget] = useState<string | null>(null);
  // Mouse users may also drag a step to its place; the arrow buttons do the same from the keyboard.
  const [drag, setDrag] = useState<{ from: number; over: number | null } | null>(null);
  const listRef = useRef<HTMLOListElement>(null);

  // After a move or an edit, focus follows the step to its new place.
  useEffect(() => {
    if (focusTarget === null) {
      return;
    }

    const target = listRef.current?.querySelector<HTMLButtonElement>(
      `[data-focus="${focusTarget}"]`,
    );
    const fallback = listRef.current?.querySelector<HTMLButtonElement>(
      `[data-focus="${focusTarget.replace(/^(up|down)-/, 'edit-')}"]`,
    );

    (target !== null && target !== undefined && !target.disabled ? target : fallback)?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const setSteps = (steps: Step[]): void => onChange({ ...spec, steps });
  const removeStep = (index: number): void => {
    setEditing(null);
    setSteps(spec.steps.filter((_step, position) => position !== index));
  };

  const moveStep = (index: number, offset: number): void => {
    const steps = [...spec.steps];
    const [step] = steps.splice(index, 1);

    steps.splice(index + offset, 0, step);
    setEditing(null);
    setSteps(steps);
    setFocusTarget(`${offset < 0 ? 'up' : 'down'}-${index + offset}`);
  };

  const dropStep = (to: number): void => {
    if (drag !== null && drag.from !== to) {
      const steps = [...spec.steps];
      const [step] = steps.splice(drag.from, 1);

      steps.splice(to, 0, step);
      setEditing(null);
      setSteps(steps);
    }

    setDrag(null);
  };

  const replaceStep = (index: number, step: Step): void => {
    setSteps(spec.steps.map((current, position) => (position === index ? step : current)));
    setEditing(null);
    setFocusTarget(`edit-${index}`);
  };

  const applyToColumn = (column: string, settings: ColumnSettings): void => {
    setEditing(null);
    onChange(applyColumnSettings(spec, column, settings));
  };

  const ambiguous = schema.columns.filter((column) => column.ambiguous === true);

  return (
    <section aria-labelledby="editor-heading" className="editor">
      <h2 id="editor-heading">Transformation</h2>
      {ambiguous.length === 0 ? null : (
        <div className="ambiguous" data-testid="ambiguous-columns">
          <h3>Columns to check</h3>
          <p className="help">
            Profiling could not settle how to read these columns. Choose a reading, or keep the one
            shown.
          </p>
          <ul>
            {ambiguous.map((column) => {
              const options = describeCastOptions(column.castOptions ?? {});
              const chosen = spec.steps.findLast(
                (step) => step.op === 'cast' && step.column === column.name,
              );

              return (
                <li key={column.name}>
                  <strong>{column.name}</strong>: read as {column.inferredType}
                  {options === '' ? '' : ` (${options})`}; could also be{' '}
                  {(column.alternatives ?? []).map((alternative, index) => {
                    const alternativeOptions = describeCastOptions(alternative.castOptions ?? {});
                    const name = `${alternative.type}${alternativeOptions === '' ? '' : ` (${alternativeOptions})`}`;

                    return (
                      <button
                        key={`${index}-${name}`}
                        type="button"
                        className="secondary small"
                        onClick={() =>
                          applyToColumn(column.name, {
                            type: alternative.type,
                            options: alternative.castOptions ?? {},
                            nullValues: columnSettings(spec, column.name, column, undefined)
                              .nullValues,
                          })
                        }
                        aria-label={`Read ${column.name} as ${name}`}
                      >
                        {name}
                      </button>
                    );
                  })}
                  {chosen === undefined ? null : (
                    <span className="chosen"> Chosen: {describeStep(chosen)}.</span>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <div className="editor-columns">
        <div>
          <h3>Steps</h3>
          {spec.steps.length === 0 ? (
            <p>No steps: the file loads as profiled, with the inferred types.</p>
          ) : (
            <ol className="steps" aria-label="Steps" ref={listRef}>
              {spec.steps.map((step, index) => (
                // Steps have no ids, so a changed step is a new item.
                <li
                  key={`${index}-${JSON.stringify(step)}`}
                  draggable={editing !== index}
                  className={
                    drag?.over === index && drag.from !== index ? 'drop-target' : undefined
                  }
                  onDragStart={(event) => {
                    event.dataTransfer.effectAllowed = 'move';
                    event.dataTransfer.setData('text/plain', describeStep(step));
                    setDrag({ from: index, over: null });
                  }}
                  onDragOver={(event) => {
                    if (drag !== null) {
                      event.preventDefault();

                      if (drag.over !== index) {
                        setDrag({ ...drag, over: index });
                      }
                    }
                  }}
                  onDrop={(event) => {
                    event.preventDefault();
                    dropStep(index);
                  }}
                  onDragEnd={() => setDrag(null)}
                >
                  {editing === index ? (
                    <StepForm
                      mode="edit"
                      initial={stepToFields(step)}
                      columns={columnsAfter(schema, spec.steps.slice(0, index)) ?? sourceNames}
                      onSubmit={(changed) => replaceStep(index, changed)}
                      onCancel={() => {
                        setEditing(null);
                        setFocusTarget(`edit-${index}`);
                      }}
                    />
                  ) : (
                    <StepLine
                      index={index}
                      count={spec.steps.length}
                      text={describeStep(step)}
                      onEdit={() => setEditing(index)}
                      onMove={(offset) => moveStep(index, offset)}
                      onRemove={() => removeStep(index)}
                    />
                  )}
                </li>
              ))}
            </ol>
          )}
          <StepForm
            mode="add"
            initial={EMPTY_FIELDS}
            columns={columnNames}
            onSubmit={(step) => setSteps([...spec.steps, step])}
          />
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
        <div>
          <PreviewView
            outcome={preview}
            sampleRows={rows.length}
            header={(column) => {
              const profileColumn = schema.columns.find((source) => source.name === column.name);

              return (
                <ColumnMenu
                  column={column.name}
                  type={column.type}
                  settings={columnSettings(spec, column.name, profileColumn, column.type)}
                  alternatives={profileColumn?.alternatives ?? []}
                  ambiguous={profileColumn?.ambiguous === true}
                  onApply={(settings) => applyToColumn(column.name, settings)}
                />
              );
            }}
          />
          {fileId === undefined ? null : <ServerCheck fileId={fileId} spec={spec} />}
        </div>
      </div>
    </section>
  );
}

function StepLine({
  index,
  count,
  text,
  onEdit,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  text: string;
  onEdit: () => void;
  onMove: (offset: number) => void;
  onRemove: () => void;
}) {
  const number = index + 1;

  return (
    <>
      <span>{text}</span>
      <span className="step-actions">
        <button
          type="button"
          className="secondary"
          data-focus={`edit-${index}`}
          onClick={onEdit}
          aria-label={`Edit step ${number}: ${text}`}
        >
          Edit
        </button>
        <button
          type="button"
          className="secondary"
          data-focus={`up-${index}`}
          disabled={index === 0}
          onClick={() => onMove(-1)}
          aria-label={`Move step ${number} up`}
        >
          ↑
        </button>
        <button
          type="button"
          className="secondary"
          data-focus={`down-${index}`}
          disabled={index === count - 1}
          onClick={() => onMove(1)}
          aria-label={`Move step ${number} down`}
        >
          ↓
        </button>
        <button
          type="button"
          className="secondary"
          onClick={onRemove}
          aria-label={`Remove step ${number}: ${text}`}
        >
          Remove
        </button>
      </span>
    </>
  );
}

function PreviewView({
  outcome,
  sampleRows,
  header,
}: {
  outcome: PreviewOutcome;
  sampleRows: number;
  header: (column: TransformResult['columns'][number]) => ReactNode;
}) {
  if (outcome.kind === 'invalid') {
    return (
      <div className="error" role="alert">
        <p>The spec is invalid:</p>
        <ul>
          {outcome.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
        <p className="hint">Edit or remove the step named above.</p>
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
    <div className="preview">
      <h3>Preview</h3>
      <p data-testid="preview-stats" aria-live="polite">
        {result.stats.rowsOut} of {sampleRows} sample rows pass, {result.stats.rowsRejected}{' '}
        rejected.
        {result.stats.valuesNulled > 0
          ? ` ${result.stats.valuesNulled} bad values stored as null.`
          : ''}
      </p>
      <p className="help">
        Open a column&apos;s header to set its type, format, time zone and null markers.
      </p>
      <SimpleTable
        caption={
          result.rows.length > PREVIEW_ROWS_SHOWN
            ? `Preview rows (the first ${PREVIEW_ROWS_SHOWN})`
            : 'Preview rows'
        }
        testId="preview-rows"
        headers={result.columns.map((column) => header(column))}
        rows={result.rows.slice(0, PREVIEW_ROWS_SHOWN)}
        empty="No rows pass."
      />
      <SimpleTable
        caption="Rejected rows"
        testId="preview-rejects"
        headers={['row', 'column', 'value', 'reason']}
        rows={result.errors.map((error) => [error.row, error.column, error.value, error.message])}
        empty="No rejected rows."
      />
    </div>
  );
}

/** Renders a small table with every row, because the preview has at most a few dozen. */
function SimpleTable({
  caption,
  testId,
  headers,
  rows,
  empty,
}: {
  caption: string;
  testId: string;
  headers: readonly ReactNode[];
  rows: readonly (readonly unknown[])[];
  empty: string;
}) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {headers.map((content, index) => (
              <th key={index} scope="col">
                {content}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={Math.max(headers.length, 1)}>{empty}</td>
            </tr>
          ) : (
            rows.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {row.map((value, columnIndex) => (
                  <td key={columnIndex} className={value === null ? 'null' : undefined}>
                    {formatCell(value)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
