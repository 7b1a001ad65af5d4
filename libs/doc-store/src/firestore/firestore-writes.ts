import {
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Transaction,
} from 'firebase-admin/firestore';

import { type DocumentSize, type JsonMap, type StoredDocument } from '../doc-store';
import { DocStoreError } from '../doc-store.errors';
import { mergeDocumentData } from '../merge.util';
import {
  canonicalDocumentData,
  jsonDocumentBytes,
  measureDocumentData,
} from '../validation/document-data.util';
import { validateCollectionId, validateDocumentId } from '../validation/names.util';
import {
  type CheckedWrite,
  documentLabel,
  enforcePrecondition,
  inBatch,
} from '../validation/write.util';
import {
  decodeDocument,
  encodeDocument,
  FIRESTORE_MAX_DOCUMENT_BYTES,
  firestoreDocumentSize,
  VERSION_FIELD,
} from './firestore-document.codec';
import { type FirestoreLayout } from './firestore-layout';
import { translateFirestoreError } from './google-errors.util';

export interface WriteOutcome {
  collection: string;
  id: string;
  /** The document after the write, or null after a delete. */
  document: StoredDocument | null;
  /** Whether the document existed before this write. */
  existed: boolean;
}

/** One document id that a set of writes touches, as the writes see it. */
interface DocumentState {
  collection: string;
  id: string;
  label: string;
  ref: DocumentReference;
  tombstoneRef: DocumentReference;
  existedBefore: boolean;
  current: StoredDocument | null;
  /** Highest version this id ever had, including versions given by earlier writes of this set. */
  highestVersion: number;
  /** Whether a write of this set gave the id a new version or deleted it. */
  changed: boolean;
}

function stateKey(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
}

/**
 * Applies writes in order in one Firestore transaction: it reads every
 * document and tombstone involved, checks preconditions and limits in
 * memory, then writes the final state of each document. Firestore commits
 * all of it or nothing, and retries the transaction when another writer
 * touched the same documents. With `batch`, an error names the index of
 * the write that failed.
 */
export async function commitWrites(
  db: Firestore,
  layout: FirestoreLayout,
  writes: CheckedWrite[],
  batch: boolean,
): Promise<WriteOutcome[]> {
  try {
    return await db.runTransaction(async (transaction) => {
      const states = await readStates(transaction, layout, writes);
      const commitTime = new Date().toISOString();
      const outcomes = writes.map((write, index) => {
        try {
          return applyWrite(states, layout, write, commitTime);
        } catch (error) {
          throw batch ? inBatch(error, index) : error;
        }
      });

      for (const state of states.values()) {
        writeFinalState(transaction, state);
      }

      return outcomes;
    });
  } catch (error) {
    throw translateFirestoreError(error);
  }
}

async function readStates(
  transaction: Transaction,
  layout: FirestoreLayout,
  writes: CheckedWrite[],
): Promise<Map<string, DocumentState>> {
  const states = new Map<string, DocumentState>();

  for (const write of writes) {
    const key = stateKey(write.collection, write.id);

    if (!states.has(key)) {
      states.set(key, {
        collection: write.collection,
        id: write.id,
        label: documentLabel(write.collection, write.id),
        ref: layout.document(write.collection, write.id),
        tombstoneRef: layout.tombstone(write.collection, write.id),
        existedBefore: false,
        current: null,
        highestVersion: 0,
        changed: false,
      });
    }
  }

  const list = [...states.values()];
  const refs = list.flatMap((state) => [state.ref, state.tombstoneRef]);
  // One round trip reads the documents and their tombstones.
  const snapshots = await transaction.getAll(...refs);

  list.forEach((state, index) => {
    const document = snapshots[index * 2];
    const tombstone = snapshots[index * 2 + 1];

    state.current = document.exists ? decodeSnapshot(document, state.label) : null;
    state.existedBefore = state.current !== null;
    state.highestVersion = Math.max(state.current?.version ?? 0, tombstoneVersion(tombstone));
  });

  return states;
}

