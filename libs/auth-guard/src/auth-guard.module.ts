import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';

import { findSecretProblem } from '@rokks/config';
import { registerSecretValue } from '@rokks/logging';

import { AuthDecisionCheck } from './auth-decision.check';
import { AUTH_GUARD_OPTIONS, type AuthGuardModuleOptions, type ResolvedAuthGuardOptions } from './auth-guard.options';
import { RokksAuthGuard } from './auth.guard';
import { JwtVerifier } from './jwt-verifier';

/**
 * Registers the one global guard that enforces each handler's access
 * decision, and the start-up check that refuses to start while a handler
 * has none.
 */
@Module({})
export class AuthGuardModule {
  static forRoot(options: AuthGuardModuleOptions): DynamicModule {
    const secretProblem = findSecretProblem(options.internalSecret);

    if (secretProblem !== undefined) {
      throw new TypeError(`Invalid internalSecret for AuthGuardModule.forRoot(): it ${secretProblem}.`);
    }

    registerSecretValue(options.internalSecret);

    const resolved: ResolvedAuthGuardOptions = {
      internalSecret: options.internalSecret,
      verifier: options.jwt === undefined ? undefined : new JwtVerifier(options.jwt),
      rpcTransportAuthenticated: options.rpcTransportAuthenticated ?? false,
    };

    return {
      module: AuthGuardModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: AUTH_GUARD_OPTIONS, useValue: resolved },
        { provide: APP_GUARD, useClass: RokksAuthGuard },
        AuthDecisionCheck,
      ],
      exports: [AUTH_GUARD_OPTIONS],
    };
  }
}
