import { Module } from '@nestjs/common';

/**
 * Root module of the auth service. The service kit adds `/health` and
 * `/docs`; the service's own routes are registered here.
 */
@Module({})
export class AppModule {}
