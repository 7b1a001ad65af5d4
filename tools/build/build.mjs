#!/usr/bin/env node
// Compiles the workspace's TypeScript to CommonJS under dist/ with SWC, so
// that `node dist/apps/<app>/src/main.js` runs without a loader.
//
//   node tools/build/build.mjs                  every app and library
//   node tools/build/build.mjs registry naming  those projects and the libraries they import
//   node tools/build/build.mjs --root DIR --out DIR ...
//
// Each project's `src` tree keeps its layout (dist/libs/naming/src/index.js).
// The SPA (apps/frontend) is bundled by Vite into dist/apps/frontend when
// every project is built or `frontend` is named.
// Spec files are skipped, other files under src are copied, and `@rokks/<lib>`
// imports are rewritten to relative requires from the tsconfig.base.json paths.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { transform } from '@swc/core';

const SKIPPED_APPS = new Set(['frontend']);
const SPA_CONFIG = 'apps/frontend/vite.config.mts';
const SPEC_FILE = /\.(spec|integration-spec)\.ts$/;
const DECLARATION_FILE = /\.d\.ts$/;
const ALIAS_REQUIRE = /require\((["'])(@rokks\/[^"']+)\1\)/g;

/**
 * Builds the given projects (all when the list is empty) and the libraries
 * they import. Returns one summary per built project.
 */
export async function build({ root, outDir, projects = [], log = console.log }) {
  const started = performance.now();
  const aliases = await readAliases(root);
  const available = await listProjects(root);
  const withSpa = projects.length === 0 || projects.includes('frontend') || projects.includes('apps/frontend');
  const named = projects.filter((name) => name !== 'frontend' && name !== 'apps/frontend');
  const queue = projects.length === 0 ? [...available.values()] : named.map((name) => findProject(available, name));
  const built = new Map();

  while (queue.length > 0) {
    const project = queue.shift();

    if (built.has(project.path)) {
      continue;
    }

    const summary = await buildProject(project, { root, outDir, aliases });

    built.set(project.path, summary);

    for (const library of summary.imports) {
      queue.push(findProject(available, `libs/${library}`));
    }
  }

  const summaries = [...built.values()];
  const fileCount = summaries.reduce((total, summary) => total + summary.files, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);

  for (const summary of summaries) {
    log(`built ${summary.path}: ${summary.files} files`);
  }

  log(`built ${summaries.length} projects, ${fileCount} files in ${seconds} s into ${relative(process.cwd(), outDir) || '.'}`);

  // A workspace without the SPA's Vite config (a test fixture) has no SPA to bundle.
  if (withSpa && existsSync(join(root, SPA_CONFIG))) {
    await buildSpa(root, join(outDir, 'apps/frontend'), log);
  }

  return summaries;
}

/** Bundles the SPA with Vite into `spaDir`. */
async function buildSpa(root, spaDir, log) {
  const started = performance.now();
  const { build: viteBuild } = await import('vite');

  await viteBuild({
    configFile: join(root, SPA_CONFIG),
    logLevel: 'warn',
    build: { outDir: spaDir, emptyOutDir: true },
  });
  log(`built apps/frontend with Vite in ${((performance.now() - started) / 1000).toFixed(2)} s into ${relative(process.cwd(), spaDir) || '.'}`);
}

async function readAliases(root) {
  const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8'));
  const paths = tsconfig.compilerOptions?.paths ?? {};
  const aliases = new Map();

  for (const [alias, [target]] of Object.entries(paths)) {
    const source = resolve(root, target);

    aliases.set(alias, { source, library: relative(join(root, 'libs'), source).split(sep)[0] });
  }

  return aliases;
}

async function listProjects(root) {
  const projects = new Map();

  for (const kind of ['apps', 'libs', 'tools']) {
    const entries = await readdir(join(root, kind), { withFileTypes: true }).catch(() => []);

    for (const entry of entries) {
      const skipped = kind === 'apps' && SKIPPED_APPS.has(entry.name);
      // Under tools/ only projects with a src folder (benchmarks, say) are built.
      const hasSource =
        kind !== 'tools' || (await readdir(join(root, kind, entry.name, 'src')).then(() => true, () => false));

      if (entry.isDirectory() && !skipped && hasSource) {
        projects.set(`${kind}/${entry.name}`, { path: `${kind}/${entry.name}`, name: entry.name });
      }
    }
  }

  return projects;
}

function findProject(available, name) {
  const exact = available.get(name.replace(/\/+$/, ''));

  if (exact !== undefined) {
    return exact;
  }

  const matches = [...available.values()].filter((project) => project.name === name);

  if (matches.length !== 1) {
    const problem = matches.length === 0 ? 'not found' : 'ambiguous; prefix it with apps/, libs/ or tools/';

    throw new Error(`Project "${name}" is ${problem}. Known projects: ${[...available.keys()].join(', ')}.`);
  }

  return matches[0];
}

async function buildProject(project, { root, outDir, aliases }) {
  const sourceDir = join(root, project.path, 'src');
  const targetDir = join(outDir, project.path, 'src');
  const files = await listFiles(sourceDir);
  const imports = new Set();

  await rm(targetDir, { recursive: true, force: true });
  await runLimited(files, availableParallelism(), async (file) => {
    const target = join(targetDir, relative(sourceDir, file));

    await mkdir(dirname(target), { recursive: true });

    if (!file.endsWith('.ts')) {
      await copyFile(file, target);

      return;
    }

    const found = await compileFile(file, target.replace(/\.ts$/, '.js'), { root, outDir, aliases });

    for (const library of found) {
      imports.add(library);
    }
  });

  imports.delete(project.path.startsWith('libs/') ? project.name : '');

  return { path: project.path, files: files.length, imports: [...imports] };
}

async function listFiles(directory) {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true }).catch((error) => {
    if (error.code === 'ENOENT') {
      return [];
    }

    throw error;
  });

  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !SPEC_FILE.test(file) && !DECLARATION_FILE.test(file));
}

