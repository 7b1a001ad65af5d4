import { useCallback, useState } from 'react';

import { type TransformSpec } from '@rokks/transform';

export const EMPTY_SPEC: TransformSpec = { steps: [], onError: 'reject-row' };

/** Returns the local storage key of the spec draft of one uploaded file. */
export function specDraftKey(fileId: string): string {
  return `rokks.spec-draft.${fileId}`;
}

/** Reads the stored spec draft of a file; null when there is none or it cannot be read. */
export function readSpecDraft(fileId: string): TransformSpec | null {
  try {
    const text = window.localStorage.getItem(specDraftKey(fileId));
    const parsed: unknown = text === null ? null : JSON.parse(text);

    return typeof parsed === 'object' &&
      parsed !== null &&
      Array.isArray((parsed as TransformSpec).steps)
      ? (parsed as TransformSpec)
      : null;
  } catch {
    return null;
  }
}

/** Deletes the spec draft of a file, once the file is loaded. */
export function clearSpecDraft(fileId: string): void {
  try {
    window.localStorage.removeItem(specDraftKey(fileId));
  } catch {
    // Storage is off: there is no draft to delete.
  }
}

function writeSpecDraft(fileId: string, spec: TransformSpec): void {
  try {
    window.localStorage.setItem(specDraftKey(fileId), JSON.stringify(spec));
  } catch {
    // Storage is full or off: the draft lives on in memory until the page closes.
  }
}

/**
 * Keeps the spec of a file in state and in local storage, under a key of
 * its own per file, so a reload, or coming back to the file later, finds the
 * steps as they were.
 */
export function useSpecDraft(
  fileId: string | null,
): [TransformSpec, (spec: TransformSpec) => void] {
  const [state, setState] = useState<{ fileId: string | null; spec: TransformSpec }>(() => ({
    fileId,
    spec: (fileId === null ? null : readSpecDraft(fileId)) ?? EMPTY_SPEC,
  }));
  let current = state;

  if (state.fileId !== fileId) {
    // Another file: start from its own draft, during this render.
    current = { fileId, spec: (fileId === null ? null : readSpecDraft(fileId)) ?? EMPTY_SPEC };
    setState(current);
  }

  const setSpec = useCallback(
    (spec: TransformSpec): void => {
      if (fileId !== null) {
        writeSpecDraft(fileId, spec);
      }

      setState({ fileId, spec });
    },
    [fileId],
  );

  return [current.spec, setSpec];
}
