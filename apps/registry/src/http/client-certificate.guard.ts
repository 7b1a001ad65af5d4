import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { type FastifyRequest } from 'fastify';

import { type AuthenticatedPeer, authenticatedPeer } from '@rokks/mesh';

type RequestWithPeer = FastifyRequest & { meshPeer?: AuthenticatedPeer };

/**
 * Requires a client certificate from the mesh CA (mutual TLS). The registry's
 * HTTPS server only requests client certificates, because services call
 * `POST /bootstrap` before they have one, so this guard enforces it per route.
 */
@Injectable()
export class ClientCertificateGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithPeer>();
    const peer = authenticatedPeer(request.raw.socket);

    if (peer === undefined) {
      throw new UnauthorizedException(
        'This endpoint requires a client certificate issued by the mesh CA (mutual TLS).',
      );
    }

    request.meshPeer = peer;

    return true;
  }
}

/** The peer that `ClientCertificateGuard` authenticated. */
export const MeshPeer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedPeer => {
    const peer = context.switchToHttp().getRequest<RequestWithPeer>().meshPeer;

    if (peer === undefined) {
      throw new UnauthorizedException(
        'This endpoint requires a client certificate issued by the mesh CA (mutual TLS).',
      );
    }

    return peer;
  },
);
