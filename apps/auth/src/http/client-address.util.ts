import { isIP, type Socket } from 'node:net';

import { authenticatedPeerService } from '@rokks/mesh';

/** Mesh service whose `x-forwarded-*` headers describe the browser. */
const FORWARDING_SERVICE = 'edge';

/** Request shape the helpers read: a Fastify request. */
export interface ClientRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: Socket;
}

/** Returns the first entry of an `x-forwarded-*` header, when the edge sent the request. */
function forwardedByEdge(request: ClientRequest, name: string): string | undefined {
  if (authenticatedPeerService(request.socket) !== FORWARDING_SERVICE) {
    return undefined;
  }

  const header = request.headers[name];

  return (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
}

/**
 * Returns the browser's IP address. The edge puts it in `x-forwarded-for`,
 * and its first entry is trusted only when the mesh certificate of the
 * caller is the edge's. Otherwise the peer's own address is used, so another
 * service cannot pick the address a login rate limit counts against.
 */
export function clientAddress(request: ClientRequest): string {
  const first = forwardedByEdge(request, 'x-forwarded-for');

  if (first !== undefined && isIP(first) !== 0) {
    return first;
  }

  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}

/** Returns whether the browser reached the edge over HTTPS, as reported in the edge's `x-forwarded-proto`. */
export function browserUsedHttps(request: ClientRequest): boolean {
  return forwardedByEdge(request, 'x-forwarded-proto')?.toLowerCase() === 'https';
}
