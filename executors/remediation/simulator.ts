// Workspace simulations: a real dry run in the execution sandbox. Ansible runs `ansible-playbook --check --diff`
// with the reporting callback; shell and cloud plans run their declared `simulate` plan mode; a plan without one
// reports a single `unsupported` task (the gate then answers inconclusive unless the policy allows it).
import { parseSimulationLines } from '../../core/simulation-results.ts';
import { planSchemas, type AnsiblePlan, type CloudPlan, type ExecutorType, type ShellPlan } from '../../core/remediation-plan.ts';
import type { SimulationTask } from '../../core/schemas/workspaces.ts';
import { createAnsibleExecutor } from './ansible.ts';
import { createCloudExecutor } from './cloud.ts';
import type { SandboxOptions } from './sandbox.ts';
import type { SecretResolver } from './secrets.ts';
import { createShellExecutor } from './shell.ts';
import type { ExecutionContext, ExecutionResult } from './types.ts';

export interface SimulationOutcome {
  /** Whether the dry run itself ran to its end (tasks may still have failed). */
  ran: boolean;
  tasks: SimulationTask[];
  detail: string;
  diff: string;
}

export interface Simulator {
  simulate(type: ExecutorType, plan: unknown, context: ExecutionContext): Promise<SimulationOutcome>;
}

export interface SimulatorOptions {
  outputCapBytes: number;
  sandbox: SandboxOptions;
  resolveSecret: SecretResolver;
  ansiblePlaybookRoot?: string | undefined;
  cloudAllowLoopback?: boolean;
}

const unsupported = (detail: string): SimulationOutcome => ({ ran: true, tasks: [{ host: 'plan', task: 'plan mode', result: 'unsupported' }], detail, diff: '' });

/** Run `execute` and keep its stdout: the diff (shell) or the callback lines (Ansible). */
async function withStdout(context: ExecutionContext, execute: (context: ExecutionContext) => Promise<ExecutionResult>) {
  const stdout: string[] = [];
  const result = await execute({ ...context, onLog: (event) => { if (event.stream === 'stdout') stdout.push(event.line); context.onLog(event); } });
  return { result, stdout };
}

export function createSimulator(options: SimulatorOptions): Simulator {
  const ansible = createAnsibleExecutor({ outputCapBytes: options.outputCapBytes, sandbox: options.sandbox, simulation: true, ...(options.ansiblePlaybookRoot ? { playbookRoot: options.ansiblePlaybookRoot } : {}) });
  const shell = createShellExecutor({ outputCapBytes: options.outputCapBytes, sandbox: options.sandbox });
  const cloud = createCloudExecutor({ resolveSecret: options.resolveSecret, responseCapBytes: options.outputCapBytes, allowLoopback: options.cloudAllowLoopback ?? false });
  const byType = {
    async ansible(plan: AnsiblePlan, context: ExecutionContext): Promise<SimulationOutcome> {
      const { result, stdout } = await withStdout(context, (ctx) => ansible.execute(plan, ctx));
      const tasks = parseSimulationLines(stdout);
      // ansible-playbook exits 2 when a task failed: that is a result, not a broken dry run.
      return { ran: result.status === 'succeeded' || (result.exitCode === 2 && tasks.length > 0), tasks, detail: result.detail, diff: tasks.map((task) => task.diff ?? '').filter(Boolean).join('\n') };
    },
    async shell(plan: ShellPlan, context: ExecutionContext): Promise<SimulationOutcome> {
      if (plan.simulate === undefined) return unsupported('the shell plan declares no simulate plan mode');
      const { result, stdout } = await withStdout(context, (ctx) => shell.execute({ ...plan, ...plan.simulate }, ctx));
      const diff = stdout.join('\n');
      const outcome: SimulationTask['result'] = result.exitCode === 0 ? 'ok' : result.exitCode === 2 ? 'changed' : 'failed';
      return { ran: result.exitCode === 0 || result.exitCode === 2, tasks: [{ host: 'sandbox', task: plan.simulate.command, result: outcome, ...(diff ? { diff } : {}) }], detail: result.detail, diff };
    },
    async cloud(plan: CloudPlan, context: ExecutionContext): Promise<SimulationOutcome> {
      if (plan.simulate === undefined) return unsupported('the cloud plan declares no simulate plan mode');
      const { poll: _poll, ...request } = { ...plan, ...plan.simulate };
      const result = await cloud.execute(request, context);
      const diff = JSON.stringify(result.outputs?.response ?? null, null, 2);
      const outcome: SimulationTask['result'] = result.status === 'succeeded' ? 'changed' : 'failed';
      return { ran: result.status === 'succeeded', tasks: [{ host: 'cloud', task: `${request.method} ${request.url}`, result: outcome, diff }], detail: result.detail, diff };
    },
  };
  return {
    async simulate(type, plan, context) {
      const parsed = planSchemas[type].safeParse(plan);
      if (!parsed.success) return { ran: false, tasks: [], detail: `the ${type} plan is invalid`, diff: '' };
      return (byType[type] as (plan: unknown, context: ExecutionContext) => Promise<SimulationOutcome>)(parsed.data, context);
    },
  };
}
