import { type Document } from 'bson';
import { find } from 'mingo';

import { commandError } from '../command-error';
import { type WireCursorRegistry } from '../wire-cursors';
import { type WireStore } from '../wire-store';

/** Context of a command handler: the store, the open cursors and the command's database. */
export interface CommandContext {
  store: WireStore;
  cursors: WireCursorRegistry;
  database: string;
  connectionId: number;
}

/** Runs one command and returns the reply document; raises `CommandError` for failures. */
export type CommandHandler = (command: Document, context: CommandContext) => Document;

/** Reads the collection name that a command's first field names. */
export function collectionName(command: Document): string {
  const [name] = Object.keys(command);
  const value: unknown = command[name];

  if (typeof value !== 'string' || value.length === 0) {
    throw commandError(
      'InvalidNamespace',
      `${name} needs a collection name, got ${JSON.stringify(value)}.`,
    );
  }

  return value;
}

export function optionalNumber(command: Document, field: string): number | undefined {
  const value: unknown = command[field];

  if (value === undefined || value === null) {
    return undefined;
  }

  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw commandError('BadValue', `${field} must be a number, got ${JSON.stringify(value)}.`);
  }

  return value;
}

export function optionalDocument(command: Document, field: string): Document | undefined {
  const value: unknown = command[field];

  if (value === undefined || value === null) {
    return undefined;
  }

  if (typeof value !== 'object' || Array.isArray(value)) {
    throw commandError('BadValue', `${field} must be a document, got ${JSON.stringify(value)}.`);
  }

  return value as Document;
}

/** Sorts documents by a sort specification such as `{ a: 1, _id: -1 }`. */
export function sortDocuments(documents: Document[], sort: Document | undefined): Document[] {
  if (sort === undefined || Object.keys(sort).length === 0) {
    return documents;
  }

  return find(documents, {}).sort(sort).all();
}

/** Applies a find projection such as `{ _id: 1 }` or `{ data: 0 }`. */
export function projectDocuments(
  documents: Document[],
  projection: Document | undefined,
): Document[] {
  if (projection === undefined || Object.keys(projection).length === 0) {
    return documents;
  }

  return find(documents, {}, projection).all();
}
