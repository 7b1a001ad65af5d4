/** User roles, from least to most privileged. */
export const ROLES = ['viewer', 'editor', 'admin'] as const;

export type Role = (typeof ROLES)[number];

/** Identity taken from a verified access token, attached to the request as `request.user`. */
export interface AuthenticatedUser {
  /** The token's `sub` claim. */
  id: string;
  email: string;
  /** Known roles from the `roles` claim; unknown role names are dropped. */
  roles: Role[];
  /** The `workspace` claim, when the token has one. */
  workspace: string | undefined;
}

/** Returns whether the user has one of the required roles or a higher one. */
export function hasRequiredRole(user: AuthenticatedUser, required: readonly Role[]): boolean {
  const lowestRequired = Math.min(...required.map((role) => ROLES.indexOf(role)));

  return user.roles.some((role) => ROLES.indexOf(role) >= lowestRequired);
}
