import { type ServerResponse } from 'node:http';

/**
 * Content Security Policy of the SPA: its own scripts only, inline styles
 * (chart and component libraries set them), images from data and blob
 * URLs, and API calls to this origin.
 */
export const SPA_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** API responses are data, never documents: nothing may load from them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

const COMMON_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Sets the security headers on every response; the SPA gets its own policy. */
export function setSecurityHeaders(response: ServerResponse, kind: 'spa' | 'api'): void {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) {
    response.setHeader(name, value);
  }

  response.setHeader(
    'content-security-policy',
    kind === 'spa' ? SPA_CONTENT_SECURITY_POLICY : API_CONTENT_SECURITY_POLICY,
  );
}
