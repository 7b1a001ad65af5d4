/**
 * Writes a raw or typed value as text: strings as they are, numbers, bigints
 * and booleans with String(), arrays and objects (from JSON readers) as JSON.
 * Text-level steps (`nulls`, `trim`, `replace`, `split`) read non-string raw
 * values through this, and errors report values with it.
 */
export function valueText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }

  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      // A bigint inside an object, or a cycle: fall back to the generic form.
      return String(value);
    }
  }

  return String(value);
}
