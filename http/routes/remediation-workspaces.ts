// /api/trust/remediation/workspaces: governed drafts of catalog playbooks (docs/workspaces.md). Owner-scoped, 404
// across owners; every write names the workspace version it read (body or If-Match) and gate writes the revision
// version too; responses carry the workspace version as ETag.
import type { Context } from 'koa';
import { pageQuery, toPage, idParam } from '../../core/schemas/common.ts';
import {
  abandonBody, appendRevisionBody, createWorkspaceBody, gateBody, policyBody, revisionEnvelope, revisionParams, workspaceEnvelope, workspacePage,
} from '../../core/schemas/workspaces.ts';
import { transact } from '../../sql/transact.ts';
import { abandonWorkspace, addRevision, createWorkspace, recordPolicyGate, recordSchemaGate } from '../../sql/workspace-actions.ts';
import { revisionEnvelope as toRevisionEnvelope, listWorkspaceSummaries, loadEnvelope } from '../../sql/workspace-envelope.ts';
import type { GatePair } from '../../sql/workspace-gates.ts';
import type { AppDeps } from '../deps.ts';
import { etag, expectedVersion } from '../if-match.ts';
import { approveRoles, defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';
import { workspaceJobRoutes } from './remediation-workspace-jobs.ts';

const tag = 'remediation-workspaces';
export const workspacesBase = '/api/trust/remediation/workspaces';

export function remediationWorkspaceRoutes(deps: AppDeps): RouteSpec[] {
  const { sql, db } = deps;
  const envelope = async (owner: string, id: number) => {
    const body = await loadEnvelope(sql, owner, id);
    return { status: 200, body, headers: { ETag: etag(body.workspace.version) } };
  };
  const answer = (pair: GatePair) => ({ status: 200, body: toRevisionEnvelope(pair.revision), headers: { ETag: etag(pair.workspace.version) } });
  const gateExpected = (ctx: Context, body: { workspace_version?: number; revision_version: number }) =>
    ({ workspace: expectedVersion(ctx, body.workspace_version, 'workspace_version'), revision: body.revision_version });
  return [
    defineRoute({
      method: 'get',
      path: workspacesBase,
      operationId: 'listWorkspaces',
      summary: 'List remediation workspaces, newest first, each with its active revision envelope',
      tag,
      roles: readRoles,
      query: pageQuery,
      responses: { 200: { description: 'A page of workspaces', schema: workspacePage } },
      async handler(_ctx, { query, auth }) {
        const rows = await listWorkspaceSummaries(sql, auth.owner, { limit: query.limit, ...(query.cursor === undefined ? {} : { before: query.cursor }) });
        return { status: 200, body: toPage(rows, query.limit) };
      },
    }),
    defineRoute({
      method: 'post',
      path: workspacesBase,
      operationId: 'createWorkspace',
      summary: 'Create a draft workspace for a catalog playbook, seeding revision 1 (the playbook plan unless given)',
      tag,
      roles: writeRoles,
      body: createWorkspaceBody,
      problems: [404, 409],
      responses: { 201: { description: 'The workspace envelope', schema: workspaceEnvelope } },
      async handler(_ctx, { body, auth }) {
        const pair = await transact(db, (uow) => createWorkspace(uow, auth, body));
        const { body: full, headers } = await envelope(auth.owner, pair.workspace.id);
        return { status: 201, body: full, headers: { Location: `${workspacesBase}/${pair.workspace.id}`, ...headers } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${workspacesBase}/:id`,
      operationId: 'getWorkspace',
      summary: 'The WorkspaceEnvelope: workspace, revision envelopes, gate summaries, sandbox executions, snapshots, promotions',
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'The workspace envelope (ETag: its version)', schema: workspaceEnvelope } },
      handler: (_ctx, { params, auth }) => envelope(auth.owner, params.id),
    }),
    defineRoute({
      method: 'post',
      path: `${workspacesBase}/:id/revisions`,
      operationId: 'appendWorkspaceRevision',
      summary: 'Append a revision under the expected workspace version (body or If-Match); the previous revision is superseded',
      tag,
      roles: writeRoles,
      params: idParam,
      body: appendRevisionBody,
      problems: [409],
      responses: { 201: { description: 'The new revision envelope', schema: revisionEnvelope } },
      async handler(ctx, { params, body, auth }) {
        const expected = expectedVersion(ctx, body.expected_version, 'expected_version');
        const pair = await transact(db, (uow) => addRevision(uow, auth, params.id, expected, body));
        return { status: 201, body: toRevisionEnvelope(pair.revision), headers: { Location: `${workspacesBase}/${params.id}`, ETag: etag(pair.workspace.version) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${workspacesBase}/:id/revisions/:rid/schema`,
      operationId: 'recordWorkspaceSchemaGate',
      summary: "Run the schema gate: the plan against its executor's zod schema (Ansible: the playbook parsed as YAML), with error vectors",
      tag,
      roles: writeRoles,
      params: revisionParams,
      body: gateBody,
      problems: [409],
      responses: { 200: { description: 'The revision envelope after the gate', schema: revisionEnvelope } },
      async handler(ctx, { params, body, auth }) {
        const expected = gateExpected(ctx, body);
        return answer(await transact(db, (uow) => recordSchemaGate(uow, auth, params.id, params.rid, expected, body.notes)));
      },
    }),
    defineRoute({
      method: 'post',
      path: `${workspacesBase}/:id/revisions/:rid/policy`,
      operationId: 'recordWorkspacePolicyGate',
      summary: 'Run the policy gate (operator), or override a soft failure with a reason (approver, never the author)',
      tag,
      roles: [...writeRoles, ...approveRoles],
      params: revisionParams,
      body: policyBody,
      problems: [409],
      responses: { 200: { description: 'The revision envelope after the gate', schema: revisionEnvelope } },
      async handler(ctx, { params, body, auth }) {
        const expected = gateExpected(ctx, body);
        return answer(await transact(db, (uow) => recordPolicyGate(uow, auth, params.id, params.rid, expected, body)));
      },
    }),
    defineRoute({
      method: 'post',
      path: `${workspacesBase}/:id/abandon`,
      operationId: 'abandonWorkspace',
      summary: 'Abandon a workspace and its active revision (any state but promoting)',
      tag,
      roles: writeRoles,
      params: idParam,
      body: abandonBody,
      problems: [409],
      responses: { 200: { description: 'The abandoned revision envelope', schema: revisionEnvelope } },
      async handler(ctx, { params, body, auth }) {
        const expected = expectedVersion(ctx, body.expected_version, 'expected_version');
        return answer(await transact(db, (uow) => abandonWorkspace(uow, auth, params.id, expected, body.reason)));
      },
    }),
    ...workspaceJobRoutes(deps, { gateExpected, answer }),
  ];
}
