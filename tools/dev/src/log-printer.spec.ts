import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The printer is an ES module, which Jest cannot import on Node 20, so each
// case runs in a child Node process that prints what the printer wrote.
const printerUrl = pathToFileURL(path.join(__dirname, '../lib/log-printer.mjs')).href;

interface ChildLine {
  service: string;
  line: string;
  stream: 'stdout' | 'stderr';
}

function print(format: 'pretty' | 'json', level: string, lines: ChildLine[]): string[] {
  const script = `
    import { LogPrinter } from ${JSON.stringify(printerUrl)};
    const output = [];
    const printer = new LogPrinter({ format: ${JSON.stringify(format)}, level: ${JSON.stringify(level)}, colour: false, write: (text) => output.push(text) });
    for (const entry of ${JSON.stringify(lines)}) printer.printChildLine(entry.service, entry.line, entry.stream);
    process.stdout.write(output.join(''));
  `;

  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .split('\n')
    .filter((line) => line !== '');
}

function record(fields: Record<string, unknown>): string {
  return JSON.stringify({
    level: 'info',
    time: '2026-01-02T03:04:05.678Z',
    service: 'auth',
    pid: 1,
    ...fields,
  });
}

describe('LogPrinter', () => {
  it('prefixes pretty lines with the process name', () => {
    const lines = print('pretty', 'info', [
      {
        service: 'registry',
        line: record({ service: 'auth', msg: 'certificate issued', serialNumber: 'ab12' }),
        stream: 'stdout',
      },
    ]);

    expect(lines).toEqual([
      '03:04:05.678 registry       INFO  certificate issued serialNumber=ab12',
    ]);
  });

  it('summarizes request lines', () => {
    const lines = print('pretty', 'info', [
      {
        service: 'auth',
        line: record({
          msg: 'request completed',
          req: { method: 'GET', url: '/health', headers: { host: 'x' } },
          res: { statusCode: 200 },
          responseTime: 3,
          requestId: 'r1',
        }),
        stream: 'stdout',
      },
    ]);

    expect(lines).toEqual([
      '03:04:05.678 auth           INFO  request completed GET /health 200 3ms requestId=r1',
    ]);
  });

  it('shows the stack of fatal errors', () => {
    const lines = print('pretty', 'info', [
      {
        service: 'auth',
        line: record({
          level: 'fatal',
          msg: 'service failed to start',
          err: { message: 'port in use', stack: 'Error: port in use\n    at listen (net.js:1:1)' },
        }),
        stream: 'stdout',
      },
    ]);

    expect(lines).toEqual([
      '03:04:05.678 auth           FATAL service failed to start err="port in use"',
      '    at listen (net.js:1:1)',
    ]);
  });

  it('filters by level and Nest start-up lines', () => {
    const lines = print('json', 'info', [
      { service: 'auth', line: record({ level: 'debug', msg: 'probe' }), stream: 'stdout' },
      {
        service: 'registry',
        line: record({ context: 'InstanceLoader', msg: 'RegistryModule dependencies initialized' }),
        stream: 'stdout',
      },
      {
        service: 'registry',
        line: record({ level: 'warn', context: 'RoutesResolver', msg: 'odd route' }),
        stream: 'stdout',
      },
    ]);

    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['odd route']);
  });

  it('wraps plain output in json format', () => {
    const [line] = print('json', 'info', [
      { service: 'worker', line: 'Warning: something odd', stream: 'stderr' },
    ]);
    const parsed = JSON.parse(line) as Record<string, unknown>;

    expect(parsed).toMatchObject({
      level: 'warn',
      service: 'worker',
      msg: 'Warning: something odd',
      stream: 'stderr',
    });
  });

  it('rejects an unknown format', () => {
    expect(() => print('yaml' as 'json', 'info', [])).toThrow(/Invalid log format "yaml"/);
  });
});
