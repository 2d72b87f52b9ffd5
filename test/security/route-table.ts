// The hand-written route table the security tests share: for every route in /openapi.json, who may call it, the
// status for the caller's own and for another tenant's resource, and one valid request built from a fixture.
import type { Role } from '../../core/schemas/common.ts';
import type { TenantFixture } from './tenant-fixtures.ts';

export type Principal = Role | 'platform-admin';
export const principals: Principal[] = ['viewer', 'operator', 'approver', 'verifier', 'admin', 'platform-admin'];

const READ: Role[] = ['viewer', 'operator', 'approver', 'admin'];
const OPERATE: Role[] = ['operator'];

export interface Entry {
  roles: Role[] | 'public';
  /** Status for the owner's own resource (or the owner's collection). */
  own: number;
  /** Status when the ids name another tenant's resource; collections answer as for `own`. */
  foreign: number;
  request(fx: TenantFixture): { path: string; json?: unknown };
  /** Mutating routes get a fresh fixture per request. */
  fresh?: boolean;
}

export const routeTable: Record<string, Entry> = {
  'GET /healthz': { roles: 'public', own: 200, foreign: 200, request: () => ({ path: '/healthz' }) },
  'GET /readyz': { roles: 'public', own: 200, foreign: 200, request: () => ({ path: '/readyz' }) },
  'GET /metrics': { roles: 'public', own: 200, foreign: 200, request: () => ({ path: '/metrics' }) },
  'GET /api/console/lifecycle': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/console/lifecycle' }) },
  'GET /api/console/lifecycle/stream': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/console/lifecycle/stream' }) },
  'GET /api/servers': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/servers' }) },
  'POST /api/servers': { roles: OPERATE, own: 201, foreign: 201, request: () => ({ path: '/api/servers', json: { name: `m-${Math.random().toString(36).slice(2)}`, image: 'img:1' } }) },
  'GET /api/servers/{id}': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}` }) },
  'PATCH /api/servers/{id}': { roles: OPERATE, own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/servers/${fx.serverId}`, json: { description: 'x', version: 1 } }) },
  'DELETE /api/servers/{id}': { roles: OPERATE, own: 204, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/servers/${fx.serverId}` }) },
  'POST /api/servers/{id}/vm-instances': { roles: OPERATE, own: 201, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/servers/${fx.serverId}/vm-instances`, json: { domain_name: `d-${Math.random().toString(36).slice(2)}` } }) },
  'PUT /api/servers/{id}/reference-measurements': { roles: ['admin'], own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/servers/${fx.serverId}/reference-measurements`, json: { measurements: { pcr0: 'bb' }, version: 1 } }) },
  'GET /api/servers/{id}/reference-measurements': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/reference-measurements` }) },
  'GET /api/servers/{id}/reference-measurements/history': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/reference-measurements/history` }) },
  'POST /api/servers/{id}/vm/launch': { roles: OPERATE, own: 202, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/servers/${fx.serverId}/vm/launch`, json: {} }) },
  'POST /api/servers/{id}/vm/stop': { roles: OPERATE, own: 202, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/servers/${fx.serverId}/vm/stop`, json: {} }) },
  'GET /api/servers/{id}/vm': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/vm` }) },
  'GET /api/servers/{id}/vm/logs': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/vm/logs` }) },
  'GET /api/servers/{id}/vm/logs/stream': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/vm/logs/stream` }) },
  'POST /api/servers/{id}/placement/evaluate': { roles: OPERATE, own: 201, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/placement/evaluate` }) },
  'GET /api/servers/{id}/placement/decisions': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/placement/decisions` }) },
  'GET /api/placement/decisions/{decision_id}': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/placement/decisions/${fx.decisionId}` }) },
  'GET /api/servers/{id}/placement/overrides': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/placement/overrides` }) },
  'POST /api/servers/{id}/placement/overrides': {
    roles: OPERATE,
    own: 201,
    foreign: 404,
    fresh: true,
    request: (fx) => ({ path: `/api/servers/${fx.serverId}/placement/overrides`, json: { check: 'remediation-gate', reason: 'maintenance', ttl_seconds: 60 } }),
  },
  'GET /api/servers/{id}/intelligence': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/intelligence` }) },
  'GET /api/servers/{id}/build-artifacts': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/servers/${fx.serverId}/build-artifacts` }) },
  'POST /api/servers/{id}/build-artifacts': {
    roles: OPERATE,
    own: 201,
    foreign: 404,
    request: (fx) => ({ path: `/api/servers/${fx.serverId}/build-artifacts`, json: { manifest_digest: `sha256:${'a'.repeat(64)}`, manifest_tag: 'v1', status: 'succeeded' } }),
  },
  'GET /api/trust/registry/{vm_instance_id}/accelerators': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/registry/${fx.vmId}/accelerators` }) },
  'PUT /api/trust/registry/{vm_instance_id}/accelerators': {
    roles: OPERATE,
    own: 200,
    foreign: 404,
    fresh: true,
    request: (fx) => ({ path: `/api/trust/registry/${fx.spareVmId}/accelerators`, json: { accelerator_id: 'gpu-0', kind: 'gpu', posture: 'compliant' } }),
  },
  'GET /api/evaluations': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/evaluations' }) },
  'GET /api/evaluations/{id}': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/evaluations/${fx.evaluationId}` }) },
  'POST /api/trust/attestations': {
    roles: ['verifier'],
    own: 202,
    foreign: 404,
    request: (fx) => ({
      path: '/api/trust/attestations',
      json: { vm_instance_id: fx.vmId, evidence: { measurements: { pcr0: 'aa' }, nonce: `n-${Math.random().toString(36).slice(2)}`, observed_at: new Date().toISOString() }, provenance: { verifier: 'matrix' } },
    }),
  },
  // Another tenant's instance is refused per report (its result says 404), the request itself answers 202.
  'POST /api/trust/attestations/batch': {
    roles: ['verifier'],
    own: 202,
    foreign: 202,
    request: (fx) => ({
      path: '/api/trust/attestations/batch',
      json: { reports: [{ vm_instance_id: fx.vmId, evidence: { measurements: { pcr0: 'aa' }, nonce: `n-${Math.random().toString(36).slice(2)}`, observed_at: new Date().toISOString() }, provenance: { verifier: 'matrix' } }] },
    }),
  },
  'GET /api/trust/attestations/{job_id}': { roles: ['verifier', ...READ], own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/attestations/${fx.jobId}` }) },
  'GET /api/trust/registry': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/trust/registry' }) },
  'GET /api/trust/registry/stream': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/trust/registry/stream' }) },
  'GET /api/trust/registry/{vm_instance_id}': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/registry/${fx.vmId}` }) },
  'GET /api/trust/registry/{vm_instance_id}/history': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/registry/${fx.vmId}/history` }) },
  'POST /api/trust/registry/{vm_instance_id}/transition': {
    roles: OPERATE,
    own: 200,
    foreign: 404,
    fresh: true,
    request: (fx) => ({ path: `/api/trust/registry/${fx.spareVmId}/transition`, json: { version: 1, lifecycle_state: 'quarantined' } }),
  },
  'GET /api/trust/remediation/playbooks': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/trust/remediation/playbooks' }) },
  'POST /api/trust/remediation/playbooks': {
    roles: OPERATE,
    own: 201,
    foreign: 201,
    request: () => ({ path: '/api/trust/remediation/playbooks', json: { playbook_key: `k-${Math.random().toString(36).slice(2)}`, executor_type: 'shell', plan: { command: '/bin/true' } } }),
  },
  'GET /api/trust/remediation/playbooks/{id}': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/remediation/playbooks/${fx.playbookId}` }) },
  'PATCH /api/trust/remediation/playbooks/{id}': { roles: OPERATE, own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/playbooks/${fx.playbookId}`, json: { version: 1, retry_limit: 1 } }) },
  'DELETE /api/trust/remediation/playbooks/{id}': { roles: OPERATE, own: 204, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/playbooks/${fx.playbookId}` }) },
  'GET /api/trust/remediation/runs': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/trust/remediation/runs' }) },
  // Another tenant's playbook is an unknown playbook: 400 naming the field, as for one that never existed.
  'POST /api/trust/remediation/runs': { roles: OPERATE, own: 201, foreign: 400, fresh: true, request: (fx) => ({ path: '/api/trust/remediation/runs', json: { playbook_id: fx.playbookId, vm_instance_id: fx.spareVmId } }) },
  'GET /api/trust/remediation/runs/{id}': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/remediation/runs/${fx.runId}` }) },
  'POST /api/trust/remediation/runs/{id}/approval': { roles: ['approver'], own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/runs/${fx.runId}/approval`, json: { decision: 'deny', version: 1 } }) },
  'POST /api/trust/remediation/runs/{id}/cancel': { roles: OPERATE, own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/runs/${fx.runId}/cancel`, json: { version: 1 } }) },
  'GET /api/trust/remediation/runs/{id}/artifacts': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/remediation/runs/${fx.runId}/artifacts` }) },
  'GET /api/trust/remediation/workspaces': { roles: READ, own: 200, foreign: 200, request: () => ({ path: '/api/trust/remediation/workspaces' }) },
  'POST /api/trust/remediation/workspaces': {
    roles: OPERATE,
    own: 201,
    foreign: 400,
    request: (fx) => ({ path: '/api/trust/remediation/workspaces', json: { workspace_key: `w-${Math.random().toString(36).slice(2)}`, display_name: 'w', playbook_id: fx.playbookId } }),
  },
  'GET /api/trust/remediation/workspaces/{id}': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}` }) },
  'GET /api/trust/remediation/workspaces/{id}/stream': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}/stream` }) },
  'POST /api/trust/remediation/workspaces/{id}/revisions': { roles: OPERATE, own: 201, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}/revisions`, json: { expected_version: 2, plan: {} } }) },
  'POST /api/trust/remediation/workspaces/{id}/revisions/{rid}/schema': { roles: OPERATE, own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}/revisions/${fx.revisionId}/schema`, json: { workspace_version: 2, revision_version: 2 } }) },
  'POST /api/trust/remediation/workspaces/{id}/revisions/{rid}/policy': { roles: ['operator', 'approver'], own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}/revisions/${fx.revisionId}/policy`, json: { workspace_version: 2, revision_version: 2 } }) },
  'POST /api/trust/remediation/workspaces/{id}/revisions/{rid}/simulation': { roles: OPERATE, own: 202, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}/revisions/${fx.revisionId}/simulation`, json: { workspace_version: 2, revision_version: 2 } }) },
  // The fixture's revision is not ready (no policy or simulation yet): the owner's own request is refused as such.
  'POST /api/trust/remediation/workspaces/{id}/revisions/{rid}/promotion': { roles: OPERATE, own: 409, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}/revisions/${fx.revisionId}/promotion`, json: { workspace_version: 2, revision_version: 2 } }) },
  'POST /api/trust/remediation/workspaces/{id}/abandon': { roles: OPERATE, own: 200, foreign: 404, fresh: true, request: (fx) => ({ path: `/api/trust/remediation/workspaces/${fx.workspaceId}/abandon`, json: { expected_version: 2 } }) },
  'GET /api/trust/remediation/stream': { roles: READ, own: 200, foreign: 404, request: (fx) => ({ path: `/api/trust/remediation/stream?run_id=${fx.runId}` }) },
};
