export { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_TYPE } from './access-token.constants';
export { AuthDecisionCheck, type UndecidedHandler } from './auth-decision.check';
export {
  AUTH_DECISION_KEY,
  Authenticated,
  CurrentUser,
  InternalOnly,
  Public,
  Roles,
  type AuthDecision,
} from './auth-decision.decorators';
export { AuthGuardModule } from './auth-guard.module';
export { AUTH_GUARD_OPTIONS, type AuthGuardModuleOptions, type ResolvedAuthGuardOptions } from './auth-guard.options';
export { RokksAuthGuard } from './auth.guard';
export { hasRequiredRole, ROLES, type AuthenticatedUser, type Role } from './authenticated-user';
export { INTERNAL_SECRET_HEADER, verifyInternalSecret } from './internal-secret.util';
export {
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_CLOCK_SKEW_SECONDS,
  JwtVerifier,
  MAX_CLOCK_SKEW_SECONDS,
  TokenRejectedError,
  type AsymmetricAlgorithm,
  type JwtVerifierOptions,
  type PublicKeyInput,
  type TokenRejection,
} from './jwt-verifier';
export { readBearerToken, readSingleHeader, type GuardedRequest, type HeaderReading } from './request-credentials.util';
