import { type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import {
  ForbiddenException,
  Inject,
  Injectable,
  type OnModuleInit,
  UnauthorizedException,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { type FastifyInstance } from 'fastify';

import {
  AUTH_DECISION_KEY,
  AUTH_GUARD_OPTIONS,
  type AuthDecision,
  type AuthenticatedUser,
  hasRequiredRole,
  readBearerToken,
  type ResolvedAuthGuardOptions,
  TokenRejectedError,
} from '@rokks/auth-guard';
import {
  type CompletedExchange,
  InjectPinoLogger,
  logRequestCompleted,
  PinoLogger,
  REQUEST_ID_HEADER,
  resolveRequestId,
} from '@rokks/logging';
import { type QueryResult } from '@rokks/sql-engine';

import { describeException, errorHeaders } from '../http/sql-gateway-exception.filter';
import { parseInput } from '../http/zod-validation.pipe';
import { QueriesController } from './queries.controller';
import { sqlQuerySchema, widgetQuerySchema } from './query-schemas';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** A query route served before fastify: its access decision and its handler on a parsed body. */
interface FastRoute {
  decision: Extract<AuthDecision, { kind: 'roles' | 'authenticated' }>;
  run(user: AuthenticatedUser, body: unknown): Promise<QueryResult>;
}

type JsonParser = ReturnType<FastifyInstance['getDefaultJsonParser']>;

// The body types fastify's default JSON parser takes. Other spellings
// (`application/vnd.x+json`, another charset) still reach fastify.
const JSON_CONTENT_TYPE = /^application\/json(?:;\s*charset=utf-8)?$/i;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];

    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

/** Runs fastify's JSON parser, which calls back synchronously, and returns its value or throws its error. */
function parseJson(parser: JsonParser, text: string): unknown {
  let failure: Error | null = null;
  let value: unknown;

  void parser(undefined as never, text, (error: Error | null, parsed?: unknown) => {
    failure = error;
    value = parsed;
  });

  if (failure !== null) {
    throw failure as Error;
  }

  return value;
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);

  response.statusCode = statusCode;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(text);
}

/**
 * Serves `POST /api/sql/query` and `POST /api/sql/widget-query` on the
 * server's request event, before fastify and Nest add their routing,
 * middleware, guards, pipes and per-request logging. These calls are most of
 * the gateway's traffic, and that stack took about two thirds of a
 * `SELECT 1`'s CPU in the gateway.
 *
 * The steps and the responses are those of the Nest route. The body goes
 * through fastify's JSON parser, and the request id is resolved the same
 * way. The access decision of the `QueriesController` handler is checked as
 * `RokksAuthGuard` checks it. The same zod schemas and handlers run, and
 * errors get the bodies and headers of `SqlGatewayExceptionFilter`. Each
 * request gets one `request completed` line.
 *
 * Only the common request shape takes this path: a JSON body with a
 * `content-length` within fastify's body limit, and a path without a query
 * string. Every other request, and every request once the server is
 * closing, goes to fastify as before.
 */
@Injectable()
export class QueryFastPath implements OnModuleInit {
  private readonly routes = new Map<string, FastRoute>();
  private closing = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
    @Inject(AUTH_GUARD_OPTIONS) private readonly authOptions: ResolvedAuthGuardOptions,
    @InjectPinoLogger(QueryFastPath.name) private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const controller = this.moduleRef.get(QueriesController, { strict: false });

    this.addRoute('/api/sql/query', QueriesController.prototype.query, (user, body) =>
      controller.query(user, parseInput(sqlQuerySchema, body)),
    );
    this.addRoute('/api/sql/widget-query', QueriesController.prototype.widgetQuery, (user, body) =>
      controller.widgetQuery(user, parseInput(widgetQuerySchema, body)),
    );

    const listeners = fastify.server.listeners('request') as RequestListener[];

    if (listeners.length !== 1 || this.routes.size === 0) {
      this.logger.warn(
        { listeners: listeners.length, routes: this.routes.size },
        'query fast path not installed: expected one request listener and a route with a user access decision; the query routes go through Nest',
      );

      return;
    }

    const [route] = listeners;
    const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
    const parser = fastify.getDefaultJsonParser(
      onProtoPoisoning ?? 'error',
      onConstructorPoisoning ?? 'error',
    );

