// `npm run bench:cli`: wall time of whole `mcpctl` processes against `node -e 0` (the floor any Node CLI pays),
// interleaved round by round in one run. `--version` is the target (< 150 ms); `--help` loads every command, from
// the build and from the TypeScript sources through tsx, to show what the build saves on a real command.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const cases: Record<string, string[]> = {
  node_baseline: ['-e', '0'],
  version: ['bin/mcpctl.js', '--version'],
  help_build: ['dist/cli/main.js', '--help'],
  help_tsx: ['--import', 'tsx', 'cli/main.ts', '--help'],
};

function timeOnce(args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return elapsed;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const round1 = (value: number) => Math.round(value * 10) / 10;

execFileSync(process.execPath, ['bin/ensure-build.js'], { stdio: 'inherit' });
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const args of Object.values(cases)) timeOnce(args); // warm the page cache
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, args] of Object.entries(cases)) samples[name]!.push(timeOnce(args));
}

const baseline = median(samples.node_baseline!);
const figures = Object.fromEntries(
  Object.entries(samples).map(([name, values]) => [name, { median_ms: round1(median(values)), ratio_to_node: Math.round((median(values) / baseline) * 100) / 100 }]),
);
const results = { date: new Date().toISOString(), rounds: ROUNDS, node: process.version, ...figures };
console.log(JSON.stringify(results, null, 2));
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/cli.json', `${JSON.stringify(results, null, 2)}\n`);
