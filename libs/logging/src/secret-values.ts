// Process-wide list of secret values that must never appear in a log line.
// The logger's destination stream passes every line through
// `scrubSecretValues`, so a value registered here is replaced wherever it
// shows up: in a message, an error stack, a nested object or a header.

export const REDACTED = '[REDACTED]';

/** Values shorter than this are rejected: scrubbing them would mangle unrelated text. */
export const MIN_SECRET_VALUE_LENGTH = 8;

// A private key in PEM form and a JSON Web Token are secrets even when they
// were never registered, so the scrubber replaces them by pattern as well.
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const JSON_WEB_TOKEN = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
// Query parameters that carry credentials, as in an OpenID Connect callback
// URL (`?code=…&state=…`): the value is replaced, the name is kept.
const SECRET_QUERY_PARAMETER =
  /([?&](?:code|state|code_verifier|token|access_token|id_token|refresh_token|client_secret|password|secret|api_key|apikey)=)[^&#\s"]+/gi;

const secretValues = new Set<string>();
let secretPattern: RegExp | undefined;

/**
 * Registers a secret value so that the logging stream replaces it with
 * `[REDACTED]` in every later log line of this process. The value is also
 * matched in its JSON-escaped and URL-encoded spellings.
 *
 * @throws RangeError when the value is shorter than 8 characters.
 */
export function registerSecretValue(value: string): void {
  if (value.length < MIN_SECRET_VALUE_LENGTH) {
    throw new RangeError(
      `A secret value to scrub from logs must have at least ${MIN_SECRET_VALUE_LENGTH} characters; a shorter one would redact unrelated text.`,
    );
  }

  const spellings = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
  const sizeBefore = secretValues.size;

  for (const spelling of spellings) {
    secretValues.add(spelling);
  }

  if (secretValues.size !== sizeBefore) {
    secretPattern = buildPattern([...secretValues]);
  }
}

/** Replaces every registered secret value, private key, JWT and credential query parameter in `text`. */
export function scrubSecretValues(text: string): string {
  let scrubbed = text;

  if (secretPattern !== undefined) {
    scrubbed = scrubbed.replace(secretPattern, REDACTED);
  }

  return scrubbed
    .replace(PEM_PRIVATE_KEY, REDACTED)
    .replace(JSON_WEB_TOKEN, REDACTED)
    .replace(SECRET_QUERY_PARAMETER, `$1${REDACTED}`);
}

function buildPattern(values: string[]): RegExp {
  // Longer spellings first, so a secret that contains another is replaced whole.
  const alternatives = values
    .sort((left, right) => right.length - left.length)
    .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

  return new RegExp(alternatives.join('|'), 'g');
}
