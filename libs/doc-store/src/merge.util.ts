import { type JsonMap, type JsonValue } from './doc-store';
import { isPlainObject } from './validation/document-data.util';

/**
 * Deep-merges `patch` into `base` the way Firestore's `set(…, { merge: true })`
 * does: where both sides hold a map, the maps merge key by key, and every
 * other value in `patch` (arrays included) replaces the value in `base`.
 * Keys of `base` missing from `patch` stay. Neither input is modified, and
 * the result keeps map keys sorted.
 */
export function mergeDocumentData(base: JsonMap, patch: JsonMap): JsonMap {
  const merged: JsonMap = {};
  const keys = [...new Set([...Object.keys(base), ...Object.keys(patch)])].sort();

  for (const key of keys) {
    merged[key] = Object.hasOwn(patch, key) ? mergeValue(base[key], patch[key]) : base[key];
  }

  return merged;
}

function mergeValue(base: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (isPlainObject(base) && isPlainObject(patch)) {
    return mergeDocumentData(base as JsonMap, patch as JsonMap);
  }

  return patch;
}
