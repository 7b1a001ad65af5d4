import { type JwtVerifier, type JwtVerifierOptions } from './jwt-verifier';

export interface AuthGuardModuleOptions {
  /** Shared secret of backend-to-backend calls, compared with the `x-rokks-internal` header. */
  internalSecret: string;
  /** Verification of user access tokens; without it, `@Authenticated` and `@Roles` routes fail the start-up check. */
  jwt?: JwtVerifierOptions;
  /**
   * Whether `@InternalOnly` message handlers may run on microservice
   * transports without a secret. Set it only when every transport uses
   * mutual TLS (the `microserviceOptions` of `@rokks/mesh`); default false.
   */
  rpcTransportAuthenticated?: boolean;
}

/** Options after validation, as the guard and the start-up check receive them. */
export interface ResolvedAuthGuardOptions {
  internalSecret: string;
  verifier: JwtVerifier | undefined;
  rpcTransportAuthenticated: boolean;
}

/** Injection token of the `ResolvedAuthGuardOptions`. */
export const AUTH_GUARD_OPTIONS = Symbol('AUTH_GUARD_OPTIONS');
