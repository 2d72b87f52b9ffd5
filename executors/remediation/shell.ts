// Shell executor: runs the plan's command with its argv array (never a shell string), in the attempt's
// work directory unless the plan names one, with the run's identity in REMEDIATION_* variables.
import path from 'node:path';
import { renderTemplate, type ShellPlan } from '../../core/remediation-plan.ts';
import { toExecutionResult } from './process-outcome.ts';
import { runProcess } from './run-process.ts';
import type { ExecutionContext, ExecutionResult, RemediationExecutor } from './types.ts';

export function runEnvironment(context: ExecutionContext): Record<string, string> {
  return {
    REMEDIATION_ATTEMPT: String(context.attempt),
    REMEDIATION_IDEMPOTENCY_KEY: context.idempotencyKey,
    ...Object.fromEntries(Object.entries(context.variables).map(([name, value]) => [`REMEDIATION_${name.toUpperCase()}`, value])),
  };
}

export function createShellExecutor(options: { outputCapBytes: number; killGraceMs?: number }): RemediationExecutor<ShellPlan> {
  return {
    async execute(plan, context): Promise<ExecutionResult> {
      const cwd = plan.cwd === undefined ? context.workdir : path.resolve(context.workdir, plan.cwd);
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
