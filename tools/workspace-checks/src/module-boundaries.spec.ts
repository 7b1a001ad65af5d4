import { execFileSync } from 'node:child_process';
import path from 'node:path';

interface LintMessage {
  ruleId: string | null;
  message: string;
}

const probeScript = path.join(__dirname, 'lint-probe.mjs');

function lintProbe(relativePath: string, source: string): LintMessage[] {
  const output = execFileSync(process.execPath, [probeScript, relativePath], {
    input: source,
    encoding: 'utf8',
  });

  return JSON.parse(output) as LintMessage[];
}

function ruleIds(messages: LintMessage[]): (string | null)[] {
  return messages.map((message) => message.ruleId);
}

describe('module boundaries', () => {
  it('rejects a Node built-in in a browser-safe library', () => {
    const messages = lintProbe(
      'libs/transform/src/boundary-probe.ts',
      "import { readFileSync } from 'node:fs';\n\nexport const probe = readFileSync;\n",
    );

    expect(ruleIds(messages)).toContain('no-restricted-imports');
  });

  it('rejects a Node-only library in a browser-safe library', () => {
    const messages = lintProbe(
      'libs/naming/src/boundary-probe.ts',
      "import { loadConfig } from '@rokks/config';\n\nexport const probe = loadConfig;\n",
    );

    expect(ruleIds(messages)).toContain('@nx/enforce-module-boundaries');
  });

  it('rejects a deep import into a library', () => {
    const messages = lintProbe(
      'libs/naming/src/boundary-probe.ts',
      "import { COLUMN_TYPES } from '@rokks/transform/src/types';\n\nexport const probe = COLUMN_TYPES;\n",
    );

    expect(ruleIds(messages)).toContain('no-restricted-imports');
  });

  it('rejects a relative import across projects', () => {
    const messages = lintProbe(
      'libs/naming/src/boundary-probe.ts',
      "import { COLUMN_TYPES } from '../../transform/src/types';\n\nexport const probe = COLUMN_TYPES;\n",
    );

    expect(ruleIds(messages)).toContain('@nx/enforce-module-boundaries');
  });

  it('rejects an app importing another app', () => {
    const messages = lintProbe(
      'apps/registry/src/boundary-probe.ts',
      "import { probe } from '../../sql-gateway/src/main';\n\nexport const copy = probe;\n",
    );

    expect(ruleIds(messages)).toContain('@nx/enforce-module-boundaries');
  });

  it("rejects a library of another service's scope", () => {
    const messages = lintProbe(
      'apps/registry/src/boundary-probe.ts',
      "import { createSqlEngine } from '@rokks/sql-engine';\n\nexport const probe = createSqlEngine;\n",
    );

    expect(ruleIds(messages)).toContain('@nx/enforce-module-boundaries');
  });

  it('rejects process.env outside the config library', () => {
    const messages = lintProbe('libs/naming/src/boundary-probe.ts', 'export const probe = process.env.HOME;\n');

    expect(ruleIds(messages)).toContain('no-restricted-properties');
  });

  it('accepts an isomorphic library importing another', () => {
    const messages = lintProbe(
      'libs/naming/src/boundary-probe.ts',
      "import { COLUMN_TYPES } from '@rokks/transform';\n\nexport const probe = COLUMN_TYPES;\n",
    );

    expect(messages).toEqual([]);
  });
});
