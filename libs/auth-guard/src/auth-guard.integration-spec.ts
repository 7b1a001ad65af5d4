import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { request } from 'undici';

import { Authenticated, CurrentUser, InternalOnly, Public, Roles } from './auth-decision.decorators';
import { AuthGuardModule } from './auth-guard.module';
import { type AuthenticatedUser } from './authenticated-user';
import { INTERNAL_SECRET_HEADER } from './internal-secret.util';
import {
  AUDIENCE,
  createSigningKey,
  hmacWithPublicKey,
  ISSUER,
  signAccessToken,
  type TestSigningKey,
  unsignedToken,
  validClaims,
} from './testing/access-tokens';

const INTERNAL_SECRET = 'mQ4tZ8wR2yB6nJ0cV5xK9pL3hG7fD1sA';

@Controller('things')
class ThingsController {
  @Public()
  @Get('open')
  open(): { open: boolean } {
    return { open: true };
  }

  @InternalOnly()
  @Get('internal')
  internal(): { internal: boolean } {
    return { internal: true };
  }

  @Authenticated()
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }

  @Roles('editor')
  @Post('edit')
  edit(@CurrentUser() user: AuthenticatedUser): { editedBy: string } {
    return { editedBy: user.id };
  }

  @Roles('admin')
  @Get('admin')
  admin(): { admin: boolean } {
    return { admin: true };
  }
}

@InternalOnly()
@Controller('sync')
class SyncController {
  @Get()
  run(): { synced: boolean } {
    return { synced: true };
  }

  @Public()
  @Get('status')
  status(): { status: string } {
    return { status: 'idle' };
  }
}

