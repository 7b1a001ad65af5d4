import {
  type CastOptions,
  type ColumnType,
  type InputColumn,
  runTransformation,
  type Step,
  type TransformSpec,
} from '@rokks/transform';

import { type ProfileColumn, type ProfileSchema } from '../api/types';

export type StepOp = Step['op'];

/** Every step kind, in the order the "add a step" form offers them, with its name there. */
export const STEP_KINDS: readonly { op: StepOp; label: string }[] = [
  { op: 'cast', label: 'cast: set a column type' },
  { op: 'rename', label: 'rename a column' },
  { op: 'select', label: 'select: keep some columns' },
  { op: 'drop', label: 'drop columns' },
  { op: 'derive', label: 'derive a column from an expression' },
  { op: 'filter', label: 'filter rows by an expression' },
  { op: 'fill', label: 'fill empty values' },
  { op: 'trim', label: 'trim white space' },
  { op: 'replace', label: 'replace text' },
  { op: 'split', label: 'split a column' },
  { op: 'dedupe', label: 'dedupe rows' },
  { op: 'nulls', label: 'nulls: read values as empty' },
];

/**
 * The values of the step form, all as the controls hold them: lists of
 * values are comma-separated text, lists of columns are arrays.
 */
export interface StepFields {
  op: StepOp;
  column: string;
  type: ColumnType | '';
  format: string;
  timezone: string;
  decimalSeparator: string;
  thousandsSeparator: string;
  trueValues: string;
  falseValues: string;
  to: string;
  columns: string[];
  expr: string;
  method: 'constant' | 'previous';
  value: string;
  find: string;
  replace: string;
  regex: boolean;
  separator: string;
  into: string;
  keep: 'first' | 'last';
  values: string;
}

export const EMPTY_FIELDS: StepFields = {
  op: 'cast',
  column: '',
  type: 'date',
  format: '',
  timezone: '',
  decimalSeparator: '',
  thousandsSeparator: '',
  trueValues: '',
  falseValues: '',
  to: '',
  columns: [],
  expr: '',
  method: 'constant',
  value: '',
  find: '',
  replace: '',
  regex: false,
  separator: ',',
  into: '',
  keep: 'first',
  values: '',
};

/** Splits comma-separated text into its trimmed, non-empty items. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Shows cast options as a short phrase, such as "format dd/MM/yyyy, zone Europe/Paris". */
export function describeCastOptions(options: CastOptions): string {
  return [
    options.format === undefined ? null : `format ${options.format}`,
    options.timezone === undefined ? null : `zone ${options.timezone}`,
    options.decimalSeparator === undefined ? null : `decimal "${options.decimalSeparator}"`,
    options.thousandsSeparator === undefined ? null : `thousands "${options.thousandsSeparator}"`,
    options.trueValues === undefined ? null : `true ${options.trueValues.join('/')}`,
    options.falseValues === undefined ? null : `false ${options.falseValues.join('/')}`,
  ]
    .filter((option) => option !== null)
    .join(', ');
}

/** Shows a step as one line of text, for the step list. */
export function describeStep(step: Step): string {
  switch (step.op) {
    case 'cast': {
      const options = describeCastOptions(step);

      return `Cast ${step.column} to ${step.type}${options === '' ? '' : ` (${options})`}`;
    }

    case 'rename':
      return `Rename ${step.from} to ${step.to}`;
    case 'select':
      return `Keep ${step.columns.join(', ')}`;
    case 'drop':
      return `Drop ${step.columns.join(', ')}`;
    case 'derive':
      return `Derive ${step.column}${step.type === undefined ? '' : ` (${step.type})`} = ${step.expr}`;
    case 'filter':
      return `Keep rows where ${step.expr}`;
    case 'fill':
      return step.method === 'previous'
        ? `Fill empty ${step.column} with the previous value`
        : `Fill empty ${step.column} with ${JSON.stringify(step.value ?? null)}`;
    case 'trim':
      return step.columns === undefined
        ? 'Trim all text columns'
        : `Trim ${step.columns.join(', ')}`;
    case 'replace':
      return `Replace ${JSON.stringify(step.find)} with ${JSON.stringify(step.replace)} in ${step.column}${step.regex === true ? ' (regular expression)' : ''}`;
    case 'split':
      return `Split ${step.column} at ${JSON.stringify(step.separator)} into ${step.into.join(', ')}`;
    case 'dedupe':
      return `Dedupe by ${step.keys.join(', ')}, keeping the ${step.keep}`;
    case 'nulls':
      return `Read ${step.values.map((value) => JSON.stringify(value)).join(', ')} as empty${step.columns === undefined ? '' : ` in ${step.columns.join(', ')}`}`;
    default:
      return JSON.stringify(step);
  }
}

