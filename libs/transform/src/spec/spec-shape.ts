import { ExpressionError } from '../expr/expression-error';
import { parseExpression } from '../expr/parser';
import { didYouMean } from '../expr/suggest.util';
import { COLUMN_TYPES, type OnErrorPolicy, type Step, type TransformSpec } from '../types';
import { type SpecError } from './spec-error';

export const ON_ERROR_POLICIES: readonly OnErrorPolicy[] = ['fail', 'reject-row', 'null'];

type FieldKind =
  'name' | 'names' | 'string' | 'text' | 'strings' | 'type' | 'boolean' | 'expr' | 'any';

interface FieldRule {
  kind: FieldKind;
  required: boolean;
  /** Allowed values of a string field. */
  oneOf?: readonly string[];
}

const CAST_OPTION_FIELDS: Record<string, FieldRule> = {
  format: { kind: 'text', required: false },
  timezone: { kind: 'text', required: false },
  decimalSeparator: { kind: 'text', required: false },
  thousandsSeparator: { kind: 'text', required: false },
  trueValues: { kind: 'strings', required: false },
  falseValues: { kind: 'strings', required: false },
};

/** Fields of each step: `name` is a non-empty column name, `text` a non-empty string, `string` any string. */
const STEP_FIELDS: Record<Step['op'], Record<string, FieldRule>> = {
  select: { columns: { kind: 'names', required: true } },
  drop: { columns: { kind: 'names', required: true } },
  rename: { from: { kind: 'name', required: true }, to: { kind: 'name', required: true } },
  cast: {
    column: { kind: 'name', required: true },
    type: { kind: 'type', required: true },
    ...CAST_OPTION_FIELDS,
  },
  derive: {
    column: { kind: 'name', required: true },
    type: { kind: 'type', required: false },
    expr: { kind: 'expr', required: true },
  },
  filter: { expr: { kind: 'expr', required: true } },
  fill: {
    column: { kind: 'name', required: true },
    method: { kind: 'text', required: true, oneOf: ['constant', 'previous'] },
    value: { kind: 'any', required: false },
  },
  trim: { columns: { kind: 'names', required: false } },
  replace: {
    column: { kind: 'name', required: true },
    find: { kind: 'text', required: true },
    replace: { kind: 'string', required: true },
    regex: { kind: 'boolean', required: false },
  },
  split: {
    column: { kind: 'name', required: true },
    separator: { kind: 'text', required: true },
    into: { kind: 'names', required: true },
  },
  dedupe: {
    keys: { kind: 'names', required: true },
    keep: { kind: 'text', required: true, oneOf: ['first', 'last'] },
  },
  nulls: {
    values: { kind: 'strings', required: true },
    columns: { kind: 'names', required: false },
  },
};

export const STEP_OPS = Object.keys(STEP_FIELDS) as Step['op'][];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that a JSON value has the shape of a TransformSpec: known fields of
 * the right types, and expressions and regular expressions that parse. Column
 * names are not checked here, since that needs the input columns.
 */
export function checkSpecShape(spec: unknown): { spec: TransformSpec | null; errors: SpecError[] } {
  const errors: SpecError[] = [];

  if (!isRecord(spec)) {
    return {
      spec: null,
      errors: [{ path: '', message: 'the spec must be a JSON object with a "steps" array' }],
    };
  }

  for (const key of Object.keys(spec)) {
    if (key !== 'steps' && key !== 'onError') {
      errors.push({ path: key, message: `unknown field${didYouMean(key, ['steps', 'onError'])}` });
    }
  }

  if (spec.onError !== undefined && !ON_ERROR_POLICIES.includes(spec.onError as OnErrorPolicy)) {
    errors.push({
      path: 'onError',
      message: `must be one of ${ON_ERROR_POLICIES.map((p) => `"${p}"`).join(', ')}`,
    });
  }

  if (!Array.isArray(spec.steps)) {
    errors.push({
      path: 'steps',
      message: 'missing or not an array; write "steps": [] for no steps',
    });
  } else {
    spec.steps.forEach((step: unknown, index: number) =>
      checkStep(step, `steps[${index}]`, errors),
    );
  }

  return { spec: errors.length === 0 ? (spec as unknown as TransformSpec) : null, errors };
}

