import { type Readable } from 'node:stream';

import { type Dispatcher, type RequestInit, type Response } from 'undici';

import { errorFromRequest, errorFromResponse, errorFromResponseData, GatewayError } from './gateway-error';

/** The `fetch` of mesh calls, such as `MeshClient.fetch` or `meshFetch(identity)`. */
export type MeshFetchFunction = (url: string, init?: RequestInit) => Promise<Response>;

/** Options of a `MeshRequestFunction` call. */
export interface MeshRequestInit {
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string | Uint8Array | Readable;
  signal?: AbortSignal;
}

/** undici's `request` for mesh calls, such as `MeshClient.request` or `meshFetch(identity).request`. */
export type MeshRequestFunction = (url: string, options: MeshRequestInit) => Promise<Dispatcher.ResponseData>;

/** A fixed base URL, or a function that finds one for each call (see `ServiceDirectory.resolver`). */
export type BaseUrl = string | (() => Promise<string>);

/** The fetch function and base URL a client calls its service with. */
export interface GatewayConnection {
  fetch: MeshFetchFunction;
  /**
   * Used for blob uploads and downloads when set. Its Node stream bodies take
   * less CPU than the web streams of `fetch`.
   */
  request?: MeshRequestFunction;
  /** The service's mesh HTTPS base URL, such as `https://127.0.0.1:4001`. */
  baseUrl: BaseUrl;
}

/** Sends requests to one service and turns failures into `GatewayError`s. */
export class ServiceCaller {
  constructor(
    /** Service name, for error messages. */
    readonly service: string,
    private readonly connection: GatewayConnection,
  ) {}

  async url(path: string): Promise<string> {
    const base = typeof this.connection.baseUrl === 'string' ? this.connection.baseUrl : await this.connection.baseUrl();

    return `${base.replace(/\/+$/u, '')}${path}`;
  }

  /**
   * Sends the request and returns the response when its status is one of
   * `expected`; otherwise throws a `GatewayError` with the body's message.
   */
  async call(action: string, path: string, init: RequestInit, expected: readonly number[]): Promise<Response> {
    let response: Response;

    try {
      // Mesh calls never follow redirects. With `redirect: 'error'`, the
      // fetch of undici 7 also does not tee a streamed request body to replay
      // it after a redirect, and the unread branch of that tee kept every
      // byte sent until the request ended.
      response = await this.connection.fetch(await this.url(path), { ...init, redirect: 'error' });
    } catch (error) {
      throw errorFromRequest(this.service, action, error);
    }

    if (!expected.includes(response.status)) {
      throw await errorFromResponse(this.service, action, response);
    }

    return response;
  }

  /** True when the connection has a `request` function, so `send` can be used. */
  get canSend(): boolean {
    return this.connection.request !== undefined;
  }

  /**
   * Like `call`, over the connection's `request` function: the response body
   * is a Node `Readable`. Throws when the connection has none (see `canSend`).
   */
  async send(action: string, path: string, options: MeshRequestInit, expected: readonly number[]): Promise<Dispatcher.ResponseData> {
    const request = this.connection.request;

    if (request === undefined) {
      throw new Error(`${action} failed: the GatewayConnection has no request function; check canSend before calling send.`);
    }

    let response: Dispatcher.ResponseData;

    try {
      response = await request(await this.url(path), options);
    } catch (error) {
      throw errorFromRequest(this.service, action, error);
    }

    if (!expected.includes(response.statusCode)) {
      throw await errorFromResponseData(this.service, action, response);
    }

    return response;
  }

  /** Like `send`, then reads the body as JSON. */
  async sendForJson<T>(action: string, path: string, options: MeshRequestInit, expected: readonly number[] = [200]): Promise<T> {
    const response = await this.send(action, path, options, expected);

    try {
      return (await response.body.json()) as T;
    } catch (error) {
      throw this.unreadableJson(action, error);
    }
  }

  /** Like `call`, then reads the body as JSON. */
  async json<T>(action: string, path: string, init: RequestInit, expected: readonly number[] = [200]): Promise<T> {
    const response = await this.call(action, path, init, expected);

    try {
      return (await response.json()) as T;
    } catch (error) {
      throw this.unreadableJson(action, error);
    }
  }

  private unreadableJson(action: string, error: unknown): GatewayError {
    return new GatewayError(this.service, null, `${action} failed: the response body was cut off or is not JSON: ${String(error)}`, null, undefined, {
      cause: error,
    });
  }
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
