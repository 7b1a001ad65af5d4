import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const builds = new Map<string, Promise<string>>();

/** Returns the workspace root: the nearest folder above this file that holds `nx.json`. */
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
 * `tools/build/build.mjs` into a private folder under `<workspace>/tmp`, once
 * per process and project list, and returns that folder. The folder is
 * deleted when the process exits, so a test never runs a developer's stale
 * `dist/`.
 */
export function buildProjects(projects: readonly string[]): Promise<string> {
  const key = [...projects].sort().join(' ');
  let build = builds.get(key);

  if (build === undefined) {
    build = compile(projects);
    builds.set(key, build);
  }

  return build;
}

async function compile(projects: readonly string[]): Promise<string> {
  const root = workspaceRoot();
  const outDir = workspaceTempDir('rokks-build-');

  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  await run(
    process.execPath,
    [path.join(root, 'tools/build/build.mjs'), ...projects, '--out', outDir],
    { cwd: root },
  );

  return outDir;
}
