import { type ClientProxy, ClientProxyFactory } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';

import { type MeshIdentity, microserviceClientOptions } from '@rokks/mesh';

import { DocStoreError } from '../doc-store.errors';
import { docStoreErrorFrom, MONIO_PATTERNS, type MonioOperation } from './monio-protocol';

interface Connection {
  proxy: ClientProxy;
  host: string;
  port: number;
  certificatePem: string;
}

/**
 * Sends MonIO's document messages over its microservice listener with the
 * caller's mesh certificate. A renewed certificate opens a new connection,
 * and the old one closes after the call time-out, so its calls can finish.
 * A failed connection is dropped, so the next call connects again.
 */
export class MonioRpcClient {
  private connection: Connection | undefined;

  constructor(
    private readonly identity: () => MeshIdentity,
    private readonly timeoutMs: number,
  ) {}

  async send<T>(
    target: { host: string; port: number },
    operation: MonioOperation,
    payload: object,
  ): Promise<T> {
    const proxy = this.proxyFor(target);

    try {
      return await firstValueFrom(
        proxy.send<T>(MONIO_PATTERNS[operation], payload).pipe(timeout(this.timeoutMs)),
      );
    } catch (error) {
      const docStoreError = docStoreErrorFrom(error);

      if (docStoreError !== null) {
        throw docStoreError;
      }

      // A refusal without a doc-store code, such as the auth guard's 403.
      const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;

      if (typeof statusCode === 'number') {
        throw new DocStoreError(
          'UNAVAILABLE',
          `MonIO rejected ${operation} with status ${statusCode}: ${describeError(error)}`,
          { status: statusCode },
        );
      }

      if (error instanceof TimeoutError) {
        throw new DocStoreError(
          'UNAVAILABLE',
          `MonIO did not answer ${operation} within ${this.timeoutMs} ms; retry later.`,
        );
      }

      this.drop();
      throw new DocStoreError(
        'UNAVAILABLE',
        `MonIO could not be reached for ${operation}: ${describeError(error)}`,
        {},
        { cause: error },
      );
    }
  }

  /** Whether the last call failed to reach MonIO, so its address should be looked up again. */
  get disconnected(): boolean {
    return this.connection === undefined;
  }

  close(): void {
    this.drop();
  }

  private proxyFor(target: { host: string; port: number }): ClientProxy {
    const identity = this.identity();
    const current = this.connection;

    if (
      current !== undefined &&
      current.host === target.host &&
      current.port === target.port &&
      current.certificatePem === identity.certificatePem
    ) {
      return current.proxy;
    }

    if (current !== undefined) {
      // Calls in flight on the old connection get their time-out to finish.
      setTimeout(() => current.proxy.close(), this.timeoutMs).unref();
    }

    const proxy = ClientProxyFactory.create(microserviceClientOptions(identity, target));

    this.connection = {
      proxy,
      host: target.host,
      port: target.port,
      certificatePem: identity.certificatePem,
    };

    return proxy;
  }

  private drop(): void {
    this.connection?.proxy.close();
    this.connection = undefined;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }

  const message = (error as { message?: unknown } | null)?.message;

  return typeof message === 'string' ? message : JSON.stringify(error);
}
