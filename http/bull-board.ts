// Bull Board at /admin/queues, for admins only. Browsers open it once with ?access_token=<admin JWT>; a cookie keeps the session.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Context, Next } from 'koa';
import { AppError } from '../core/errors.ts';
import type { AuthClaims } from '../core/schemas/common.ts';
import type { Queues } from '../queues/queues.ts';
import { TOKEN_COOKIE } from './auth.ts';

export const BULL_BOARD_PATH = '/admin/queues';

export function bullBoardMiddlewares(queues: Queues) {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.all().map((queue) => new BullMQAdapter(queue)), serverAdapter });
  const plugin = serverAdapter.registerPlugin();

  const guard = async (ctx: Context, next: Next) => {
    if (ctx.path !== BULL_BOARD_PATH && !ctx.path.startsWith(`${BULL_BOARD_PATH}/`)) return next();
    const auth = ctx.state.auth as AuthClaims | undefined;
    if (auth === undefined) throw new AppError('unauthenticated', 'open Bull Board with ?access_token=<admin token>');
    if (!auth.roles.includes('admin')) throw new AppError('forbidden', 'Bull Board needs the admin role');
    if (typeof ctx.query.access_token === 'string') {
      ctx.cookies.set(TOKEN_COOKIE, ctx.query.access_token, { httpOnly: true, sameSite: 'strict', path: BULL_BOARD_PATH, overwrite: true });
    }
    return next();
  };
  return [guard, plugin];
}