function decodeSnapshot(snapshot: DocumentSnapshot, label: string): StoredDocument {
  return decodeDocument(snapshot.id, snapshot.data() ?? {}, label);
}

function tombstoneVersion(snapshot: DocumentSnapshot): number {
  const version: unknown = snapshot.exists ? snapshot.get(VERSION_FIELD) : 0;

  return typeof version === 'number' && Number.isSafeInteger(version) ? version : 0;
}

function applyWrite(
  states: Map<string, DocumentState>,
  layout: FirestoreLayout,
  write: CheckedWrite,
  commitTime: string,
): WriteOutcome {
  const state = states.get(stateKey(write.collection, write.id)) as DocumentState;
  const before = state.current;

  enforcePrecondition(state.label, before, write.precondition);

  if (write.op === 'delete') {
    state.current = null;
    state.changed ||= before !== null;

    return { collection: write.collection, id: write.id, document: null, existed: before !== null };
  }

  const data =
    write.op === 'merge' && before !== null
      ? mergeDocumentData(before.data, write.data)
      : write.data;
  const measured = measureDocumentData(data, state.label);
  const version = state.highestVersion + 1;
  const document: StoredDocument = {
    id: write.id,
    version,
    createTime: before?.createTime ?? commitTime,
    updateTime: commitTime,
    data: measured.data,
  };

  checkFirestoreSize(layout, state, document, measured.bytes);
  state.current = document;
  state.highestVersion = version;
  state.changed = true;

  return {
    collection: write.collection,
    id: write.id,
    document: structuredClone(document),
    existed: before !== null,
  };
}

/**
 * Measures data as a document of this backend without writing it: the
 * larger of Firestore's storage size and the JSON size, since a write must
 * fit both limits and both are 1 MiB. The version and
 * timestamp fields count as they will be stored (8 bytes for the number,
 * 24 characters for each ISO 8601 time).
 */
export function measureFirestoreDocument(
  layout: FirestoreLayout,
  collection: string,
  id: string,
  data: unknown,
): DocumentSize {
  const checked: JsonMap = canonicalDocumentData(data);
  const time = new Date(0).toISOString();
  const size = firestoreDocumentSize(
    layout.pathSegments(validateCollectionId(collection), validateDocumentId(id)),
    encodeDocument({ version: 1, createTime: time, updateTime: time, data: checked }),
  );

  return { size: Math.max(size, jsonDocumentBytes(checked)), limit: FIRESTORE_MAX_DOCUMENT_BYTES };
}

/** Raises `DOCUMENT_TOO_LARGE` for a document that fits the JSON limit but not Firestore's own measure. */
function checkFirestoreSize(
  layout: FirestoreLayout,
  state: DocumentState,
  document: StoredDocument,
  jsonBytes: number,
): void {
  const size = firestoreDocumentSize(
    layout.pathSegments(state.collection, state.id),
    encodeDocument(document),
  );

  if (size > FIRESTORE_MAX_DOCUMENT_BYTES) {
    throw new DocStoreError(
      'DOCUMENT_TOO_LARGE',
      `Document ${state.label} is ${jsonBytes} bytes as JSON but ${size} bytes in Firestore's storage measure, which counts the document name, field names, 8 bytes per number and the version fields; Firestore's limit is ${FIRESTORE_MAX_DOCUMENT_BYTES} bytes.`,
      { size, limit: FIRESTORE_MAX_DOCUMENT_BYTES, jsonSize: jsonBytes },
    );
  }
}

function writeFinalState(transaction: Transaction, state: DocumentState): void {
  if (!state.changed) {
    return;
  }

  if (state.current !== null) {
    transaction.set(state.ref, encodeDocument(state.current));

    return;
  }

  if (state.existedBefore) {
    transaction.delete(state.ref);
  }

  // The tombstone keeps the highest version, so a re-created document gets a larger one.
  transaction.set(state.tombstoneRef, { [VERSION_FIELD]: state.highestVersion });
}
