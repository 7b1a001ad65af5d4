import { Inject, Injectable, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

import { AUTH_DECISION_KEY, type AuthDecision } from './auth-decision';
import { AUTH_GUARD_OPTIONS, type ResolvedAuthGuardOptions } from './auth-guard.options';

// Metadata key that @MessagePattern and @EventPattern of @nestjs/microservices set.
const MESSAGE_PATTERN_METADATA = 'microservices:pattern';

/** A route or message handler that fails the access check, with the reason. */
export interface UndecidedHandler {
  handler: string;
  problem: string;
}

/**
 * Start-up check: lists every route and message handler without an access
 * decision, and every user-token route in a service without JWT settings,
 * and refuses to start while the list is not empty.
 */
@Injectable()
export class AuthDecisionCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(AUTH_GUARD_OPTIONS) private readonly options: ResolvedAuthGuardOptions,
  ) {}

  onApplicationBootstrap(): void {
    const failures = this.findFailures();

    if (failures.length > 0) {
      const lines = failures.map((failure) => `- ${failure.handler}: ${failure.problem}`);

      throw new Error(
        [
          `Refusing to start: ${failures.length} handler(s) fail the access check. Add @Public(), @InternalOnly(), @Authenticated() or @Roles(...) to each:`,
          ...lines,
        ].join('\n'),
      );
    }
  }

  /** Returns every handler that has no access decision or whose decision cannot be enforced. */
  findFailures(): UndecidedHandler[] {
    const failures: UndecidedHandler[] = [];

    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      const instance = wrapper.instance as object | undefined;

      if (controller === null || instance === undefined) {
        continue;
      }

      const prototype = Object.getPrototypeOf(instance) as object;

      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[methodName] as (...args: unknown[]) => unknown;
        const route = describeRoute(controller, handler);

        if (route === undefined) {
          continue;
        }

        const name = `${controller.name}.${methodName} (${route})`;
        const decision = this.reflector.getAllAndOverride<AuthDecision | undefined>(AUTH_DECISION_KEY, [handler, controller]);
        const problem = this.findProblem(decision);

        if (problem !== undefined) {
          failures.push({ handler: name, problem });
        }
      }
    }

    return failures;
  }

  private findProblem(decision: AuthDecision | undefined): string | undefined {
    if (decision === undefined) {
      return 'no access decision';
    }

    const needsUserToken = decision.kind === 'authenticated' || decision.kind === 'roles';

    if (needsUserToken && this.options.verifier === undefined) {
      return 'needs a user token, but AuthGuardModule.forRoot() has no jwt settings';
    }

    return undefined;
  }
}

function describeRoute(controller: object, handler: (...args: unknown[]) => unknown): string | undefined {
  const patterns: unknown = Reflect.getMetadata(MESSAGE_PATTERN_METADATA, handler);

  if (patterns !== undefined) {
    return `message ${asList(patterns).map((pattern) => JSON.stringify(pattern)).join(', ')}`;
  }

  const paths: unknown = Reflect.getMetadata(PATH_METADATA, handler);

  if (paths === undefined) {
    return undefined;
  }

  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  const controllerPath = asList(Reflect.getMetadata(PATH_METADATA, controller))[0];
  const fullPaths = asList(paths).map((path) => joinPaths(controllerPath, path));

  return `${RequestMethod[method ?? RequestMethod.GET]} ${fullPaths.join(', ')}`;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

function joinPaths(...parts: unknown[]): string {
  const segments = parts
    .filter((part): part is string => typeof part === 'string')
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '');

  return `/${segments.join('/')}`;
}
