import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Returns the workspace root: the nearest folder above this file that contains `nx.json`. */
export function workspaceRoot(): string {
  let directory = __dirname;

  while (!existsSync(path.join(directory, 'nx.json'))) {
    const parent = path.dirname(directory);

    if (parent === directory) {
      throw new Error(
        `No nx.json above ${__dirname}: @rokks/testing must run inside the workspace.`,
      );
    }

    directory = parent;
  }

  return directory;
}

/**
 * Creates a temporary folder under `<workspace>/tmp`. Compiled code placed
 * there still resolves `node_modules` of the workspace, which a folder in
 * the system temp directory would not.
 */
export function workspaceTempDir(prefix: string): string {
  const parent = path.join(workspaceRoot(), 'tmp');

  mkdirSync(parent, { recursive: true });

  return mkdtempSync(path.join(parent, prefix));
}

/**
 * Compiles `projects` (and the libraries they import) with
 * `tools/build/build.mjs` into a new folder under `<workspace>/tmp` and
 * returns it. The caller deletes the folder when done.
 */
export async function buildProjects(projects: readonly string[]): Promise<string> {
  const root = workspaceRoot();
  const outDir = workspaceTempDir('rokks-build-');

  try {
    await run(
      process.execPath,
      [path.join(root, 'tools/build/build.mjs'), ...projects, '--out', outDir],
      { cwd: root },
    );
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }

  return outDir;
}
