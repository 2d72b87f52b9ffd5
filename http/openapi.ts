// Generates /openapi.json from the same route specs Koa serves, so the document cannot drift from the routes.
// Every operation lists the problems it can answer (application/problem+json); a stream documents its events.
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { problem } from '../core/schemas/common.ts';
import { isStreamRoute, type RouteResponse, type RouteSpec } from './route.ts';
import { streamFrame } from './openapi-stream.ts';

const toOpenApiPath = (path: string) => path.replace(/:([a-zA-Z_]+)/g, '{$1}');

const fieldError = z.object({ path: z.string(), code: z.string(), message: z.string() });
const validationProblem = problem.extend({ errors: z.array(fieldError) }).meta({ id: 'ValidationProblem' });
const conflictProblem = problem
  .extend({ current_version: z.number().int().nullable().optional().meta({ description: 'The version to send again after re-reading (version conflicts)' }) })
  .meta({ id: 'ConflictProblem' });

const problemResponse = (description: string, schema: z.ZodType = problem, headers?: ResponseConfig['headers']): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema } },
});

const wwwAuthenticate = z.string().meta({ description: 'Bearer realm="mcp-runtime" (with error="invalid_token" when a token was refused)' });

/** The 4xx answers of one route: derived from its inputs and roles, plus those it declares. */
function problemResponses(spec: RouteSpec): Record<number, ResponseConfig> {
  const declared = new Set(spec.problems ?? []);
  const out: Record<number, ResponseConfig> = {};
  if (spec.params !== undefined || spec.query !== undefined || spec.body !== undefined || isStreamRoute(spec)) {
    out[400] = problemResponse('Invalid input: `errors` names each field', validationProblem);
  }
  if (spec.roles !== 'public') {
    out[401] = problemResponse('No token, or a token that is invalid or expired', problem, z.object({ 'WWW-Authenticate': wwwAuthenticate }));
    out[403] = problemResponse('The token lacks a role this operation needs');
  }
  if (spec.params !== undefined || declared.has(404)) out[404] = problemResponse("Not found (another tenant's resources answer the same)");
  if (declared.has(409)) {
    out[409] = problemResponse('Conflict: a stale version (current_version says which to send), a duplicate, or a state that forbids it', conflictProblem);
  }
  if (spec.body !== undefined) {
    out[413] = problemResponse('The body is larger than HTTP_BODY_LIMIT_BYTES');
    out[415] = problemResponse('The body is not application/json');
  }
  if (declared.has(422)) out[422] = problemResponse('The request is well-formed but the state machine forbids it');
  if (declared.has(503)) out[503] = problemResponse('A dependency is unavailable; retry later');
  return out;
}

function successResponse(status: number, response: RouteResponse): ResponseConfig {
  const headers = status === 201 ? { headers: z.object({ Location: z.string().meta({ description: 'Path of the created resource' }) }) } : {};
  if (response.events) {
    const names = Object.keys(response.events).join(', ');
    return {
      description: `${response.description}. Each frame is one Server-Sent Event (id, event, data as JSON); events: ${names}. Comment lines are heartbeats.`,
      content: { 'text/event-stream': { schema: streamFrame(response.events) } },
    };
  }
  if (response.schema) return { description: response.description, ...headers, content: { [response.contentType ?? 'application/json']: { schema: response.schema } } };
  if (response.contentType) return { description: response.description, content: { [response.contentType]: { schema: z.string() } } };
  return { description: response.description, ...headers };
}

const lastEventId = z.object({
  'last-event-id': z.string().optional().meta({ description: 'Resume after this event id (what EventSource sends on reconnect); the `cursor` query parameter does the same' }),
});

export function buildOpenApiDocument(routes: RouteSpec[], info: { version: string }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const spec of routes) {
    const responses = Object.fromEntries(Object.entries(spec.responses).map(([status, response]) => [status, successResponse(Number(status), response)]));
    registry.registerPath({
      method: spec.method,
      path: toOpenApiPath(spec.path),
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.roles === 'public' ? {} : { security: [{ bearer: [] }] }),
      request: {
        ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
        ...(isStreamRoute(spec) ? { headers: lastEventId } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: {
        ...responses,
        ...problemResponses(spec),
        default: { description: 'Any other problem (5xx)', content: { 'application/problem+json': { schema: problem } } },
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'mcp-runtime control plane',
      version: info.version,
      description: 'Errors are RFC 9457 problems (application/problem+json) with a stable `code`. Streams are Server-Sent Events: see each stream operation for its event names and data schemas.',
    },
  });
}
