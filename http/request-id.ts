// Gives every request an id (the caller's X-Request-Id when it is sane, else a fresh one) and echoes it back.
// The id is only for logs and problem bodies: it never becomes part of a job id or a key.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

const SANE = /^[A-Za-z0-9._-]{1,128}$/;

export async function requestIdMiddleware(ctx: Context, next: Next) {
  const given = ctx.get('x-request-id');
  ctx.state.requestId = SANE.test(given) ? given : randomUUID();
  ctx.set('X-Request-Id', ctx.state.requestId as string);
  await next();
}
