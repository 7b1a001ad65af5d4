import { type IncomingMessage, type ServerResponse } from 'node:http';

import { Injectable } from '@nestjs/common';
import { type Dispatcher, errors } from 'undici';

import { InjectPinoLogger, PinoLogger, withContext } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type EdgeSettings } from '../edge.settings';
import { sendError } from '../http/edge-errors';
import { type BackendService, type BodyClass } from '../routing/route-table';
import { BodyLimit, BodyTooLargeError } from './body-limit';
import { browserResponseHeaders, upstreamRequestHeaders } from './forward-headers';
import { UpstreamAgent } from './upstream-agent';
import { UpstreamDirectory } from './upstream-directory';

/** One browser request to pass on to a backend. */
export interface ForwardRequest {
  service: BackendService;
  bodyClass: BodyClass;
  /** Canonical path plus the raw query string. */
  target: string;
  requestId: string;
  clientAddress: string;
  protocol: 'http' | 'https';
  userId?: string;
}

// Connection failures that happen before the backend saw the request, so
// a request without a body can go to another instance.
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Forwards a request to a backend over mutual TLS and streams both bodies
 * without buffering. The request body flows through a byte counter that
 * stops it at its class's limit. The response body (JSON, a file, an event
 * stream) is piped to the browser as it arrives, with backpressure. A
 * browser that disconnects aborts the backend request.
 */
@Injectable()
export class RequestForwarder {
  constructor(
    private readonly directory: UpstreamDirectory,
    private readonly upstream: UpstreamAgent,
    private readonly context: ServiceContext<EdgeSettings>,
    @InjectPinoLogger(RequestForwarder.name) private readonly logger: PinoLogger,
  ) {}

  async forward(
    incoming: IncomingMessage,
    response: ServerResponse,
    forward: ForwardRequest,
  ): Promise<void> {
    const limitBytes = this.limitFor(forward.bodyClass);
    const declaredLength = Number(incoming.headers['content-length'] ?? '0');

    if (declaredLength > limitBytes) {
      tooLarge(response, limitBytes);

      return;
    }

    const hasBody = declaredLength > 0 || incoming.headers['transfer-encoding'] !== undefined;
    const abort = new AbortController();

    response.once('close', () => {
      if (!response.writableFinished) {
        abort.abort();
      }
    });

    for (let attempt = 1; ; attempt += 1) {
      const baseUrl = await this.directory.resolve(forward.service);

      if (baseUrl === undefined) {
        unavailable(response, forward.service);

        return;
      }

      const outcome = await this.send(
        incoming,
        response,
        forward,
        baseUrl,
        hasBody ? new BodyLimit(limitBytes) : undefined,
        abort,
      );

      if (outcome !== 'retry' || attempt > 1 || hasBody) {
        if (outcome === 'retry') {
          unavailable(response, forward.service);
        }

        return;
      }

      await this.directory.refresh();
    }
  }

  private async send(
    incoming: IncomingMessage,
    response: ServerResponse,
    forward: ForwardRequest,
    baseUrl: string,
    body: BodyLimit | undefined,
    abort: AbortController,
  ): Promise<'done' | 'retry'> {
    const keepCookies = forward.service === 'auth';

    if (body !== undefined) {
      incoming.pipe(body);
      incoming.once('error', (error) => body.destroy(error));
    }

    try {
      await new Promise<void>((resolve, reject) => {
        this.upstream.agent.dispatch(
          {
            origin: baseUrl,
            path: forward.target,
            method: incoming.method as Dispatcher.HttpMethod,
            headers: upstreamRequestHeaders(incoming.headers, {
              requestId: forward.requestId,
              clientAddress: forward.clientAddress,
              protocol: forward.protocol,
              internalSecret: this.context.identity.internalSecret,
              keepCookies,
            }),
            body,
            headersTimeout: this.context.settings.upstreamHeadersTimeoutMs,
            // Event streams and large downloads may be idle or long; the browser's
            // disconnect is what ends them.
            bodyTimeout: 0,
          },
          new ResponseRelay(response, abort.signal, keepCookies, resolve, reject),
        );
      });

      return 'done';
    } catch (error) {
      return this.handleFailure(error, response, forward, baseUrl, body, abort);
    }
  }

  private handleFailure(
    error: unknown,
    response: ServerResponse,
    forward: ForwardRequest,
    baseUrl: string,
    body: BodyLimit | undefined,
    abort: AbortController,
  ): 'done' | 'retry' {
    const logger = withContext(this.logger, { userId: forward.userId });

    if (error instanceof BodyTooLargeError || body?.errored instanceof BodyTooLargeError) {
      tooLarge(response, body?.limitBytes ?? 0);

      return 'done';
    }

    if (abort.signal.aborted) {
      // The browser disconnected, so no response can be sent.
      response.destroy();

      return 'done';
    }

    if (response.headersSent) {
      logger.warn({ err: error, targetService: forward.service }, 'backend response stream failed');
      response.destroy();

      return 'done';
    }

    if (error instanceof errors.HeadersTimeoutError) {
      logger.warn({ targetService: forward.service, url: baseUrl }, 'backend timed out');
      sendError(
        response,
        504,
        `The ${forward.service} backend timed out before sending a response.`,
      );

      return 'done';
    }

    const code =
      (error as { code?: string; cause?: { code?: string } }).cause?.code ??
      (error as { code?: string }).code;

    if (code !== undefined && CONNECT_FAILURES.has(code)) {
      this.directory.reportFailure(forward.service, baseUrl);

      return 'retry';
    }

    logger.error({ err: error, targetService: forward.service }, 'forwarding failed');
    sendError(response, 502, `The ${forward.service} backend sent an invalid response.`);

    return 'done';
  }

  private limitFor(bodyClass: BodyClass): number {
    const settings = this.context.settings;

    switch (bodyClass) {
      case 'auth':
        return settings.authBodyLimitBytes;
      case 'api':
        return settings.apiBodyLimitBytes;
      case 'upload':
        return settings.uploadLimitBytes;
    }
  }
}

function tooLarge(response: ServerResponse, limitBytes: number): void {
  // The rest of the body is not read, so the connection cannot carry another request.
  sendError(response, 413, `The request body is larger than the limit of ${limitBytes} bytes.`, {
    headers: { connection: 'close' },
    details: { limitBytes },
  });
}

function unavailable(response: ServerResponse, service: string): void {
  sendError(response, 503, `The ${service} backend is unavailable; try again shortly.`, {
    headers: { 'retry-after': '5' },
  });
}

/**
 * Writes a backend's response to the browser as undici delivers it: the
 * status and headers once, then each chunk, pausing the backend while the
 * browser's socket is full. The browser leaving aborts the backend request.
 */
class ResponseRelay implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;

  constructor(
    private readonly response: ServerResponse,
    private readonly signal: AbortSignal,
    private readonly keepCookies: boolean,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;

    if (this.signal.aborted) {
      controller.abort(this.signal.reason);
    } else {
      this.signal.addEventListener('abort', this.abortRequest, { once: true });
    }
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.response.writeHead(
      statusCode,
      browserResponseHeaders(headers, { keepCookies: this.keepCookies }),
    );
    this.response.on('drain', () => controller.resume());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.response.write(chunk)) {
      controller.pause();
    }
  }

  onResponseEnd(): void {
    this.signal.removeEventListener('abort', this.abortRequest);
    this.response.end();
    this.resolve();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.signal.removeEventListener('abort', this.abortRequest);
    this.reject(error);
  }

  private readonly abortRequest = (): void => {
    this.controller?.abort(this.signal.reason);
  };
}
