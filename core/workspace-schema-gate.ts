// The schema gate: a revision's plan against its executor's zod schema (core/remediation-plan.ts) and, for an
// Ansible plan with an inline playbook, that playbook parsed as YAML into a list of plays. Answers error vectors.
import { parseDocument } from 'yaml';
import type { FieldError } from './errors.ts';
import { planSchemas, type ExecutorType } from './remediation-plan.ts';

export interface SchemaVerdict {
  passed: boolean;
  errors: FieldError[];
}

function playbookErrors(source: string): FieldError[] {
  const doc = parseDocument(source, { prettyErrors: false });
  const yamlErrors = doc.errors.map((error) => ({ path: 'plan.playbook_yaml', code: `yaml-${error.code.toLowerCase().replaceAll('_', '-')}`, message: error.message }));
  if (yamlErrors.length > 0) return yamlErrors;
  const plays: unknown = doc.toJS();
  if (!Array.isArray(plays) || plays.length === 0) return [{ path: 'plan.playbook_yaml', code: 'not-a-playbook', message: 'a playbook is a non-empty YAML list of plays' }];
  return plays.flatMap((play, index) =>
    play !== null && typeof play === 'object' && !Array.isArray(play) && 'hosts' in play
      ? []
      : [{ path: `plan.playbook_yaml.${index}`, code: 'not-a-play', message: 'each play is a mapping with hosts' }],
  );
}

export function validatePlan(executorType: ExecutorType, plan: unknown): SchemaVerdict {
  const parsed = planSchemas[executorType].safeParse(plan);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ path: ['plan', ...issue.path.map(String)].join('.'), code: issue.code, message: issue.message }));
    return { passed: false, errors };
  }
  const yaml = executorType === 'ansible' ? (parsed.data as { playbook_yaml?: string }).playbook_yaml : undefined;
  const errors = yaml === undefined ? [] : playbookErrors(yaml);
  return { passed: errors.length === 0, errors };
}