/** Fills the step form from a step, for editing it. */
export function stepToFields(step: Step): StepFields {
  const base: StepFields = { ...EMPTY_FIELDS, op: step.op };

  switch (step.op) {
    case 'cast':
      return {
        ...base,
        column: step.column,
        type: step.type,
        format: step.format ?? '',
        timezone: step.timezone ?? '',
        decimalSeparator: step.decimalSeparator ?? '',
        thousandsSeparator: step.thousandsSeparator ?? '',
        trueValues: (step.trueValues ?? []).join(', '),
        falseValues: (step.falseValues ?? []).join(', '),
      };
    case 'rename':
      return { ...base, column: step.from, to: step.to };
    case 'select':
    case 'drop':
      return { ...base, columns: [...step.columns] };
    case 'derive':
      return { ...base, to: step.column, type: step.type ?? '', expr: step.expr };
    case 'filter':
      return { ...base, expr: step.expr };
    case 'fill':
      return {
        ...base,
        column: step.column,
        method: step.method,
        value: step.value === undefined || step.value === null ? '' : String(step.value as string),
      };
    case 'trim':
      return { ...base, columns: [...(step.columns ?? [])] };
    case 'replace':
      return {
        ...base,
        column: step.column,
        find: step.find,
        replace: step.replace,
        regex: step.regex === true,
      };
    case 'split':
      return {
        ...base,
        column: step.column,
        separator: step.separator,
        into: step.into.join(', '),
      };
    case 'dedupe':
      return { ...base, columns: [...step.keys], keep: step.keep };
    case 'nulls':
      return { ...base, values: step.values.join(', '), columns: [...(step.columns ?? [])] };
    default:
      return base;
  }
}

/** Returns the cast options the form sets, leaving out empty ones. */
function castOptionsOf(fields: StepFields): CastOptions {
  const trueValues = splitList(fields.trueValues);
  const falseValues = splitList(fields.falseValues);

  return {
    ...(fields.format.trim() === '' ? {} : { format: fields.format.trim() }),
    ...(fields.timezone.trim() === '' ? {} : { timezone: fields.timezone.trim() }),
    ...(fields.decimalSeparator === '' ? {} : { decimalSeparator: fields.decimalSeparator }),
    ...(fields.thousandsSeparator === '' ? {} : { thousandsSeparator: fields.thousandsSeparator }),
    ...(trueValues.length === 0 ? {} : { trueValues }),
    ...(falseValues.length === 0 ? {} : { falseValues }),
  };
}

/** Builds a step from the form, or returns a message that names the missing field. */
export function fieldsToStep(fields: StepFields): { step: Step } | { problem: string } {
  const need = (value: string, name: string): string | null =>
    value.trim() === '' ? `Fill in ${name}.` : null;
  const problem = (text: string | null, step: Step): { step: Step } | { problem: string } =>
    text === null ? { step } : { problem: text };

  switch (fields.op) {
    case 'cast':
      return problem(fields.type === '' ? 'Choose a type.' : need(fields.column, 'the column'), {
        op: 'cast',
        column: fields.column,
        type: fields.type === '' ? 'text' : fields.type,
        ...castOptionsOf(fields),
      });
    case 'rename':
      return problem(need(fields.column, 'the column') ?? need(fields.to, 'the new name'), {
        op: 'rename',
        from: fields.column,
        to: fields.to.trim(),
      });
    case 'select':
    case 'drop':
      return problem(fields.columns.length === 0 ? 'Choose at least one column.' : null, {
        op: fields.op,
        columns: fields.columns,
      });
    case 'derive':
      return problem(need(fields.to, 'the new column') ?? need(fields.expr, 'the expression'), {
        op: 'derive',
        column: fields.to.trim(),
        ...(fields.type === '' ? {} : { type: fields.type }),
        expr: fields.expr.trim(),
      });
    case 'filter':
      return problem(need(fields.expr, 'the expression'), {
        op: 'filter',
        expr: fields.expr.trim(),
      });
    case 'fill':
      return problem(need(fields.column, 'the column'), {
        op: 'fill',
        column: fields.column,
        method: fields.method,
        ...(fields.method === 'constant' ? { value: fields.value } : {}),
      });
    case 'trim':
      return {
        step:
          fields.columns.length === 0 ? { op: 'trim' } : { op: 'trim', columns: fields.columns },
      };
    case 'replace':
      return problem(
        need(fields.column, 'the column') ??
          (fields.find === '' ? 'Fill in the text to find.' : null),
        {
          op: 'replace',
          column: fields.column,
          find: fields.find,
          replace: fields.replace,
          ...(fields.regex ? { regex: true } : {}),
        },
      );
    case 'split':
      return problem(
        need(fields.column, 'the column') ??
          (fields.separator === '' ? 'Fill in the separator.' : null) ??
          (splitList(fields.into).length === 0 ? 'Name the new columns.' : null),
        {
          op: 'split',
          column: fields.column,
          separator: fields.separator,
          into: splitList(fields.into),
        },
      );
    case 'dedupe':
      return problem(fields.columns.length === 0 ? 'Choose at least one key column.' : null, {
        op: 'dedupe',
        keys: fields.columns,
        keep: fields.keep,
      });
    case 'nulls':
      return problem(splitList(fields.values).length === 0 ? 'List at least one value.' : null, {
        op: 'nulls',
        values: splitList(fields.values),
        ...(fields.columns.length === 0 ? {} : { columns: fields.columns }),
      });
    default:
      return { problem: `Unknown step ${String(fields.op)}.` };
  }
}

