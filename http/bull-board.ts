// Bull Board at /admin/queues, for platform administrators only: it shows every tenant's jobs, so no tenant token
// (tenant admin included) is admitted. Browsers open it once with ?access_token=<platform token>; a cookie keeps
// the session. Read-only unless BULL_BOARD_READ_ONLY=false: adding or retrying jobs there bypasses the API's checks.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Context, Next } from 'koa';
import { AppError } from '../core/errors.ts';
import type { Principal } from '../core/schemas/common.ts';
import type { Queues } from '../queues/queues.ts';
import { BULL_BOARD_PATH, isBullBoardPath, TOKEN_COOKIE } from './auth.ts';

export { BULL_BOARD_PATH };

export function bullBoardMiddlewares(queues: Queues, options: { readOnly: boolean }) {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly })), serverAdapter });
  const plugin = serverAdapter.registerPlugin();

  const guard = async (ctx: Context, next: Next) => {
    if (!isBullBoardPath(ctx.path)) return next();
    const principal = ctx.state.principal as Principal | undefined;
    if (principal === undefined) throw new AppError('unauthenticated', 'open Bull Board with ?access_token=<platform administrator token>');
    if (principal.kind !== 'platform') throw new AppError('forbidden', 'Bull Board is for platform administrators; tenant tokens (tenant admin included) are refused');
    if (ctx.state.tokenSource === 'query') {
      ctx.cookies.set(TOKEN_COOKIE, String(ctx.query.access_token), { httpOnly: true, sameSite: 'strict', path: BULL_BOARD_PATH, overwrite: true });
    }
    return next();
  };
  return [guard, plugin];
}
