import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { type AuthenticatedUser, hasRequiredRole } from '@rokks/auth-guard';
import {
  InjectPinoLogger,
  logRequestCompleted,
  PinoLogger,
  REQUEST_ID_HEADER,
  resolveRequestId,
} from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type EdgeSettings } from '../edge.settings';
import { OpenApiMerger } from '../platform/openapi-merger';
import { PlatformHealth } from '../platform/platform-health';
import { internalHeadersIn } from '../proxy/forward-headers';
import { RequestForwarder } from '../proxy/request-forwarder';
import { type ParsedPath, parseRequestPath } from '../routing/request-path';
import { type EdgeAccess, type EdgeRoute, resolveRoute } from '../routing/route-table';
import { type ClientOrigin, resolveClient } from '../security/client-address';
import { EdgeAuthenticator } from '../security/edge-authenticator';
import { RateLimiter } from '../security/rate-limiter';
import { setSecurityHeaders } from '../security/security-headers';
import { SpaFiles } from '../spa/spa-files';
import { sendError } from './edge-errors';

const PATH_REJECTED_MESSAGE =
  'The request path is not accepted: it has an ambiguous or invalid spelling (such as //, .., %2f or ;).';

/**
 * One browser request on its way through the edge. Forwarded requests use
 * only the raw Node request and response. The routes the edge serves itself
 * (health, docs, the SPA, errors for unknown paths) also carry fastify's reply.
 */
interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  reply?: FastifyReply;
  requestId: string;
  client: ClientOrigin;
  userId?: string;
}

/** A request fastify routed to the edge's catch-all route. */
type ServedExchange = Exchange & { reply: FastifyReply };

/**
 * The browser-facing routes of the edge. Every path goes through the same
 * parsing (`parseRequestPath`), routing (`resolveRoute`), access check and
 * rate limit before anything is forwarded or served. Requests to forward,
 * nearly all of the traffic, are handled on the server's request event,
 * before fastify and Nest add their routing, hooks and request logging.
 * The edge writes its own `request completed` line for each of them. The
 * other routes (health, docs, the SPA) are one catch-all fastify route. Request bodies are never parsed: the edge streams
 * them to the backends.
 */
@Injectable()
export class PublicRoutes implements OnModuleInit {
  private readonly rateLimiter = new RateLimiter();
  private spa?: SpaFiles;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authenticator: EdgeAuthenticator,
    private readonly forwarder: RequestForwarder,
    private readonly health: PlatformHealth,
    private readonly docs: OpenApiMerger,
    private readonly context: ServiceContext<EdgeSettings>,
    @InjectPinoLogger(PublicRoutes.name) private readonly logger: PinoLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();

