// The operator's whole loop, through the real API and workers: evidence that fails verification quarantines an
// instance, the catalog materialises an approval-gated run, an approver approves it, a shell playbook repairs
// the VM, its logs and artifacts are kept, and the trust registry ends restored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, tenantAdmin, verifier, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait.ts';

let platform: TestPlatform;
const operator = { sub: 'olivia', roles: ['operator' as const] };
const approver = { sub: 'alan', roles: ['approver' as const] };

beforeAll(async () => {
  platform = await startTestPlatform({ workers: [] });
});
afterAll(() => platform.close());

const until = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) => waitFor(read, done, { timeoutMs: 20_000, what });

const json = async (path: string, init: Parameters<TestPlatform['api']>[1] = {}) => {
  const response = await platform.api(path, init);
  const body = response.status === 204 ? undefined : await response.json();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${response.status} ${JSON.stringify(body)}`);
  return body;
};

describe('quarantine → remediation → restored', () => {
  it('repairs a VM whose evidence failed verification', async () => {
    const server = await json('/api/servers', { method: 'POST', json: { name: 'ledger', image: 'ghcr.io/acme/ledger:1' }, as: operator });
    await json(`/api/servers/${server.id}/reference-measurements`, { method: 'PUT', json: { measurements: { pcr0: 'aa11' } }, as: tenantAdmin() });
    const { instance } = await json(`/api/servers/${server.id}/vm-instances`, { method: 'POST', json: { domain_name: 'ledger-vm-1' }, as: operator });
    await json('/api/trust/remediation/playbooks', {
      method: 'POST',
      as: operator,
      json: {
        playbook_key: 'reseal-ledger',
        executor_type: 'shell',
        approval_required: true,
        retry_limit: 0,
        selector: { on_quarantine: true, priority: 1 },
        plan: { command: 'sh', args: ['-c', 'echo resealing; echo sealed >&2'] },
      },
    });

    const attest = (nonce: string, pcr0: string) =>
      json('/api/trust/attestations', {
        method: 'POST',
        as: verifier(),
        json: {
          vm_instance_id: instance.id,
          evidence: { measurements: { pcr0 }, nonce, observed_at: new Date().toISOString() },
          provenance: { verifier: 'e2e', report_reference: `report-${nonce}` },
        },
      });
    await attest('nonce-00000001', 'bb22'); // mismatching measurement → untrusted → quarantined

    const registry = (id: number) => json(`/api/trust/registry/${id}`, { as: operator });
    await until(() => registry(instance.id), (entry) => entry.lifecycle_state === 'quarantined', 'quarantine');

    const runs = await until(
      () => json(`/api/trust/remediation/runs?vm_instance_id=${instance.id}`, { as: operator }),
      (page) => page.items.length === 1,
      'a materialised run',
    );
    const run = runs.items[0];
    expect(run).toMatchObject({ status: 'pending', approval_state: 'pending', trigger: 'quarantine' });

    const approved = await json(`/api/trust/remediation/runs/${run.id}/approval`, {
      method: 'POST',
      as: approver,
      json: { decision: 'approve', version: run.version },
    });
    expect(approved.approval_state).toBe('approved');

    const finished = await until(
      () => json(`/api/trust/remediation/runs/${run.id}`, { as: operator }),
      (current) => ['succeeded', 'failed', 'cancelled'].includes(current.status),
      'the run to finish',
    );
    expect(finished.status).toBe('succeeded');

    const artifacts = await json(`/api/trust/remediation/runs/${run.id}/artifacts`, { as: operator });
    const log = artifacts.items.find((artifact: { artifact_type: string }) => artifact.artifact_type === 'log-bundle');
    expect(log.content).toContain('resealing');
    expect(log.content).toContain('sealed');

    const restored = await until(() => registry(instance.id), (entry) => entry.lifecycle_state === 'restored', 'restore');
    expect(restored.remediation_state).toBe('automation-complete');
    const history = await json(`/api/trust/registry/${instance.id}/history`, { as: operator });
    expect(history.items.map((row: { lifecycle_state: string }) => row.lifecycle_state)).toEqual(
      expect.arrayContaining(['pending', 'quarantined', 'remediating', 'restored']),
    );
  });
});
