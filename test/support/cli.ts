// Runs the real `mcpctl` binary against a test platform.
import { execa } from 'execa';
import type { AuthClaims } from '../../core/schemas/common.ts';
import type { TestPlatform } from './platform.ts';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function mcpctl(platform: TestPlatform | undefined, args: string[], options: { as?: Partial<AuthClaims>; env?: Record<string, string> } = {}): Promise<CliResult> {
  const env: Record<string, string> = { ...options.env };
  if (platform) {
    env.MCPCTL_API_URL = platform.url;
    env.MCPCTL_TOKEN = await platform.token(options.as);
  }
  const result = await execa(process.execPath, ['bin/mcpctl.js', ...args], { env, reject: false, extendEnv: false });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
