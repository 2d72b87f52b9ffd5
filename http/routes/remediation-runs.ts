// /api/trust/remediation/runs: enqueue, inspect, approve, cancel and fetch the artifacts of remediation runs.
// Owner-scoped; another owner's run answers 404 everywhere.
import { AppError } from '../../core/errors.ts';
import { assertInstanceLive } from '../../core/instance-liveness.ts';
import { idParam, toPage } from '../../core/schemas/common.ts';
import { approvalBody, artifactList, cancelBody, createRunBody, run, runListQuery, runPage } from '../../core/schemas/remediation.ts';
import { listArtifacts } from '../../sql/remediation-artifacts.ts';
import { listAttempts } from '../../sql/remediation-attempts.ts';
import { findPlaybook } from '../../sql/remediation-playbooks.ts';
import { createRun, decideApproval, requestCancel } from '../../sql/remediation-run-actions.ts';
import { getRun, listRuns } from '../../sql/remediation-runs.ts';
import { transact } from '../../sql/transact.ts';
import { findVmInstance } from '../../sql/vm-instances.ts';
import { publishCancel } from '../../workers/remediation-cancel-bus.ts';
import type { AppDeps } from '../deps.ts';
import { approveRoles, created, defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';

const tag = 'remediation';
const base = '/api/trust/remediation/runs';

export function remediationRunRoutes({ sql, db, redis, config }: AppDeps): RouteSpec[] {
  const withLedger = async (owner: string, id: number) => ({ ...(await getRun(sql, owner, id)), retry_ledger: await listAttempts(sql, owner, id) });
  return [
    defineRoute({
      method: 'get',
      path: base,
      operationId: 'listRuns',
      summary: 'List remediation runs, newest first (filters status, vm_instance_id, playbook_id; cursor pagination)',
      tag,
      roles: readRoles,
      query: runListQuery,
      responses: { 200: { description: 'A page of runs', schema: runPage } },
      async handler(_ctx, { query, auth }) {
        return { status: 200, body: toPage(await listRuns(sql, auth.owner, query), query.limit) };
      },
    }),
    defineRoute({
      method: 'post',
      path: base,
      operationId: 'createRun',
      summary: 'Enqueue a run (400 unknown playbook, 409 when the instance already has an active run or is terminated)',
      tag,
      roles: writeRoles,
      body: createRunBody,
      problems: [404, 409],
      responses: { 201: { description: 'Created', schema: run } },
      async handler(_ctx, { body, auth }) {
        const playbook = await findPlaybook(sql, auth.owner, body.playbook_id !== undefined ? { id: body.playbook_id } : { key: body.playbook_key! });
        if (playbook === undefined) {
          const path = body.playbook_id !== undefined ? 'body.playbook_id' : 'body.playbook_key';
          throw new AppError('validation-failed', 'the playbook does not exist', { errors: [{ path, code: 'unknown-playbook', message: 'no such playbook' }] });
        }
        const instance = await findVmInstance(sql, auth.owner, body.vm_instance_id);
        if (instance === undefined) throw new AppError('vm-instance-not-found', `VM instance ${body.vm_instance_id} does not exist`);
        assertInstanceLive(instance, 'there is nothing left to remediate');
        const inserted = await transact(db, (uow) =>
          createRun(uow, {
            ownerId: auth.owner,
            vmInstanceId: instance.id,
            playbook,
            requestedBy: auth.sub,
            ...(body.assigned_owner ? { assignedOwner: body.assigned_owner } : {}),
            trigger: 'manual',
            metadata: body.metadata,
            approvalTtlSeconds: config.REMEDIATION_APPROVAL_TTL_SECONDS,
          }, 'throw'),
        );
        return created(await withLedger(auth.owner, inserted!.id), `${base}/${inserted!.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:id`,
      operationId: 'getRun',
      summary: 'Get one run with its retry ledger',
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'The run', schema: run } },
      handler: async (_ctx, { params, auth }) => ({ status: 200, body: await withLedger(auth.owner, params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/approval`,
      operationId: 'decideRunApproval',
      summary: 'Approve or deny a pending run (approver role; never the requester; 409 on a stale version or an expired approval)',
      tag,
      roles: approveRoles,
      params: idParam,
      body: approvalBody,
      problems: [409],
      responses: { 200: { description: 'The decided run', schema: run } },
      async handler(_ctx, { params, body, auth }) {
        const outcome = await transact(db, (uow) => decideApproval(uow, auth, params.id, body));
        if ('expired' in outcome) throw new AppError('approval-expired', `the approval window of run ${params.id} has passed`, { extras: { current_version: outcome.expired.version } });
        return { status: 200, body: await withLedger(auth.owner, params.id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/cancel`,
      operationId: 'cancelRun',
      summary: 'Cancel a run: at once when nothing executes (200), else the executing worker stops its process (202)',
      tag,
      roles: writeRoles,
      params: idParam,
      body: cancelBody,
      problems: [409],
      responses: { 200: { description: 'Cancelled', schema: run }, 202: { description: 'Cancellation requested', schema: run } },
      async handler(_ctx, { params, body, auth }) {
        const { signalWorker } = await transact(db, (uow) => requestCancel(uow, auth, params.id, body));
        if (signalWorker) await publishCancel(redis, config.QUEUE_PREFIX, params.id);
        return { status: signalWorker ? 202 : 200, body: await withLedger(auth.owner, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:id/artifacts`,
      operationId: 'listRunArtifacts',
      summary: "The run's artifacts: a log bundle per attempt, outputs, and the final evidence summary",
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'Artifacts', schema: artifactList } },
      async handler(_ctx, { params, auth }) {
        await getRun(sql, auth.owner, params.id);
        return { status: 200, body: { items: await listArtifacts(sql, auth.owner, params.id) } };
      },
    }),
  ];
}
