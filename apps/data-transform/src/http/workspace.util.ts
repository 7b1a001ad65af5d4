import { type AuthenticatedUser } from '@rokks/auth-guard';

/** Workspace of users whose access token has no `workspace` claim. */
export const DEFAULT_WORKSPACE = 'default';

/** Returns the workspace of a verified user: the token's `workspace` claim, else `default`. */
export function workspaceOf(user: AuthenticatedUser): string {
  return user.workspace ?? DEFAULT_WORKSPACE;
}
