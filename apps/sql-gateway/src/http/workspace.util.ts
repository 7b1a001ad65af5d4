import { type AuthenticatedUser } from '@rokks/auth-guard';

import { DEFAULT_WORKSPACE } from '../tables/table-schemas';

/** Returns the workspace of a verified user: the token's `workspace` claim, else `default`. */
export function workspaceOf(user: AuthenticatedUser): string {
  return user.workspace ?? DEFAULT_WORKSPACE;
}
