import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** A signed-in session of the CLI, kept between commands. */
export interface StoredSession {
  url: string;
  email: string;
  accessToken: string;
  /** When the access token expires, in milliseconds since the epoch. */
  expiresAt: number;
  /** The `rokks_refresh=…` cookie pair that renews the access token. */
  refreshCookie: string;
}

/** Returns the directory of the CLI's files: `ROKKS_CONFIG_DIR`, else `~/.config/rokks`. */
export function configDirectory(env: Readonly<Record<string, string | undefined>>): string {
  return env.ROKKS_CONFIG_DIR?.trim() || path.join(env.XDG_CONFIG_HOME?.trim() || path.join(homedir(), '.config'), 'rokks');
}

/** Store of `session.json`, readable by its owner only, because it contains tokens. */
export class SessionStore {
  private readonly file: string;

  constructor(private readonly directory: string) {
    this.file = path.join(directory, 'session.json');
  }

  read(): StoredSession | null {
    let text: string;

    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return null;
    }

    try {
      return JSON.parse(text) as StoredSession;
    } catch {
      // A damaged file is as good as none: the next login replaces it.
      return null;
    }
  }

  write(session: StoredSession): void {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    writeFileSync(this.file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }
}
