// The workspace routes that start jobs (simulation, promotion: 202 with where to watch) and the workspace stream:
// workspace and gate changes in commit order, from the workspace's start, resumable with Last-Event-ID.
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { describeChanges } from '../../core/workspace-bindings.ts';
import { idParam } from '../../core/schemas/common.ts';
import { gateBody, promotionAccepted, promotionBody, simulationAccepted, revisionParams } from '../../core/schemas/workspaces.ts';
import { workspaceStreamEvents } from '../../core/schemas/stream-events.ts';
import { transact } from '../../sql/transact.ts';
import { revisionEnvelope } from '../../sql/workspace-envelope.ts';
import { WORKSPACE_TOPIC, type GatePair } from '../../sql/workspace-gates.ts';
import { startPromotion } from '../../sql/workspace-promotion.ts';
import { startSimulation } from '../../sql/workspace-simulation.ts';
import { getWorkspace } from '../../sql/workspaces.ts';
import type { AppDeps } from '../deps.ts';
import { etag } from '../if-match.ts';
import { defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';
import { serveStream, sseOptions } from '../stream-route.ts';

const tag = 'remediation-workspaces';
const base = '/api/trust/remediation/workspaces';

interface Helpers {
  gateExpected(ctx: Context, body: { workspace_version?: number; revision_version: number }): { workspace: number; revision: number };
  answer(pair: GatePair): { status: number; body: unknown; headers: Record<string, string> };
}

const watch = (id: number) => ({ workspace: `${base}/${id}`, stream: `${base}/${id}/stream` });

export function workspaceJobRoutes({ db, sql, config, hub }: AppDeps, { gateExpected }: Helpers): RouteSpec[] {
  const settings = { hub, ...sseOptions(config) };
  return [
    defineRoute({
      method: 'post',
      path: `${base}/:id/revisions/:rid/simulation`,
      operationId: 'startWorkspaceSimulation',
      summary: 'Start a sandbox dry run of the revision (ansible --check --diff, or the plan mode of shell and cloud plans); 202',
      tag,
      roles: writeRoles,
      params: revisionParams,
      body: gateBody,
      problems: [409],
      responses: { 202: { description: 'Simulation queued: watch the workspace or its stream', schema: simulationAccepted } },
      async handler(ctx, { params, body, auth }) {
        const expected = gateExpected(ctx, body);
        const { pair, execution } = await transact(db, (uow) => startSimulation(uow, auth, params.id, params.rid, expected, body.notes));
        return { status: 202, body: { sandbox_execution: execution, revision: revisionEnvelope(pair.revision), watch: watch(params.id) }, headers: { ETag: etag(pair.workspace.version) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/revisions/:rid/promotion`,
      operationId: 'startWorkspacePromotion',
      summary: 'Promote a ready revision: gate bindings re-checked (409 gate-stale naming what changed), then a promotion job; 202',
      tag,
      roles: writeRoles,
      params: revisionParams,
      body: promotionBody,
      problems: [409],
      responses: { 202: { description: 'Promotion queued, with one promotion_runs row per target', schema: promotionAccepted } },
      async handler(ctx, { params, body, auth }) {
        const expected = gateExpected(ctx, body);
        const started = await transact(db, (uow) => startPromotion(uow, auth, params.id, params.rid, expected, body));
        if ('stale' in started) {
          throw new AppError('gate-stale', `the gates judged facts that changed: ${describeChanges(started.stale)}`, {
            extras: { changes: started.stale, current_version: started.pair.workspace.version, current_revision_version: started.pair.revision.version },
          });
        }
        const { pair, promotion, runs } = started;
        return { status: 202, body: { promotion, promotion_runs: runs, revision: revisionEnvelope(pair.revision), watch: watch(params.id) }, headers: { ETag: etag(pair.workspace.version) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:id/stream`,
      operationId: 'streamWorkspace',
      summary: "Stream a workspace's changes (SSE, from its creation; resume with Last-Event-ID or ?cursor=)",
      tag,
      roles: readRoles,
      params: idParam,
      query: z.object({ cursor: z.string().optional(), access_token: z.string().optional() }),
      responses: { 200: { description: 'text/event-stream of workspace.*, revision.*, gate.* and promotion.* events', contentType: 'text/event-stream', events: workspaceStreamEvents } },
      async handler(ctx, { params, auth }) {
        await getWorkspace(sql, auth.owner, params.id);
        return serveStream(ctx, settings, { topic: WORKSPACE_TOPIC, ownerId: auth.owner, subjectId: String(params.id), fromStart: true });
      },
    }),
  ];
}
