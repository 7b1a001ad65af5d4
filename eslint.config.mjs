// Lint owns correctness (type-aware rules), project boundaries and the visual
// rhythm of the code. Every rule here is an error, because warnings pile up unfixed.
import nx from '@nx/eslint-plugin';
import importX from 'eslint-plugin-import-x';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs',
  'fs/promises', 'http', 'http2', 'https', 'module', 'net', 'os', 'path', 'perf_hooks',
  'process', 'readline', 'stream', 'stream/promises', 'tls', 'url', 'util', 'v8', 'vm',
  'worker_threads', 'zlib',
];

const crossProjectPatterns = [
  {
    // A library may publish test support as a second entry, @rokks/<lib>/testing.
    group: ['@rokks/*/*', '!@rokks/*/testing'],
    message: 'Import the library through its public entry, @rokks/<lib>.',
  },
  {
    group: ['../../libs/*', '../../../libs/*', '../../apps/*', '../../../apps/*'],
    message: 'Cross-project imports go through @rokks/<lib> aliases.',
  },
];

// Every project's root and tags, read from its project.json.
function readProjects() {
  const projects = [];

  for (const folder of ['libs', 'apps', 'tools']) {
    const base = path.join(import.meta.dirname, folder);

    for (const entry of readdirSync(base, { withFileTypes: true })) {
      try {
        const project = JSON.parse(readFileSync(path.join(base, entry.name, 'project.json'), 'utf8'));

        projects.push({ root: `${folder}/${entry.name}`, tags: project.tags ?? [] });
      } catch {
        // A folder without project.json is not a project.
      }
    }
  }

  return projects;
}

const projects = readProjects();

// Code of projects tagged platform:isomorphic ships in the browser bundle, so
// Node's built-in modules are banned there.
const isomorphicRoots = projects
  .filter((project) => project.tags.includes('platform:isomorphic'))
  .map((project) => project.root);

// A service's own projects may use each other and the shared libraries only.
const serviceScopes = [...new Set(projects.flatMap((project) => project.tags))]
  .filter((tag) => tag.startsWith('scope:') && tag !== 'scope:shared' && tag !== 'scope:bench')
  .sort();

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/.nx/**',
      '**/tmp/**',
      '**/*.cjs',
      '**/*.mjs',
      '**/*.js',
      'tools/lint-fixtures/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          checkDynamicDependenciesExceptions: [],
          allow: [],
          depConstraints: [
            {
              sourceTag: 'platform:isomorphic',
              onlyDependOnLibsWithTags: ['platform:isomorphic'],
              bannedExternalImports: nodeBuiltins.flatMap((name) => [name, `node:${name}`]),
            },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Benchmarks measure every service's libraries against a reference.
            { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['*'] },
            ...serviceScopes.map((scope) => ({ sourceTag: scope, onlyDependOnLibsWithTags: [scope, 'scope:shared'] })),
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:feature'] },
          ],
        },
      ],
      'no-restricted-imports': ['error', { patterns: crossProjectPatterns }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through @rokks/config.' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', 'internal', ['parent', 'sibling', 'index']],
          pathGroups: [{ pattern: '@rokks/**', group: 'internal' }],
          pathGroupsExcludedImportTypes: ['builtin'],
          'newlines-between': 'always',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
      'import-x/no-duplicates': 'error',
      'padding-line-between-statements': [
        'error',
        { blankLine: 'always', prev: '*', next: 'return' },
        { blankLine: 'always', prev: ['const', 'let', 'var'], next: '*' },
        { blankLine: 'any', prev: ['const', 'let', 'var'], next: ['const', 'let', 'var'] },
        { blankLine: 'always', prev: 'directive', next: '*' },
        { blankLine: 'always', prev: ['block-like'], next: '*' },
      ],
    },
  },
  {
    // Decorated NestJS classes need their constructor parameter types at run time,
    // so type-only imports would drop the metadata that dependency injection reads.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/naming/**', 'libs/transform/**'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: isomorphicRoots.map((root) => `${root}/**/*.{ts,tsx}`),
    // Specs run under Jest in Node, so they may read fixtures from disk.
    ignores: ['**/*.spec.ts', '**/*.spec.tsx', '**/*.integration-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: crossProjectPatterns,
          paths: nodeBuiltins.flatMap((name) => [name, `node:${name}`]).map((name) => ({
            name,
            message: 'This library runs in the browser too: Node built-in modules are not available.',
          })),
        },
      ],
    },
  },
  {
    // The configuration library is the one place that reads the environment.
    // Tests and tools set it up for the code under test.
    files: ['libs/config/**/*.ts', 'tools/**/*.ts', '**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
