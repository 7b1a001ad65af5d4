const MAX_SHOWN_LENGTH = 40;

/** Writes a value as JSON text, bigints as their digits, so a message can show any value. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? String(value);
}

/** Renders a field for a message in single quotes, cut to 40 characters; null shows as `(empty)`. */
export function describeField(value: unknown): string {
  if (value === null || value === undefined) {
    return '(empty)';
  }

  const text = typeof value === 'string' ? value : toJsonText(value);
  const shown = text.length > MAX_SHOWN_LENGTH ? `${text.slice(0, MAX_SHOWN_LENGTH)}…` : text;

  return `'${shown.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
}

/** Writes 65536 as "65,536" for messages. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
