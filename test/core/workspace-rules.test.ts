import { describe, expect, it } from 'vitest';
import { canonicalJson, planDigest } from '../../core/canonical-plan.ts';
import { countPhases, planStep, postureVerdict, promotionOutcome, type TargetState } from '../../core/promotion-plan.ts';
import { parseSimulationLines, simulationVerdict } from '../../core/simulation-results.ts';
import { bindingChanges } from '../../core/workspace-bindings.ts';
import { evaluatePolicy } from '../../core/workspace-policy.ts';
import { validatePlan } from '../../core/workspace-schema-gate.ts';
import type { TrustSnapshot } from '../../core/placement-gate.ts';

const trust = (lifecycle_state: TrustSnapshot['lifecycle_state']): TrustSnapshot => ({ lifecycle_state, attestation_status: 'trusted', remediation_state: null, remediation_attempts: 0, freshness_deadline: null, provenance: {} });
const now = new Date('2030-01-01T00:00:00Z');

describe('plan digest', () => {
  it('ignores key order and whitespace, not values', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: 'x' })).toBe('{"a":"x","b":[1,{"c":3,"d":2}]}');
    expect(planDigest({ a: 1, b: 2 })).toBe(planDigest({ b: 2, a: 1 }));
    expect(planDigest({ a: 1 })).not.toBe(planDigest({ a: 2 }));
  });
});

describe('schema gate', () => {
  it.each<[string, string, unknown, boolean, string?]>([
    ['a valid shell plan', 'shell', { command: '/bin/true' }, true],
    ['a shell plan without command', 'shell', { args: [] }, false, 'plan.command'],
    ['an ansible plan with a list of plays', 'ansible', { playbook_yaml: '- hosts: all\n  tasks: []\n' }, true],
    ['ansible YAML that does not parse', 'ansible', { playbook_yaml: 'hosts: [unclosed' }, false, 'plan.playbook_yaml'],
    ['ansible YAML that is a mapping, not plays', 'ansible', { playbook_yaml: 'hosts: all\n' }, false, 'plan.playbook_yaml'],
    ['a play without hosts', 'ansible', { playbook_yaml: '- tasks: []\n' }, false, 'plan.playbook_yaml.0'],
  ])('%s', (_name, type, plan, passed, path) => {
    const verdict = validatePlan(type as never, plan);
    expect(verdict.passed).toBe(passed);
    if (path !== undefined) expect(verdict.errors[0]?.path).toBe(path);
  });
});

describe('policy rules', () => {
  const base = { executorType: 'shell' as const, plan: {}, approvalRequired: true, allowUnsimulated: false, now };
  it.each<[string, Partial<Parameters<typeof evaluatePolicy>[0]>, string, boolean, string[]]>([
    ['passes a gated plan over trusted targets', { targets: [{ vmInstanceId: 1, snapshot: trust('trusted') }] }, 'passed', true, []],
    ['fails hard without targets', { targets: [] }, 'failed', false, ['targets-declared']],
    ['fails soft on a quarantined target (placement gate)', { targets: [{ vmInstanceId: 7, snapshot: trust('quarantined') }] }, 'failed', true, ['target-posture:7']],
    ['fails soft on egress, no approval and unsimulated tasks', { plan: { network: 'egress' }, approvalRequired: false, allowUnsimulated: true, targets: [{ vmInstanceId: 1, snapshot: undefined }] }, 'failed', true, ['sandbox-network', 'human-approval', 'simulation-coverage']],
  ])('%s', (_name, input, outcome, overridable, failed) => {
    const verdict = evaluatePolicy({ ...base, targets: [], ...input });
    expect(verdict).toMatchObject({ outcome, overridable });
    expect(verdict.rules.filter((rule) => rule.outcome === 'failed').map((rule) => rule.rule)).toEqual(failed);
  });
});

