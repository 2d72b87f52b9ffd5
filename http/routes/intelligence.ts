// GET /api/servers/:id/intelligence: the capability intelligence score with its itemised penalties — the stored
// score the score-recompute job wrote after the last trust transition, else computed from the current posture.
import { idParam } from '../../core/schemas/common.ts';
import { intelligenceView } from '../../core/schemas/intelligence.ts';
import { readIntelligence } from '../../sql/intelligence-scores.ts';
import { getServer } from '../../sql/servers.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, readRoles, type RouteSpec } from '../route.ts';

export function intelligenceRoutes({ sql }: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/intelligence',
      operationId: 'getServerIntelligence',
      summary: 'Capability intelligence score = 100 − Σ penalties, each with its cause (lifecycle, churn, stale evidence, provenance gaps)',
      tag: 'servers',
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'The score and its penalties', schema: intelligenceView } },
      async handler(_ctx, { params, auth }) {
        await getServer(sql, auth.owner, params.id);
        return { status: 200, body: await readIntelligence(sql, auth.owner, params.id) };
      },
    }),
  ];
}
