import { Module, type OnModuleInit } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import { WorkerAuditRecorder } from '@rokks/gateway-clients';
import { ReadinessChecks, ServiceContext } from '@rokks/service-kit';

import { type AuthSettings } from './auth.settings';
import { AuthExceptionFilter } from './http/auth-exception.filter';
import { LoginController } from './login/login.controller';
import { IdentityProviderDirectory } from './oidc/identity-provider.directory';
import { OidcSignInService } from './oidc/oidc-sign-in.service';
import { OidcController } from './oidc/oidc.controller';
import { SignInService } from './sessions/sign-in.service';
import { AuthStorage } from './storage/auth-storage';
import { AccessTokenSigner } from './tokens/access-token.signer';
import { InitialAdmin } from './users/initial-admin';
import { PasswordHasher } from './users/password-hasher';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** Checks at start-up that the registry handed over the signing key, and reports it as a readiness check. */
class SigningKeyCheck implements OnModuleInit {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly readiness: ReadinessChecks,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.signer.assertSigningKey();
    this.readiness.register('signing-key', async () => ({
      kid: await this.signer.assertSigningKey(),
    }));
  }
}

/**
 * Root module of the auth service: password and identity-provider sign-in,
 * sessions with rotating refresh tokens, access tokens, and user management.
 */
@Module({
  controllers: [LoginController, UsersController, OidcController],
  providers: [
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
    AuthStorage,
    WorkerAuditRecorder,
    {
      provide: PasswordHasher,
      inject: [ServiceContext],
      useFactory: (context: ServiceContext<AuthSettings>) =>
        new PasswordHasher({
          memoryKiB: context.settings.argon2MemoryKiB,
          timeCost: context.settings.argon2TimeCost,
          parallelism: context.settings.argon2Parallelism,
        }),
    },
    AccessTokenSigner,
    SignInService,
    UsersService,
    InitialAdmin,
    IdentityProviderDirectory,
    OidcSignInService,
    {
      provide: SigningKeyCheck,
      inject: [AccessTokenSigner, ReadinessChecks],
      useFactory: (signer: AccessTokenSigner, readiness: ReadinessChecks) =>
        new SigningKeyCheck(signer, readiness),
    },
  ],
})
export class AppModule {}
