import { isIP } from 'node:net';

/** Request shape the helpers read: a Fastify request. */
export interface ClientRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * Returns the browser's IP address. Every caller of the auth service is a
 * mesh peer (mutual TLS), and the edge puts the browser's address in
 * `x-forwarded-for`, so its first entry is trusted. Without that header,
 * the peer's own address is used.
 */
export function clientAddress(request: ClientRequest): string {
  const header = request.headers['x-forwarded-for'];
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();

  if (first !== undefined && isIP(first) !== 0) {
    return first;
  }

  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}

/** Returns whether the browser reached the edge over HTTPS, as reported in the edge's `x-forwarded-proto`. */
export function browserUsedHttps(request: ClientRequest): boolean {
  const header = request.headers['x-forwarded-proto'];
  const value = Array.isArray(header) ? header[0] : header;

  return value?.split(',')[0]?.trim().toLowerCase() === 'https';
}
