import { Injectable } from '@nestjs/common';
import { request as undiciRequest } from 'undici';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';
import { InjectPinoLogger, PinoLogger } from '@rokks/logging';
import { ServiceContext } from '@rokks/service-kit';

import { type EdgeSettings } from '../edge.settings';
import { UpstreamAgent } from '../proxy/upstream-agent';
import { UpstreamDirectory } from '../proxy/upstream-directory';
import { API_PREFIXES, BACKEND_SERVICES, type BackendService } from '../routing/route-table';

/** The parts of an OpenAPI 3 document the merge reads and writes. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
  [extension: `x-${string}`]: unknown;
}

const FETCH_TIMEOUT_MS = 5000;

/** The routes the edge itself serves, documented here because no backend has them. */
const EDGE_PATHS: OpenApiDocument['paths'] = {
  '/api/health': {
    get: {
      tags: ['platform'],
      summary: 'Platform health',
      description:
        "Without a token: `{status, checkedAt}` with status up, degraded or down. With a valid access token: the healthcheck service's whole report.",
      responses: {
        200: { description: 'Up or degraded' },
        503: { description: 'The health report cannot be read' },
      },
    },
  },
  '/api/docs': {
    get: {
      tags: ['platform'],
      summary: 'This document: the OpenAPI documents of the backends, merged',
      security: [{ 'access-token': [] }],
      responses: { 200: { description: 'OpenAPI 3 document' } },
    },
  },
};

/**
 * Builds the browser-facing OpenAPI document at `/api/docs`: each
 * backend's `/docs-json`, fetched over the mesh, keeps only the paths the
 * edge forwards to it (`/auth/…` for auth, its `/api/<prefix>` paths for the
 * others). Schemas that two backends name alike are renamed
 * `<service>.<name>`. A backend that cannot be reached is listed in
 * `x-rokks-unavailable`. The result is cached for `docsCacheMs`.
 */
@Injectable()
export class OpenApiMerger {
  private cached?: { at: number; document: Promise<OpenApiDocument> };

  constructor(
    private readonly directory: UpstreamDirectory,
    private readonly upstream: UpstreamAgent,
    private readonly context: ServiceContext<EdgeSettings>,
    @InjectPinoLogger(OpenApiMerger.name) private readonly logger: PinoLogger,
  ) {}

  document(): Promise<OpenApiDocument> {
    const now = Date.now();

    if (this.cached === undefined || now - this.cached.at > this.context.settings.docsCacheMs) {
      this.cached = { at: now, document: this.build() };
    }

    return this.cached.document;
  }

  private async build(): Promise<OpenApiDocument> {
    const fetched = await Promise.all(
      BACKEND_SERVICES.map(async (service) => ({
        service,
        document: await this.fetchDocument(service),
      })),
    );

    return mergeDocuments(fetched);
  }

  private async fetchDocument(service: BackendService): Promise<OpenApiDocument | undefined> {
    const baseUrl = await this.directory.resolve(service);

    if (baseUrl === undefined) {
      return undefined;
    }

    try {
      const response = await undiciRequest(new URL('/docs-json', baseUrl), {
        dispatcher: this.upstream.agent,
        headers: { [INTERNAL_SECRET_HEADER]: this.context.identity.internalSecret },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });

      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`HTTP ${response.statusCode}`);
      }

      return (await response.body.json()) as OpenApiDocument;
    } catch (error) {
      this.logger.warn(
        { err: error, targetService: service },
        'reading an OpenAPI document failed',
      );

      return undefined;
    }
  }
}

/** Merges the backends' documents (undefined: the backend was unreachable) into one. */
export function mergeDocuments(
  fetched: { service: BackendService; document: OpenApiDocument | undefined }[],
): OpenApiDocument {
  const schemas: Record<string, unknown> = {};
  const tags: { name: string; description?: string }[] = [
    { name: 'platform', description: 'Routes of the edge itself' },
  ];
  const merged: OpenApiDocument = {
    openapi: '3.0.0',
    info: {
      title: 'Rokks API',
      version: '1',
      description:
        'Every route browsers reach through the edge. Routes under /api need `Authorization: Bearer <access token>`.',
    },
    paths: { ...EDGE_PATHS },
    components: {
      schemas,
      securitySchemes: { 'access-token': { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    tags,
  };
  const unavailable: string[] = [];

  for (const { service, document } of fetched) {
    if (document === undefined) {
      unavailable.push(service);
      continue;
    }

    const ownSchemas = document.components?.schemas ?? {};
    const renames = new Map<string, string>();

    for (const name of Object.keys(ownSchemas)) {
      renames.set(name, name in schemas ? `${service}.${name}` : name);
    }

    const rewrite = (value: unknown): unknown => rewriteReferences(value, renames);

    for (const [name, schema] of Object.entries(ownSchemas)) {
      schemas[renames.get(name) ?? name] = rewrite(schema);
    }

    for (const [path, operations] of Object.entries(document.paths)) {
      if (isExposed(service, path)) {
        merged.paths[path] = withoutInternalSecurity(
          rewrite(operations) as Record<string, unknown>,
        );
      }
    }

    for (const tag of document.tags ?? []) {
      if (!tags.some((existing) => existing.name === tag.name)) {
        tags.push(tag);
      }
    }
  }

  if (unavailable.length > 0) {
    merged['x-rokks-unavailable'] = unavailable;
  }

  return merged;
}

function isExposed(service: BackendService, path: string): boolean {
  if (service === 'auth') {
    return path === '/auth' || path.startsWith('/auth/');
  }

  return Object.entries(API_PREFIXES).some(
    ([prefix, owner]) =>
      owner === service && (path === `/api/${prefix}` || path.startsWith(`/api/${prefix}/`)),
  );
}

// Browsers cannot send the internal secret, so it is not offered as a way to call a route.
function withoutInternalSecurity(operations: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};

  for (const [method, operation] of Object.entries(operations)) {
    if (typeof operation !== 'object' || operation === null || !('security' in operation)) {
      result[method] = operation;
      continue;
    }

    const security = ((operation as { security: Record<string, unknown>[] }).security ?? []).filter(
      (requirement) => !('internal-secret' in requirement),
    );

    result[method] = { ...operation, security };
  }

  return result;
}

function rewriteReferences(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => rewriteReferences(item, renames));
  }

  if (typeof value !== 'object' || value === null) {
    return value;
  }

  const result: Record<string, unknown> = {};

  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && item.startsWith('#/components/schemas/')) {
      const name = item.slice('#/components/schemas/'.length);

      result[key] = `#/components/schemas/${renames.get(name) ?? name}`;
    } else {
      result[key] = rewriteReferences(item, renames);
    }
  }

  return result;
}