    // While closing, fastify responds 503 to new requests, so they go to fastify then.
    fastify.addHook('preClose', (done) => {
      this.closing = true;
      done();
    });
    fastify.server.removeListener('request', route);
    fastify.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const fast = this.closing ? undefined : this.matchRoute(request, bodyLimit ?? 1024 * 1024);

      if (fast === undefined) {
        route(request, response);
      } else {
        void this.handle(request, response, fast, parser);
      }
    });
    this.logger.info({ routes: [...this.routes.keys()] }, 'query fast path installed');
  }

  /** Adds a route when its handler declares a user access decision; other decisions stay with the guard. */
  private addRoute(path: string, handler: object, run: FastRoute['run']): void {
    const decision = Reflect.getMetadata(AUTH_DECISION_KEY, handler) as AuthDecision | undefined;

    if (decision?.kind === 'roles' || decision?.kind === 'authenticated') {
      this.routes.set(path, { decision, run });
    }
  }

  private matchRoute(request: IncomingMessage, bodyLimit: number): FastRoute | undefined {
    if (request.method !== 'POST') {
      return undefined;
    }

    const route = this.routes.get(request.url ?? '');
    const contentType = request.headers['content-type'];
    const contentLength = request.headers['content-length'];

    if (
      route === undefined ||
      contentType === undefined ||
      contentLength === undefined ||
      !JSON_CONTENT_TYPE.test(contentType)
    ) {
      return undefined;
    }

    const length = Number(contentLength);

    return Number.isSafeInteger(length) && length <= bodyLimit ? route : undefined;
  }

  private async handle(
    request: IncomingMessage,
    response: ServerResponse,
    route: FastRoute,
    parser: JsonParser,
  ): Promise<void> {
    const startedAt = performance.now();
    const exchange: CompletedExchange = {
      requestId: resolveRequestId(request.headers[REQUEST_ID_HEADER]),
    };

    response.setHeader(REQUEST_ID_HEADER, exchange.requestId);
    response.once('close', () =>
      logRequestCompleted(this.logger, request, response, exchange, startedAt),
    );

    let text: string;

    try {
      text = await readBody(request);
    } catch {
      // The client closed the connection before the body ended, so no one
      // is left to respond to. The completion line reports it as aborted.
      return;
    }

    try {
      // The Nest route's order: body parser, guard, validation pipe, handler.
      const body = parseJson(parser, text);
      const user = await this.authenticate(request, route.decision);

      exchange.userId = user.id;
      sendJson(response, 200, await route.run(user, body));
    } catch (error) {
      this.sendError(response, error);
    }
  }

  /** Checks the access token and the roles with the messages and log lines of `RokksAuthGuard`. */
  private async authenticate(
    request: IncomingMessage,
    decision: FastRoute['decision'],
  ): Promise<AuthenticatedUser> {
    const verifier = this.authOptions.verifier;

    if (verifier === undefined) {
      throw new ForbiddenException('This service accepts no user tokens.');
    }

    const token = readBearerToken(request);

    if (!('value' in token)) {
      this.logger.debug(
        { reason: token.problem, method: request.method, url: request.url },
        'access token missing',
      );

      throw new UnauthorizedException(
        'Sign in: send one "Authorization: Bearer <access token>" header.',
      );
    }

    let user: AuthenticatedUser;

    // The verifier keeps verified tokens with their expiry, so a repeated
    // token costs a map lookup, not a signature check.
    try {
      user = await verifier.verify(token.value);
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) {
        throw error;
      }

      const level = error.reason === 'expired' ? 'debug' : 'warn';

      this.logger[level](
        { reason: error.reason, method: request.method, url: request.url },
        'access token rejected',
      );

      throw new UnauthorizedException('The access token is invalid or expired; sign in again.');
    }

    if (decision.kind === 'roles' && !hasRequiredRole(user, decision.roles)) {
      this.logger.info(
        { required: decision.roles, userId: user.id, url: request.url },
        'role missing',
      );

      throw new ForbiddenException(`This action needs the role ${decision.roles.join(' or ')}.`);
    }

    return user;
  }

  private sendError(response: ServerResponse, error: unknown): void {
    const body = describeException(error, this.logger);

    if (response.headersSent || response.destroyed) {
      return;
    }

    for (const [name, value] of errorHeaders(body.statusCode)) {
      response.setHeader(name, value);
    }

    sendJson(response, body.statusCode, body);
  }
}
