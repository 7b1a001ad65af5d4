import { compileExpression, ExpressionError, type ExpressionType } from '../expr';
import { normalizeFraction } from '../expr/datetime.util';
import { didYouMean } from '../expr/suggest.util';
import { type SpecError } from '../spec/spec-error';
import {
  type CastOptions,
  type Caster,
  COLUMN_TYPES,
  type ColumnType,
  type InputColumn,
  type Step,
  type TransformSpec,
} from '../types';
import { createCaster } from '../values';
import { type ErrorSink } from './error-sink';
import { LastRowBuffer, type Plan, type RowOp, type ScopeColumn, type Segment } from './plan';
import {
  castOp,
  type Conversion,
  conversionOp,
  dedupeFirstOp,
  deriveOp,
  fillConstantOp,
  fillPreviousOp,
  filterOp,
  type KeyNormalizer,
  keyFunction,
  splitOp,
  textOp,
} from './row-ops';

type StepOf<Op extends Step['op']> = Extract<Step, { op: Op }>;

function castOptionsOf(step: StepOf<'cast'>): CastOptions {
  const options: CastOptions = {};

  if (step.format !== undefined) options.format = step.format;
  if (step.timezone !== undefined) options.timezone = step.timezone;
  if (step.decimalSeparator !== undefined) options.decimalSeparator = step.decimalSeparator;
  if (step.thousandsSeparator !== undefined) options.thousandsSeparator = step.thousandsSeparator;
  if (step.trueValues !== undefined) options.trueValues = step.trueValues;
  if (step.falseValues !== undefined) options.falseValues = step.falseValues;

  return options;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const NUMERIC_TRAILING_ZEROS = /\.?0+$/;

function keyNormalizer(type: ColumnType): KeyNormalizer {
  switch (type) {
    case 'numeric':
      return (value) => {
        const text = value as string;

        return text.includes('.') ? text.replace(NUMERIC_TRAILING_ZEROS, '') : text;
      };

    case 'timestamp':
    case 'timestamptz':
      return (value) => normalizeFraction(value as string);
    default:
      return null;
  }
}

/**
 * Compiles a spec against the input columns into a Plan: which column is
 * pending at which step, the slot of every value, and one closure per step.
 * Collects every spec error it finds instead of stopping at the first.
 */
export function planTransformation(
  spec: TransformSpec,
  inputColumns: readonly InputColumn[],
  sink: ErrorSink,
): { plan: Plan | null; errors: SpecError[] } {
  const planner = new Planner(sink);

  planner.addInputs(inputColumns);
  spec.steps.forEach((step, index) => planner.addStep(step, `steps[${index}]`));

  const plan = planner.finish(inputColumns.length);

  return { plan: planner.errors.length === 0 ? plan : null, errors: planner.errors };
}

class Planner {
  readonly errors: SpecError[] = [];
  private scope: ScopeColumn[] = [];
  private width = 0;
  private readonly segments: Segment[] = [{ ops: [], buffer: null }];
  /**
   * The slot that each derive op writes, for derives that cannot fail: an
   * expression marked `cannotFail` without a result cast. Such an op
   * reports nothing and drops no row, so a later filter that does not read
   * its slot may run before it (see `filter`).
   */
  private readonly quietDerives = new Map<RowOp, number>();

  constructor(private readonly sink: ErrorSink) {}

  private get ops(): RowOp[] {
    return this.segments[this.segments.length - 1].ops;
  }

  private error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** Creates a caster, turning an invalid option into a spec error at `path`. */
  private caster(type: ColumnType, options: CastOptions, path: string): Caster | null {
    try {
      return createCaster(type, options);
    } catch (error) {
      this.error(path, `invalid cast options for ${type}: ${(error as Error).message}`);

      return null;
    }
  }

  addInputs(columns: readonly InputColumn[]): void {
    const seen = new Set<string>();

    columns.forEach((column, index) => {
      const path = `columns[${index}]`;
      const type = column.type ?? 'text';
      const slot = this.width;

      this.width += 1;

      if (typeof column.name !== 'string' || column.name === '') {
        this.error(`${path}.name`, 'an input column needs a non-empty name');

        return;
      }

      if (seen.has(column.name)) {
        this.error(`${path}.name`, `duplicate input column "${column.name}"`);

        return;
      }

      seen.add(column.name);

      if (!(COLUMN_TYPES as readonly string[]).includes(type)) {
        this.error(`${path}.type`, `unknown type${didYouMean(type, COLUMN_TYPES)}`);

        return;
      }

      const caster = this.caster(type, column.castOptions ?? {}, `${path}.castOptions`);

      this.scope.push({ name: column.name, slot, type, pending: true, caster, typedBy: '' });
    });
  }

  /** Finds a column by name, or records an "unknown column" error at `path`. */
  private find(name: string, path: string): ScopeColumn | null {
    const column = this.scope.find((candidate) => candidate.name === name);

    if (column === undefined) {
      const names = this.scope.map((candidate) => candidate.name);

      this.error(path, `unknown column "${name}"${didYouMean(name, names)}`);

      return null;
    }

    return column;
  }

  private exists(name: string): boolean {
    return this.scope.some((column) => column.name === name);
  }

  /** Checks that a text-level step may act on the column: it is still raw, or typed as text. */
  private requireText(column: ScopeColumn, path: string, op: string): boolean {
    if (column.pending || column.type === 'text' || column.failed === true) {
      return true;
    }

    this.error(
      path,
      `${op} works on text, but column "${column.name}" is already ${column.type} from ${column.typedBy} on; ` +
        `move this step before that one`,
    );

    return false;
  }

  /** Emits the conversion of pending columns to their types, for a step that needs typed values. */
  private convert(columns: ScopeColumn[], by: string): void {
    const conversions: Conversion[] = [];

    for (const column of columns) {
      if (!column.pending) {
        continue;
      }

      column.pending = false;
      column.typedBy = by;

      if (column.caster !== null) {
        conversions.push({
          slot: column.slot,
          name: column.name,
          caster: column.caster,
          type: column.type,
          text: column.type === 'text',
        });
      }
    }

    if (conversions.length > 0) {
      this.ops.push(conversionOp(conversions, this.sink));
    }
  }

  private allocate(): number {
    const slot = this.width;

    this.width += 1;

    return slot;
  }

  addStep(step: Step, path: string): void {
    switch (step.op) {
      case 'select':
        return this.select(step, path);
      case 'drop':
        return this.drop(step, path);
      case 'rename':
        return this.rename(step, path);
      case 'cast':
        return this.cast(step, path);
      case 'derive':
        return this.derive(step, path);
      case 'filter':
        return this.filter(step, path);
      case 'fill':
        return this.fill(step, path);
      case 'trim':
        return this.trim(step, path);
      case 'replace':
        return this.replace(step, path);
      case 'split':
        return this.split(step, path);
      case 'dedupe':
        return this.dedupe(step, path);
      case 'nulls':
        return this.nulls(step, path);
    }
  }

  private select(step: StepOf<'select'>, path: string): void {
    const selected: ScopeColumn[] = [];

    step.columns.forEach((name, index) => {
      const column = this.find(name, `${path}.columns[${index}]`);

      if (column !== null) {
        selected.push(column);
      }
    });

    this.scope = selected;
  }

  private drop(step: StepOf<'drop'>, path: string): void {
    const dropped = new Set<ScopeColumn>();

    step.columns.forEach((name, index) => {
      const column = this.find(name, `${path}.columns[${index}]`);

      if (column !== null) {
        dropped.add(column);
      }
    });

    this.scope = this.scope.filter((column) => !dropped.has(column));
  }

  private rename(step: StepOf<'rename'>, path: string): void {
    const column = this.find(step.from, `${path}.from`);

    if (column === null || step.to === step.from) {
      return;
    }

    if (this.exists(step.to)) {
      this.error(`${path}.to`, `column "${step.to}" already exists; drop or rename it first`);

      return;
    }

    column.name = step.to;
  }

  private cast(step: StepOf<'cast'>, path: string): void {
    const column = this.find(step.column, `${path}.column`);
    const caster = this.caster(step.type, castOptionsOf(step), path);

    if (column === null || caster === null) {
      return;
    }

    this.ops.push(castOp(column.slot, column.name, step.type, caster, this.sink));
    column.type = step.type;
    column.pending = false;
    column.caster = null;
    column.typedBy = `${path} (cast)`;
  }

  /** Compiles an expression over the current columns; pending columns count as their pending type. */
  private compile(expr: string, path: string): ReturnType<typeof compileExpression> | null {
    const columns = this.scope.map((column) => ({
      name: column.name,
      type: column.failed === true ? ('null' as const) : column.type,
      index: column.slot,
    }));

    try {
      const compiled = compileExpression(expr, columns);
      const read = this.scope.filter((column) => compiled.reads.includes(column.slot));

      this.convert(
        read,
        `${path} (${expr.length > 40 ? 'an expression' : `"${expr}"`}), which reads it`,
      );

      return compiled;
    } catch (error) {
      if (!(error instanceof ExpressionError)) {
        throw error;
      }

      this.error(path, error.message);

      return null;
    }
  }

  private derive(step: StepOf<'derive'>, path: string): void {
    const compiled = this.compile(step.expr, `${path}.expr`);
    const exprType: ExpressionType = compiled?.type ?? 'null';
    const type: ColumnType = step.type ?? (exprType === 'null' ? 'text' : exprType);
    const needsCast = step.type !== undefined && exprType !== 'null' && exprType !== step.type;
    const resultCaster = needsCast ? this.caster(type, {}, `${path}.type`) : null;
    const result = resultCaster === null ? null : { type, caster: resultCaster };
    const slot = this.allocate();
    const derived: ScopeColumn = {
      name: step.column,
      slot,
      type,
      pending: false,
      caster: null,
      typedBy: `${path} (derive)`,
      failed: compiled === null,
    };

    if (compiled !== null) {
      const op = deriveOp(slot, step.column, compiled.evaluate, result, this.sink);

      this.ops.push(op);

      if (compiled.cannotFail && result === null) {
        this.quietDerives.set(op, slot);
      }
    }

    // A derive onto an existing name replaces that column at its position.
    const existing = this.scope.findIndex((column) => column.name === step.column);

    if (existing >= 0) {
      this.scope[existing] = derived;
    } else {
      this.scope.push(derived);
    }
  }

  private filter(step: StepOf<'filter'>, path: string): void {
    const opsBefore = this.ops.length;
    const compiled = this.compile(step.expr, `${path}.expr`);

    if (compiled === null) {
      return;
    }

    if (compiled.type !== 'boolean' && compiled.type !== 'null') {
      this.error(
        `${path}.expr`,
        `a filter needs a boolean expression, but this one gives ${compiled.type}`,
      );

      return;
    }

    const ops = this.ops;
    let at = ops.length;

    // The filter goes before the quiet derives just above it whose columns it
    // does not read, so rows it drops skip them. Those derives report nothing
    // and keep every row, so each row gives the same output and errors either
    // way. When compiling the filter added a conversion, the filter stays
    // last, because that conversion must run before it.
    if (ops.length === opsBefore) {
      while (at > 0) {
        const slot = this.quietDerives.get(ops[at - 1]);

        if (slot === undefined || compiled.reads.includes(slot)) {
          break;
        }

        at -= 1;
      }
    }

    ops.splice(at, 0, filterOp(compiled.evaluate, this.sink));
  }

  private fill(step: StepOf<'fill'>, path: string): void {
    const column = this.find(step.column, `${path}.column`);

    if (column === null) {
      return;
    }

    this.convert([column], `${path} (fill)`);

    if (step.method === 'previous') {
      this.ops.push(fillPreviousOp(column.slot));

      return;
    }

    const caster = this.caster(column.type, {}, `${path}.value`);
    const result = caster?.(step.value as string | number | boolean);

    if (result === undefined) {
      return;
    }

    if (!result.ok || result.value === null) {
      const reason = result.ok ? 'it reads as null' : result.reason;

      this.error(
        `${path}.value`,
        `cannot use ${JSON.stringify(step.value)} as ${column.type}: ${reason}`,
      );

      return;
    }

    this.ops.push(fillConstantOp(column.slot, result.value));
  }

  /** Returns the columns a text step names, or every text-level column when it names none. */
  private textColumns(names: string[] | undefined, path: string, op: string): ScopeColumn[] {
    if (names === undefined) {
      return this.scope.filter((column) => column.pending || column.type === 'text');
    }

    const columns: ScopeColumn[] = [];

    names.forEach((name, index) => {
      const columnPath = `${path}.columns[${index}]`;
      const column = this.find(name, columnPath);

      if (column !== null && this.requireText(column, columnPath, op)) {
        columns.push(column);
      }
    });

    return columns;
  }

  private trim(step: StepOf<'trim'>, path: string): void {
    const slots = this.textColumns(step.columns, path, 'trim').map((column) => column.slot);

    if (slots.length > 0) {
      this.ops.push(textOp(slots, (text) => text.trim()));
    }
  }

  private nulls(step: StepOf<'nulls'>, path: string): void {
    const slots = this.textColumns(step.columns, path, 'nulls').map((column) => column.slot);
    const values = new Set(step.values);

    if (slots.length > 0 && values.size > 0) {
      this.ops.push(textOp(slots, (text) => (values.has(text) ? null : text)));
    }
  }

  private replace(step: StepOf<'replace'>, path: string): void {
    const column = this.find(step.column, `${path}.column`);

    if (column === null || !this.requireText(column, `${path}.column`, 'replace')) {
      return;
    }

    const { find, replace } = step;

    if (step.regex === true) {
      let pattern: RegExp;

      try {
        // NOTE: JavaScript regular expressions backtrack, so a pattern such as `(a+)+$` can take
        // exponential time on some values, and no timeout stops it.
        pattern = new RegExp(find, 'gu');
      } catch (error) {
        this.error(`${path}.find`, `invalid regular expression: ${(error as Error).message}`);

        return;
      }

      this.ops.push(textOp([column.slot], (text) => text.replace(pattern, replace)));

      return;
    }

    // A literal find: escape it, and pass the replacement through a function so `$` stays literal.
    const literal = new RegExp(escapeRegExp(find), 'g');

    this.ops.push(textOp([column.slot], (text) => text.replace(literal, () => replace)));
  }

  private split(step: StepOf<'split'>, path: string): void {
    const column = this.find(step.column, `${path}.column`);

    if (column === null || !this.requireText(column, `${path}.column`, 'split')) {
      return;
    }

    let valid = true;

    step.into.forEach((name, index) => {
      if (name !== column.name && this.exists(name)) {
        this.error(
          `${path}.into[${index}]`,
          `column "${name}" already exists; drop or rename it first`,
        );
        valid = false;
      }
    });

    if (!valid) {
      return;
    }

    const parts: ScopeColumn[] = step.into.map((name) => ({
      name,
      slot: this.allocate(),
      type: 'text',
      pending: false,
      caster: null,
      typedBy: `${path} (split)`,
    }));
    const targets = parts.map((part) => part.slot);

    this.ops.push(splitOp(column.slot, column.name, step.separator, targets, this.sink));

    // The parts take the source column's place.
    const position = this.scope.indexOf(column);

    this.scope.splice(position, 1, ...parts);
  }

  private dedupe(step: StepOf<'dedupe'>, path: string): void {
    const keys: ScopeColumn[] = [];

    step.keys.forEach((name, index) => {
      const column = this.find(name, `${path}.keys[${index}]`);

      if (column !== null) {
        keys.push(column);
      }
    });

    if (keys.length !== step.keys.length) {
      return;
    }

    this.convert(keys, `${path} (dedupe)`);

    const keyOf = keyFunction(
      keys.map((column) => column.slot),
      keys.map((column) => keyNormalizer(column.type)),
    );

    if (step.keep === 'first') {
      this.ops.push(dedupeFirstOp(keyOf));

      return;
    }

    this.segments[this.segments.length - 1].buffer = new LastRowBuffer(keyOf);
    this.segments.push({ ops: [], buffer: null });
  }

  finish(inputCount: number): Plan {
    this.convert(this.scope, 'the end of the spec');

    return {
      inputCount,
      width: this.width,
      segments: this.segments,
      outputSlots: this.scope.map((column) => column.slot),
      columns: this.scope.map((column) => ({ name: column.name, type: column.type })),
    };
  }
}
