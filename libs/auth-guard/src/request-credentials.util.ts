import { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** Request shape the guard reads: a Fastify request (with `raw`) or a Node request. */
export interface GuardedRequest {
  headers: IncomingHttpHeaders;
  raw?: Pick<IncomingMessage, 'rawHeaders'>;
  rawHeaders?: string[];
  method?: string;
  url?: string;
  user?: unknown;
}

export type HeaderReading = { value: string } | { problem: 'missing' | 'repeated' | 'malformed' };

// RFC 6750 bearer credentials holding a compact JWS: three base64url parts.
const BEARER_CREDENTIALS = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * Reads one header from the raw header list. Node keeps only the first of a
 * repeated `Authorization` header, so the raw list is the only place where
 * a second one shows, and a repeated header is reported as a problem.
 */
export function readSingleHeader(request: GuardedRequest, name: string): HeaderReading {
  const rawHeaders = request.raw?.rawHeaders ?? request.rawHeaders ?? [];
  const values: string[] = [];

  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index].toLowerCase() === name) {
      values.push(rawHeaders[index + 1]);
    }
  }

  if (values.length > 1) {
    return { problem: 'repeated' };
  }

  if (values.length === 0 || values[0] === '') {
    return { problem: 'missing' };
  }

  return { value: values[0] };
}

/** Reads the access token from exactly one `Authorization: Bearer <JWT>` header. */
export function readBearerToken(request: GuardedRequest): HeaderReading {
  const header = readSingleHeader(request, 'authorization');

  if (!('value' in header)) {
    return header;
  }

  const match = BEARER_CREDENTIALS.exec(header.value);

  return match === null ? { problem: 'malformed' } : { value: match[1] };
}
