// Reads the caller's identity: the Bearer header everywhere; `?access_token=` only where a browser cannot send a
// header (SSE streams, Bull Board: the route layer refuses it elsewhere); the cookie only under Bull Board.
import type { Context, Next } from 'koa';
import { AppError } from '../core/errors.ts';
import type { Principal } from '../core/schemas/common.ts';
import { verifyToken, type VerifyOptions } from './tokens.ts';

export const TOKEN_COOKIE = 'mcp_token';
export const BULL_BOARD_PATH = '/admin/queues';

export type TokenSource = 'header' | 'query' | 'cookie';

export const isBullBoardPath = (path: string) => path === BULL_BOARD_PATH || path.startsWith(`${BULL_BOARD_PATH}/`);

function presentedToken(ctx: Context): { token: string; source: TokenSource } | undefined {
  const header = ctx.get('authorization');
  if (header) return { token: /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '', source: 'header' };
  const query = ctx.query.access_token;
  if (query !== undefined) return { token: typeof query === 'string' ? query : '', source: 'query' };
  const cookie = isBullBoardPath(ctx.path) ? ctx.cookies.get(TOKEN_COOKIE) : undefined;
  return cookie === undefined ? undefined : { token: cookie, source: 'cookie' };
}

/**
 * Sets ctx.state.principal and ctx.state.tokenSource when a token is presented; a bad token is a 401 even on
 * routes that would not need one.
 */
export function authMiddleware(secret: string, options: VerifyOptions) {
  return async (ctx: Context, next: Next) => {
    const presented = presentedToken(ctx);
    if (presented !== undefined) {
      ctx.state.tokenSource = presented.source;
      ctx.state.principal = await verifyToken(secret, presented.token, options);
    }
    await next();
  };
}

/** The route layer's view: a tenant principal, refusing a query token outside streams and any platform token. */
export function tenantPrincipal(ctx: Context, options: { queryTokenAllowed: boolean }): Principal | undefined {
  const principal = ctx.state.principal as Principal | undefined;
  if (principal === undefined) return undefined;
  if (ctx.state.tokenSource === 'query' && !options.queryTokenAllowed) {
    throw new AppError('unauthenticated', 'access_token in the query is accepted only on streams; send Authorization: Bearer <token>');
  }
  return principal;
}
