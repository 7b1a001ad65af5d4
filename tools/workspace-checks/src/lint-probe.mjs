// Lints one in-memory source text as if it lived at the given workspace path
// and prints the messages as JSON. Jest cannot load ESLint's ESM config in its
// module sandbox, so the boundary tests run this script as a child process.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ESLint } from 'eslint';

const [relativePath] = process.argv.slice(2);
const workspaceRoot = path.resolve(import.meta.dirname, '../../..');
const source = readFileSync(0, 'utf8');

// Only the boundary rules are under test, so the type-aware parser settings are
// switched off: the probe file exists only in memory.
const eslint = new ESLint({
  cwd: workspaceRoot,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
  },
  ruleFilter: ({ ruleId }) =>
    ['@nx/enforce-module-boundaries', 'no-restricted-imports', 'no-restricted-properties'].includes(ruleId),
});
const [result] = await eslint.lintText(source, { filePath: path.join(workspaceRoot, relativePath) });

process.stdout.write(JSON.stringify(result.messages));