function checkStep(step: unknown, path: string, errors: SpecError[]): void {
  if (!isRecord(step)) {
    errors.push({ path, message: 'a step must be a JSON object with an "op" field' });

    return;
  }

  const op = step.op;

  if (typeof op !== 'string' || !Object.hasOwn(STEP_FIELDS, op)) {
    const suggestion = typeof op === 'string' ? didYouMean(op, STEP_OPS) : '';
    const problem = typeof op === 'string' ? `unknown op "${op}"${suggestion}` : 'missing "op"';

    errors.push({
      path: `${path}.op`,
      message: `${problem} (expected one of ${STEP_OPS.join(', ')})`,
    });

    return;
  }

  const rules = STEP_FIELDS[op as Step['op']];

  for (const key of Object.keys(step)) {
    if (key !== 'op' && !Object.hasOwn(rules, key)) {
      errors.push({
        path: `${path}.${key}`,
        message: `unknown field for "${op}"${didYouMean(key, Object.keys(rules))}`,
      });
    }
  }

  for (const [field, rule] of Object.entries(rules)) {
    checkField(step[field], rule, `${path}.${field}`, errors);
  }

  checkStepRules(step, op as Step['op'], path, errors);
}

function checkField(value: unknown, rule: FieldRule, path: string, errors: SpecError[]): void {
  if (value === undefined) {
    if (rule.required) {
      errors.push({ path, message: 'missing' });
    }

    return;
  }

  const before = errors.length;

  switch (rule.kind) {
    case 'name':
    case 'text':
      if (typeof value !== 'string' || value === '') {
        errors.push({ path, message: 'must be a non-empty string' });
      }

      break;
    case 'string':
    case 'expr':
      if (typeof value !== 'string') {
        errors.push({ path, message: 'must be a string' });
      }

      break;
    case 'boolean':
      if (typeof value !== 'boolean') {
        errors.push({ path, message: 'must be true or false' });
      }

      break;
    case 'type':
      if (typeof value !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(value)) {
        const suggestion = typeof value === 'string' ? didYouMean(value, COLUMN_TYPES) : '';

        errors.push({
          path,
          message: `unknown type${suggestion} (expected one of ${COLUMN_TYPES.join(', ')})`,
        });
      }

      break;
    case 'names':
      checkNames(value, path, errors);
      break;
    case 'strings':
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
        errors.push({ path, message: 'must be an array of strings' });
      }

      break;
    case 'any':
      break;
  }

  if (
    errors.length === before &&
    rule.oneOf !== undefined &&
    !rule.oneOf.includes(value as string)
  ) {
    errors.push({
      path,
      message: `must be one of ${rule.oneOf.map((option) => `"${option}"`).join(', ')}`,
    });
  }

  if (errors.length === before && rule.kind === 'expr') {
    checkExpressionSyntax(value as string, path, errors);
  }
}

function checkNames(value: unknown, path: string, errors: SpecError[]): void {
  if (!Array.isArray(value) || value.length === 0) {
    errors.push({ path, message: 'must be a non-empty array of column names' });

    return;
  }

  const seen = new Set<string>();

  value.forEach((name: unknown, index: number) => {
    if (typeof name !== 'string' || name === '') {
      errors.push({ path: `${path}[${index}]`, message: 'must be a non-empty string' });
    } else if (seen.has(name)) {
      errors.push({ path: `${path}[${index}]`, message: `column "${name}" is listed twice` });
    } else {
      seen.add(name);
    }
  });
}

function checkExpressionSyntax(text: string, path: string, errors: SpecError[]): void {
  try {
    parseExpression(text);
  } catch (error) {
    if (!(error instanceof ExpressionError)) {
      throw error;
    }

    errors.push({ path, message: error.message });
  }
}

/** Rules that span fields: fill's value, replace's regular expression. */
function checkStepRules(
  step: Record<string, unknown>,
  op: Step['op'],
  path: string,
  errors: SpecError[],
): void {
  if (op === 'fill') {
    const value = step.value;

    if (step.method === 'constant' && (value === undefined || value === null)) {
      errors.push({
        path: `${path}.value`,
        message: 'fill with method "constant" needs a non-null value',
      });
    } else if (
      step.method === 'constant' &&
      !['string', 'number', 'boolean'].includes(typeof value)
    ) {
      errors.push({ path: `${path}.value`, message: 'must be a string, number or boolean' });
    } else if (step.method === 'previous' && value !== undefined) {
      errors.push({ path: `${path}.value`, message: 'fill with method "previous" takes no value' });
    }
  }

  if (
    op === 'replace' &&
    step.regex === true &&
    typeof step.find === 'string' &&
    step.find !== ''
  ) {
    try {
      new RegExp(step.find, 'gu');
    } catch (error) {
      errors.push({
        path: `${path}.find`,
        message: `invalid regular expression: ${(error as Error).message}`,
      });
    }
  }
}
