import { type IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

/** The browser behind a request, as far as the edge can tell. */
export interface ClientOrigin {
  address: string;
  /** Scheme the browser used: the listener's own, or a trusted proxy's `x-forwarded-proto`. */
  protocol: 'http' | 'https';
}

/**
 * Returns the client's address and scheme. `x-forwarded-for` and
 * `x-forwarded-proto` are read only when the connection comes from a
 * trusted proxy, and then the rightmost address that is not itself a
 * trusted proxy is the client (the left part of the list is whatever the
 * client sent).
 */
export function resolveClient(
  socketAddress: string | undefined,
  headers: IncomingHttpHeaders,
  trustedProxies: readonly string[],
): ClientOrigin {
  const peer = normalizeAddress(socketAddress ?? 'unknown');

  if (!trustedProxies.includes(peer)) {
    return { address: peer, protocol: 'http' };
  }

  const forwardedFor = headerList(headers['x-forwarded-for']).map(normalizeAddress);
  let address = peer;

  for (let index = forwardedFor.length - 1; index >= 0; index -= 1) {
    if (isIP(forwardedFor[index]) === 0) {
      break;
    }

    address = forwardedFor[index];

    if (!trustedProxies.includes(address)) {
      break;
    }
  }

  const protocol =
    headerList(headers['x-forwarded-proto'])[0]?.toLowerCase() === 'https' ? 'https' : 'http';

  return { address, protocol };
}

/** Writes IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) as plain IPv4. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function headerList(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');

  return joined
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
