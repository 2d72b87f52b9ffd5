// /api/trust/remediation/playbooks: the playbook catalog. Owner-scoped; edits and deletes carry the version read.
import { AppError } from '../../core/errors.ts';
import { isAllowedPlanCwd, planSchemas, type ExecutorType } from '../../core/remediation-plan.ts';
import { idParam, pageQuery, toPage } from '../../core/schemas/common.ts';
import { createPlaybookBody, playbook, playbookPage, updatePlaybookBody, versionQuery } from '../../core/schemas/remediation.ts';
import { deletePlaybook, getPlaybook, insertPlaybook, listPlaybooks, updatePlaybook } from '../../sql/remediation-playbooks.ts';
import type { AppDeps } from '../deps.ts';
import { fieldErrors } from '../problem.ts';
import { created, defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';

const tag = 'remediation';
const base = '/api/trust/remediation/playbooks';

/** A shell plan's cwd needs the configured root to judge, so it is checked here rather than in the schema. */
function assertPlanCwd(executorType: ExecutorType, plan: Record<string, unknown>, root: string): void {
  const cwd = typeof plan.cwd === 'string' ? plan.cwd : undefined;
  if (executorType !== 'shell' || isAllowedPlanCwd(cwd, root)) return;
  const message = 'must be relative and stay inside the attempt directory (the only host directory the sandbox holds)';
  throw new AppError('validation-failed', 'the plan cwd is outside the remediation work directories', { errors: [{ path: 'body.plan.cwd', code: 'cwd-outside-workdir', message }] });
}

export function remediationPlaybookRoutes({ sql, config }: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: base,
      operationId: 'listPlaybooks',
      summary: 'List remediation playbooks (cursor pagination)',
      tag,
      roles: readRoles,
      query: pageQuery,
      responses: { 200: { description: 'A page of playbooks', schema: playbookPage } },
      async handler(_ctx, { query, auth }) {
        const rows = await listPlaybooks(sql, auth.owner, { limit: query.limit, ...(query.cursor === undefined ? {} : { after: query.cursor }) });
        return { status: 200, body: toPage(rows, query.limit) };
      },
    }),
    defineRoute({
      method: 'post',
      path: base,
      operationId: 'createPlaybook',
      summary: 'Create a playbook (plan validated against its executor type)',
      tag,
      roles: writeRoles,
      body: createPlaybookBody,
      problems: [409],
      responses: { 201: { description: 'Created', schema: playbook } },
      async handler(_ctx, { body, auth }) {
        assertPlanCwd(body.executor_type, body.plan, config.REMEDIATION_WORKDIR);
        const row = await insertPlaybook(sql, auth.owner, body);
        return created(row, `${base}/${row.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:id`,
      operationId: 'getPlaybook',
      summary: 'Get one playbook',
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'The playbook', schema: playbook } },
      handler: async (_ctx, { params, auth }) => ({ status: 200, body: await getPlaybook(sql, auth.owner, params.id) }),
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/:id`,
      operationId: 'updatePlaybook',
      summary: 'Update a playbook (optimistic locking on version; the executor type is fixed)',
      tag,
      roles: writeRoles,
      params: idParam,
      body: updatePlaybookBody,
      problems: [409],
      responses: { 200: { description: 'Updated', schema: playbook } },
      async handler(_ctx, { params, body, auth }) {
        if (body.plan !== undefined) {
          const current = await getPlaybook(sql, auth.owner, params.id);
          const parsed = planSchemas[current.executor_type].safeParse(body.plan);
          if (!parsed.success) {
            throw new AppError('validation-failed', `the plan is not a valid ${current.executor_type} plan`, { errors: fieldErrors(parsed.error, 'body.plan') });
          }
          assertPlanCwd(current.executor_type, parsed.data, config.REMEDIATION_WORKDIR);
          body = { ...body, plan: parsed.data as Record<string, unknown> };
        }
        return { status: 200, body: await updatePlaybook(sql, auth.owner, params.id, body) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/:id`,
      operationId: 'deletePlaybook',
      summary: 'Delete a playbook (pass ?version= to guard against concurrent edits); its runs keep their history',
      tag,
      roles: writeRoles,
      params: idParam,
      query: versionQuery,
      problems: [409],
      responses: { 204: { description: 'Deleted' } },
      async handler(_ctx, { params, query, auth }) {
        await deletePlaybook(sql, auth.owner, params.id, query.version);
        return { status: 204 };
      },
    }),
  ];
}
