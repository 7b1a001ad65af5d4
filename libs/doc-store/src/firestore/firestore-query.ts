import {
  FieldPath,
  type Query,
  type QueryDocumentSnapshot,
  type WhereFilterOp,
} from 'firebase-admin/firestore';

import { decodeCursor, encodeCursor } from '../cursor.util';
import { type DocumentPage, type JsonValue, type StoredDocument } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { type NormalizedQuery, type NormalizedWhere } from '../validation/query.util';
import { decodeDocument } from './firestore-document.codec';
import { type FirestoreLayout } from './firestore-layout';
import { jsonEquals, compareJsonValues, valueAtPath } from './json-values.util';

/** Documents read per request when filters run in the backend; more requests follow while matches are missing. */
const FILTERED_FETCH_SIZE = 300;

const RANGE_OPERATORS = new Set(['<', '<=', '>', '>=']);

/**
 * A query split into the part Firestore runs and the clauses the backend
 * checks on each document that Firestore returns.
 */
export interface QueryPlan {
  native: Query;
  residual: NormalizedWhere[];
}

/**
 * Splits the clauses. Firestore runs a clause only where its semantics are
 * the contract's and the result order stays orderBy fields then id:
 * - `==` always;
 * - the first `in` without null (Firestore's `in` never matches null) and
 *   the first `array-contains` (Firestore allows one of each here);
 * - `<`, `<=`, `>`, `>=` and `!= null` on a field that is in `orderBy`,
 *   since an inequality on another field would make Firestore sort by it
 *   before the id;
 * - never `!=` with another operand, because Firestore's `!=` skips null
 *   values, which the contract matches.
 * Every other clause is residual.
 */
export function planQuery(
  layout: FirestoreLayout,
  collection: string,
  query: NormalizedQuery,
): QueryPlan {
  const ordered = new Set(query.orderBy.map((order) => order.field.text));
  const residual: NormalizedWhere[] = [];
  let native: Query = layout.collection(collection);
  let inPushed = false;
  let arrayContainsPushed = false;

  for (const clause of query.where) {
    const field = new FieldPath(...clause.field.segments);
    let push = false;

    if (clause.operator === '==') {
      push = true;
    } else if (clause.operator === 'in') {
      push = !inPushed && !(clause.value as JsonValue[]).includes(null);
      inPushed ||= push;
    } else if (clause.operator === 'array-contains') {
      push = !arrayContainsPushed;
      arrayContainsPushed ||= push;
    } else if (RANGE_OPERATORS.has(clause.operator)) {
      push = ordered.has(clause.field.text);
    } else {
      push = clause.value === null && ordered.has(clause.field.text);
    }

    if (push) {
      native = native.where(field, clause.operator as WhereFilterOp, clause.value);
    } else {
      residual.push(clause);
    }
  }

  for (const order of query.orderBy) {
    native = native.orderBy(new FieldPath(...order.field.segments), order.direction);
  }

  native = native.orderBy(FieldPath.documentId(), query.orderBy.at(-1)?.direction ?? 'asc');

  return { native, residual };
}

/** Tests one clause on document data with the contract's semantics. */
export function matchesClause(data: StoredDocument['data'], clause: NormalizedWhere): boolean {
  const value = valueAtPath(data, clause.field.segments);

  if (value === undefined) {
    return false;
  }

  const operand = clause.value;

  switch (clause.operator) {
    case '==':
      return jsonEquals(value, operand);

    case '!=':
      return !jsonEquals(value, operand);

    case 'in':
      return (operand as JsonValue[]).some((candidate) => jsonEquals(value, candidate));

    case 'array-contains':
      return Array.isArray(value) && value.some((element) => jsonEquals(element, operand));

    case '<':
    case '<=':
    case '>':
    case '>=':
      return typeof value === typeof operand && compareRange(clause.operator, value, operand);
  }
}

function compareRange(
  operator: '<' | '<=' | '>' | '>=',
  value: JsonValue,
  operand: JsonValue,
): boolean {
  const order = compareJsonValues(value, operand);

  switch (operator) {
    case '<':
      return order < 0;

    case '<=':
      return order <= 0;

    case '>':
      return order > 0;

    case '>=':
      return order >= 0;
  }
}

/** Builds the scope of a cursor: the collection and the sort keys (filters may change between pages). */
function cursorScope(collection: string, query: NormalizedQuery): string {
  const order = query.orderBy.map((clause) => `${clause.field.text}\u0000${clause.direction}`);

  return ['firestore', collection, ...order].join('\u0000');
}

/** Returns the sort key values of a document: its orderBy fields, then its id. */
function sortKeys(document: StoredDocument, query: NormalizedQuery): JsonValue[] {
  return [
    ...query.orderBy.map((order) => valueAtPath(document.data, order.field.segments) ?? null),
    document.id,
  ];
}

function decodeStartAfter(query: NormalizedQuery, scope: string): unknown[] | null {
  if (query.startAfter === null) {
    return null;
  }

  const keys = decodeCursor(query.startAfter, scope, query.orderBy.length + 1);

  if (typeof keys.at(-1) !== 'string') {
    throw new DocStoreError(
      'INVALID_ARGUMENT',
      'Invalid startAfter: the cursor is damaged; restart the query without it.',
    );
  }

  return keys;
}

/**
 * Runs a query. Firestore returns documents in the final order, and the
 * backend drops those that fail a residual clause. Further requests
 * continue after the last document read until the page is full or the
 * collection is exhausted. The page gets one extra document, which tells
 * whether more follow.
 */
export async function runQuery(
  layout: FirestoreLayout,
  collection: string,
  query: NormalizedQuery,
): Promise<DocumentPage> {
  const scope = cursorScope(collection, query);
  const plan = planQuery(layout, collection, query);
  const wanted = query.limit + 1;
  const fetchSize = plan.residual.length === 0 ? wanted : Math.max(wanted, FILTERED_FETCH_SIZE);
  const matches: StoredDocument[] = [];
  let after = decodeStartAfter(query, scope);

  for (;;) {
    const request = after === null ? plan.native : plan.native.startAfter(...after);
    const snapshot = await request.limit(fetchSize).get();
    let last: QueryDocumentSnapshot | undefined;

    for (const result of snapshot.docs) {
      const document = decodeDocument(result.id, result.data(), `${collection}/${result.id}`);

      last = result;

      if (plan.residual.every((clause) => matchesClause(document.data, clause))) {
        matches.push(document);
      }

      if (matches.length === wanted) {
        break;
      }
    }

    if (matches.length === wanted || snapshot.size < fetchSize || last === undefined) {
      break;
    }

    after = sortKeys(decodeDocument(last.id, last.data(), `${collection}/${last.id}`), query);
  }

  const page = matches.slice(0, query.limit);
  const lastOfPage = page.at(-1);

  return {
    documents: page,
    nextCursor:
      matches.length > query.limit && lastOfPage !== undefined
        ? encodeCursor(scope, sortKeys(lastOfPage, query))
        : null,
  };
}
