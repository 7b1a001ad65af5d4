import { type Role } from './authenticated-user';

/** Metadata key of the access decision on a handler or controller class. */
export const AUTH_DECISION_KEY = 'rokks:auth-decision';

/** Access decision of a route: who may call it. */
export type AuthDecision =
  | { kind: 'public' }
  | { kind: 'internal' }
  | { kind: 'authenticated' }
  | { kind: 'roles'; roles: Role[] };
