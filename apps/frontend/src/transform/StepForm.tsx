import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { Checkbox, CheckboxGroup, Label } from 'react-aria-components';

import { COLUMN_TYPES, type ColumnType, type Step } from '@rokks/transform';

import { Field } from '../components/Field';
import { EMPTY_FIELDS, fieldsToStep, STEP_KINDS, type StepFields, type StepOp } from './steps';

interface StepFormProps {
  /** Adds a new step (with a choice of kind), or edits one step of a fixed kind. */
  mode: 'add' | 'edit';
  initial: StepFields;
  /** The columns the step can refer to: those the steps before it leave. */
  columns: readonly string[];
  onSubmit: (step: Step) => void;
  onCancel?: () => void;
}

/** Renders the form of one step with its kind's fields, and checks them before the step is added or saved. */
export function StepForm({ mode, initial, columns, onSubmit, onCancel }: StepFormProps) {
  const id = useId();
  const [fields, setFields] = useState<StepFields>(initial);
  const [problem, setProblem] = useState<string | null>(null);
  // A column that the steps before no longer leave falls back to the first one.
  const column = columns.includes(fields.column) ? fields.column : (columns[0] ?? '');
  const set = (change: Partial<StepFields>): void => {
    setFields((current) => ({ ...current, ...change }));
    setProblem(null);
  };

  const submit = (event: FormEvent): void => {
    event.preventDefault();

    const built = fieldsToStep({
      ...fields,
      column,
      columns: fields.columns.filter((name) => columns.includes(name)),
    });

    if ('problem' in built) {
      setProblem(built.problem);

      return;
    }

    onSubmit(built.step);

    if (mode === 'add') {
      set({
        format: '',
        timezone: '',
        expr: '',
        to: '',
        into: '',
        find: '',
        replace: '',
        values: '',
        columns: [],
      });
    }
  };

  const columnSelect = (label = 'Column'): ReactNode => (
    <Field label={label}>
      {(controlId) => (
        <select
          id={controlId}
          value={column}
          onChange={(event) => set({ column: event.target.value })}
        >
          {columns.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const text = (
    label: string,
    key:
      | 'format'
      | 'timezone'
      | 'decimalSeparator'
      | 'thousandsSeparator'
      | 'trueValues'
      | 'falseValues'
      | 'to'
      | 'expr'
      | 'value'
      | 'find'
      | 'replace'
      | 'separator'
      | 'into'
      | 'values',
    placeholder?: string,
  ): ReactNode => (
    <Field label={label}>
      {(controlId) => (
        <input
          id={controlId}
          value={fields[key]}
          placeholder={placeholder}
          onChange={(event) => set({ [key]: event.target.value })}
        />
      )}
    </Field>
  );
  const typeSelect = (optional: boolean): ReactNode => (
    <Field label={optional ? 'Type (optional)' : 'Type'}>
      {(controlId) => (
        <select
          id={controlId}
          value={fields.type}
          onChange={(event) => set({ type: event.target.value as ColumnType | '' })}
        >
          {optional ? <option value="">from the expression</option> : null}
          {COLUMN_TYPES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const columnChoice = (label: string, help?: string): ReactNode => (
    <ColumnChoice
      label={label}
      help={help}
      columns={columns}
      value={fields.columns.filter((name) => columns.includes(name))}
      onChange={(chosen) => set({ columns: chosen })}
    />
  );

  return (
    <form
      className={mode === 'add' ? 'step-form' : 'step-form editing'}
      onSubmit={submit}
      aria-labelledby={`${id}-title`}
    >
      {mode === 'add' ? (
        <>
          <h4 id={`${id}-title`}>Add a step</h4>
          <Field label="Step">
            {(controlId) => (
              <select
                id={controlId}
                value={fields.op}
                onChange={(event) => {
                  const op = event.target.value as StepOp;
                  // A cast needs a type, while a derived column takes its expression's type by default.
                  let type = fields.type;

                  if (op === 'derive') {
                    type = '';
                  } else if (type === '') {
                    type = EMPTY_FIELDS.type;
                  }

                  set({ op, type });
                }}
              >
                {STEP_KINDS.map((kind) => (
                  <option key={kind.op} value={kind.op}>
                    {kind.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </>
      ) : (
        <h4 id={`${id}-title`}>Edit the {fields.op} step</h4>
      )}
      {fields.op === 'cast' ? (
        <>
          {columnSelect()}
          {typeSelect(false)}
          {text('Format (optional)', 'format', 'yyyy-MM-dd, epoch_s')}
          <p className="help">date-fns tokens for dates and times, or epoch_s / epoch_ms.</p>
          {text('Time zone (optional)', 'timezone', 'Europe/Paris')}
          <details>
            <summary>Number and boolean options</summary>
            {text('Decimal separator', 'decimalSeparator', '.')}
            {text('Thousands separator', 'thousandsSeparator')}
            {text('True values (comma-separated)', 'trueValues', 'yes, y')}
            {text('False values (comma-separated)', 'falseValues', 'no, n')}
          </details>
        </>
      ) : null}
      {fields.op === 'rename' ? (
        <>
          {columnSelect()}
          {text('New name', 'to')}
        </>
      ) : null}
      {fields.op === 'select' ? columnChoice('Columns to keep') : null}
      {fields.op === 'drop' ? columnChoice('Columns to drop') : null}
      {fields.op === 'derive' ? (
        <>
          {text('New column', 'to')}
          {typeSelect(true)}
          {text('Expression', 'expr', 'temp_max - temp_min')}
        </>
      ) : null}
      {fields.op === 'filter' ? text('Keep rows where', 'expr', 'precipitation > 0') : null}
      {fields.op === 'fill' ? (
        <>
          {columnSelect()}
          <Field label="Fill with">
            {(controlId) => (
              <select
                id={controlId}
                value={fields.method}
                onChange={(event) => set({ method: event.target.value as 'constant' | 'previous' })}
              >
                <option value="constant">a value</option>
                <option value="previous">the previous value</option>
              </select>
            )}
          </Field>
          {fields.method === 'constant' ? text('Value', 'value') : null}
        </>
      ) : null}
      {fields.op === 'trim'
        ? columnChoice('Columns to trim', 'None chosen: every text column.')
        : null}
      {fields.op === 'replace' ? (
        <>
          {columnSelect()}
          {text('Find', 'find')}
          {text('Replace with', 'replace')}
          <Checkbox isSelected={fields.regex} onChange={(regex) => set({ regex })}>
            {({ isSelected }) => (
              <>
                <span className="box" aria-hidden="true">
                  {isSelected ? '✓' : ''}
                </span>
                Find is a regular expression
              </>
            )}
          </Checkbox>
        </>
      ) : null}
      {fields.op === 'split' ? (
        <>
          {columnSelect()}
          {text('Separator', 'separator')}
          {text('Into columns (comma-separated)', 'into', 'first, second')}
        </>
      ) : null}
      {fields.op === 'dedupe' ? (
        <>
          {columnChoice('Key columns')}
          <Field label="Keep">
            {(controlId) => (
              <select
                id={controlId}
                value={fields.keep}
                onChange={(event) => set({ keep: event.target.value as 'first' | 'last' })}
              >
                <option value="first">the first row</option>
                <option value="last">the last row</option>
              </select>
            )}
          </Field>
        </>
      ) : null}
      {fields.op === 'nulls' ? (
        <>
          {text('Values read as empty (comma-separated)', 'values', 'NA, N/A, -')}
          {columnChoice('In columns', 'None chosen: every column.')}
        </>
      ) : null}
      {problem === null ? null : (
        <p className="error-text" role="alert">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={columns.length === 0 && fields.op !== 'filter'}>
          {mode === 'add' ? `Add ${fields.op} step` : 'Save step'}
        </button>
        {onCancel === undefined ? null : (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** Renders a group of checkboxes, one per column. */
function ColumnChoice({
  label,
  help,
  columns,
  value,
  onChange,
}: {
  label: string;
  help?: string;
  columns: readonly string[];
  value: string[];
  onChange: (columns: string[]) => void;
}) {
  return (
    <CheckboxGroup
      className="column-choice"
      value={value}
      // Keep the columns in the file's order, whatever the order of the clicks.
      onChange={(chosen) => onChange(columns.filter((name) => chosen.includes(name)))}
    >
      <Label>{label}</Label>
      {help === undefined ? null : <p className="help">{help}</p>}
      <div className="column-choice-list">
        {columns.map((name) => (
          <Checkbox key={name} value={name}>
            {({ isSelected }) => (
              <>
                <span className="box" aria-hidden="true">
                  {isSelected ? '✓' : ''}
                </span>
                {name}
              </>
            )}
          </Checkbox>
        ))}
      </div>
    </CheckboxGroup>
  );
}
