// First middleware in the chain: renders every failure as RFC 9457 application/problem+json.
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DEPENDENCY_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../core/database-unavailable.ts';
import { AppError, errorCatalog, type ErrorCode, type FieldError } from '../core/errors.ts';

export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) {
    return new AppError('validation-failed', 'the request has invalid fields', { errors: fieldErrors(error) });
  }
  if (isDatabaseUnavailable(error)) {
    return new AppError('dependency-unavailable', 'the database is unavailable; retry later', { cause: error, extras: { dependency: 'postgres' } });
  }
  // Body parser and other http-errors with a 4xx status are the client's doing.
  const status = (error as { status?: number; expose?: boolean }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 404 ? 'not-found' : status === 401 ? 'unauthenticated' : status === 413 ? 'payload-too-large' : 'bad-request';
    return new AppError(code, (error as Error).message || errorCatalog[code].title, { cause: error });
  }
  return undefined;
}

export function renderProblem(ctx: Context, error: AppError): void {
  const { title } = errorCatalog[error.code];
  ctx.status = error.status;
  // RFC 6750 §3: a 401 names the scheme; `invalid_token` when a token was presented and refused.
  if (error.status === 401) ctx.set('WWW-Authenticate', ctx.state.tokenSource ? 'Bearer realm="mcp-runtime", error="invalid_token"' : 'Bearer realm="mcp-runtime"');
  if (error.code === 'dependency-unavailable') ctx.set('Retry-After', String(DEPENDENCY_RETRY_AFTER_SECONDS));
  ctx.type = 'application/problem+json';
  ctx.body = {
    type: `https://mcp-runtime.dev/problems/${error.code}`,
    title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    requestId: String(ctx.state.requestId ?? ''),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extras,
  };
}

export function problemMiddleware(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('not-found', `no route for ${ctx.method} ${ctx.path}`);
      }
      // The router's allowedMethods sets 405 and Allow but no body; render it like every other failure.
      if (ctx.status === 405 && ctx.body === undefined) {
        throw new AppError('method-not-allowed', `${ctx.path} does not take ${ctx.method}; see the Allow header`);
      }
    } catch (error) {
      const known = toAppError(error);
      if (ctx.headerSent) {
        logger.warn({ err: error, requestId: ctx.state.requestId }, 'error after response started');
        return;
      }
      if (known) {
        if (known.code === 'dependency-unavailable') logger.warn({ err: error, requestId: ctx.state.requestId, path: ctx.path }, 'dependency unavailable');
        renderProblem(ctx, known);
        return;
      }
      logger.error({ err: error, requestId: ctx.state.requestId, path: ctx.path }, 'unhandled error');
      renderProblem(ctx, new AppError('internal', 'an unexpected error occurred; quote the request id to an operator'));
    }
  };
}
