import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type AuthDatabase, openAuthDatabase } from '../storage/auth-database';
import { UserStore } from '../users/user.store';
import { type RefreshOutcome, SessionStore } from './session.store';

const TTL_SECONDS = 3600;
const GRACE_SECONDS = 10;
const START = 1_800_000_000_000;

describe('SessionStore refresh grace', () => {
  let directory: string;
  let database: AuthDatabase;
  let sessions: SessionStore;
  let firstToken: string;

  function refresh(token: string, atMs: number): RefreshOutcome {
    return sessions.refresh(token, TTL_SECONDS, GRACE_SECONDS, START + atMs);
  }

  function tokenOf(outcome: RefreshOutcome): string {
    if (outcome.kind !== 'rotated') {
      throw new Error(`expected a rotation, got ${outcome.kind}`);
    }

    return outcome.refreshToken;
  }

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'auth-sessions-'));
    database = openAuthDatabase(directory);
    sessions = new SessionStore(database);

    const user = new UserStore(database).create(
      { email: 'tab@example.com', passwordHash: null, workspace: 'default', roles: ['viewer'] },
      START,
    );

    firstToken = sessions.create(
      { userId: user.id, workspace: 'default', method: 'password', maxAgeSeconds: 86_400, refreshTtlSeconds: TTL_SECONDS },
      START,
    ).refreshToken;
  });

  afterEach(() => {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('rotates a reused token within the window', () => {
    tokenOf(refresh(firstToken, 1000));

    expect(refresh(firstToken, 5000).kind).toBe('rotated');
  });

  it('revokes a reuse after the window', () => {
    const second = tokenOf(refresh(firstToken, 1000));

    expect(refresh(firstToken, 1000 + GRACE_SECONDS * 1000 + 1).kind).toBe('reused');
    expect(refresh(second, 12_000)).toEqual({ kind: 'rejected', reason: 'revoked' });
  });

  it('revokes a reuse after a later rotation', () => {
    const second = tokenOf(refresh(firstToken, 1000));

    tokenOf(refresh(second, 2000));

    expect(refresh(firstToken, 3000).kind).toBe('reused');
  });

  it('revokes any reuse with no window', () => {
    tokenOf(sessions.refresh(firstToken, TTL_SECONDS, 0, START + 1000));

    expect(sessions.refresh(firstToken, TTL_SECONDS, 0, START + 1001).kind).toBe('reused');
  });
});
