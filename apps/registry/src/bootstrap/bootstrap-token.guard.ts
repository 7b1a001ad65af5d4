import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { type FastifyRequest } from 'fastify';

import { BOOTSTRAP_TOKEN_HEADER } from '@rokks/bootstrap';

import { RegistryState } from '../registry-state';

/** Requires the bootstrap token in the `x-rokks-bootstrap-token` header. */
@Injectable()
export class BootstrapTokenGuard implements CanActivate {
  constructor(private readonly state: RegistryState) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers[
      BOOTSTRAP_TOKEN_HEADER
    ];
    const token = typeof header === 'string' ? header : undefined;

    if (!this.state.isBootstrapToken(token)) {
      throw new UnauthorizedException(
        `Missing or invalid bootstrap token in the ${BOOTSTRAP_TOKEN_HEADER} header.`,
      );
    }

    return true;
  }
}
