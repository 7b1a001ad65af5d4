import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { AUTH_DECISION_KEY, type AuthDecision } from './auth-decision';
import { AUTH_GUARD_OPTIONS, type ResolvedAuthGuardOptions } from './auth-guard.options';
import { type AuthenticatedUser, hasRequiredRole } from './authenticated-user';
import { INTERNAL_SECRET_HEADER, verifyInternalSecret } from './internal-secret.util';
import { TokenRejectedError } from './jwt-verifier';
import { type GuardedRequest, readBearerToken, readSingleHeader } from './request-credentials.util';

// Marks a request that already passed the guard: it runs once globally and
// once more for each decision decorator on the handler and its class.
const ACCESS_GRANTED = Symbol('rokks.auth.granted');

type GrantedRequest = GuardedRequest & { [ACCESS_GRANTED]?: true };

type ServerResponseLike = { setHeader?: (name: string, value: string) => void; raw?: { setHeader(name: string, value: string): void } };

/**
 * The one global guard of a Rokks service. Every handler must declare an
 * access decision (`@Public`, `@InternalOnly`, `@Authenticated`, `@Roles`);
 * a handler without one is denied.
 */
@Injectable()
export class RokksAuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_GUARD_OPTIONS) private readonly options: ResolvedAuthGuardOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const decision = this.reflector.getAllAndOverride<AuthDecision | undefined>(AUTH_DECISION_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);

    if (decision === undefined) {
      this.logger.error({ handler: describeHandler(context) }, 'route has no access decision');

      throw new ForbiddenException('This route declares no access decision, so it is closed.');
    }

    if (decision.kind === 'public') {
      return true;
    }

    if (context.getType() !== 'http') {
      return this.allowNonHttp(decision, context);
    }

    const request = context.switchToHttp().getRequest<GrantedRequest>();

    if (request[ACCESS_GRANTED] === true) {
      return true;
    }

    if (decision.kind === 'internal') {
      this.checkInternalSecret(request);
      request[ACCESS_GRANTED] = true;

      return true;
    }

    const user = await this.authenticateUser(request, context);

    request.user = user;

    if (decision.kind === 'roles' && !hasRequiredRole(user, decision.roles)) {
      this.logger.log({ required: decision.roles, userId: user.id, url: request.url }, 'role missing');

      throw new ForbiddenException(`This action needs the role ${decision.roles.join(' or ')}.`);
    }

    request[ACCESS_GRANTED] = true;

    return true;
  }

  private allowNonHttp(decision: AuthDecision, context: ExecutionContext): boolean {
    // Microservice messages carry no headers, so an internal handler runs only
    // when the service declares that its transport authenticates peers with mutual TLS.
    if (decision.kind === 'internal' && this.options.rpcTransportAuthenticated) {
      return true;
    }

    this.logger.warn({ handler: describeHandler(context), decision: decision.kind }, 'message handler denied');

    throw new ForbiddenException('This message handler is not open to the transport it was called on.');
  }

  private checkInternalSecret(request: GuardedRequest): void {
    const header = readSingleHeader(request, INTERNAL_SECRET_HEADER);
    const given = 'value' in header ? header.value : undefined;

    if (!verifyInternalSecret(given, this.options.internalSecret)) {
      const reason = 'value' in header ? 'wrong' : header.problem;

      this.logger.warn({ reason, method: request.method, url: request.url }, 'internal secret rejected');

      throw new UnauthorizedException('A valid internal service secret is required.');
    }
  }

  private async authenticateUser(request: GuardedRequest, context: ExecutionContext): Promise<AuthenticatedUser> {
    const verifier = this.options.verifier;

    if (verifier === undefined) {
      // The start-up check reports this configuration, so it is reached only
      // when that check was skipped.
      throw new ForbiddenException('This service accepts no user tokens.');
    }

    const token = readBearerToken(request);

    if (!('value' in token)) {
      this.logger.debug({ reason: token.problem, method: request.method, url: request.url }, 'access token missing');
      setAuthenticateHeader(context, token.problem === 'missing' ? 'Bearer' : 'Bearer error="invalid_request"');

      throw new UnauthorizedException('Sign in: send one "Authorization: Bearer <access token>" header.');
    }

    try {
      return await verifier.verify(token.value);
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) {
        throw error;
      }

      const level = error.reason === 'expired' ? 'debug' : 'warn';

      this.logger[level]({ reason: error.reason, method: request.method, url: request.url }, 'access token rejected');
      setAuthenticateHeader(context, 'Bearer error="invalid_token"');

      throw new UnauthorizedException('The access token is invalid or expired; sign in again.');
    }
  }
}

function setAuthenticateHeader(context: ExecutionContext, value: string): void {
  const response = context.switchToHttp().getResponse<ServerResponseLike>();
  const target = response.raw ?? response;

  target.setHeader?.('www-authenticate', value);
}

function describeHandler(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}
