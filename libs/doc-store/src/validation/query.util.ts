import {
  type JsonValue,
  type SortDirection,
  WHERE_OPERATORS,
  type WhereOperator,
} from '../doc-store';
import { DocStoreError, describeValue } from '../doc-store.errors';
import {
  DEFAULT_PAGE_SIZE,
  MAX_FIELD_NAME_BYTES,
  MAX_IN_VALUES,
  MAX_ORDER_BY_FIELDS,
  MAX_PAGE_SIZE,
  MAX_WHERE_CLAUSES,
} from '../doc-store.limits';
import { canonicalJsonValue, fieldNameProblem, isPlainObject } from './document-data.util';
import { utf8Length } from './names.util';

/** A dotted field path split into map keys: "address.city" → ["address", "city"]. */
export interface FieldPath {
  text: string;
  segments: string[];
}

export interface NormalizedWhere {
  field: FieldPath;
  operator: WhereOperator;
  /** For `in`, the list of values; otherwise the single operand. */
  value: JsonValue;
}

export interface NormalizedOrderBy {
  field: FieldPath;
  direction: SortDirection;
}

/** A query after every check, with defaults filled in. */
export interface NormalizedQuery {
  where: NormalizedWhere[];
  orderBy: NormalizedOrderBy[];
  limit: number;
  startAfter: string | null;
}

const QUERY_KEYS = new Set(['where', 'orderBy', 'limit', 'startAfter']);
const RANGE_OPERATORS = new Set<WhereOperator>(['<', '<=', '>', '>=']);
const MAX_CURSOR_LENGTH = 64 * 1024;

function invalidQuery(
  message: string,
  details: Record<string, string | number> = {},
): DocStoreError {
  return new DocStoreError('INVALID_ARGUMENT', `Invalid query: ${message}.`, details);
}

/**
 * Splits a dotted field path and checks each segment by the map key rules.
 * Segments also cannot contain `"` or `\`, which SQLite JSON paths cannot quote.
 */
export function parseFieldPath(value: unknown, where: string): FieldPath {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidQuery(
      `${where} must be a non-empty field path string, got ${describeValue(value)}`,
    );
  }

  if (utf8Length(value) > MAX_FIELD_NAME_BYTES) {
    throw invalidQuery(`${where} is longer than ${MAX_FIELD_NAME_BYTES} UTF-8 bytes`);
  }

  const segments = value.split('.');

  for (const segment of segments) {
    const problem = fieldNameProblem(segment);

    if (problem !== null) {
      throw invalidQuery(
        `${where} ${describeValue(value)} has an invalid segment ${describeValue(segment)}: ${problem}`,
        {
          field: value,
        },
      );
    }

    if (segment.includes('"') || segment.includes('\\')) {
      throw invalidQuery(
        `${where} ${describeValue(value)} contains a double quote or backslash, which queries do not support`,
        {
          field: value,
        },
      );
    }
  }

  return { text: value, segments };
}

function normalizeOperand(operator: WhereOperator, value: unknown, where: string): JsonValue {
  if (RANGE_OPERATORS.has(operator)) {
    if (typeof value !== 'number' && typeof value !== 'string') {
      throw invalidQuery(
        `${where} compares with "${operator}", which needs a number or a string, got ${describeValue(value)}`,
      );
    }
  }

  if (operator === 'in') {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES) {
      throw invalidQuery(
        `${where} uses "in", which needs an array of 1 to ${MAX_IN_VALUES} values, got ${describeValue(value)}`,
      );
    }
  }

  if (operator === 'array-contains' && Array.isArray(value)) {
    throw invalidQuery(
      `${where} uses "array-contains" with an array, but arrays cannot contain arrays`,
    );
  }

  return canonicalJsonValue(value, `${where} value`);
}