    // Bodies stay unread streams, whatever their type and size.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
    fastify.addHook('onRequest', (request, reply, done) => {
      setSecurityHeaders(reply.raw, 'api');
      done();
    });
    this.spa = await SpaFiles.register(fastify, this.context.settings.spaDir);
    fastify.all('/*', (request, reply) => this.handle(request, reply));
    this.checkPathsBeforeRouting(fastify);
    this.logger.info(
      { spa: this.spa.enabled, spaDir: this.context.settings.spaDir },
      'public routes ready',
    );
  }

  /**
   * Fastify's router responds to a malformed escape (`%zz`) itself, before
   * any hook, without a request id or security headers. The path check therefore
   * runs first, on the server's request event, and fastify receives only paths
   * that pass it and that are not forwarded.
   */
  private checkPathsBeforeRouting(fastify: FastifyInstance): void {
    const listeners = fastify.server.listeners('request') as ((
      request: IncomingMessage,
      response: ServerResponse,
    ) => void)[];

    if (listeners.length !== 1) {
      this.logger.warn(
        { listeners: listeners.length },
        'path check not installed: unexpected request listeners',
      );

      return;
    }

    const [route] = listeners;

    fastify.server.removeListener('request', route);
    fastify.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const parsed = parseRequestPath(request.url ?? '');

      if (!('problem' in parsed)) {
        const resolved = resolveRoute(request.method ?? 'GET', parsed.segments);

        if (resolved.kind === 'forward') {
          void this.handleForward(request, response, resolved, parsed);
        } else {
          route(request, response);
        }

        return;
      }

      const requestId = resolveRequestId(request.headers[REQUEST_ID_HEADER]);

      response.setHeader(REQUEST_ID_HEADER, requestId);
      setSecurityHeaders(response, 'api');
      this.logger.info(
        { requestId, problem: parsed.problem, method: request.method },
        'request path rejected',
      );
      sendError(response, 400, PATH_REJECTED_MESSAGE, { details: { problem: parsed.problem } });
    });
  }

  /** Forwards a request from the server's request event, without fastify. */
  private async handleForward(
    request: IncomingMessage,
    response: ServerResponse,
    route: Extract<EdgeRoute, { kind: 'forward' }>,
    parsed: ParsedPath,
  ): Promise<void> {
    const startedAt = performance.now();
    const requestId = resolveRequestId(request.headers[REQUEST_ID_HEADER]);

    response.setHeader(REQUEST_ID_HEADER, requestId);
    setSecurityHeaders(response, 'api');

    const exchange: Exchange = {
      request,
      response,
      requestId,
      client: resolveClient(
        request.socket.remoteAddress,
        request.headers,
        this.context.settings.trustedProxies,
      ),
    };

    response.once('close', () =>
      logRequestCompleted(this.logger, request, response, exchange, startedAt),
    );
    this.dropInternalHeaders(exchange);

    try {
      await this.forward(exchange, route, parsed);
    } catch (error) {
      this.failUnexpectedly(exchange, error);
    }
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const exchange: ServedExchange = {
      request: request.raw,
      response: reply.raw,
      reply,
      requestId: this.requestId(reply),
      client: resolveClient(
        request.raw.socket.remoteAddress,
        request.headers,
        this.context.settings.trustedProxies,
      ),
    };

    this.dropInternalHeaders(exchange);

    const parsed = parseRequestPath(request.raw.url ?? '');

    if ('problem' in parsed) {
      this.fail(
        exchange,
        400,
        'The request path is not accepted: it has an ambiguous or invalid spelling.',
        { details: { problem: parsed.problem } },
      );

      return reply;
    }

    const route = resolveRoute(request.raw.method ?? 'GET', parsed.segments);

    try {
      await this.dispatch(exchange, route, parsed);
    } catch (error) {
      this.failUnexpectedly(exchange, error);
    }

    return reply;
  }

  private failUnexpectedly(exchange: Exchange, error: unknown): void {
    const errorId = randomUUID();

    this.logger.error(
      { err: error, errorId, requestId: exchange.requestId },
      'request failed in the edge',
    );
    this.fail(exchange, 500, `Internal error; quote error id ${errorId} when reporting it.`, {
      details: { errorId },
    });
  }

  private async dispatch(
    exchange: ServedExchange,
    route: EdgeRoute,
    parsed: ParsedPath,
  ): Promise<void> {
    switch (route.kind) {
      case 'spa':
        return this.serveSpa(exchange, parsed);
      case 'not-found':
        return this.fail(exchange, 404, `No route ${parsed.path}.`);
      case 'method-not-allowed':
        return this.fail(
          exchange,
          405,
          `${exchange.request.method ?? ''} is not allowed on ${parsed.path}.`,
          { headers: { allow: route.allowed.join(', ') } },
        );
      case 'health':
        return this.serveHealth(exchange);
      case 'docs':
        return this.serveDocs(exchange);
      case 'forward':
        return this.forward(exchange, route, parsed);
    }
  }

  private async forward(
    exchange: Exchange,
    route: Extract<EdgeRoute, { kind: 'forward' }>,
    parsed: ParsedPath,
  ): Promise<void> {
    const user = await this.admit(exchange, route.access);

    if (user === false) {
      return;
    }

    exchange.userId = user?.id;
    exchange.reply?.hijack();
    await this.forwarder.forward(exchange.request, exchange.response, {
      service: route.service,
      bodyClass: route.bodyClass,
      target: `${parsed.path}${parsed.search}`,
      requestId: exchange.requestId,
      clientAddress: exchange.client.address,
      protocol: exchange.client.protocol,
      userId: user?.id,
    });
  }

  private async serveHealth(exchange: ServedExchange): Promise<void> {
    const user = await this.admit(exchange, { kind: 'public' }, { optionalUser: true });

    if (user === false) {
      return;
    }

    const report = await this.health.report(user !== undefined, exchange.requestId);

    await exchange.reply
      .status(report.statusCode)
      .header('cache-control', 'no-store')
      .send(report.body);
  }

  private async serveDocs(exchange: ServedExchange): Promise<void> {
    const user = await this.admit(exchange, { kind: 'authenticated' });

    if (user === false) {
      return;
    }

    await exchange.reply.header('cache-control', 'no-store').send(await this.docs.document());
  }

  private async serveSpa(exchange: ServedExchange, parsed: ParsedPath): Promise<void> {
    setSecurityHeaders(exchange.response, 'spa');

    if (this.spa !== undefined && (await this.spa.send(exchange.reply, parsed.segments))) {
      return;
    }

    setSecurityHeaders(exchange.response, 'api');
    this.fail(exchange, 404, `No route ${parsed.path}.`);
  }

  /**
   * Checks access and the rate limit. Returns the user (undefined for an
   * admitted anonymous caller), or false after sending 401, 403 or 429.
   * With `optionalUser`, a token is checked when one is sent.
   */
  private async admit(
    exchange: Exchange,
    access: EdgeAccess,
    options: { optionalUser?: boolean } = {},
  ): Promise<AuthenticatedUser | undefined | false> {
    const needsUser = access.kind !== 'public';
    const authentication =
      needsUser ||
      options.optionalUser === true ||
      exchange.request.headers.authorization !== undefined
        ? await this.authenticator.authenticate(exchange.request)
        : { kind: 'anonymous' as const };
    const user = authentication.kind === 'user' ? authentication.user : undefined;

    if (!this.withinRateLimit(exchange, user)) {
      return false;
    }

    if (authentication.kind === 'rejected' && (needsUser || options.optionalUser === true)) {
      this.fail(exchange, 401, authentication.message, {
        headers: { 'www-authenticate': authentication.wwwAuthenticate },
      });

      return false;
    }

    if (needsUser && user === undefined) {
      this.fail(exchange, 401, 'Sign in: send one "Authorization: Bearer <access token>" header.', {
        headers: { 'www-authenticate': 'Bearer' },
      });

      return false;
    }

    if (access.kind === 'role' && user !== undefined && !hasRequiredRole(user, [access.role])) {
      this.logger.info(
        {
          requestId: exchange.requestId,
          userId: user.id,
          required: access.role,
          url: exchange.request.url,
        },
        'role missing',
      );
      this.fail(exchange, 403, `This action needs the role ${access.role}.`);

      return false;
    }

    return user;
  }

  private withinRateLimit(exchange: Exchange, user: AuthenticatedUser | undefined): boolean {
    const settings = this.context.settings;
    const decision =
      user === undefined
        ? this.rateLimiter.take(
            `address:${exchange.client.address}`,
            settings.anonymousRequestsPerMinute,
            settings.rateLimitBurst,
          )
        : this.rateLimiter.take(
            `user:${user.id}`,
            settings.userRequestsPerMinute,
            settings.rateLimitBurst,
          );

    if (decision.allowed) {
      return true;
    }

    this.logger.info(
      { requestId: exchange.requestId, userId: user?.id, client: exchange.client.address },
      'rate limit reached',
    );
    this.fail(exchange, 429, 'Too many requests; wait and try again.', {
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    });

    return false;
  }

  private dropInternalHeaders(exchange: Exchange): void {
    const names = internalHeadersIn(exchange.request.headers);

    if (names.length === 0) {
      return;
    }

    for (const name of names) {
      delete exchange.request.headers[name];
    }

    this.logger.warn(
      { requestId: exchange.requestId, headers: names, client: exchange.client.address },
      'internal headers from outside dropped',
    );
  }

  private requestId(reply: FastifyReply): string {
    const assigned = reply.raw.getHeader(REQUEST_ID_HEADER);

    if (typeof assigned === 'string' && assigned !== '') {
      return assigned;
    }

    const generated = resolveRequestId(undefined);

    reply.raw.setHeader(REQUEST_ID_HEADER, generated);

    return generated;
  }

  private fail(
    exchange: Exchange,
    statusCode: number,
    message: string,
    options: { headers?: Record<string, string>; details?: unknown } = {},
  ): void {
    exchange.reply?.hijack();
    sendError(exchange.response, statusCode, message, options);
  }
}
