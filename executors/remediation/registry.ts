// Picks the executor for a playbook's type and runs the plan through it. A plan that no longer parses is a
// playbook bug; an executor that throws instead of answering is recorded as `other`, never lost.
import { planSchemas, type ExecutorType } from '../../core/remediation-plan.ts';
import { createAnsibleExecutor } from './ansible.ts';
import { createCloudExecutor } from './cloud.ts';
import type { SandboxOptions } from './sandbox.ts';
import type { SecretResolver } from './secrets.ts';
import { createShellExecutor } from './shell.ts';
import { failed, type ExecutionContext, type ExecutionResult, type RemediationExecutor } from './types.ts';

export interface ExecutorSet {
  execute(type: ExecutorType, plan: unknown, context: ExecutionContext): Promise<ExecutionResult>;
}

export interface ExecutorSetOptions {
  outputCapBytes: number;
  resolveSecret: SecretResolver;
  /** Shell and Ansible run only inside it (executors/remediation/sandbox.ts). */
  sandbox: SandboxOptions;
  ansiblePlaybookRoot?: string | undefined;
  ansibleBinary?: string;
  /** REMEDIATION_CLOUD_ALLOW_LOOPBACK: cloud plans may call the worker's own host. */
  cloudAllowLoopback?: boolean;
}

export function createExecutorSet(options: ExecutorSetOptions): ExecutorSet {
  const { outputCapBytes, sandbox } = options;
  const executors: { [T in ExecutorType]: RemediationExecutor<never> } = {
    shell: createShellExecutor({ outputCapBytes, sandbox }),
    ansible: createAnsibleExecutor({
      outputCapBytes,
      sandbox,
      ...(options.ansiblePlaybookRoot === undefined ? {} : { playbookRoot: options.ansiblePlaybookRoot }),
      ...(options.ansibleBinary ? { binary: options.ansibleBinary } : {}),
    }),
    cloud: createCloudExecutor({ resolveSecret: options.resolveSecret, responseCapBytes: outputCapBytes, allowLoopback: options.cloudAllowLoopback ?? false }),
  };
  return {
    async execute(type, plan, context) {
      const parsed = planSchemas[type].safeParse(plan);
      if (!parsed.success) return failed('playbook-bug', `the ${type} plan is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      try {
        return await (executors[type] as RemediationExecutor<unknown>).execute(parsed.data, context);
      } catch (error) {
        return failed('other', `the ${type} executor failed: ${(error as Error).name}: ${(error as Error).message}`);
      }
    },
  };
}
