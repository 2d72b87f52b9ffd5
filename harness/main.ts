// The harness's composition root: `tsx harness/main.ts [--suite short|full] [--out DIR] [--plant-bug CHECKER]
// [--scenario NAME]...`. Loads the scenario manifests (stopping at once on a bad one), starts a platform of its own,
// runs the chosen scenarios one after another, stops everything it started, and writes manifest.json.
// Exit 0: every scenario passed; 1: a checker (or a step's expectation) failed; 2: a harness error or an unknown.
import { appendFileSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import pino from 'pino';
import { checkerName, type CheckerName } from './scenario.ts';
import { loadScenarios, ScenarioError, scenarioDir, type LoadedScenario } from './load-scenarios.ts';
import { hashedFile, type Manifest, type ManifestScenario } from './manifest.ts';
import { repoRoot, startHarnessPlatform, type HarnessPlatform } from './platform/platform.ts';
import { runScenario } from './runner/scenario-run.ts';

const { values } = parseArgs({
  options: { suite: { type: 'string', default: 'full' }, out: { type: 'string' }, 'plant-bug': { type: 'string' }, scenario: { type: 'string', multiple: true } },
});
const fail = (line: string, code = 2): never => {
  process.stderr.write(`harness: ${line}\n`);
  process.exit(code);
};
const suite = values.suite === 'short' || values.suite === 'full' ? values.suite : fail(`--suite must be short or full, not ${values.suite}`);
const plantArg = values['plant-bug'];
const planted: CheckerName | undefined = plantArg === undefined ? undefined : (checkerName.safeParse(plantArg).data ?? fail(`--plant-bug must name a checker: ${checkerName.options.join(', ')}`));

const root = scenarioDir(process.env);
let loaded: LoadedScenario[] = [];
try {
  loaded = await loadScenarios(root);
} catch (error) {
  if (error instanceof ScenarioError) fail(error.message);
  throw error;
}
const wanted = (entry: LoadedScenario) => (values.scenario ? values.scenario.includes(entry.scenario.name) : entry.scenario.suites.includes(suite));
const chosen = loaded.filter(wanted);
if (planted && !chosen.some((entry) => entry.scenario.expect.checkers.includes(planted))) fail(`--plant-bug ${planted}: no chosen scenario uses that checker`);
if (chosen.length === 0) fail(`no scenario in ${root} belongs to the ${suite} suite${values.scenario ? ` or is named ${values.scenario.join(', ')}` : ''}`);

const outDir = path.resolve(values.out ?? path.join(repoRoot, 'harness', 'out', new Date().toISOString().replace(/[:.]/g, '-')));
mkdirSync(outDir, { recursive: true });
const pidsFile = path.join(outDir, 'pids');
const logger = pino({ level: 'debug' }, pino.destination({ dest: path.join(outDir, 'services.log'), sync: true }));
const tenants = [...new Set(chosen.flatMap((entry) => entry.scenario.tenants))];
const startedAt = new Date().toISOString();
process.stdout.write(`harness: ${chosen.length} scenario(s) of the ${suite} suite from ${root}; output in ${outDir}\n`);

const started: { platform?: HarnessPlatform } = {};
const stop = async (signal: string) => {
  process.stderr.write(`harness: ${signal}, stopping what it started\n`);
  await started.platform?.close();
  process.exit(2);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));

const platform = await startHarnessPlatform(outDir, tenants, logger, (name, pid) => appendFileSync(pidsFile, `${name} ${pid}\n`)).catch((error: unknown) =>
  fail(`the platform did not start: ${error instanceof Error ? error.message : String(error)} (see ${path.join(outDir, 'services.log')})`),
);
started.platform = platform;
const versions = await platform.versions();
const results: ManifestScenario[] = [];
try {
  for (const entry of loaded) {
    const { scenario } = entry;
    const base = { name: scenario.name, tag: scenario.tag, kind: scenario.kind, file: path.relative(root, entry.file), sha256: entry.sha256, seed: scenario.seed, tenants: scenario.tenants };
    if (!chosen.includes(entry)) {
      results.push({ ...base, ran: false, checks: [], unmet: [], errors: [] });
      continue;
    }
    const outcome = await runScenario(scenario, platform, outDir, planted);
    results.push({
      ...base,
      ran: true,
      verdict: outcome.verdict,
      checks: outcome.checks,
      unmet: outcome.unmet,
      errors: outcome.errors,
      ...(outcome.planted ? { planted_bug: outcome.planted } : {}),
      started_at: outcome.startedAt,
      finished_at: outcome.finishedAt,
      history: await hashedFile(outDir, outcome.historyFile),
      transcript: await hashedFile(outDir, outcome.transcriptFile),
    });
    process.stdout.write(`${outcome.verdict.padEnd(7)} ${scenario.name} (${scenario.tag})\n`);
    for (const check of outcome.checks) process.stdout.write(`        ${check.verdict.padEnd(7)} ${check.checker}: ${check.detail}\n`);
    for (const line of [...outcome.unmet, ...outcome.errors]) process.stdout.write(`        ${line}\n`);
  }
} finally {
  await platform.close();
}

const ran = results.filter((result) => result.ran);
const verdict = ran.some((result) => result.verdict === 'fail') ? 'fail' : ran.every((result) => result.verdict === 'pass') ? 'pass' : 'unknown';
const exitCode = { pass: 0, fail: 1, unknown: 2 }[verdict];
const git = await execa('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, reject: false });
const dirty = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, reject: false });
const document: Manifest = {
  format: 'mcp-runtime-harness/1',
  suite,
  planted_bug: planted ?? null,
  verdict,
  exit_code: exitCode,
  started_at: startedAt,
  finished_at: new Date().toISOString(),
  git: { commit: git.exitCode === 0 ? git.stdout.trim() : 'unknown', dirty: dirty.stdout.trim() !== '' },
  versions: { ...versions, platform: (await import('../package.json', { with: { type: 'json' } })).default.version },
  database_url: platform.databaseUrl,
  scenario_root: root,
  validation_tags: [...new Set(ran.map((result) => result.tag))],
  scenarios: results,
};
await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(`harness: ${verdict} (${ran.filter((result) => result.verdict === 'pass').length}/${ran.length} passed); manifest ${path.join(outDir, 'manifest.json')}\n`);
process.exit(exitCode);
