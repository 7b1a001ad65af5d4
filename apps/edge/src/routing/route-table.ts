import { type Role } from '@rokks/auth-guard';

/** The callers a route admits at the edge; the backend checks again with its own decorators. */
export type EdgeAccess =
  { kind: 'public' } | { kind: 'authenticated' } | { kind: 'role'; role: Role };

/** Request body size classes, each with its own limit. */
export type BodyClass = 'auth' | 'api' | 'upload';

/** The edge's handling of a request. */
export type EdgeRoute =
  | { kind: 'forward'; service: BackendService; access: EdgeAccess; bodyClass: BodyClass }
  | { kind: 'health' }
  | { kind: 'docs' }
  | { kind: 'spa' }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allowed: string[] };

/** The backends the edge forwards to, by the service name they register under. */
export const BACKEND_SERVICES = [
  'auth',
  'doc-gateway',
  'sql-gateway',
  'ai',
  'worker',
  'data-transform',
] as const;

export type BackendService = (typeof BACKEND_SERVICES)[number];

/** `/api/<prefix>/…` and the service that serves it at the same path. */
export const API_PREFIXES: Readonly<Record<string, BackendService>> = {
  doc: 'doc-gateway',
  sql: 'sql-gateway',
  ai: 'ai',
  jobs: 'worker',
  audit: 'worker',
  transform: 'data-transform',
};

const FORWARDED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const READ_METHODS = ['GET', 'HEAD'];

const PUBLIC: EdgeAccess = { kind: 'public' };
const SIGNED_IN: EdgeAccess = { kind: 'authenticated' };
const VIEWER: EdgeAccess = { kind: 'role', role: 'viewer' };
const EDITOR: EdgeAccess = { kind: 'role', role: 'editor' };
const ADMIN: EdgeAccess = { kind: 'role', role: 'admin' };

/**
 * Decides what to do with a request from its method and decoded path
 * segments (see `parseRequestPath`). Names are compared exactly, so a
 * spelling the table does not list (`QUERY`, a trailing slash) falls to the
 * stricter rule. Access per route:
 * - `/auth/users…`: admin; `/auth/me`: signed in; other `/auth/…`: public
 *   (sign-in, refresh, sign-out, identity-provider redirects).
 * - `/api/audit…` and `/api/<prefix>/settings…` (but `/api/doc`): admin.
 * - GET and HEAD under `/api/<prefix>`: viewer, as are the read-only POSTs
 *   `/api/sql/query`, `/api/sql/widget-query`, `/api/doc/<collection>/query`
 *   and `/api/transform/preview`.
 * - Every other write under `/api/<prefix>`: editor.
 */
export function resolveRoute(method: string, segments: readonly string[]): EdgeRoute {
  const [first, second] = segments;

  if (first === 'auth') {
    return (
      forwardable(method) ?? {
        kind: 'forward',
        service: 'auth',
        access: authAccess(segments),
        bodyClass: 'auth',
      }
    );
  }

  if (first !== 'api') {
    // `/API/…` and `/Auth/…` are not served by the SPA either.
    if (first.toLowerCase() === 'api' || first.toLowerCase() === 'auth') {
      return { kind: 'not-found' };
    }

    return READ_METHODS.includes(method)
      ? { kind: 'spa' }
      : { kind: 'method-not-allowed', allowed: READ_METHODS };
  }

  if (segments.length === 2 && (second === 'health' || second === 'docs')) {
    return READ_METHODS.includes(method)
      ? { kind: second }
      : { kind: 'method-not-allowed', allowed: READ_METHODS };
  }

  const service = second === undefined ? undefined : API_PREFIXES[second];

  if (service === undefined) {
    return { kind: 'not-found' };
  }

  return (
    forwardable(method) ?? {
      kind: 'forward',
      service,
      access: apiAccess(method, segments),
      bodyClass: isUpload(method, segments) ? 'upload' : 'api',
    }
  );
}

function forwardable(method: string): EdgeRoute | undefined {
  return FORWARDED_METHODS.includes(method)
    ? undefined
    : { kind: 'method-not-allowed', allowed: FORWARDED_METHODS };
}

function authAccess(segments: readonly string[]): EdgeAccess {
  if (segments[1] === 'users') {
    return ADMIN;
  }

  if (segments[1] === 'me' && segments.length === 2) {
    return SIGNED_IN;
  }

  return PUBLIC;
}

function apiAccess(method: string, segments: readonly string[]): EdgeAccess {
  // Under /api/doc the third segment is a collection name, which is data.
  if (segments[1] === 'audit' || (segments[1] !== 'doc' && segments[2] === 'settings')) {
    return ADMIN;
  }

  if (READ_METHODS.includes(method) || (method === 'POST' && isReadOnlyPost(segments))) {
    return VIEWER;
  }

  return EDITOR;
}

function isReadOnlyPost(segments: readonly string[]): boolean {
  const path = segments.join('/');

  return (
    path === 'api/sql/query' ||
    path === 'api/sql/widget-query' ||
    path === 'api/transform/preview' ||
    (segments.length === 4 &&
      segments[1] === 'doc' &&
      segments[2] !== 'blobs' &&
      segments[3] === 'query')
  );
}

function isUpload(method: string, segments: readonly string[]): boolean {
  const path = segments.join('/');

  return (
    (method === 'POST' && path === 'api/transform/files') ||
    (method === 'PUT' && segments[1] === 'doc' && segments[2] === 'blobs')
  );
}
