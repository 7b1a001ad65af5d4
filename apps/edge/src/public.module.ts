import { Module } from '@nestjs/common';

import { PublicRoutes } from './http/public-routes';
import { OpenApiMerger } from './platform/openapi-merger';
import { PlatformHealth } from './platform/platform-health';
import { RequestForwarder } from './proxy/request-forwarder';
import { UpstreamAgent } from './proxy/upstream-agent';
import { UpstreamDirectory } from './proxy/upstream-directory';
import { EdgeAuthenticator } from './security/edge-authenticator';

/**
 * Root module of the edge's browser-facing listener (plain HTTP on port
 * 3000 in development): `/auth/*` and `/api/*` forwarded to the backends,
 * `/api/health`, `/api/docs` and the SPA. It serves no mesh health or docs
 * routes: those stay on the mesh listener, which only mesh clients reach.
 */
@Module({
  providers: [
    UpstreamDirectory,
    UpstreamAgent,
    EdgeAuthenticator,
    RequestForwarder,
    PlatformHealth,
    OpenApiMerger,
    PublicRoutes,
  ],
})
export class PublicModule {}
