// GET /api/trust/remediation/stream?run_id=: a run's status changes and log batches in order (the whole run
// from its start), resumable with Last-Event-ID; without run_id, every run of the owner from now on.
import { z } from 'zod';
import { remediationStreamEvents } from '../../core/schemas/stream-events.ts';
import { streamQuery } from '../../core/schemas/remediation.ts';
import { getRun } from '../../sql/remediation-runs.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, readRoles, type RouteSpec } from '../route.ts';
import { serveStream, sseOptions } from '../stream-route.ts';

export function remediationStreamRoutes({ sql, config, hub }: AppDeps): RouteSpec[] {
  const settings = { hub, ...sseOptions(config) };
  return [
    defineRoute({
      method: 'get',
      path: '/api/trust/remediation/stream',
      operationId: 'streamRemediation',
      summary: 'Stream remediation status changes and log lines (SSE; filter run_id; resume with Last-Event-ID or ?cursor=)',
      tag: 'remediation',
      roles: readRoles,
      query: streamQuery.extend({ cursor: z.string().optional(), access_token: z.string().optional() }),
      problems: [404],
      responses: { 200: { description: 'text/event-stream of run.* status events and `log` batches', contentType: 'text/event-stream', events: remediationStreamEvents } },
      async handler(ctx, { query, auth }) {
        if (query.run_id === undefined) return serveStream(ctx, settings, { topic: 'remediation', ownerId: auth.owner });
        await getRun(sql, auth.owner, query.run_id);
        return serveStream(ctx, settings, { topic: 'remediation', ownerId: auth.owner, subjectId: String(query.run_id), fromStart: true });
      },
    }),
  ];
}