/** Builds the transformer's input columns from the profile: each column with its inferred type and cast options. */
export function toInputColumns(schema: ProfileSchema): InputColumn[] {
  return schema.columns.map((column) => ({
    name: column.name,
    type: column.inferredType,
    ...(column.castOptions === undefined ? {} : { castOptions: column.castOptions }),
  }));
}

/**
 * Returns the column names after the given steps, by running them on no
 * rows, or null when the steps are invalid.
 */
export function columnsAfter(schema: ProfileSchema, steps: readonly Step[]): string[] | null {
  try {
    return runTransformation(
      [],
      { steps: [...steps] },
      { columns: toInputColumns(schema) },
    ).columns.map((column) => column.name);
  } catch {
    return null;
  }
}

/** The settings of one column that the column menu edits. */
export interface ColumnSettings {
  type: ColumnType;
  options: CastOptions;
  /** Values read as null in this column, before the cast. */
  nullValues: string[];
}

function lastIndexOf(steps: readonly Step[], test: (step: Step) => boolean): number {
  for (let index = steps.length - 1; index >= 0; index -= 1) {
    if (test(steps[index])) {
      return index;
    }
  }

  return -1;
}

const isCastOf =
  (column: string) =>
  (step: Step): boolean =>
    step.op === 'cast' && step.column === column;

const isNullsOf =
  (column: string) =>
  (step: Step): boolean =>
    step.op === 'nulls' && step.columns?.length === 1 && step.columns[0] === column;

/**
 * Reads a column's settings: from its last cast and its own nulls step when
 * the spec has them, else from the profile or the preview's type.
 */
export function columnSettings(
  spec: TransformSpec,
  column: string,
  profile: ProfileColumn | undefined,
  previewType: ColumnType | undefined,
): ColumnSettings {
  const cast = spec.steps[lastIndexOf(spec.steps, isCastOf(column))];
  const nulls = spec.steps[lastIndexOf(spec.steps, isNullsOf(column))];
  const nullValues = nulls?.op === 'nulls' ? nulls.values : [];

  if (cast?.op === 'cast') {
    const { op: _op, column: _column, type, ...options } = cast;

    return { type, options, nullValues };
  }

  return {
    type: previewType ?? profile?.inferredType ?? 'text',
    options: profile?.castOptions ?? {},
    nullValues,
  };
}

/**
 * Sets a column's type, cast options and null markers: replaces the
 * column's last cast step (or appends one), and puts its nulls step just
 * before the cast, so the cast reads the markers as null.
 */
export function applyColumnSettings(
  spec: TransformSpec,
  column: string,
  settings: ColumnSettings,
): TransformSpec {
  const steps = spec.steps.filter(
    (step, index) =>
      !(isNullsOf(column)(step) && index === lastIndexOf(spec.steps, isNullsOf(column))),
  );
  const cast: Step = { op: 'cast', column, type: settings.type, ...settings.options };
  let castIndex = lastIndexOf(steps, isCastOf(column));

  if (castIndex === -1) {
    steps.push(cast);
    castIndex = steps.length - 1;
  } else {
    steps[castIndex] = cast;
  }

  if (settings.nullValues.length > 0) {
    steps.splice(castIndex, 0, { op: 'nulls', values: settings.nullValues, columns: [column] });
  }

  return { ...spec, steps };
}
