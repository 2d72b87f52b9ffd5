// The scenario manifest: one YAML or JSON document per file under the scenario directory, validated strictly (an
// unknown key is an error naming its file and field) so a typo never silently drops a step or a fault.
import { z } from 'zod';

export const checkerName = z.enum(['tenant-isolation', 'one-winner-per-version', 'one-active-run', 'stream-order', 'outage-recovery']);
export type CheckerName = z.infer<typeof checkerName>;

export const faultKind = z.enum(['worker-sigkill', 'redis-restart', 'postgres-restart', 'executor-outage', 'api-restart']);
export type FaultKind = z.infer<typeof faultKind>;

const tenant = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lowercase tenant id');
const label = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lowercase label');
const racers = z.number().int().min(1).max(32).default(1);
/** How a step reaches the platform: the REST API, or the real `mcpctl` binary with `--json`. */
const via = z.enum(['api', 'cli']).default('api');
const endStatus = z.enum(['succeeded', 'failed', 'cancelled', 'denied', 'expired']);

/** Steps run in order for every tenant of the scenario, the tenants concurrently; labels name what a step made. */
export const step = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('playbook'),
    as: label,
    executor: z.enum(['shell', 'cloud']).default('shell'),
    approval_required: z.boolean().default(false),
    retry_limit: z.number().int().min(0).max(20).default(0),
    sleep_seconds: z.number().min(0).max(120).default(0),
    manifest_tags: z.array(z.string().min(1)).default([]),
  }),
  z.strictObject({ op: z.literal('edit-playbook'), playbook: label, racers }),
  z.strictObject({ op: z.literal('instance'), as: label, quarantine: z.boolean().default(true) }),
  z.strictObject({ op: z.literal('enqueue'), as: label, playbook: label, instance: label, racers, via }),
  z.strictObject({ op: z.literal('approve'), run: label, racers }),
  z.strictObject({ op: z.literal('watch'), run: label }),
  z.strictObject({ op: z.literal('await-run'), run: label, status: z.array(endStatus).min(1).default(['succeeded']) }),
  z.strictObject({ op: z.literal('artifacts'), run: label }),
  z.strictObject({ op: z.literal('probe-tenants'), run: label.optional(), workspace: label.optional() }),
  z.strictObject({ op: z.literal('workspace'), as: label, playbook: label, instance: label, via }),
  // stale: one writer sends the version before the one it read, and must be refused 409.
  z.strictObject({ op: z.literal('revise'), workspace: label, racers, via, stale: z.boolean().default(false) }),
  // policy_override: an approver (never the author) overrides a soft policy failure with this reason.
  z.strictObject({ op: z.literal('gates'), workspace: label, via, policy_override: z.string().min(1).max(200).optional() }),
  z.strictObject({ op: z.literal('promote'), as: label, workspace: label, racers, via }),
  z.strictObject({ op: z.literal('drain-queues') }),
]);
export type Step = z.infer<typeof step>;

/** A fault starts when `run` first reads `when` (`start`: before the first step), and ends when it is healed. */
export const fault = z.strictObject({
  kind: faultKind,
  run: label,
  when: z.enum(['start', 'pending', 'queued', 'running', 'retry-scheduled']).default('running'),
});
export type Fault = z.infer<typeof fault>;

export const scenario = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_.:-]{0,99}$/, 'must be a lowercase scenario name'),
  tag: z.string().regex(/^validation:[a-z0-9_.:-]+$/, 'must be validation:<name>'),
  kind: z.enum(['flow', 'chaos-matrix', 'concurrency', 'stream', 'fault', 'workspace']),
  description: z.string().default(''),
  tenants: z.array(tenant).min(1).max(8),
  seed: z.number().int().min(0),
  suites: z.array(z.enum(['short', 'full'])).min(1).default(['full']),
  steps: z.array(step).min(1),
  faults: z.array(fault).default([]),
  expect: z.strictObject({ checkers: z.array(checkerName).min(1), manifest_tags: z.array(z.string().min(1)).default([]) }),
});
export type Scenario = z.infer<typeof scenario>;

const made = (step: Step): string | undefined => ('as' in step ? step.as : undefined);
const used = (step: Step): [string, string][] =>
  Object.entries(step).filter(([key]) => ['playbook', 'instance', 'run'].includes(key)).map(([key, value]) => [key, String(value)]);

/** `field: message` for every label a step or fault uses before (or without) a step that makes it. */
export function unresolvedLabels(document: Scenario): string[] {
  const known = new Set<string>();
  const problems: string[] = [];
  document.steps.forEach((step, i) => {
    for (const [key, value] of used(step)) if (!known.has(value)) problems.push(`steps.${i}.${key}: ${value} is made by no earlier step`);
    const label = made(step);
    if (label !== undefined) known.add(label);
  });
  document.faults.forEach((fault, i) => {
    if (!known.has(fault.run)) problems.push(`faults.${i}.run: ${fault.run} is made by no step`);
  });
  return problems;
}

/** `field: message` for every issue, the field as a dotted path inside the document. */
export function describeScenarioIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${[...path, key].join('.')}: unknown field`);
    return [`${path.join('.') || '(document)'}: ${issue.message}`];
  });
}
