// Shell executor: runs the plan's command with its argv array (never a shell string), in the attempt's
// work directory (or a plan cwd confined under it or the remediation root), with the run's identity in REMEDIATION_*.
import { renderTemplate, resolvePlanCwd, type ShellPlan } from '../../core/remediation-plan.ts';
import { toExecutionResult } from './process-outcome.ts';
import { runProcess } from './run-process.ts';
import { failed, type ExecutionContext, type ExecutionResult, type RemediationExecutor } from './types.ts';

export function runEnvironment(context: ExecutionContext): Record<string, string> {
  return {
    REMEDIATION_ATTEMPT: String(context.attempt),
    REMEDIATION_IDEMPOTENCY_KEY: context.idempotencyKey,
    ...Object.fromEntries(Object.entries(context.variables).map(([name, value]) => [`REMEDIATION_${name.toUpperCase()}`, value])),
  };
}

/** `root` is REMEDIATION_WORKDIR: the only tree an absolute plan `cwd` may point into. */
export function createShellExecutor(options: { outputCapBytes: number; root: string; killGraceMs?: number }): RemediationExecutor<ShellPlan> {
  return {
    async execute(plan, context): Promise<ExecutionResult> {
      // Checked again at run time: a playbook stored before the rule, or a root the worker was since moved to.
      const cwd = resolvePlanCwd(plan.cwd, context.workdir, options.root);
      if (cwd === undefined) return failed('playbook-bug', `cwd ${plan.cwd} is outside the attempt directory and the remediation root`);
      context.onLog({ stream: 'system', line: `exec ${plan.command} (${plan.args.length} args) in ${cwd}`, at: new Date() });
      const outcome = await runProcess({
        file: plan.command,
        // Templates fill single argv entries, so a value can never become extra arguments.
        args: plan.args.map((arg) => renderTemplate(arg, context.variables)),
        env: { ...plan.env, ...runEnvironment(context) },
        cwd,
        timeoutMs: context.timeoutMs,
        signal: context.signal,
        outputCapBytes: options.outputCapBytes,
        onLog: context.onLog,
        ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      });
      const result = toExecutionResult(plan.command, outcome);
      context.onLog({ stream: 'system', line: result.detail, at: new Date() });
      return result;
    },
  };
}
