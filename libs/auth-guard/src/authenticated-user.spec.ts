import { type AuthenticatedUser, hasRequiredRole, type Role } from './authenticated-user';

function user(roles: Role[]): AuthenticatedUser {
  return { id: 'u-1', email: 'u@example.com', roles, workspace: undefined };
}

describe('hasRequiredRole', () => {
  it.each<[Role[], Role[], boolean]>([
    [['viewer'], ['viewer'], true],
    [['viewer'], ['editor'], false],
    [['editor'], ['viewer'], true],
    [['admin'], ['editor'], true],
    [['editor'], ['admin'], false],
    [['viewer'], ['admin', 'viewer'], true],
    [[], ['viewer'], false],
  ])('user %p on %p is %p', (roles, required, expected) => {
    expect(hasRequiredRole(user(roles), required)).toBe(expected);
  });
});