describe('simulation results', () => {
  const line = (fields: Record<string, unknown>) => `MCP-SIM ${JSON.stringify({ host: 'h', task: 't', status: 'ok', changed: false, skipped: false, msg: '', skip_reason: '', diff: '', ...fields })}`;
  it.each<[string, Record<string, unknown>, string]>([
    ['changed', { changed: true }, 'changed'],
    ['ok', {}, 'ok'],
    ['skipped because of check mode', { status: 'skipped', msg: 'Command would have run if not in check mode' }, 'skipped-in-check'],
    ['skipped by a condition', { status: 'skipped', skip_reason: 'Conditional result was False' }, 'ok'],
    ['a module without check mode', { status: 'skipped', msg: 'remote module (x) does not support check mode' }, 'unsupported'],
    ['failed', { status: 'failed' }, 'failed'],
  ])('classifies %s', (_name, fields, result) => {
    expect(parseSimulationLines(['noise', line(fields)])).toEqual([expect.objectContaining({ result })]);
  });

  it.each<[string, string[], boolean, boolean, string]>([
    ['all simulated', ['changed', 'ok'], true, false, 'pass'],
    ['one not simulated', ['changed', 'skipped-in-check'], true, false, 'inconclusive'],
    ['one not simulated, allowed by policy', ['changed', 'unsupported'], true, true, 'pass'],
    ['one failed', ['failed', 'ok'], true, true, 'fail'],
    ['nothing ran', [], false, false, 'error'],
    ['no task at all', [], true, true, 'inconclusive'],
  ])('%s → %s', (_name, results, ran, allowUnsimulated, event) => {
    const tasks = results.map((result) => ({ host: 'h', task: 't', result: result as never }));
    expect(simulationVerdict(tasks, { ran, allowUnsimulated }).event).toBe(event);
  });
});

describe('gate bindings', () => {
  it('names every binding that changed', () => {
    const judged = { plan_sha256: 'a', playbook_version: 1, registry_versions: { '5': 2, '6': 1 } };
    expect(bindingChanges('policy', judged, { ...judged, registry_versions: { '5': 3, '6': 1 } })).toEqual([{ gate: 'policy', field: 'registry_versions.5', judged: 2, current: 3 }]);
    expect(bindingChanges('schema', judged, { plan_sha256: 'b', playbook_version: 2, registry_versions: judged.registry_versions }).map((c) => c.field)).toEqual(['plan_sha256', 'playbook_version']);
    expect(bindingChanges('simulation', judged, judged)).toEqual([]);
  });
});

describe('promotion steps', () => {
  const target = (id: number, phase: TargetState['phase'], run_status: TargetState['run_status'] = null): TargetState => ({ id, phase, run_status });
  it.each<[string, TargetState[], { maxParallel: number; stopOnFirstFailure: boolean }, number[], boolean]>([
    ['stages max_parallel at a time', [target(1, 'pending'), target(2, 'pending'), target(3, 'pending')], { maxParallel: 2, stopOnFirstFailure: true }, [1, 2], false],
    ['waits for a running window', [target(1, 'staged', 'running'), target(2, 'pending')], { maxParallel: 1, stopOnFirstFailure: true }, [], false],
    ['moves on when a run succeeded', [target(1, 'staged', 'succeeded'), target(2, 'pending')], { maxParallel: 1, stopOnFirstFailure: true }, [2], false],
    ['stops after a failure', [target(1, 'staged', 'failed'), target(2, 'pending')], { maxParallel: 1, stopOnFirstFailure: true }, [], true],
    ['goes on after a failure when asked to', [target(1, 'staged', 'failed'), target(2, 'pending')], { maxParallel: 1, stopOnFirstFailure: false }, [2], false],
    ['finishes when nothing is pending or in flight', [target(1, 'succeeded', 'succeeded'), target(2, 'refused')], { maxParallel: 1, stopOnFirstFailure: true }, [], true],
  ])('%s', (_name, targets, options, stage, finished) => {
    expect(planStep(targets, options)).toMatchObject({ stage, finished });
  });

  it.each<[string, Record<string, number>, string]>([
    ['succeeded', { succeeded: 3 }, 'succeeded'],
    ['partial', { succeeded: 2, refused: 1 }, 'partial'],
    ['failed', { failed: 1, skipped: 2 }, 'failed'],
  ])('a promotion with %s targets is %s', (_name, counts, outcome) => {
    expect(promotionOutcome({ ...countPhases([]), ...counts })).toBe(outcome);
  });

  it('refuses a quarantined target with the placement gate reason and hooks', () => {
    expect(postureVerdict(trust('quarantined'), now, { name: 'stable', tier: 'tier-1', stage: 'production' })).toMatchObject({
      allowed: false, veto_reasons: ['the instance is quarantined until remediation restores it'], remediation_hooks: ['policy_hook:remediation_gate=quarantined'], track_name: 'stable',
    });
  });
});
