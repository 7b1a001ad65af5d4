import { Module } from '@nestjs/common';

/**
 * Root module of the edge's browser-facing listener (plain HTTP on port
 * 3000 in development). It serves no health or docs routes: those stay on
 * the mesh listener, which only mesh clients reach.
 */
@Module({})
export class PublicModule {}
