/**
 * OpenAPI 3 document generated from the routes' zod schemas, served by Swagger UI at /docs (JSON at /docs/json).
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { App } from './fastify';

export interface DocsOptions {
  title: string;
  version: string;
  /** Where clients reach this node; becomes the document's only server entry. */
  publicUrl: string;
}

export const DOCS_PREFIX = '/docs';
export const BEARER_SCHEME = 'bearer';
/** Put on a route's schema (`security: BEARER_SECURITY`) to mark it as needing `Authorization: Bearer <token>`. */
export const BEARER_SECURITY: Array<Record<string, string[]>> = [{ [BEARER_SCHEME]: [] }];

/**
 * NOTE: must be awaited BEFORE any route is declared — @fastify/swagger collects routes with an onRoute hook,
 * so routes added earlier are missing from the document.
 */
export async function registerDocs(app: App, opts: DocsOptions): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: opts.title, version: opts.version },
      servers: [{ url: opts.publicUrl }],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    // Converts each route's zod schemas to JSON Schema; honours `schema.hide`.
    transform: jsonSchemaTransform,
    // Schemas registered in z.globalRegistry with an `id` become components.schemas refs.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });
}
