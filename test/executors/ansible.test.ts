import { chmod, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

  it('runs inside the sandbox as the sandbox user, with the playbook root read-only', async () => {
    // A playbook root is operator content every sandbox reads: world-readable, owned by root.
    const root = await mkdtemp(path.join(tmpdir(), 'playbook-root-'));
    await chmod(root, 0o755);
    await mkdir(path.join(root, 'site'));
    await writeFile(path.join(root, 'site', 'fix.yml'), playbook(`    - shell: "id -u > {{ out }}; touch ${root}/written || echo read-only >> {{ out }}"`));
    const rooted = createAnsibleExecutor({ outputCapBytes: 1_000_000, sandbox: testSandbox, playbookRoot: root });
    const context = await testContext({ timeoutMs: 60_000 });
    const out = path.join(context.workdir, 'out');
    const result = await rooted.execute(ansiblePlan.parse({ playbook_path: 'site/fix.yml', extra_vars: { out } }), context);
    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(await readFile(out, 'utf8')).toBe(`${testSandbox.uid}\nread-only\n`);
  });

  it('refuses a playbook_path that leaves the playbook root through a symlink, or with no root configured, running nothing', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'playbook-root-'));
    const outside = await mkdtemp(path.join(tmpdir(), 'outside-'));
    await writeFile(path.join(outside, 'evil.yml'), playbook('    - debug: { msg: "ran" }'));
    await symlink(path.join(outside, 'evil.yml'), path.join(root, 'evil.yml'));
    const rooted = createAnsibleExecutor({ outputCapBytes: 1_000_000, sandbox: testSandbox, playbookRoot: root });
    for (const executor of [rooted, ansible]) {
      const context = await testContext();
      const result = await executor.execute(ansiblePlan.parse({ playbook_path: 'evil.yml' }), context);
      expect(result).toMatchObject({ status: 'failed', failureReason: 'playbook-bug' });
      expect(context.lines('stdout')).toEqual([]);
    }
  });

  it('refuses to store a playbook_path that is absolute or climbs out with ..', () => {
    for (const playbook_path of ['/etc/ansible/site.yml', '../site.yml', 'a/../../site.yml']) expect(ansiblePlan.safeParse({ playbook_path }).success).toBe(false);
  });
});
