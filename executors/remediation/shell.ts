// Shell executor: runs the plan's command with its argv array (never a shell string) inside the sandbox
// (executors/remediation/sandbox.ts), in the attempt's work directory or a relative cwd inside it, with the
// run's identity in REMEDIATION_*.
import { renderTemplate, resolvePlanCwd, type ShellPlan } from '../../core/remediation-plan.ts';
import { toExecutionResult } from './process-outcome.ts';
import { networkRefusal, runSandboxed, type SandboxOptions } from './sandbox.ts';
import { failed, type ExecutionContext, type ExecutionResult, type RemediationExecutor } from './types.ts';

export function runEnvironment(context: ExecutionContext): Record<string, string> {
  return {
    REMEDIATION_ATTEMPT: String(context.attempt),
    REMEDIATION_IDEMPOTENCY_KEY: context.idempotencyKey,
    ...Object.fromEntries(Object.entries(context.variables).map(([name, value]) => [`REMEDIATION_${name.toUpperCase()}`, value])),
  };
}

export function createShellExecutor(options: { outputCapBytes: number; sandbox: SandboxOptions; killGraceMs?: number }): RemediationExecutor<ShellPlan> {
  return {
    async execute(plan, context): Promise<ExecutionResult> {
      // Checked again at run time: a playbook stored before the rule.
      const cwd = resolvePlanCwd(plan.cwd, context.workdir);
      if (cwd === undefined) return failed('playbook-bug', `cwd ${plan.cwd} is outside the attempt directory`);
      const refusal = networkRefusal(options.sandbox, plan.network);
      if (refusal !== undefined) return refusal;
      context.onLog({ stream: 'system', line: `exec ${plan.command} (${plan.args.length} args) in ${cwd}, sandboxed, network ${plan.network}`, at: new Date() });
      const outcome = await runSandboxed(
        options.sandbox,
        // Templates fill single argv entries, so a value can never become extra arguments.
        { command: plan.command, args: plan.args.map((arg) => renderTemplate(arg, context.variables)), env: { ...plan.env, ...runEnvironment(context) }, workdir: context.workdir, cwd, network: plan.network },
        { context, outputCapBytes: options.outputCapBytes, ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }) },
      );
      const result = toExecutionResult(plan.command, outcome);
      context.onLog({ stream: 'system', line: result.detail, at: new Date() });
      return result;
    },
  };
}
