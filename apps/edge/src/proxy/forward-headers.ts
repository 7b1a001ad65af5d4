import { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';
import { REQUEST_ID_HEADER } from '@rokks/logging';

// RFC 9110 section 7.6.1: connection-specific fields end at each hop.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// Set by the edge itself, so a browser's values never pass.
const REPLACED_ON_REQUEST = new Set([
  'host',
  'expect',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  REQUEST_ID_HEADER,
]);

// The edge serves one origin and allows no cross-origin reads.
const DROPPED_FROM_RESPONSE = new Set(['server', 'x-powered-by', REQUEST_ID_HEADER]);

/** Prefix of the headers only Rokks services set; none is accepted from outside. */
export const INTERNAL_HEADER_PREFIX = 'x-rokks-';

/** Lists the internal (`x-rokks-*`) headers a browser request carries. */
export function internalHeadersIn(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers).filter((name) => name.startsWith(INTERNAL_HEADER_PREFIX));
}

export interface ForwardContext {
  requestId: string;
  clientAddress: string;
  protocol: 'http' | 'https';
  internalSecret: string;
  /** Cookies go only to the auth service, which owns the refresh cookie. */
  keepCookies: boolean;
}

/**
 * Builds the headers of the request to the backend: the browser's headers
 * without hop-by-hop and internal ones, plus the edge's request id, the
 * client's address and scheme, and the internal secret. The user's
 * `Authorization` header passes unchanged.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  context: ForwardContext,
): Record<string, string | string[]> {
  const dropped = connectionTokens(headers.connection);
  const result: Record<string, string | string[]> = {};

  for (const [name, value] of Object.entries(headers)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      REPLACED_ON_REQUEST.has(name) ||
      dropped.has(name) ||
      name.startsWith(INTERNAL_HEADER_PREFIX) ||
      (name === 'cookie' && !context.keepCookies)
    ) {
      continue;
    }

    result[name] = value;
  }

  result[REQUEST_ID_HEADER] = context.requestId;
  result['x-forwarded-for'] = context.clientAddress;
  result['x-forwarded-proto'] = context.protocol;
  result[INTERNAL_SECRET_HEADER] = context.internalSecret;

  if (headers.host !== undefined) {
    result['x-forwarded-host'] = headers.host;
  }

  return result;
}

/**
 * Filters a backend's response headers for the browser: no hop-by-hop,
 * internal or CORS headers, and `Set-Cookie` only from the auth service.
 */
export function browserResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
  options: { keepCookies: boolean },
): OutgoingHttpHeaders {
  const dropped = connectionTokens(headers.connection);
  const result: OutgoingHttpHeaders = {};

  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();

    if (
      value === undefined ||
      HOP_BY_HOP.has(lower) ||
      DROPPED_FROM_RESPONSE.has(lower) ||
      dropped.has(lower) ||
      lower.startsWith(INTERNAL_HEADER_PREFIX) ||
      lower.startsWith('access-control-') ||
      (lower === 'set-cookie' && !options.keepCookies)
    ) {
      continue;
    }

    result[lower] = value;
  }

  if (result['cache-control'] === undefined) {
    result['cache-control'] = 'no-store';
  }

  return result;
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');

  return new Set(
    text
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
}
