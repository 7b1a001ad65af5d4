// Tests tools/build/build.mjs, which has no Jest project of its own: it
// builds a small workspace in a temporary folder and runs the output with node.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repositoryRoot = resolve(__dirname, '../../..');
const buildScript = join(repositoryRoot, 'tools/build/build.mjs');

const FILES: Record<string, string> = {
  'tsconfig.base.json': JSON.stringify({
    compilerOptions: {
      paths: {
        '@rokks/greeter': ['./libs/greeter/src/index.ts'],
        '@rokks/unused': ['./libs/unused/src/index.ts'],
      },
    },
  }),
  'libs/greeter/src/index.ts': "export { GreeterModule } from './greeter.module';\nexport { GreeterService } from './greeter.service';\n",
  'libs/greeter/src/greeter.service.ts': [
    "import { Injectable } from '@nestjs/common';",
    '',
    '@Injectable()',
    'export class GreeterService {',
    '  greet(name: string): string {',
    '    return `Hello, ${name}`;',
    '  }',
    '}',
  ].join('\n'),
  'libs/greeter/src/greeter.module.ts': [
    "import { Module } from '@nestjs/common';",
    "import { GreeterService } from './greeter.service';",
    '',
    '@Module({ providers: [GreeterService], exports: [GreeterService] })',
    'export class GreeterModule {}',
  ].join('\n'),
  'libs/greeter/src/greeter.service.spec.ts': "throw new Error('spec files must not be built');\n",
  'libs/unused/src/index.ts': 'export const unused = 1;\n',
  'apps/frontend/src/main.ts': 'export const browserOnly = true;\n',
  'apps/demo/src/templates/name.txt': 'Ada',
  'apps/demo/src/main.ts': [
    "import 'reflect-metadata';",
    "import { readFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    "import { Injectable, Module } from '@nestjs/common';",
    "import { NestFactory } from '@nestjs/core';",
    "import { GreeterModule, GreeterService } from '@rokks/greeter';",
    '',
    '@Injectable()',
    'class WelcomeService {',
    '  constructor(private readonly greeter: GreeterService) {}',
    '',
    '  welcome(): string {',
    "    return this.greeter.greet(readFileSync(join(__dirname, 'templates/name.txt'), 'utf8'));",
    '  }',
    '}',
    '',
    '@Module({ imports: [GreeterModule], providers: [WelcomeService] })',
    'class DemoModule {}',
    '',
    'async function main(): Promise<void> {',
    '  const app = await NestFactory.createApplicationContext(DemoModule, { logger: false });',
    '',
    '  console.log(app.get(WelcomeService).welcome());',
    "  console.log(new Error('where').stack?.split('\\n')[1]);",
    '  await app.close();',
    '}',
    '',
    'void main();',
  ].join('\n'),
};

describe('tools/build/build.mjs', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'rokks-build-'));

    for (const [path, content] of Object.entries(FILES)) {
      await mkdir(dirname(join(workspace, path)), { recursive: true });
      await writeFile(join(workspace, path), content);
    }
  });

  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  async function buildDemo(...projects: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [buildScript, '--root', workspace, '--out', join(workspace, 'dist'), ...projects]);

    return stdout;
  }

  it('builds an app with the libraries it imports', async () => {
    const output = await buildDemo('demo');

    expect(output).toContain('built apps/demo: 2 files');
    expect(output).toContain('built libs/greeter: 3 files');
    expect(output).toMatch(/built 2 projects, 5 files in [\d.]+ s/);
    expect(existsSync(join(workspace, 'dist/libs/unused'))).toBe(false);
    expect(existsSync(join(workspace, 'dist/libs/greeter/src/greeter.service.spec.js'))).toBe(false);
  });

  it('rewrites aliases to relative requires', async () => {
    await buildDemo('demo');

    const main = await readFile(join(workspace, 'dist/apps/demo/src/main.js'), 'utf8');

    expect(main).toContain('require("../../../libs/greeter/src/index")');
    expect(main).not.toContain('@rokks/');
    expect(main).toContain('design:paramtypes');
  });

  it('output runs with node and injects by type', async () => {
    await buildDemo('demo');

    const { stdout } = await run(process.execPath, ['--enable-source-maps', join(workspace, 'dist/apps/demo/src/main.js')], {
      env: { ...process.env, NODE_PATH: join(repositoryRoot, 'node_modules') },
    });
    const [greeting, frame] = stdout.split('\n');

    expect(greeting).toBe('Hello, Ada');
    expect(frame).toMatch(/apps\/demo\/src\/main\.ts:\d+/);
  });

  it('builds every project except the frontend by default', async () => {
    const output = await buildDemo();

    expect(output).toContain('built libs/unused: 1 files');
    expect(output).not.toContain('apps/frontend');
    expect(existsSync(join(workspace, 'dist/apps/frontend'))).toBe(false);
  });

  it('rejects an unknown project', async () => {
    await expect(buildDemo('nowhere')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('Project "nowhere" is not found.'),
    });
  });
});