describe('AuthGuardModule on Fastify', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let esKey: TestSigningKey;
  let rsKey: TestSigningKey;
  let strangerKey: TestSigningKey;

  beforeAll(async () => {
    esKey = await createSigningKey('es-1', 'ES256');
    rsKey = await createSigningKey('rs-1', 'RS256');
    strangerKey = await createSigningKey('es-1', 'ES256');

    @Module({
      imports: [
        AuthGuardModule.forRoot({
          internalSecret: INTERNAL_SECRET,
          jwt: {
            publicKeys: [esKey.publicJwk, rsKey.publicJwk],
            issuer: ISSUER,
            audience: AUDIENCE,
            algorithms: ['ES256', 'RS256'],
            clockSkewSeconds: 30,
          },
        }),
      ],
      controllers: [ThingsController, SyncController],
    })
    class GuardedModule {}

    app = await NestFactory.create<NestFastifyApplication>(GuardedModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  async function call(
    path: string,
    headers: Record<string, string> | string[] = {},
    method: 'GET' | 'POST' = 'GET',
  ): Promise<{ status: number; body: Record<string, unknown>; authenticate: unknown }> {
    const response = await request(`${baseUrl}${path}`, { method, headers });
    const body = (await response.body.json()) as Record<string, unknown>;

    return { status: response.statusCode, body, authenticate: response.headers['www-authenticate'] };
  }

  function bearer(token: string): Record<string, string> {
    return { authorization: `Bearer ${token}` };
  }

  describe('public routes', () => {
    it('admit calls without credentials', async () => {
      expect((await call('/things/open')).status).toBe(200);
    });

    it('override a class-level decision', async () => {
      expect((await call('/sync/status')).status).toBe(200);
    });
  });

  describe('internal routes', () => {
    it('admit the right secret', async () => {
      const result = await call('/things/internal', { [INTERNAL_SECRET_HEADER]: INTERNAL_SECRET });

      expect(result.status).toBe(200);
      expect(result.body).toEqual({ internal: true });
    });

    it('apply a class-level decision', async () => {
      expect((await call('/sync', { [INTERNAL_SECRET_HEADER]: INTERNAL_SECRET })).status).toBe(200);
      expect((await call('/sync')).status).toBe(401);
    });

    it.each([
      ['a wrong secret', { [INTERNAL_SECRET_HEADER]: `${INTERNAL_SECRET}x` }],
      ['a prefix of the secret', { [INTERNAL_SECRET_HEADER]: INTERNAL_SECRET.slice(0, 31) }],
      ['an empty secret', { [INTERNAL_SECRET_HEADER]: '' }],
      ['a missing secret', {}],
      ['a repeated secret header', [INTERNAL_SECRET_HEADER, INTERNAL_SECRET, INTERNAL_SECRET_HEADER, INTERNAL_SECRET]],
    ])('reject %s with 401', async (_case, headers) => {
      const result = await call('/things/internal', headers);

      expect(result.status).toBe(401);
      expect(result.body['message']).toBe('A valid internal service secret is required.');
    });

    it('reject a valid user token with 401', async () => {
      expect((await call('/things/internal', bearer(await signAccessToken(esKey)))).status).toBe(401);
    });
  });

  describe('user routes', () => {
    it('admit an ES256 token and attach the user', async () => {
      const result = await call('/things/me', bearer(await signAccessToken(esKey)));

      expect(result.status).toBe(200);
      expect(result.body).toEqual({ id: 'user-1', email: 'ada@example.com', roles: ['editor'], workspace: 'w-1' });
    });

    it('admit an RS256 token', async () => {
      expect((await call('/things/me', bearer(await signAccessToken(rsKey)))).status).toBe(200);
    });

    it('accept expiry within the clock skew', async () => {
      expect((await call('/things/me', bearer(await signAccessToken(esKey, { expiresIn: -10 })))).status).toBe(200);
    });

    it('accept the application/at+jwt type spelling', async () => {
      const token = await signAccessToken(esKey, { typ: 'application/at+jwt' });

      expect((await call('/things/me', bearer(token))).status).toBe(200);
    });

    it('drop unknown role names', async () => {
      const token = await signAccessToken(esKey, { claims: { roles: ['viewer', 'superuser'] } });

      expect((await call('/things/me', bearer(token))).body['roles']).toEqual(['viewer']);
    });
  });

  describe('token attacks', () => {
    const attacks: [string, () => Promise<string>][] = [
      ['alg none', async () => unsignedToken('es-1', validClaims())],
      ['alg none with a known RSA kid', async () => unsignedToken('rs-1', validClaims())],
      ['HS256 keyed with the public PEM', async () => hmacWithPublicKey(rsKey, validClaims(), rsKey.publicPem)],
      ['HS256 keyed with the public JWK', async () => hmacWithPublicKey(esKey, validClaims(), JSON.stringify(esKey.publicJwk))],
      ['expired', async () => signAccessToken(esKey, { expiresIn: -120 })],
      ['not yet valid', async () => signAccessToken(esKey, { notBefore: 120 })],
      ['wrong audience', async () => signAccessToken(esKey, { audience: 'another-api' })],
      ['wrong issuer', async () => signAccessToken(esKey, { issuer: 'https://evil.test' })],
      ['unknown kid', async () => signAccessToken(esKey, { kid: 'es-9' })],
      ['forged with a known kid', async () => signAccessToken(strangerKey)],
      ['ES256 key claimed as RS256', async () => signAccessToken(esKey, { kid: 'rs-1' })],
      ['ID token type', async () => signAccessToken(esKey, { typ: 'JWT' })],
      ['refresh token type', async () => signAccessToken(esKey, { typ: 'refresh+jwt' })],
      ['tampered payload', async () => tamper(await signAccessToken(esKey, { claims: { roles: ['viewer'] } }))],
    ];

    it.each(attacks)('reject %s with 401', async (_case, makeToken) => {
      const result = await call('/things/me', bearer(await makeToken()));

      expect(result.status).toBe(401);
      expect(result.authenticate).toBe('Bearer error="invalid_token"');
      expect(result.body['message']).toBe('The access token is invalid or expired; sign in again.');
    });
  });

  describe('authorization header', () => {
    it.each([
      ['a missing header', {}],
      ['an empty header', { authorization: '' }],
      ['a bare scheme', { authorization: 'Bearer ' }],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a value that is no JWT', { authorization: 'Bearer abc' }],
      ['two tokens', { authorization: 'Bearer a.b.c d.e.f' }],
    ])('reject %s with 401', async (_case, headers) => {
      const result = await call('/things/me', headers);

      expect(result.status).toBe(401);
      expect(result.body['message']).toBe('Sign in: send one "Authorization: Bearer <access token>" header.');
    });

    it('reject a doubled header with 401', async () => {
      const token = await signAccessToken(esKey);
      const result = await call('/things/me', ['authorization', `Bearer ${token}`, 'authorization', `Bearer ${token}`]);

      expect(result.status).toBe(401);
      expect(result.authenticate).toBe('Bearer error="invalid_request"');
    });
  });

  describe('roles', () => {
    it('forbid a viewer on an editor route', async () => {
      const token = await signAccessToken(esKey, { claims: { roles: ['viewer'] } });
      const result = await call('/things/edit', bearer(token), 'POST');

      expect(result.status).toBe(403);
      expect(result.body['message']).toBe('This action needs the role editor.');
    });

    it('admit an editor on an editor route', async () => {
      const result = await call('/things/edit', bearer(await signAccessToken(esKey)), 'POST');

      expect(result.status).toBe(201);
      expect(result.body).toEqual({ editedBy: 'user-1' });
    });

    it('admit an admin on an editor route', async () => {
      const token = await signAccessToken(rsKey, { claims: { roles: ['admin'] } });

      expect((await call('/things/edit', bearer(token), 'POST')).status).toBe(201);
    });

    it('forbid an editor on an admin route', async () => {
      expect((await call('/things/admin', bearer(await signAccessToken(esKey)))).status).toBe(403);
    });

    it('forbid a user without roles', async () => {
      const token = await signAccessToken(esKey, { claims: { roles: [] } });

      expect((await call('/things/edit', bearer(token), 'POST')).status).toBe(403);
    });
  });
});

function tamper(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');

  return `${header}.${forged}.${signature}`;
}
