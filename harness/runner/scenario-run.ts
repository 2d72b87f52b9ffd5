// Runs one scenario against the platform: its tenants concurrently through the steps, its faults beside them,
// the watches to their end; then judges the files it wrote with the scenario's checkers (after planting a bug,
// when asked). A step that breaks is a harness error: the scenario's verdict is unknown, never pass.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runChecker } from '../checkers/index.ts';
import { combine, type CheckResult, type Verdict } from '../checkers/verdict.ts';
import { historyEntry, parseJsonl, transcriptEntry } from '../history.ts';
import type { HarnessPlatform } from '../platform/platform.ts';
import { plantBug } from '../plant-bug.ts';
import type { CheckerName, Scenario } from '../scenario.ts';
import { createApiClient } from './client.ts';
import { seededRandom, slugOf, type ScenarioContext } from './context.ts';
import { runFault } from './faults.ts';
import { createRecorder } from './recorder.ts';
import { runStep } from './steps.ts';

export interface ScenarioOutcome {
  dir: string;
  historyFile: string;
  transcriptFile: string;
  verdict: Verdict;
  checks: CheckResult[];
  /** Expectations of the steps themselves that did not hold (a run that ended otherwise than the step expects). */
  unmet: string[];
  errors: string[];
  planted?: CheckerName;
  startedAt: string;
  finishedAt: string;
}

const SCENARIO_BUDGET_MS = 150_000;

function barriers(tenants: number): (index: number) => Promise<void> {
  const waiting = new Map<number, { count: number; open: Promise<void>; release: () => void }>();
  return (index) => {
    let gate = waiting.get(index);
    if (!gate) {
      let release = () => {};
      const open = new Promise<void>((resolve) => (release = resolve));
      gate = { count: 0, open, release };
      waiting.set(index, gate);
    }
    if (++gate.count === tenants) gate.release();
    return gate.open;
  };
}

export async function runScenario(scenario: Scenario, platform: HarnessPlatform, outDir: string, plant?: CheckerName): Promise<ScenarioOutcome> {
  const startedAt = new Date().toISOString();
  const slug = slugOf(scenario.name);
  const dir = path.join(outDir, slug);
  await mkdir(dir, { recursive: true });
  const recorder = createRecorder(dir, scenario.name);
  const ctx: ScenarioContext = {
    scenario,
    slug,
    client: createApiClient(platform.apiUrl, platform.jwtSecret),
    recorder,
    platform,
    labels: new Map(),
    watches: [],
    random: seededRandom(scenario.seed),
    barrier: barriers(scenario.tenants.length),
    deadline: Date.now() + SCENARIO_BUDGET_MS,
    unmet: [],
  };
  const errors: string[] = [];
  const keep = (what: string) => (error: unknown) => {
    errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const faults = scenario.faults.map((fault) => runFault(ctx, fault).catch(keep(`fault ${fault.kind}`)));
  await Promise.all(
    scenario.tenants.map(async (tenant) => {
      for (const [index, step] of scenario.steps.entries()) {
        try {
          await runStep(ctx, tenant, step, index);
        } catch (error) {
          keep(`${tenant} step ${index} (${step.op})`)(error);
          // Release the others from any barrier ahead, so one tenant's failure does not hang the rest.
          for (let later = index + 1; later < scenario.steps.length; later++) void ctx.barrier(later);
          return;
        }
      }
    }),
  );
  await Promise.all(faults);
  await Promise.all(ctx.watches.map((watch) => watch.catch(keep('watch'))));

  const input = {
    history: parseJsonl(await readFile(recorder.historyFile, 'utf8'), historyEntry, recorder.historyFile),
    transcript: parseJsonl(await readFile(recorder.transcriptFile, 'utf8'), transcriptEntry, recorder.transcriptFile),
  };
  const judged = plant && scenario.expect.checkers.includes(plant) ? plantBug(plant, input, scenario.name) : input;
  const checks = scenario.expect.checkers.map((name) => runChecker(name, judged));
  const verdicts = checks.map((check) => check.verdict);
  const verdict = verdicts.includes('fail') || ctx.unmet.length > 0 ? 'fail' : errors.length > 0 ? 'unknown' : combine(verdicts);
  return { dir, historyFile: recorder.historyFile, transcriptFile: recorder.transcriptFile, verdict, checks, unmet: ctx.unmet, errors, ...(judged === input ? {} : { planted: plant }), startedAt, finishedAt: new Date().toISOString() };
}
