// What a playbook tells its executor to do: one plan schema per executor type, and the template
// substitution plans use to name the run they act for.
import path from 'node:path';
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an upper-case environment variable name');

/** What the sandboxed command may reach over the network (docs/sandbox.md). */
export const networkPolicy = z
  .enum(['none', 'loopback', 'egress'])
  .default('none')
  .meta({
    description:
      'none and loopback: a private network namespace whose only interface is its own loopback (the two are the same with bubblewrap; ' +
      "the host's loopback services are not reachable). egress: the host's network, loopback services included; a worker runs it only " +
      'with REMEDIATION_SANDBOX_ALLOW_EGRESS=true.',
  });

export const shellPlan = z.strictObject({
  command: z.string().min(1).max(1024),
  args: z.array(z.string().max(4096)).max(256).default([]),
  env: z.record(envName, z.string().max(4096)).default({}),
  /** Relative to the attempt's work directory and inside it: the sandbox holds no other host directory to start in. */
  cwd: z.string().min(1).max(1024).optional(),
  network: networkPolicy,
  /**
   * The declared plan mode a workspace simulation runs instead of the command (same sandbox, cwd and env):
   * exit 0 means no change, exit 2 means changes (stdout is the diff), anything else a failure. Without it a
   * shell plan cannot be simulated.
   */
  simulate: z.strictObject({ command: z.string().min(1).max(1024), args: z.array(z.string().max(4096)).max(256).default([]) }).optional(),
});
export type ShellPlan = z.infer<typeof shellPlan>;

const within = (target: string, base: string) => target === base || target.startsWith(`${base}/`);

/** The directory a shell plan runs in, or undefined when its `cwd` is absolute or leaves the attempt's directory. */
export function resolvePlanCwd(cwd: string | undefined, attemptDir: string): string | undefined {
  if (cwd === undefined) return attemptDir;
  if (path.posix.isAbsolute(cwd)) return undefined;
  const resolved = path.posix.resolve(attemptDir, cwd);
  return within(resolved, path.posix.resolve(attemptDir)) ? resolved : undefined;
}

/** The same rule at playbook create/update time, when no attempt directory exists yet (`root` is kept for callers). */
export function isAllowedPlanCwd(cwd: string | undefined, root: string): boolean {
  return resolvePlanCwd(cwd, path.posix.join(path.posix.resolve(root), 'run', 'attempt')) !== undefined;
}

/** A playbook file names a path relative to REMEDIATION_ANSIBLE_PLAYBOOK_ROOT: never absolute, never through `..`. */
export const isPlaybookRootPath = (file: string) =>
  !path.posix.isAbsolute(file) && !file.split('/').includes('..') && !file.includes('\u0000') && path.posix.normalize(file) !== '.';

/** The host file a plan's `playbook_path` names, or undefined when it would leave `root`. */
export function resolvePlaybookPath(file: string, root: string): string | undefined {
  if (!isPlaybookRootPath(file)) return undefined;
  const base = path.posix.resolve(root);
  const resolved = path.posix.resolve(base, file);
  return resolved !== base && within(resolved, base) ? resolved : undefined;
}

const inventoryHost = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a host name'),
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export const ansiblePlan = z
  .strictObject({
    playbook_yaml: z.string().min(1).max(1_000_000).optional(),
    /** A file under REMEDIATION_ANSIBLE_PLAYBOOK_ROOT, named relative to it; the catalog never holds a host path. */
    playbook_path: z
      .string()
      .min(1)
      .max(1024)
      .refine(isPlaybookRootPath, 'must be relative to REMEDIATION_ANSIBLE_PLAYBOOK_ROOT and must not contain ..')
      .optional(),
    hosts: z.array(inventoryHost).min(1).default([{ name: 'localhost', vars: { ansible_connection: 'local' } }]),
    extra_vars: z.record(z.string(), z.unknown()).default({}),
    check: z.boolean().default(false),
    diff: z.boolean().default(false),
    network: networkPolicy,
  })
  .refine((plan) => (plan.playbook_yaml === undefined) !== (plan.playbook_path === undefined), {
    message: 'give exactly one of playbook_yaml or playbook_path',
    path: ['playbook_yaml'],
  });
export type AnsiblePlan = z.infer<typeof ansiblePlan>;

export const cloudPoll = z.strictObject({
  /** Dot path of the operation URL in the first response's JSON (a `Location` header also works). */
  operation_url_field: z.string().min(1).default('operation_url'),
  status_field: z.string().min(1).default('status'),
  success_values: z.array(z.string()).min(1).default(['done', 'succeeded']),
  failure_values: z.array(z.string()).default(['failed', 'error']),
  interval_ms: z.number().int().min(10).max(600_000).default(1_000),
  max_polls: z.number().int().min(1).max(100_000).default(300),
});

/** Plain http is for loopback only (local agents, test fakes): anything else would carry the auth header in clear. */
const loopbackHttp = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?([/?#]|$)/i;

/** True when `url` (a template or a rendered URL) may be called: https, or http to a loopback host. */
export function isAllowedCloudUrl(url: string): boolean {
  return /^https:\/\/[^/?#]/i.test(url) || loopbackHttp.test(url);
}

const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token']);

export const cloudPlan = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  url: z.string().refine(isAllowedCloudUrl, 'must be an https:// URL template (http:// only for 127.0.0.1, ::1 or localhost)'),
  body: z.unknown().optional(),
  // Plans are stored and served back; a credential header here would be a secret at rest, so it must go through auth.
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string())
    .refine((headers) => !Object.keys(headers).some((name) => credentialHeaders.has(name.toLowerCase())), 'credential headers belong in auth.secret_ref')
    .default({}),
  auth: z
    .strictObject({
      secret_ref: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must name a secret, not hold one'),
      header: z.string().default('authorization'),
      scheme: z.string().default('Bearer'),
    })
    .optional(),
  request_timeout_ms: z.number().int().min(10).max(600_000).default(10_000),
  poll: cloudPoll.optional(),
  /** The declared plan mode a workspace simulation calls instead (a dry-run endpoint); its 2xx answer is the diff. */
  simulate: z
    .strictObject({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      url: z.string().refine(isAllowedCloudUrl, 'must be an https:// URL template (http:// only for loopback)'),
      body: z.unknown().optional(),
    })
    .optional(),
});
export type CloudPlan = z.infer<typeof cloudPlan>;

export const executorType = z.enum(['shell', 'ansible', 'cloud']);
export type ExecutorType = z.infer<typeof executorType>;

export const planSchemas = { shell: shellPlan, ansible: ansiblePlan, cloud: cloudPlan } as const;

export type PlanFor<T extends ExecutorType> = z.infer<(typeof planSchemas)[T]>;

/** Replace `{{name}}` with `vars[name]` (through `encode`); unknown names stay visible so a bad template is noticed. */
export function renderTemplate(template: string, vars: Record<string, string>, encode: (value: string) => string = (v) => v): string {
  return template.replace(/\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi, (whole, name: string) => (name in vars ? encode(vars[name] as string) : whole));
}

/** Render every string inside a JSON value. */
export function renderJson(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return renderTemplate(value, vars);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderJson(item, vars)]));
  }
  return value;
}
