// Reads the scenario directory (REM_FABRIC_SCENARIO_DIR, default the checkout's harness/scenarios): every *.yaml,
// *.yml and *.json file is one scenario, in file-name order. A missing or empty directory, a document that does not
// parse, or one that breaks the schema stops the harness before anything starts, naming the file and the field.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describeScenarioIssues, scenario, unresolvedLabels, type Scenario } from './scenario.ts';

export interface LoadedScenario {
  file: string;
  sha256: string;
  scenario: Scenario;
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export const defaultScenarioDir = fileURLToPath(new URL('./scenarios', import.meta.url));

export function scenarioDir(env: Record<string, string | undefined>): string {
  const given = env.REM_FABRIC_SCENARIO_DIR;
  return given === undefined || given === '' ? defaultScenarioDir : path.resolve(given);
}

const scenarioFile = /\.(ya?ml|json)$/;

function parseDocument(file: string, text: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${file}: does not parse: ${(error as Error).message.split('\n')[0]}`);
  }
}

export async function loadScenarios(dir: string): Promise<LoadedScenario[]> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new ScenarioError(`scenario directory ${dir} ${error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${error.code})`} (REM_FABRIC_SCENARIO_DIR)`);
  });
  const files = entries.filter((name) => scenarioFile.test(name)).sort();
  if (files.length === 0) throw new ScenarioError(`scenario directory ${dir} holds no *.yaml, *.yml or *.json scenario (REM_FABRIC_SCENARIO_DIR)`);
  const loaded: LoadedScenario[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const bytes = await readFile(file);
    const parsed = scenario.safeParse(parseDocument(file, bytes.toString('utf8')));
    if (!parsed.success) throw new ScenarioError(`${file}: ${describeScenarioIssues(parsed.error).join('; ')}`);
    const unresolved = unresolvedLabels(parsed.data);
    if (unresolved.length > 0) throw new ScenarioError(`${file}: ${unresolved.join('; ')}`);
    loaded.push({ file, sha256: createHash('sha256').update(bytes).digest('hex'), scenario: parsed.data });
  }
  const names = new Map<string, string>();
  for (const { file, scenario: { name } } of loaded) {
    const other = names.get(name);
    if (other) throw new ScenarioError(`${file}: name: ${name} is already the name of ${other}`);
    names.set(name, file);
  }
  return loaded;
}
