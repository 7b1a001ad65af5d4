import { decodeJwt } from 'jose';

import { ADMIN_EMAIL, AuthTestHarness, type SignedIn } from '../testing/auth-test-harness';

interface UserView {
  id: string;
  email: string;
  roles: string[];
  disabled: boolean;
  hasPassword: boolean;
}

describe('user management', () => {
  let harness: AuthTestHarness;
  let admin: SignedIn;
  let counter = 0;

  beforeAll(async () => {
    harness = await AuthTestHarness.start();
    admin = await harness.login();
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  /** Creates a user with a unique e-mail and signs it in. */
  async function newUser(
    roles: string[],
  ): Promise<{ id: string; email: string; password: string; signedIn: SignedIn }> {
    counter += 1;

    const email = `user-${counter}@example.com`;
    const password = `password number ${counter}`;
    const id = await harness.createUser(admin.accessToken, email, password, roles);

    return { id, email, password, signedIn: await harness.login(email, password) };
  }

  it('admin creates and lists users', async () => {
    const created = await newUser(['editor']);
    const response = await harness.call('GET', '/auth/users', { token: admin.accessToken });
    const users = (await response.json()) as UserView[];

    expect(response.status).toBe(200);
    expect(users.find((user) => user.email === ADMIN_EMAIL)?.roles).toEqual(['admin']);
    expect(users.find((user) => user.id === created.id)).toMatchObject({
      email: created.email,
      roles: ['editor'],
      disabled: false,
      hasPassword: true,
    });
    expect(created.signedIn.body.user.roles).toEqual(['editor']);
  });

  it('non-admins get 403', async () => {
    const editor = await newUser(['editor']);
    const list = await harness.call('GET', '/auth/users', { token: editor.signedIn.accessToken });
    const create = await harness.call('POST', '/auth/users', {
      token: editor.signedIn.accessToken,
      body: { email: 'sneaky@example.com', password: 'sneaky password 1', roles: ['admin'] },
    });

    expect(list.status).toBe(403);
    expect(create.status).toBe(403);
  });

  it('users routes need a token', async () => {
    const response = await harness.call('GET', '/auth/users');

    expect(response.status).toBe(401);
  });

  it('rejects a duplicate e-mail with 409', async () => {
    const existing = await newUser(['viewer']);
    const response = await harness.call('POST', '/auth/users', {
      token: admin.accessToken,
      body: {
        email: existing.email.toUpperCase(),
        password: 'another password 1',
        roles: ['viewer'],
      },
    });

    expect(response.status).toBe(409);
  });

  it('rejects a short password with 400', async () => {
    const response = await harness.call('POST', '/auth/users', {
      token: admin.accessToken,
      body: { email: 'short@example.com', password: 'short', roles: ['viewer'] },
    });
    const body = (await response.json()) as { message: string };

    expect(response.status).toBe(400);
    expect(body.message).toContain('at least 12 characters');
  });

  it('rejects an unknown role with 400', async () => {
    const response = await harness.call('POST', '/auth/users', {
      token: admin.accessToken,
      body: { email: 'root2@example.com', password: 'long enough password', roles: ['superuser'] },
    });

    expect(response.status).toBe(400);
  });

  it('new roles reach the next access token', async () => {
    const user = await newUser(['viewer']);
    const patch = await harness.call('PATCH', `/auth/users/${user.id}`, {
      token: admin.accessToken,
      body: { roles: ['editor'] },
    });
    const refresh = await harness.call('POST', '/auth/refresh', {
      cookie: user.signedIn.refreshCookie,
    });

    expect(patch.status).toBe(200);
    expect(((await patch.json()) as UserView).roles).toEqual(['editor']);
    expect(
      decodeJwt(((await refresh.json()) as { accessToken: string }).accessToken).roles,
    ).toEqual(['editor']);
  });

  it('a demoted admin loses user management at once', async () => {
    const second = await newUser(['admin']);
    const demote = await harness.call('PATCH', `/auth/users/${second.id}`, {
      token: admin.accessToken,
      body: { roles: ['viewer'] },
    });
    // Its access token still lists the admin role.
    const list = await harness.call('GET', '/auth/users', { token: second.signedIn.accessToken });

    expect(demote.status).toBe(200);
    expect(decodeJwt(second.signedIn.accessToken).roles).toEqual(['admin']);
    expect(list.status).toBe(403);
  });

  it('admins cannot lock themselves out', async () => {
    const disable = await harness.call('PATCH', `/auth/users/${admin.body.user.id}`, {
      token: admin.accessToken,
      body: { disabled: true },
    });
    const demote = await harness.call('PATCH', `/auth/users/${admin.body.user.id}`, {
      token: admin.accessToken,
      body: { roles: ['viewer'] },
    });
    const remove = await harness.call('DELETE', `/auth/users/${admin.body.user.id}`, {
      token: admin.accessToken,
    });

    expect(disable.status).toBe(409);
    expect(demote.status).toBe(409);
    expect(remove.status).toBe(409);
  });

  it('disabling a user refuses refresh and login', async () => {
    const user = await newUser(['viewer']);
    const disable = await harness.call('PATCH', `/auth/users/${user.id}`, {
      token: admin.accessToken,
      body: { disabled: true },
    });
    const refresh = await harness.call('POST', '/auth/refresh', {
      cookie: user.signedIn.refreshCookie,
    });
    const me = await harness.call('GET', '/auth/me', { token: user.signedIn.accessToken });
    const login = await harness.call('POST', '/auth/login', {
      body: { email: user.email, password: user.password },
    });

    expect(disable.status).toBe(200);
    expect(refresh.status).toBe(401);
    expect(me.status).toBe(401);
    expect(login.status).toBe(401);
  });

  it('enabling a user again allows login', async () => {
    const user = await newUser(['viewer']);

    await harness.call('PATCH', `/auth/users/${user.id}`, {
      token: admin.accessToken,
      body: { disabled: true },
    });
    await harness.call('PATCH', `/auth/users/${user.id}`, {
      token: admin.accessToken,
      body: { disabled: false },
    });

    expect(
      (
        await harness.call('POST', '/auth/login', {
          body: { email: user.email, password: user.password },
        })
      ).status,
    ).toBe(200);
  });

  it('a new password ends the sessions', async () => {
    const user = await newUser(['viewer']);
    const patch = await harness.call('PATCH', `/auth/users/${user.id}`, {
      token: admin.accessToken,
      body: { password: 'a brand new password' },
    });
    const refresh = await harness.call('POST', '/auth/refresh', {
      cookie: user.signedIn.refreshCookie,
    });

    expect(patch.status).toBe(200);
    expect(refresh.status).toBe(401);
    expect(
      (
        await harness.call('POST', '/auth/login', {
          body: { email: user.email, password: 'a brand new password' },
        })
      ).status,
    ).toBe(200);
  });

  it('deleting a user ends everything', async () => {
    const user = await newUser(['editor']);
    const remove = await harness.call('DELETE', `/auth/users/${user.id}`, {
      token: admin.accessToken,
    });
    const refresh = await harness.call('POST', '/auth/refresh', {
      cookie: user.signedIn.refreshCookie,
    });
    const me = await harness.call('GET', '/auth/me', { token: user.signedIn.accessToken });
    const again = await harness.call('DELETE', `/auth/users/${user.id}`, {
      token: admin.accessToken,
    });

    expect(remove.status).toBe(204);
    expect(refresh.status).toBe(401);
    expect(me.status).toBe(401);
    expect(again.status).toBe(404);
  });

  it('rejects an invalid user id with 400', async () => {
    const response = await harness.call('PATCH', '/auth/users/not-a-uuid', {
      token: admin.accessToken,
      body: { disabled: true },
    });

    expect(response.status).toBe(400);
  });

  it('rejects unknown fields with 400', async () => {
    const user = await newUser(['viewer']);
    const response = await harness.call('PATCH', `/auth/users/${user.id}`, {
      token: admin.accessToken,
      body: { email: 'x@example.com' },
    });

    expect(response.status).toBe(400);
  });
});
