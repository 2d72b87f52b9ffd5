// Generates /openapi.json from the same route specs Koa serves, so the document cannot drift from the routes.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { problem } from '../core/schemas/common.ts';
import type { RouteSpec } from './route.ts';

const toOpenApiPath = (path: string) => path.replace(/:([a-zA-Z_]+)/g, '{$1}');

export function buildOpenApiDocument(routes: RouteSpec[], info: { version: string }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const spec of routes) {
    const responses = Object.fromEntries(
      Object.entries(spec.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } } : {}),
          ...(response.contentType && !response.schema ? { content: { [response.contentType]: { schema: z.string() } } } : {}),
        },
      ]),
    );
    registry.registerPath({
      method: spec.method,
      path: toOpenApiPath(spec.path),
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.roles === 'public' ? {} : { security: [{ bearer: [] }] }),
      request: {
        ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: {
        ...responses,
        default: { description: 'Problem', content: { 'application/problem+json': { schema: problem } } },
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'mcp-runtime control plane', version: info.version },
  });
}
