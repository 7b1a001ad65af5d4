import { Injectable } from '@nestjs/common';

import { type AuthenticatedUser, type Role } from '@rokks/auth-guard';
import { WorkerAuditRecorder } from '@rokks/gateway-clients';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';

import { AuthError } from '../auth.errors';
import { DEFAULT_WORKSPACE, SignInService } from '../sessions/sign-in.service';
import { AuthStorage } from '../storage/auth-storage';
import { assertAcceptablePassword, PasswordHasher } from './password-hasher';
import { type UserRecord } from './user.store';

/** A user as the management routes return it, with roles in the admin's workspace. */
export interface ManagedUser {
  id: string;
  email: string;
  roles: Role[];
  workspace: string;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface UserChanges {
  roles?: Role[];
  disabled?: boolean;
  password?: string;
}

/**
 * User and role management for admins. Every call first checks the caller
 * against the database, so an admin who was demoted or disabled a moment
 * ago cannot use a token that still lists the admin role. An admin cannot disable,
 * delete or demote themselves, so a workspace always keeps the admin who
 * acts in it.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly storage: AuthStorage,
    private readonly hasher: PasswordHasher,
    private readonly signIn: SignInService,
    @InjectPinoLogger(UsersService.name) private readonly logger: PinoLogger,
    private readonly audit: WorkerAuditRecorder,
  ) {}

  list(caller: AuthenticatedUser): ManagedUser[] {
    const workspace = this.assertAdmin(caller);

    return this.storage.users.list().map((user) => this.view(user, workspace));
  }

  async create(
    caller: AuthenticatedUser,
    input: { email: string; password?: string; roles: Role[] },
  ): Promise<ManagedUser> {
    const workspace = this.assertAdmin(caller);

    if (input.password !== undefined) {
      assertAcceptablePassword(input.password, input.email);
    }

    const passwordHash =
      input.password === undefined ? null : await this.hasher.hash(input.password);
    const user = this.storage.users.create({
      email: input.email,
      passwordHash,
      workspace,
      roles: input.roles,
    });

    this.logger.info(
      { userId: user.id, byUserId: caller.id, roles: input.roles, workspace },
      'user created',
    );
    this.audit.record({
      actor: caller.id,
      action: 'user.created',
      target: user.id,
      details: { workspace, roles: input.roles, hasPassword: passwordHash !== null },
    });

    return this.view(user, workspace);
  }

  async update(
    caller: AuthenticatedUser,
    userId: string,
    changes: UserChanges,
  ): Promise<ManagedUser> {
    const workspace = this.assertAdmin(caller);
    const users = this.storage.users;
    const user = this.findUser(userId);

    if (
      userId === caller.id &&
      (changes.disabled === true ||
        (changes.roles !== undefined && !changes.roles.includes('admin')))
    ) {
      throw new AuthError(
        'OWN_ACCOUNT',
        'You cannot disable your own account or remove your own admin role.',
      );
    }

    if (changes.password !== undefined) {
      assertAcceptablePassword(changes.password, user.email);
      users.setPasswordHash(userId, await this.hasher.hash(changes.password));
      this.signIn.revokeSessionsOf(userId, 'password-changed');
    }

    const previousRoles = users.rolesIn(userId, workspace);

    if (changes.roles !== undefined) {
      users.setRoles(userId, workspace, changes.roles);
    }

    if (changes.disabled !== undefined && changes.disabled !== user.disabled) {
      users.setDisabled(userId, changes.disabled);

      if (changes.disabled) {
        this.signIn.revokeSessionsOf(userId, 'user-disabled');
      }
    }

    this.logger.info(
      {
        userId,
        byUserId: caller.id,
        workspace,
        roles: changes.roles,
        disabled: changes.disabled,
        passwordChanged: changes.password !== undefined,
      },
      'user updated',
    );
    this.recordUpdate(caller.id, userId, workspace, changes, previousRoles, user.disabled);

    return this.view(this.findUser(userId), workspace);
  }

  delete(caller: AuthenticatedUser, userId: string): void {
    this.assertAdmin(caller);
    this.findUser(userId);

    if (userId === caller.id) {
      throw new AuthError('OWN_ACCOUNT', 'You cannot delete your own account.');
    }

    this.signIn.revokeSessionsOf(userId, 'user-deleted');
    this.storage.users.delete(userId);
    this.logger.info({ userId, byUserId: caller.id }, 'user deleted');
    this.audit.record({ actor: caller.id, action: 'user.deleted', target: userId });
  }

  /** Records one audit entry for each kind of change that was asked for: roles, disabled state, password. */
  private recordUpdate(
    actorId: string,
    userId: string,
    workspace: string,
    changes: UserChanges,
    previousRoles: Role[],
    wasDisabled: boolean,
  ): void {
    if (changes.roles !== undefined) {
      this.audit.record({
        actor: actorId,
        action: 'user.roles_changed',
        target: userId,
        details: { workspace, from: previousRoles, to: changes.roles },
      });
    }

    if (changes.disabled !== undefined && changes.disabled !== wasDisabled) {
      this.audit.record({ actor: actorId, action: changes.disabled ? 'user.disabled' : 'user.enabled', target: userId });
    }

    if (changes.password !== undefined) {
      this.audit.record({ actor: actorId, action: 'user.password_changed', target: userId });
    }
  }

  /** Checks that the caller is an enabled admin now; returns the workspace they act in. */
  private assertAdmin(caller: AuthenticatedUser): string {
    const workspace = caller.workspace ?? DEFAULT_WORKSPACE;
    const current = this.storage.users.findById(caller.id);

    if (current === undefined || current.disabled) {
      throw new AuthError('NOT_SIGNED_IN', 'This account is disabled or deleted; sign in again.');
    }

    if (!this.storage.users.rolesIn(caller.id, workspace).includes('admin')) {
      throw new AuthError(
        'FORBIDDEN',
        `Managing users needs the admin role in workspace "${workspace}".`,
      );
    }

    return workspace;
  }

  private findUser(userId: string): UserRecord {
    const user = this.storage.users.findById(userId);

    if (user === undefined) {
      throw new AuthError('USER_NOT_FOUND', `No user with id "${userId}".`);
    }

    return user;
  }

  private view(user: UserRecord, workspace: string): ManagedUser {
    return {
      id: user.id,
      email: user.email,
      roles: this.storage.users.rolesIn(user.id, workspace),
      workspace,
      disabled: user.disabled,
      hasPassword: user.hasPassword,
      createdAt: new Date(user.createdAt).toISOString(),
      lastSignInAt: user.lastSignInAt === null ? null : new Date(user.lastSignInAt).toISOString(),
    };
  }
}
