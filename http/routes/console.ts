// The lifecycle console's API: the aggregated page (GET /api/console/lifecycle) and its live stream.
import { AppError } from '../../core/errors.ts';
import { encodeCursor } from '../../core/schemas/common.ts';
import { consolePageQuery, consoleStreamQuery, lifecycleConsolePage } from '../../core/schemas/console.ts';
import { lifecycleConsoleStreamEvents } from '../../core/schemas/console-stream.ts';
import { findWorkspaceId, readConsolePage } from '../../sql/console-page.ts';
import { serveConsoleStream } from '../console/stream.ts';
import type { Sql } from '../../sql/db.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, readRoles, type RouteSpec } from '../route.ts';
import { sseOptions } from '../stream-route.ts';

const tag = 'console';

/** `owner_id` may only name the caller's own tenant: another owner is as absent as a missing one. */
function ownOwner(requested: string | undefined, owner: string): string {
  if (requested !== undefined && requested !== owner) throw new AppError('not-found', `owner ${requested} does not exist`);
  return owner;
}

async function assertWorkspaceKey(sql: Sql, ownerId: string, key: string | undefined): Promise<void> {
  if (key !== undefined && (await findWorkspaceId(sql, ownerId, key)) === undefined) throw new AppError('not-found', `workspace ${key} does not exist`);
}

export function consoleRoutes({ sql, hub, config, logger, consoleProjection }: AppDeps): RouteSpec[] {
  const streamDeps = { sql, hub, consoleProjection, logger, ...sseOptions(config) };
  return [
    defineRoute({
      method: 'get',
      path: '/api/console/lifecycle',
      operationId: 'getLifecycleConsole',
      summary: 'The lifecycle console page: workspaces with their active revision, promotions, recent runs, trust, scores and marketplace readiness',
      tag,
      roles: readRoles,
      query: consolePageQuery,
      problems: [404],
      responses: { 200: { description: 'A page of workspaces (keyset cursor)', schema: lifecycleConsolePage } },
      async handler(_ctx, { query, auth }) {
        const ownerId = ownOwner(query.owner_id, auth.owner);
        await assertWorkspaceKey(sql, ownerId, query.workspace_key);
        const page = await readConsolePage(sql, {
          ownerId,
          afterId: query.cursor ?? 0,
          limit: query.limit,
          lifecycleState: query.lifecycle_state,
          workspaceKey: query.workspace_key,
          runLimit: query.run_limit,
        });
        return {
          status: 200,
          body: { workspaces: page.entries, next_cursor: page.nextAfterId === null ? null : encodeCursor(page.nextAfterId), generated_at: new Date().toISOString() },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/console/lifecycle/stream',
      operationId: 'streamLifecycleConsole',
      summary: 'Stream the lifecycle console (SSE): snapshot at cursor N, then deltas; resume with Last-Event-ID or ?cursor=',
      tag,
      roles: readRoles,
      query: consoleStreamQuery,
      problems: [404],
      responses: { 200: { description: 'text/event-stream of snapshot, snapshot-complete, delta, heartbeat, reset and error events', contentType: 'text/event-stream', events: lifecycleConsoleStreamEvents } },
      async handler(ctx, { query, auth }) {
        const ownerId = ownOwner(query.owner_id, auth.owner);
        await assertWorkspaceKey(sql, ownerId, query.workspace_key);
        return serveConsoleStream(ctx, streamDeps, { ownerId, workspaceKey: query.workspace_key, lifecycleState: query.lifecycle_state });
      },
    }),
  ];
}
