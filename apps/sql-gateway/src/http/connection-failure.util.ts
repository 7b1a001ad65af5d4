import { isSqlEngineError } from '@rokks/sql-engine';

// Socket errors of Node and SQLSTATE classes 08 (connection exception) and
// 57P (operator intervention: shutdown, starting up) mean the database is
// out of reach, not that the request was wrong.
const SOCKET_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQL_STATE = /^(?:08[0-9A-Z]{3}|57P0[1-4])$/;

// `pg` raises these without a code when the pool waits too long or a socket closes.
const POOL_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated'];

/** Returns whether `error` means the database cannot be reached (503), as opposed to a bug (500). */
export function isConnectionFailure(error: unknown): boolean {
  if (isSqlEngineError(error)) {
    return error.code === 'BACKEND_UNAVAILABLE';
  }

  if (!(error instanceof Error)) {
    return false;
  }

  const code = (error as { code?: unknown }).code;

  if (typeof code === 'string' && (SOCKET_ERROR_CODES.has(code) || SQL_STATE.test(code))) {
    return true;
  }

  return POOL_MESSAGES.some((message) => error.message.startsWith(message));
}
