import { type FormEvent, useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import {
  Button,
  Dialog,
  Form,
  Heading,
  Input,
  Label,
  Modal,
  ModalOverlay,
  Text,
  TextField,
} from 'react-aria-components';

import { apiJson } from '../api/client';
import { session } from '../api/session';
import { type ManagedUser, type Role, ROLES } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format-time';
import { SelectField } from '../components/SelectField';

/** The auth service's minimum password length. */
const MIN_PASSWORD_LENGTH = 12;

type RoleChoice = Role | 'none';

const ROLE_OPTIONS: readonly { id: RoleChoice; label: string }[] = [
  { id: 'none', label: 'no access' },
  ...ROLES.map((role) => ({ id: role, label: role })),
];

/** Returns a user's highest role: roles are ranked, and a higher one includes the lower ones. */
export function highestRole(roles: readonly Role[]): RoleChoice {
  for (const role of [...ROLES].reverse()) {
    if (roles.includes(role)) {
      return role;
    }
  }

  return 'none';
}

function rolesFor(choice: RoleChoice): Role[] {
  return choice === 'none' ? [] : [choice];
}

/** Lists the workspace's users for admins, who can create, change roles, disable, set passwords and delete. */
export function UsersPage() {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const me = state.status === 'signed-in' ? state.user : null;
  const [users, setUsers] = useState<ManagedUser[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((value) => value + 1), []);

  useEffect(() => {
    const controller = new AbortController();

    setError(null);
    apiJson<ManagedUser[]>('/auth/users', { signal: controller.signal }).then(
      (loaded) => setUsers([...loaded].sort((a, b) => a.email.localeCompare(b.email))),
      (caught: unknown) => {
        if (!controller.signal.aborted) {
          setError(caught);
        }
      },
    );

    return () => controller.abort();
  }, [version]);

  const replace = (user: ManagedUser): void => {
    setUsers((previous) => previous?.map((item) => (item.id === user.id ? user : item)) ?? null);
  };

  if (me !== null && !me.roles.includes('admin')) {
    return (
      <section>
        <h1>Users and roles</h1>
        <p>Only administrators manage users. Ask an administrator for the access you need.</p>
      </section>
    );
  }

  return (
    <section>
      <h1>Users and roles</h1>
      <p className="help">
        Viewers read tables, dashboards and jobs. Editors also load data, edit dashboards and cancel
        jobs. Admins also manage users and read the audit log. A role change applies when the user's
        access token is next renewed (every 15 minutes by default). Disabling or a new password ends
        the user's sessions at once, and their current access token stops working when it expires.
      </p>
      <CreateUserForm onCreated={reload} />
      <ErrorMessage error={error} context="Loading the users failed" />
      {users === null ? (
        error === null ? (
          <p role="status">Loading…</p>
        ) : null
      ) : (
        <UserTable users={users} myId={me?.id ?? null} onChanged={replace} onDeleted={reload} />
      )}
    </section>
  );
}

function CreateUserForm({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<RoleChoice>('viewer');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();

    if (busy) {
      return;
    }

    setBusy(true);
    setError(null);
    setCreated(null);

    try {
      const user = await apiJson<ManagedUser>('/auth/users', {
        body: {
          email: email.trim(),
          ...(password === '' ? {} : { password }),
          roles: rolesFor(role),
        },
      });

      setCreated(user.email);
      setEmail('');
      setPassword('');
      onCreated();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">Add a user</h2>
      <Form className="inline-form" onSubmit={(event) => void submit(event)}>
        <TextField type="email" isRequired value={email} onChange={setEmail}>
          <Label>E-mail</Label>
          <Input />
        </TextField>
        <TextField
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          minLength={MIN_PASSWORD_LENGTH}
        >
          <Label>Password (optional)</Label>
          <Input />
          <Text slot="description" className="help">
            At least {MIN_PASSWORD_LENGTH} characters. Leave it empty for a user who signs in only
            with an identity provider.
          </Text>
        </TextField>
        <SelectField label="Role" options={ROLE_OPTIONS} value={role} onChange={setRole} />
        <Button type="submit" isPending={busy}>
          {busy ? 'Adding…' : 'Add user'}
        </Button>
      </Form>
      {created === null ? null : <p role="status">Added {created}.</p>}
      <ErrorMessage
        error={error}
        context="Adding the user failed"
        hints={{ 409: 'A user with this e-mail address exists: change their roles in the list.' }}
      />
    </section>
  );
}

function UserTable({
  users,
  myId,
  onChanged,
  onDeleted,
}: {
  users: readonly ManagedUser[];
  myId: string | null;
  onChanged: (user: ManagedUser) => void;
  onDeleted: () => void;
}) {
  const [error, setError] = useState<{ email: string; cause: unknown } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ManagedUser | null>(null);
  const [settingPassword, setSettingPassword] = useState<ManagedUser | null>(null);

  const update = async (
    user: ManagedUser,
    changes: { roles?: Role[]; disabled?: boolean },
  ): Promise<void> => {
    setBusyId(user.id);
    setError(null);

    try {
      onChanged(
        await apiJson<ManagedUser>(`/auth/users/${encodeURIComponent(user.id)}`, {
          method: 'PATCH',
          body: changes,
        }),
      );
    } catch (caught) {
      setError({ email: user.email, cause: caught });
    } finally {
      setBusyId(null);
    }
  };

  return (
    <>
      <ErrorMessage
        error={error?.cause}
        context={`Changing ${error?.email ?? 'the user'} failed`}
      />
      <div className="table-scroll full" tabIndex={0} role="region" aria-label="Users">
        <table data-testid="users">
          <caption>{users.length === 1 ? '1 user' : `${users.length} users`}</caption>
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Password</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => {
              const isMe = user.id === myId;
              const busy = busyId === user.id;

              return (
                <tr key={user.id} data-disabled={user.disabled}>
                  <th scope="row">
                    {user.email}
                    {isMe ? <span className="type"> (you)</span> : null}
                  </th>
                  <td>
                    <SelectField
                      label={`Role of ${user.email}`}
                      hideLabel
                      options={ROLE_OPTIONS}
                      value={highestRole(user.roles)}
                      // Admins cannot demote themselves, so the last admin always remains.
                      isDisabled={isMe}
                      onChange={(role) => void update(user, { roles: rolesFor(role) })}
                    />
                  </td>
                  <td>
                    <span className={`badge ${user.disabled ? 'failed' : 'succeeded'}`}>
                      {user.disabled ? 'disabled' : 'active'}
                    </span>
                  </td>
                  <td>{user.hasPassword ? 'yes' : 'no (provider only)'}</td>
                  <td>{formatTime(user.lastSignInAt)}</td>
                  <td>{formatTime(user.createdAt)}</td>
                  <td>
                    <span className="row-actions">
                      <Button
                        className="secondary"
                        isDisabled={isMe}
                        isPending={busy}
                        aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.email}`}
                        onPress={() => void update(user, { disabled: !user.disabled })}
                      >
                        {user.disabled ? 'Enable' : 'Disable'}
                      </Button>
                      <Button
                        className="secondary"
                        isDisabled={busy}
                        aria-label={`Set a password for ${user.email}`}
                        onPress={() => setSettingPassword(user)}
                      >
                        Password…
                      </Button>
                      <Button
                        className="secondary"
                        isDisabled={isMe || busy}
                        aria-label={`Delete ${user.email}`}
                        onPress={() => setDeleting(user)}
                      >
                        Delete…
                      </Button>
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {deleting === null ? null : (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => {
            if (!open) {
              setDeleting(null);
            }
          }}
          title={`Delete ${deleting.email}?`}
          confirmLabel={`Delete ${deleting.email}`}
          failureContext="Deleting the user failed"
          onConfirm={async () => {
            await apiJson<undefined>(`/auth/users/${encodeURIComponent(deleting.id)}`, {
              method: 'DELETE',
            });
            onDeleted();
          }}
        >
          <p>
            This deletes the account, its roles and its sessions. To keep the account but stop its
            access, disable it instead.
          </p>
        </ConfirmDialog>
      )}
      {settingPassword === null ? null : (
        <SetPasswordDialog
          user={settingPassword}
          onClose={() => setSettingPassword(null)}
          onSaved={onChanged}
        />
      )}
    </>
  );
}

function SetPasswordDialog({
  user,
  onClose,
  onSaved,
}: {
  user: ManagedUser;
  onClose: () => void;
  onSaved: (user: ManagedUser) => void;
}) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();

    if (busy) {
      return;
    }

    setBusy(true);
    setError(null);

    try {
      onSaved(
        await apiJson<ManagedUser>(`/auth/users/${encodeURIComponent(user.id)}`, {
          method: 'PATCH',
          body: { password },
        }),
      );
      onClose();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <ModalOverlay
      isOpen
      isDismissable={!busy}
      onOpenChange={(open) => {
        if (!open && !busy) {
          onClose();
        }
      }}
    >
      <Modal>
        <Dialog>
          <Heading slot="title">Set a password for {user.email}</Heading>
          <p>This ends every session of the user, who then signs in with the new password.</p>
          <Form onSubmit={(event) => void submit(event)}>
            <TextField
              type="password"
              autoComplete="new-password"
              isRequired
              autoFocus
              minLength={MIN_PASSWORD_LENGTH}
              value={password}
              onChange={setPassword}
            >
              <Label>New password</Label>
              <Input />
              <Text slot="description" className="help">
                At least {MIN_PASSWORD_LENGTH} characters, and not the e-mail address.
              </Text>
            </TextField>
            <ErrorMessage error={error} context="Setting the password failed" />
            <div className="dialog-actions">
              <Button className="secondary" isDisabled={busy} onPress={onClose}>
                Cancel
              </Button>
              <Button type="submit" isPending={busy}>
                {busy ? 'Saving…' : 'Set password'}
              </Button>
            </div>
          </Form>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
