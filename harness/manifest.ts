// manifest.json: what ran and what it proved, in a form anyone can re-check — every scenario file with its SHA-256
// (run or not), each run's history and transcript with theirs (paths relative to the manifest), the commit, tool
// and server versions, the database URL without its password, times, seeds and verdicts. verifyManifest re-hashes.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const hashed = z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const manifestScenario = z.object({
  name: z.string(),
  tag: z.string(),
  kind: z.string(),
  file: z.string(),
  sha256: z.string(),
  seed: z.number(),
  tenants: z.array(z.string()),
  ran: z.boolean(),
  verdict: z.enum(['pass', 'fail', 'unknown']).optional(),
  checks: z.array(z.object({ checker: z.string(), verdict: z.string(), detail: z.string() })).default([]),
  unmet: z.array(z.string()).default([]),
  errors: z.array(z.string()).default([]),
  planted_bug: z.string().optional(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  history: hashed.optional(),
  transcript: hashed.optional(),
});
export type ManifestScenario = z.infer<typeof manifestScenario>;

export const manifest = z.object({
  format: z.literal('mcp-runtime-harness/1'),
  suite: z.enum(['short', 'full']),
  planted_bug: z.string().nullable(),
  verdict: z.enum(['pass', 'fail', 'unknown']),
  exit_code: z.number().int(),
  started_at: z.string(),
  finished_at: z.string(),
  git: z.object({ commit: z.string(), dirty: z.boolean() }),
  versions: z.record(z.string(), z.string()),
  database_url: z.string(),
  scenario_root: z.string(),
  validation_tags: z.array(z.string()),
  scenarios: z.array(manifestScenario),
});
export type Manifest = z.infer<typeof manifest>;

export const sha256Of = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

export async function hashedFile(manifestDir: string, file: string): Promise<z.infer<typeof hashed>> {
  return { file: path.relative(manifestDir, file), sha256: await sha256Of(file) };
}

/** Every file the manifest names whose bytes no longer hash to what it recorded (empty: it verifies). */
export async function verifyManifest(manifestFile: string): Promise<string[]> {
  const parsed = manifest.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
  const dir = path.dirname(manifestFile);
  const checks = parsed.scenarios.flatMap((scenario) => [
    { file: path.resolve(parsed.scenario_root, scenario.file), sha256: scenario.sha256 },
    ...[scenario.history, scenario.transcript].filter((entry) => entry !== undefined).map((entry) => ({ file: path.resolve(dir, entry.file), sha256: entry.sha256 })),
  ]);
  const problems: string[] = [];
  for (const { file, sha256 } of checks) {
    const actual = await sha256Of(file).catch(() => 'unreadable');
    if (actual !== sha256) problems.push(`${file}: sha256 ${actual}, manifest says ${sha256}`);
  }
  return problems;
}
