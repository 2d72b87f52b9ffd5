// Reads the caller's identity: Bearer header, or `access_token` (query or cookie) for browsers and EventSource.
import type { Context, Next } from 'koa';
import { verifyToken } from './tokens.ts';

export const TOKEN_COOKIE = 'mcp_token';

function presentedToken(ctx: Context): string | undefined {
  const header = ctx.get('authorization');
  if (header) return /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
  if (typeof ctx.query.access_token === 'string') return ctx.query.access_token;
  return ctx.cookies.get(TOKEN_COOKIE) ?? undefined;
}

/** Sets ctx.state.auth when a token is presented; a bad token is a 401 even on routes that would not need one. */
export function authMiddleware(secret: string) {
  return async (ctx: Context, next: Next) => {
    const token = presentedToken(ctx);
    if (token !== undefined) ctx.state.auth = await verifyToken(secret, token);
    await next();
  };
}
