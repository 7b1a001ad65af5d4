import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { INTERNAL_SECRET_HEADER } from '@rokks/auth-guard';

/**
 * Serves the service's OpenAPI 3 document at `/docs` (Swagger UI) and
 * `/docs-json`. The routes bypass the auth guard, so they belong on the mesh
 * listener, whose TLS handshake admits only mesh clients.
 */
export function setUpSwagger(app: INestApplication, service: string, description: string): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Rokks ${service}`)
      .setDescription(description)
      .addApiKey({ type: 'apiKey', in: 'header', name: INTERNAL_SECRET_HEADER }, 'internal-secret')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'access-token')
      .build(),
  );

  SwaggerModule.setup('docs', app, document);
}
