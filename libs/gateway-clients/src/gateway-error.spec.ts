import { Response } from 'undici';

import { errorFromRequest, errorFromResponse, GatewayError } from './gateway-error';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('GatewayError', () => {
  it.each([
    [400, false],
    [404, false],
    [409, false],
    [422, false],
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [null, true],
  ])('status %p retryable is %p', (status, retryable) => {
    expect(new GatewayError('sql-gateway', status, 'failed').retryable).toBe(retryable);
  });

  it('reads the error body', async () => {
    const error = await errorFromResponse(
      'sql-gateway',
      'Beginning load "l1"',
      jsonResponse(409, { statusCode: 409, error: 'Conflict', message: 'table "sales" exists', details: { table: 'sales' } }),
    );

    expect(error.status).toBe(409);
    expect(error.error).toBe('Conflict');
    expect(error.details).toEqual({ table: 'sales' });
    expect(error.message).toBe('Beginning load "l1" failed with status 409: table "sales" exists');
  });

  it('keeps a plain text body', async () => {
    const error = await errorFromResponse('doc-gateway', 'Uploading blob "a"', new Response('upstream went away', { status: 502 }));

    expect(error.message).toBe('Uploading blob "a" failed with status 502: upstream went away');
    expect(error.error).toBeNull();
  });

  it('wraps a network failure', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const error = errorFromRequest('worker', 'Submitting a job', new TypeError('fetch failed', { cause }));

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBeNull();
    expect(error.message).toContain('ECONNREFUSED');
  });
});
