/** Formats an ISO 8601 timestamp in the browser's time zone, or a dash for null. */
export function formatTime(value: string | null | undefined): string {
  return value === null || value === undefined ? '–' : new Date(value).toLocaleString();
}
