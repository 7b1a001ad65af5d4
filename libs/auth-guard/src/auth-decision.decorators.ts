import 'reflect-metadata';

import { createParamDecorator, type ExecutionContext, UseGuards } from '@nestjs/common';

import { AUTH_DECISION_KEY, type AuthDecision } from './auth-decision';
import { RokksAuthGuard } from './auth.guard';
import { type AuthenticatedUser, ROLES, type Role } from './authenticated-user';

export { AUTH_DECISION_KEY, type AuthDecision } from './auth-decision';

/** Lets anyone call the route, without credentials. */
export function Public(): ClassDecorator & MethodDecorator {
  return decide({ kind: 'public' });
}

/** Lets only other Rokks backends call the route: the request needs the `x-rokks-internal` secret. */
export function InternalOnly(): ClassDecorator & MethodDecorator {
  return decide({ kind: 'internal' });
}

/** Lets any signed-in user call the route: the request needs a valid access token. */
export function Authenticated(): ClassDecorator & MethodDecorator {
  return decide({ kind: 'authenticated' });
}

/**
 * Lets users with one of the roles call the route. Roles are ranked
 * `viewer` < `editor` < `admin`, and a higher role includes the lower ones,
 * so `@Roles('editor')` admits editors and admins.
 */
export function Roles(...roles: Role[]): ClassDecorator & MethodDecorator {
  if (roles.length === 0) {
    throw new TypeError('@Roles() needs at least one role; use @Authenticated() to admit any signed-in user.');
  }

  for (const role of roles) {
    if (!ROLES.includes(role)) {
      throw new TypeError(`Unknown role "${String(role)}" in @Roles(): expected ${ROLES.join(', ')}.`);
    }
  }

  return decide({ kind: 'roles', roles: [...roles] });
}

/** Injects the verified user of the request (set by the auth guard) into a handler parameter. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser | undefined => {
  const request = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>();

  return request.user;
});

function decide(decision: AuthDecision): ClassDecorator & MethodDecorator {
  return (target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor?.value !== undefined ? (descriptor.value as object) : target;

    // Two decisions on one handler would leave only the last one in force,
    // which is easy to miss in review, so they fail at class definition.
    if (Reflect.hasOwnMetadata(AUTH_DECISION_KEY, holder)) {
      const name = propertyKey === undefined ? (target as { name?: string }).name : String(propertyKey);

      throw new TypeError(`${name ?? 'target'} has more than one access decorator; keep exactly one.`);
    }

    Reflect.defineMetadata(AUTH_DECISION_KEY, decision, holder);

    // The global guard (APP_GUARD) does not reach the message handlers of a
    // hybrid app unless it is connected with `inheritAppConfig: true`, so
    // each decision also binds the guard to its handler or class.
    if (descriptor === undefined) {
      UseGuards(RokksAuthGuard)(target as new (...args: never[]) => unknown);
    } else {
      UseGuards(RokksAuthGuard)(target, propertyKey as string | symbol, descriptor);
    }
  };
}
