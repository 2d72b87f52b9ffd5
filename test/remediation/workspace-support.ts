// Fixtures for workspace tests: a catalog playbook with a workspace over some targets, and gate calls that carry
// the versions read from the previous answer.
import type { TestPlatform } from '../support/platform.ts';
import { createPlaybook } from './support.ts';

export const workspaces = '/api/trust/remediation/workspaces';

export interface Versions {
  workspace: number;
  revision: number;
  revisionId: number;
}

export const ansibleYaml = (dest: string, content = 'managed by mcp\n') => `- hosts: all
  gather_facts: false
  tasks:
    - name: write the marker
      ansible.builtin.copy:
        dest: ${dest}
        content: ${JSON.stringify(content)}
`;

const key = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

export async function createWorkspace(platform: TestPlatform, options: { owner?: string; targets?: number[]; playbook?: Record<string, unknown>; plan?: Record<string, unknown>; allowUnsimulated?: boolean } = {}) {
  const owner = options.owner ?? 'acme';
  const playbook = await createPlaybook(platform, options.playbook ?? { playbook_key: key('pb'), executor_type: 'shell', approval_required: true, plan: { command: '/bin/true' } }, owner);
  const response = await platform.api(workspaces, {
    method: 'POST',
    as: { owner },
    json: { workspace_key: key('ws'), display_name: 'Fix motd', playbook_id: playbook.id, targets: options.targets ?? [], allow_unsimulated: options.allowUnsimulated ?? false, ...(options.plan ? { plan: options.plan } : {}) },
  });
  if (response.status !== 201) throw new Error(`workspace create failed: ${response.status} ${await response.text()}`);
  const envelope = await response.json();
  return { playbook, envelope, id: envelope.workspace.id as number, versions: { workspace: envelope.workspace.version, revision: envelope.revisions[0].revision.version, revisionId: envelope.workspace.active_revision_id } as Versions };
}

/** POST a gate and answer the response plus the versions to send next (unchanged on a refusal). */
export async function gate(platform: TestPlatform, id: number, versions: Versions, name: 'schema' | 'policy' | 'simulation' | 'promotion', extra: Record<string, unknown> = {}, as?: Record<string, unknown>) {
  const response = await platform.api(`${workspaces}/${id}/revisions/${versions.revisionId}/${name}`, {
    method: 'POST',
    json: { workspace_version: versions.workspace, revision_version: versions.revision, ...extra },
    ...(as ? { as } : {}),
  });
  const body = await response.json();
  const envelope = body.revision?.revision === undefined ? body : body.revision;
  const next: Versions = response.ok
    ? { workspace: Number(JSON.parse(response.headers.get('etag') ?? '0')), revision: envelope.revision.version, revisionId: versions.revisionId }
    : versions;
  return { response, body, next };
}