function normalizeWhere(input: unknown): NormalizedWhere[] {
  if (input === undefined || input === null) {
    return [];
  }

  if (!Array.isArray(input) || input.length > MAX_WHERE_CLAUSES) {
    throw invalidQuery(
      `"where" must be an array of at most ${MAX_WHERE_CLAUSES} [field, operator, value] clauses`,
    );
  }

  return input.map((clause: unknown, index) => {
    const where = `where[${index}]`;

    if (!Array.isArray(clause) || clause.length !== 3) {
      throw invalidQuery(
        `${where} must be a [field, operator, value] array, got ${describeValue(clause)}`,
      );
    }

    const [fieldInput, operatorInput, valueInput] = clause as [unknown, unknown, unknown];
    const field = parseFieldPath(fieldInput, `${where} field`);

    if (!WHERE_OPERATORS.includes(operatorInput as WhereOperator)) {
      throw invalidQuery(
        `${where} has the unknown operator ${describeValue(operatorInput)}; use one of ${WHERE_OPERATORS.join(', ')}`,
      );
    }

    const operator = operatorInput as WhereOperator;

    return { field, operator, value: normalizeOperand(operator, valueInput, where) };
  });
}

function normalizeOrderBy(input: unknown): NormalizedOrderBy[] {
  if (input === undefined || input === null) {
    return [];
  }

  if (!Array.isArray(input) || input.length > MAX_ORDER_BY_FIELDS) {
    throw invalidQuery(
      `"orderBy" must be an array of at most ${MAX_ORDER_BY_FIELDS} [field, direction] pairs`,
    );
  }

  const seen = new Set<string>();

  return input.map((clause: unknown, index) => {
    const where = `orderBy[${index}]`;

    if (!Array.isArray(clause) || clause.length < 1 || clause.length > 2) {
      throw invalidQuery(
        `${where} must be a [field, direction] array, got ${describeValue(clause)}`,
      );
    }

    const [fieldInput, directionInput] = clause as [unknown, unknown];
    const field = parseFieldPath(fieldInput, `${where} field`);

    if (directionInput !== undefined && directionInput !== 'asc' && directionInput !== 'desc') {
      throw invalidQuery(
        `${where} has the direction ${describeValue(directionInput)}; use "asc" or "desc"`,
      );
    }

    if (seen.has(field.text)) {
      throw invalidQuery(`${where} repeats the field ${describeValue(field.text)}`);
    }

    seen.add(field.text);

    return { field, direction: directionInput ?? 'asc' };
  });
}

/** Checks a page size: an integer from 1 to 1000, default 100. */
export function normalizeLimit(input: unknown): number {
  if (input === undefined || input === null) {
    return DEFAULT_PAGE_SIZE;
  }

  if (typeof input !== 'number' || !Number.isInteger(input) || input < 1 || input > MAX_PAGE_SIZE) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      `Invalid limit ${describeValue(input)}: expected an integer from 1 to ${MAX_PAGE_SIZE}.`,
      { limit: MAX_PAGE_SIZE },
    );
  }

  return input;
}

/** Checks that a cursor is a string of sane length; its content is checked when it is decoded. */
export function normalizeCursor(input: unknown): string | null {
  if (input === undefined || input === null) {
    return null;
  }

  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_CURSOR_LENGTH) {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid startAfter: expected the nextCursor string of the previous page.',
    );
  }

  return input;
}

/** Checks a query that may come straight from a request body, and fills in the defaults. */
export function normalizeQuery(input: unknown): NormalizedQuery {
  const query = input ?? {};

  if (!isPlainObject(query)) {
    throw invalidQuery(`expected a JSON object, got ${describeValue(query)}`);
  }

  for (const key of Object.keys(query)) {
    if (!QUERY_KEYS.has(key)) {
      throw invalidQuery(
        `unknown property ${describeValue(key)}; use where, orderBy, limit and startAfter`,
      );
    }
  }

  return {
    where: normalizeWhere(query.where),
    orderBy: normalizeOrderBy(query.orderBy),
    limit: normalizeLimit(query.limit),
    startAfter: normalizeCursor(query.startAfter),
  };
}
