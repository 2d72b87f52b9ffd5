// Loading the scenario manifests: the repository's own, YAML and JSON alike, and every way a directory or a
// document can be wrong, each stopping the harness with the file and the field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultScenarioDir, loadScenarios, scenarioDir } from '../../harness/load-scenarios.ts';

const minimal = { name: 'probe', tag: 'validation:probe', kind: 'flow', tenants: ['tenant-alpha'], seed: 1, steps: [{ op: 'drain-queues' }], expect: { checkers: ['outage-recovery'] } };
const yamlOf = (name: string) => `name: ${name}\ntag: validation:${name}\nkind: flow\ntenants: [tenant-alpha]\nseed: 7\nsteps:\n  - { op: drain-queues }\nexpect: { checkers: [outage-recovery] }\n`;

let dir: string;
const scratch = async (files: Record<string, string>) => {
  dir = await mkdtemp(path.join(tmpdir(), 'mcp-scenarios-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
};
afterEach(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe('scenario manifests', () => {
  it("loads the repository's scenarios, every seed scenario among them", async () => {
    const loaded = await loadScenarios(defaultScenarioDir);
    expect(loaded.map((entry) => entry.scenario.tag)).toEqual(
      expect.arrayContaining(['validation:remediation_flow', 'validation:tenant-isolation', 'validation:concurrent-approvals', 'validation:executor-outage', 'validation:remediation-concurrency', 'validation:remediation-stream:sse-ordering', 'validation:remediation-workspace-draft', 'validation:remediation-workspace-promotion', 'validation:remediation-workspace-cli']),
    );
    expect(loaded.every((entry) => /^[0-9a-f]{64}$/.test(entry.sha256))).toBe(true);
  });

  it('reads YAML and JSON documents alike, in file-name order, with defaults filled in', async () => {
    const loaded = await loadScenarios(await scratch({ 'b.json': JSON.stringify({ ...minimal, name: 'from-json' }), 'a.yaml': yamlOf('from-yaml'), 'notes.txt': 'ignored' }));
    expect(loaded.map((entry) => entry.scenario.name)).toEqual(['from-yaml', 'from-json']);
    expect(loaded[0]?.scenario).toMatchObject({ suites: ['full'], faults: [] });
  });

  it('names the file and the field of an unknown key, nested ones too', async () => {
    const bad = { ...minimal, steps: [{ op: 'drain-queues', colour: 'red' }], retries: 3 };
    const error = await loadScenarios(await scratch({ 'typo.json': JSON.stringify(bad) })).catch((thrown: Error) => thrown);
    expect(String(error)).toMatch(/typo\.json: /);
    expect(String(error)).toContain('steps.0.colour: unknown field');
    expect(String(error)).toContain('retries: unknown field');
  });

  it('names the field of a wrong value and of a label no step makes', async () => {
    await expect(loadScenarios(await scratch({ 'a.yaml': yamlOf('x').replace('tenants: [tenant-alpha]', 'tenants: []') }))).rejects.toThrow(/a\.yaml: tenants: /);
    const dangling = { ...minimal, steps: [{ op: 'await-run', run: 'ghost' }] };
    await expect(loadScenarios(await scratch({ 'b.json': JSON.stringify(dangling) }))).rejects.toThrow('b.json: steps.0.run: ghost is made by no earlier step');
  });

  it('takes via: api|cli on the workspace steps, api by default, and refuses any other way in', async () => {
    const workspaceSteps = (via?: string) => [
      { op: 'playbook', as: 'base' }, { op: 'instance', as: 'target', quarantine: false },
      { op: 'workspace', as: 'draft', playbook: 'base', instance: 'target', ...(via ? { via } : {}) },
      { op: 'revise', workspace: 'draft', stale: true, ...(via ? { via } : {}) },
      { op: 'gates', workspace: 'draft', policy_override: 'no approval in this lane', ...(via ? { via } : {}) },
      { op: 'promote', as: 'run', workspace: 'draft', ...(via ? { via } : {}) },
    ];
    const [cli] = await loadScenarios(await scratch({ 'cli.json': JSON.stringify({ ...minimal, kind: 'workspace', steps: workspaceSteps('cli') }) }));
    expect(cli?.scenario.steps.slice(2).map((entry) => ('via' in entry ? entry.via : undefined))).toEqual(['cli', 'cli', 'cli', 'cli']);
    expect(cli?.scenario.steps[3]).toMatchObject({ stale: true, racers: 1 });
    const [api] = await loadScenarios(await scratch({ 'api.json': JSON.stringify({ ...minimal, kind: 'workspace', steps: workspaceSteps() }) }));
    expect(api?.scenario.steps.slice(2).map((entry) => ('via' in entry ? entry.via : undefined))).toEqual(['api', 'api', 'api', 'api']);
    await expect(loadScenarios(await scratch({ 'ssh.json': JSON.stringify({ ...minimal, kind: 'workspace', steps: workspaceSteps('ssh') }) }))).rejects.toThrow(/ssh\.json: steps\.2\.via: /);
  });

  it('stops on a directory with no scenario in it', async () => {
    await expect(loadScenarios(await scratch({ 'README.md': '# nothing' }))).rejects.toThrow(/holds no \*\.yaml, \*\.yml or \*\.json scenario \(REM_FABRIC_SCENARIO_DIR\)/);
  });

  it('stops on a missing directory, naming it and the variable', async () => {
    await expect(loadScenarios('/nonexistent/scenarios')).rejects.toThrow('scenario directory /nonexistent/scenarios does not exist (REM_FABRIC_SCENARIO_DIR)');
  });

  it('stops on a document that does not parse, naming the file', async () => {
    await expect(loadScenarios(await scratch({ 'broken.json': '{"name": ' }))).rejects.toThrow(/broken\.json: does not parse/);
  });

  it('takes REM_FABRIC_SCENARIO_DIR when set, else the checkout’s harness/scenarios', () => {
    expect(scenarioDir({})).toBe(defaultScenarioDir);
    expect(scenarioDir({ REM_FABRIC_SCENARIO_DIR: '' })).toBe(defaultScenarioDir);
    expect(scenarioDir({ REM_FABRIC_SCENARIO_DIR: '/srv/scenarios' })).toBe('/srv/scenarios');
    expect(defaultScenarioDir.endsWith(path.join('harness', 'scenarios'))).toBe(true);
  });
});