async function compileFile(sourceFile, targetFile, { root, outDir, aliases }) {
  const source = await readFile(sourceFile, 'utf8');
  const mapFile = `${targetFile}.map`;
  const output = await transform(source, {
    filename: sourceFile,
    sourceFileName: relative(dirname(targetFile), sourceFile),
    swcrc: false,
    configFile: false,
    sourceMaps: true,
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      keepClassNames: true,
      parser: { syntax: 'typescript', decorators: true },
      // NestJS resolves constructor parameters from `design:paramtypes`, which
      // only the legacy decorator transform with metadata emits.
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
    },
  });
  const libraries = new Set();
  const code = output.code.replace(ALIAS_REQUIRE, (_match, quote, alias) => {
    const target = aliases.get(alias);

    if (target === undefined) {
      throw new Error(`${relative(root, sourceFile)} imports ${alias}, which tsconfig.base.json does not map.`);
    }

    libraries.add(target.library);

    const compiled = join(outDir, relative(root, target.source)).replace(/\.ts$/, '.js');
    let specifier = relative(dirname(targetFile), compiled).split(sep).join('/').replace(/\.js$/, '');

    if (!specifier.startsWith('.')) {
      specifier = `./${specifier}`;
    }

    return `require(${quote}${specifier}${quote})`;
  });

  // NOTE: a rewritten require changes the length of its line, so the source
  // map columns after it on that line are off by the difference.
  await writeFile(targetFile, `${code}\n//# sourceMappingURL=${relative(dirname(targetFile), mapFile)}\n`);
  await writeFile(mapFile, output.map ?? '{}');

  return libraries;
}

async function runLimited(items, limit, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];

      next += 1;
      await task(item);
    }
  });

  await Promise.all(workers);
}

function parseArguments(argv, workspaceRoot) {
  const options = { root: workspaceRoot, outDir: undefined, projects: [] };

  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];

    if (argument === '--root' || argument === '--out') {
      const value = argv[index + 1];

      if (value === undefined) {
        throw new Error(`${argument} needs a directory.`);
      }

      options[argument === '--root' ? 'root' : 'outDir'] = resolve(value);
      index += 1;
    } else if (argument.startsWith('--')) {
      throw new Error(`Unknown option ${argument}: use --root DIR, --out DIR and project names.`);
    } else {
      options.projects.push(argument);
    }
  }

  options.outDir ??= join(options.root, 'dist');

  return options;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

  try {
    await build(parseArguments(process.argv.slice(2), workspaceRoot));
  } catch (error) {
    console.error(`build failed: ${error.message}`);
    process.exitCode = 1;
  }
}
