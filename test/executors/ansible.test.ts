import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansiblePlan } from '../../core/remediation-plan.ts';
import { createAnsibleExecutor } from '../../executors/remediation/ansible.ts';
import { testContext, testSandbox } from './context.ts';

const ansible = createAnsibleExecutor({ outputCapBytes: 1_000_000, sandbox: testSandbox });

const playbook = (tasks: string) => `
- hosts: all
  gather_facts: false
  tasks:
${tasks}`;

describe('ansible executor (real ansible-playbook against localhost)', () => {
  it('runs a playbook with the generated inventory and extra vars', async () => {
    const context = await testContext({ timeoutMs: 60_000 });
    const marker = path.join(context.workdir, 'marker');
    const plan = ansiblePlan.parse({
      playbook_yaml: playbook(`    - name: write marker
      copy: { dest: "${marker}", content: "run {{ remediation.run_id }} {{ greeting }}" }`),
      extra_vars: { greeting: 'hello' },
    });
    const result = await ansible.execute(plan, context);
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(await readFile(marker, 'utf8')).toBe('run 1 hello');
    expect(context.lines('stdout').some((line) => line.startsWith('TASK [write marker]'))).toBe(true);
    expect(context.lines('stdout').some((line) => /ok=\d+\s+changed=1/.test(line))).toBe(true);
  });

  it('reports a failed task as a structural playbook bug', async () => {
    const context = await testContext({ timeoutMs: 60_000 });
    const plan = ansiblePlan.parse({ playbook_yaml: playbook('    - name: break\n      fail: { msg: "remediation broke" }') });
    const result = await ansible.execute(plan, context);
    expect(result).toMatchObject({ status: 'failed', exitCode: 2, failureReason: 'playbook-bug' });
    expect(context.lines('stdout').some((line) => line.includes('remediation broke'))).toBe(true);
  });

  it('changes nothing in --check --diff mode', async () => {
    const context = await testContext({ timeoutMs: 60_000 });
    const marker = path.join(context.workdir, 'untouched');
    const plan = ansiblePlan.parse({ check: true, playbook_yaml: playbook(`    - copy: { dest: "${marker}", content: "x" }`) });
    const result = await ansible.execute(plan, context);
    expect(result.status).toBe('succeeded');
    await expect(readFile(marker, 'utf8')).rejects.toThrow();
    expect(context.lines('system')[0]).toContain('--check --diff');
  });
});
