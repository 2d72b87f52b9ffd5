// Ansible executor: the real `ansible-playbook` with an inventory and extra-vars file generated into the
// attempt's work directory, output streamed line by line, and `--check --diff` for simulations.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FailureReason } from '../../core/failure-taxonomy.ts';
import type { AnsiblePlan } from '../../core/remediation-plan.ts';
import { toExecutionResult } from './process-outcome.ts';
import { runProcess } from './run-process.ts';
import { runEnvironment } from './shell.ts';
import type { ExecutionContext, ExecutionResult, RemediationExecutor } from './types.ts';

/** ansible-playbook exit codes (task_queue_manager + CLI); 4 is "unreachable" only when a host said so. */
function exitReasons(sawUnreachable: boolean): Record<number, FailureReason> {
  return { 1: 'playbook-bug', 2: 'playbook-bug', 4: sawUnreachable ? 'dependency-outage' : 'playbook-bug', 5: 'playbook-bug', 8: 'playbook-bug', 99: 'cancelled', 250: 'other', 255: 'other' };
}

export function buildInventory(plan: AnsiblePlan): Record<string, unknown> {
  return { all: { hosts: Object.fromEntries(plan.hosts.map((host) => [host.name, host.vars])) } };
}

export function ansibleArgs(plan: AnsiblePlan, files: { inventory: string; extraVars: string; playbook: string }): string[] {
  return ['-i', files.inventory, '-e', `@${files.extraVars}`, ...(plan.check ? ['--check'] : []), ...(plan.diff || plan.check ? ['--diff'] : []), files.playbook];
}

export function createAnsibleExecutor(options: { outputCapBytes: number; binary?: string; killGraceMs?: number }): RemediationExecutor<AnsiblePlan> {
  return {
    async execute(plan, context: ExecutionContext): Promise<ExecutionResult> {
      const dir = path.join(context.workdir, 'ansible');
      await mkdir(dir, { recursive: true });
      const files = {
        inventory: path.join(dir, 'inventory.json'),
        extraVars: path.join(dir, 'extra-vars.json'),
        playbook: plan.playbook_path ?? path.join(dir, 'playbook.yml'),
      };
      await writeFile(files.inventory, JSON.stringify(buildInventory(plan)));
      // The run's identity rides along as extra vars; plan values win on a name clash.
      await writeFile(files.extraVars, JSON.stringify({ remediation: context.variables, remediation_attempt: context.attempt, ...plan.extra_vars }));
      if (plan.playbook_yaml !== undefined) await writeFile(files.playbook, plan.playbook_yaml);

      let sawUnreachable = false;
      const onLog: ExecutionContext['onLog'] = (event) => {
        if (event.line.includes('UNREACHABLE!')) sawUnreachable = true;
        context.onLog(event);
      };
      const args = ansibleArgs(plan, files);
      context.onLog({ stream: 'system', line: `exec ansible-playbook${plan.check ? ' --check --diff' : ''} (${plan.hosts.length} hosts)`, at: new Date() });
      const outcome = await runProcess({
        file: options.binary ?? 'ansible-playbook',
        args,
        env: {
          ...runEnvironment(context),
          ANSIBLE_HOME: path.join(dir, 'home'),
          ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
          ANSIBLE_REMOTE_TEMP: path.join(dir, 'remote-tmp'),
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_FORCE_COLOR: '0',
          ANSIBLE_RETRY_FILES_ENABLED: '0',
          ANSIBLE_HOST_KEY_CHECKING: 'False',
          ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
          ANSIBLE_DEPRECATION_WARNINGS: 'False',
          PYTHONUNBUFFERED: '1',
        },
        cwd: dir,
        timeoutMs: context.timeoutMs,
        signal: context.signal,
        outputCapBytes: options.outputCapBytes,
        onLog,
        ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      });
      const result = toExecutionResult('ansible-playbook', outcome, exitReasons(sawUnreachable));
      context.onLog({ stream: 'system', line: result.detail, at: new Date() });
      return result;
    },
  };
}
