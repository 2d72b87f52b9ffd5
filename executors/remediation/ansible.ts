// Ansible executor: the real `ansible-playbook`, inside the same sandbox as shell commands, with an inventory and
// extra-vars file generated into the attempt's work directory and `--check --diff` for simulations. The playbook
// is the catalog's `playbook_yaml` or a file under REMEDIATION_ANSIBLE_PLAYBOOK_ROOT (bound read-only), never
// another host path.
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FailureReason } from '../../core/failure-taxonomy.ts';
import { resolvePlaybookPath, type AnsiblePlan } from '../../core/remediation-plan.ts';
import { SIMULATION_CALLBACK_NAME, simulationCallbackSource } from './ansible-simulation.ts';
import { toExecutionResult } from './process-outcome.ts';
import { networkRefusal, runSandboxed, type SandboxOptions } from './sandbox.ts';
import { runEnvironment } from './shell.ts';
import { failed, type ExecutionContext, type ExecutionResult, type RemediationExecutor } from './types.ts';

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

/** Ansible's own state lives on the sandbox's private /tmp, never in a shared home. */
const ansibleEnv = {
  ANSIBLE_HOME: '/tmp/ansible-home',
  ANSIBLE_LOCAL_TEMP: '/tmp/ansible-local',
  ANSIBLE_REMOTE_TEMP: '/tmp/ansible-remote',
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_FORCE_COLOR: '0',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_HOST_KEY_CHECKING: 'False',
  ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
  ANSIBLE_DEPRECATION_WARNINGS: 'False',
  PYTHONUNBUFFERED: '1',
};

/** The playbook file for `playbook_path`, checked again at run time with symlinks resolved; a string is the refusal. */
async function rootPlaybook(file: string, root: string | undefined): Promise<{ file: string; root: string } | string> {
  if (root === undefined) return 'playbook_path needs REMEDIATION_ANSIBLE_PLAYBOOK_ROOT, which this worker does not set';
  const realRoot = await realpath(root).catch(() => undefined);
  const named = realRoot === undefined ? undefined : resolvePlaybookPath(file, realRoot);
  const real = named === undefined ? undefined : await realpath(named).catch(() => undefined);
  const inside = realRoot !== undefined && real !== undefined && real.startsWith(`${realRoot}/`);
  return inside ? { file: real, root: realRoot } : `playbook_path ${file} is not a file under REMEDIATION_ANSIBLE_PLAYBOOK_ROOT`;
}

/** `simulation`: always `--check --diff`, with the callback that reports each task (executors/remediation/ansible-simulation.ts). */
export function createAnsibleExecutor(options: { outputCapBytes: number; sandbox: SandboxOptions; playbookRoot?: string; binary?: string; killGraceMs?: number; simulation?: boolean }): RemediationExecutor<AnsiblePlan> {
  return {
    async execute(given, context: ExecutionContext): Promise<ExecutionResult> {
      const plan = options.simulation === true ? { ...given, check: true, diff: true } : given;
      const refusal = networkRefusal(options.sandbox, plan.network);
      if (refusal !== undefined) return refusal;
      const fromRoot = plan.playbook_path === undefined ? undefined : await rootPlaybook(plan.playbook_path, options.playbookRoot);
      if (typeof fromRoot === 'string') return failed('playbook-bug', fromRoot);
      const dir = path.join(context.workdir, 'ansible');
      await mkdir(dir, { recursive: true });
      const files = {
        inventory: path.join(dir, 'inventory.json'),
        extraVars: path.join(dir, 'extra-vars.json'),
        playbook: fromRoot?.file ?? path.join(dir, 'playbook.yml'),
      };
      await writeFile(files.inventory, JSON.stringify(buildInventory(plan)));
      // The run's identity rides along as extra vars; plan values win on a name clash.
      await writeFile(files.extraVars, JSON.stringify({ remediation: context.variables, remediation_attempt: context.attempt, ...plan.extra_vars }));
      if (plan.playbook_yaml !== undefined) await writeFile(files.playbook, plan.playbook_yaml);
      const callbacks = path.join(dir, 'callbacks');
      if (options.simulation === true) {
        await mkdir(callbacks, { recursive: true });
        await writeFile(path.join(callbacks, `${SIMULATION_CALLBACK_NAME}.py`), simulationCallbackSource);
      }
      const simulationEnv: Record<string, string> = options.simulation === true ? { ANSIBLE_CALLBACK_PLUGINS: callbacks, ANSIBLE_STDOUT_CALLBACK: SIMULATION_CALLBACK_NAME } : {};

      let sawUnreachable = false;
      const onLog: ExecutionContext['onLog'] = (event) => {
        if (event.line.includes('UNREACHABLE!')) sawUnreachable = true;
        context.onLog(event);
      };
      context.onLog({ stream: 'system', line: `exec ansible-playbook${plan.check ? ' --check --diff' : ''} (${plan.hosts.length} hosts), sandboxed, network ${plan.network}`, at: new Date() });
      const outcome = await runSandboxed(
        options.sandbox,
        {
          command: options.binary ?? 'ansible-playbook',
          args: ansibleArgs(plan, files),
          env: { ...runEnvironment(context), ...ansibleEnv, ...simulationEnv },
          workdir: context.workdir,
          cwd: dir,
          network: plan.network,
          ...(fromRoot === undefined ? {} : { readOnly: [fromRoot.root] }),
        },
        { context: { ...context, onLog }, outputCapBytes: options.outputCapBytes, ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }) },
      );
      const result = toExecutionResult('ansible-playbook', outcome, exitReasons(sawUnreachable));
      context.onLog({ stream: 'system', line: result.detail, at: new Date() });
      return result;
    },
  };
}
