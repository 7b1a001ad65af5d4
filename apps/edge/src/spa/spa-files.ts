import { stat } from 'node:fs/promises';
import path from 'node:path';

import { type FastifyInstance, type FastifyReply } from 'fastify';

/**
 * Static files of the built SPA (development: `dist/apps/frontend`). A path
 * that names a file serves it; a path without a file extension that names
 * none serves `index.html`, so client-side routes load the application.
 * Paths arrive validated (no dot segments, no separators inside a segment).
 */
export class SpaFiles {
  private constructor(private readonly root: string | undefined) {}

  /** Registers `@fastify/static` (for `reply.sendFile`) when `directory` contains an index.html. */
  static async register(fastify: FastifyInstance, directory: string): Promise<SpaFiles> {
    const root = path.resolve(directory);
    const hasIndex = await stat(path.join(root, 'index.html')).then(
      (entry) => entry.isFile(),
      () => false,
    );

    if (!hasIndex) {
      return new SpaFiles(undefined);
    }

    const { default: fastifyStatic } = await import('@fastify/static');

    await fastify.register(fastifyStatic, { root, serve: false });

    return new SpaFiles(root);
  }

  get enabled(): boolean {
    return this.root !== undefined;
  }

  /**
   * Sends the file for the decoded path segments, or index.html; returns
   * false when neither applies (a missing asset such as `/app.js`).
   */
  async send(reply: FastifyReply, segments: readonly string[]): Promise<boolean> {
    if (this.root === undefined) {
      return false;
    }

    const relative = segments.join('/');
    const isFile =
      relative !== '' &&
      (await stat(path.join(this.root, relative)).then(
        (entry) => entry.isFile(),
        () => false,
      ));

    if (isFile) {
      await reply.sendFile(relative);

      return true;
    }

    const last = segments[segments.length - 1] ?? '';

    if (last.includes('.')) {
      return false;
    }

    // The application shell must never be cached, or a new build would not load.
    await reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });

    return true;
  }
}
