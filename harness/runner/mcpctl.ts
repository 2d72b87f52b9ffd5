// The real `mcpctl` binary as a tenant's operator runs it: `--json` output parsed into an answer, and a refusal
// (`code: detail` on stderr, exit 1) turned back into the status its problem code stands for.
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../platform/platform.ts';
import { operator, type Actor, type Answer } from './client.ts';
import type { ScenarioContext } from './context.ts';

const statusOf: Record<string, number> = { 'version-conflict': 409, 'active-run-exists': 409 };

/** Run `mcpctl <args> --json` as `actor` (the tenant's operator); exit 0 answers `okStatus` with the printed JSON. */
export async function mcpctl(ctx: ScenarioContext, tenant: string, args: string[], okStatus = 200, actor: Actor = operator(tenant)): Promise<Answer> {
  const env = { MCPCTL_API_URL: ctx.client.url, MCPCTL_TOKEN: await ctx.client.token(actor), PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const result = await execa(process.execPath, [path.join(repoRoot, 'bin', 'mcpctl.js'), ...args, '--json'], { env, extendEnv: false, reject: false, cwd: repoRoot });
  if (result.exitCode === 0) return { status: okStatus, body: JSON.parse(result.stdout) };
  const code = /^([a-z-]+):/.exec(result.stderr.trim())?.[1];
  return { status: (code === undefined ? undefined : statusOf[code]) ?? 500, body: { code: code ?? result.stderr.trim().slice(0, 200) } };
}
