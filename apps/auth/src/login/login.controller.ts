import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';

import { Authenticated, type AuthenticatedUser, CurrentUser, Public } from '@rokks/auth-guard';
import { ServiceContext } from '@rokks/service-kit';

import { AuthError } from '../auth.errors';
import { type AuthSettings } from '../auth.settings';
import { clientAddress } from '../http/client-address.util';
import { openApiSchema } from '../http/open-api-schema.util';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { type IssuedTokens, SignInService } from '../sessions/sign-in.service';
import { AuthStorage } from '../storage/auth-storage';
import { clearedRefreshCookie, readRefreshCookie, refreshCookie } from './refresh-cookie';

const loginSchema = z.object({
  email: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'is empty')
    .max(320, 'is longer than 320 characters'),
  password: z
    .string({ error: 'must be a string' })
    .min(1, 'is empty')
    .max(1024, 'is longer than 1024 characters'),
});

const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  roles: z.array(z.enum(['viewer', 'editor', 'admin'])),
  workspace: z.string(),
});

const tokenResponseSchema = z.object({
  accessToken: z.string().describe('ES256 JWT (typ at+jwt) for `Authorization: Bearer`'),
  expiresIn: z.number().int().describe('Lifetime of the access token in seconds'),
});

/** Access token, lifetime and user, as login returns them. */
export interface LoginResponse {
  accessToken: string;
  expiresIn: number;
  user: { id: string; email: string; roles: string[]; workspace: string };
}

/** Password sign-in, token refresh, sign-out and the signed-in user. */
@ApiTags('sign-in')
@Controller('auth')
export class LoginController {
  constructor(
    private readonly signIn: SignInService,
    private readonly storage: AuthStorage,
    private readonly context: ServiceContext<AuthSettings>,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in with e-mail and password',
    description:
      'Returns an access token and sets the httpOnly refresh cookie (path /auth). Unknown e-mail and wrong password get the same 401. Too many attempts from one client, or failed ones in a row for one account, get 429 with Retry-After.',
  })
  @ApiBody({ schema: openApiSchema(loginSchema) })
  @ApiOkResponse({
    schema: openApiSchema(tokenResponseSchema.extend({ user: userSchema }), 'output'),
  })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password' })
  @ApiTooManyRequestsResponse({ description: 'Rate limited or account locked; see Retry-After' })
  async login(
    @Body(new ZodValidationPipe(loginSchema)) body: z.output<typeof loginSchema>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResponse> {
    const issued = await this.signIn.loginWithPassword(
      body.email,
      body.password,
      clientAddress(request),
    );

    this.setRefreshCookie(issued, request, reply);

    return { accessToken: issued.accessToken, expiresIn: issued.expiresIn, user: issued.user };
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiCookieAuth('refresh-cookie')
  @ApiOperation({
    summary: 'Get a new access token with the refresh cookie',
    description:
      'The refresh token rotates: the response sets a new cookie and the old token stops working. Presenting a used token again revokes the whole session.',
  })
  @ApiOkResponse({ schema: openApiSchema(tokenResponseSchema, 'output') })
  @ApiUnauthorizedResponse({ description: 'Missing, used, revoked or expired refresh token' })
  async refresh(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    let issued: IssuedTokens;

    try {
      issued = await this.signIn.refresh(readRefreshCookie(request));
    } catch (error) {
      if (error instanceof AuthError) {
        void reply.header('set-cookie', clearedRefreshCookie(request, this.context.settings));
      }

      throw error;
    }

    this.setRefreshCookie(issued, request, reply);

    return { accessToken: issued.accessToken, expiresIn: issued.expiresIn };
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiCookieAuth('refresh-cookie')
  @ApiOperation({
    summary: 'Sign out: revokes the session of the refresh cookie and deletes the cookie',
  })
  @ApiNoContentResponse({ description: 'Signed out (also when no session was open)' })
  logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    this.signIn.logout(readRefreshCookie(request));
    void reply.header('cache-control', 'no-store');
    void reply.header('set-cookie', clearedRefreshCookie(request, this.context.settings));
  }

  @Get('me')
  @Authenticated()
  @ApiBearerAuth('access-token')
  @ApiOperation({
    summary: 'The signed-in user',
    description:
      'Roles as stored now, which may differ from those in the access token until it is refreshed.',
  })
  @ApiOkResponse({
    schema: openApiSchema(
      userSchema.extend({ workspaces: z.record(z.string(), z.array(z.string())) }),
      'output',
    ),
  })
  @ApiUnauthorizedResponse({
    description: 'No valid access token, or the user is disabled or deleted',
  })
  me(
    @CurrentUser() tokenUser: AuthenticatedUser,
  ): LoginResponse['user'] & { workspaces: Record<string, string[]> } {
    const users = this.storage.users;
    const user = users.findById(tokenUser.id);

    if (user === undefined || user.disabled) {
      throw new AuthError('NOT_SIGNED_IN', 'This account is disabled or deleted; sign in again.');
    }

    const workspace = tokenUser.workspace ?? 'default';

    return {
      id: user.id,
      email: user.email,
      roles: users.rolesIn(user.id, workspace),
      workspace,
      workspaces: users.workspacesOf(user.id),
    };
  }

  private setRefreshCookie(
    issued: IssuedTokens,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    void reply.header('cache-control', 'no-store');
    void reply.header(
      'set-cookie',
      refreshCookie(issued.refreshToken, issued.refreshExpiresAt, request, this.context.settings),
    );
  }
}
