// One declaration per route: zod schemas for input and output, required roles, handler. Drives Koa and OpenAPI alike.
import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError, type FieldError } from '../core/errors.ts';
import type { AuthClaims, Principal, Role } from '../core/schemas/common.ts';
import { tenantPrincipal } from './auth.ts';
import { fieldErrors } from './problem.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: AuthClaims;
}

/** What a JSON handler returns; `undefined` means the handler wrote the response itself (SSE). */
export type RouteResult = { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

/** Problem statuses a route declares itself; 400, 401, 403, 413, 415 (and 404 for a path with ids) follow from its inputs and roles. */
export type DeclaredProblem = 404 | 409 | 422 | 503;

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  /** text/event-stream only: each event name the stream sends, with the schema of its `data`. */
  events?: Record<string, z.ZodType>;
}

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  path: string;
  /** Stable camelCase name of the operation in /openapi.json (clients generate method names from it). */
  operationId: string;
  summary: string;
  tag: string;
  /** Any one of these tenant roles admits the caller (no role implies another); `public` skips authentication. */
  roles: readonly Role[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, RouteResponse>;
  problems?: readonly DeclaredProblem[];
  handler(ctx: Context, input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<RouteResult> | RouteResult;
}

export function defineRoute<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

// Who may do what (docs/security.md has the table). Every tenant role but `verifier` reads; the verifier service only
// speaks about evidence. The tenant admin reads and owns the reference measurements, and implies no other role.
export const readRoles = ['viewer', 'operator', 'approver', 'admin'] as const satisfies readonly Role[];
export const writeRoles = ['operator'] as const satisfies readonly Role[];
export const approveRoles = ['approver'] as const satisfies readonly Role[];
export const tenantAdminRoles = ['admin'] as const satisfies readonly Role[];
export const verifierRoles = ['verifier'] as const satisfies readonly Role[];

/** A stream answers text/event-stream; only there may a browser's EventSource bring `?access_token=`. */
export const isStreamRoute = (spec: Pick<RouteSpec, 'responses'>) => spec.responses[200]?.contentType === 'text/event-stream';

/** Postgres text and jsonb cannot hold U+0000, so such input would fail in the query (a 500) instead of here. */
function nulFieldErrors(value: unknown, path: string[], out: FieldError[]): FieldError[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ path: path.join('.'), code: 'custom', message: 'must not contain NUL characters' });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) nulFieldErrors(key.includes('\u0000') ? '\u0000' : item, [...path, key], out);
  }
  return out;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (schema === undefined) return undefined;
  const nul = nulFieldErrors(value, [where], []);
  if (nul.length > 0) throw new AppError('validation-failed', `the request ${where} has invalid fields`, { errors: nul });
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError('validation-failed', `the request ${where} has invalid fields`, { errors: fieldErrors(result.error, where) });
  }
  return result.data;
}

export function authorize(spec: Pick<RouteSpec, 'roles'>, principal: Principal | undefined): AuthClaims {
  if (spec.roles === 'public') return (principal?.kind === 'tenant' ? principal.claims : undefined) as AuthClaims;
  if (principal === undefined) throw new AppError('unauthenticated', 'send Authorization: Bearer <token>');
  if (principal.kind === 'platform') throw new AppError('forbidden', 'a platform administrator token has no tenant; tenant routes need a tenant token');
  const { claims } = principal;
  if (spec.roles.some((role) => claims.roles.includes(role))) return claims;
  throw new AppError('forbidden', `this action needs one of the roles: ${spec.roles.join(', ')}`);
}

/** A 201 names what it created: `location` is the path a GET of the new resource answers on. */
export const created = (body: unknown, location: string): RouteResult => ({ status: 201, body, headers: { Location: location } });

const bodyOf = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/** Adapt a route spec to a Koa handler: authorize, validate, run, and validate what goes out. */
export function toKoaHandler(spec: RouteSpec) {
  return async (ctx: Context) => {
    const principal = spec.roles === 'public' ? undefined : tenantPrincipal(ctx, { queryTokenAllowed: isStreamRoute(spec) });
    const auth = authorize(spec, principal);
    const input = {
      params: parsePart(spec.params, ctx.params, 'params'),
      query: parsePart(spec.query, ctx.query, 'query'),
      // No body at all reads as {}; a JSON `null` is a body, and not an object.
      body: parsePart(spec.body, bodyOf(ctx) === undefined ? {} : bodyOf(ctx), 'body'),
      auth,
    };
    const result = await spec.handler(ctx, input as never);
    if (result === undefined) return;
    if (result.status === 201 && result.headers?.Location === undefined) throw new Error(`${spec.method} ${spec.path} answered 201 without a Location`);
    ctx.status = result.status;
    for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
    const schema = spec.responses[result.status]?.schema;
    if (result.body !== undefined) ctx.body = schema ? schema.parse(result.body) : result.body;
  };
}
