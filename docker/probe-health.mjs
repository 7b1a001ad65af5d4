// Container health check of a Rokks service: `node probe-health.mjs <service>`.
// Exits 0 when the service's `GET /health` on its own mesh port returns 200.
//
// Every service but the registry serves /health on the mesh listener, which
// requires a client certificate of the mesh CA and the internal secret
// (header x-rokks-internal). The probe takes both from the identity the
// service cached at start-up in <ROKKS_DATA_DIR>/<service>/bootstrap-cache.json.
// The registry's /health needs neither.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';

const TIMEOUT_MS = 4000;
const require = createRequire(import.meta.url);
const { SERVICE_CATALOG } = require('../dist/libs/service-kit/src/service-catalog.js');

function fail(message) {
  console.error(`probe-health: ${message}`);
  process.exit(1);
}

const service = process.argv[2] ?? '';
const entry = SERVICE_CATALOG.find((candidate) => candidate.service === service);

if (entry === undefined) {
  fail(`unknown service "${service}": expected one of ${SERVICE_CATALOG.map((item) => item.service).join(', ')}`);
}

const dataDir = process.env.ROKKS_DATA_DIR || '/data';
const portVariable = service === 'registry' ? 'ROKKS_REGISTRY_PORT' : 'ROKKS_PORT';
const port = Number(process.env[portVariable] || entry.port);
let tls;

if (service === 'registry') {
  // The probe connects over loopback inside the registry's own container, so
  // it does not verify the registry's certificate.
  tls = { rejectUnauthorized: false };
} else {
  const cachePath = path.join(dataDir, service, 'bootstrap-cache.json');
  let identity;

  try {
    identity = JSON.parse(readFileSync(cachePath, 'utf8'));
  } catch (error) {
    fail(`cannot read the cached identity ${cachePath}: ${error.message}`);
  }

  tls = {
    cert: identity.certificatePem,
    key: identity.privateKeyPem,
    ca: identity.caCertificatePem,
    // Mesh certificates name the service, localhost and 127.0.0.1.
    servername: 'localhost',
    headers: { 'x-rokks-internal': identity.internalSecret },
  };
}

const probe = request(
  { host: '127.0.0.1', port, path: '/health', method: 'GET', timeout: TIMEOUT_MS, ...tls },
  (response) => {
    response.resume();
    response.on('end', () => {
      if (response.statusCode === 200) {
        process.exit(0);
      }

      fail(`GET https://127.0.0.1:${port}/health returned HTTP ${response.statusCode}`);
    });
  },
);

probe.on('timeout', () => probe.destroy(new Error(`timed out after ${TIMEOUT_MS} ms`)));
probe.on('error', (error) => fail(`GET https://127.0.0.1:${port}/health failed: ${error.message}`));
probe.end();
