// The recorded history (history.jsonl) and SSE transcript (sse-transcript.jsonl): what the runner did and saw, one
// JSON object a line, written as it happens and judged afterwards by the checkers. An operation is an `invoke`
// followed by `ok`, `fail` (the platform answered no) or `info` (indeterminate: no answer, a timeout); a fault is
// a `fault` line at its start and at its end, each with the evidence that it took effect.
import { z } from 'zod';
import { faultKind } from './scenario.ts';

export const opKind = z.enum(['playbook-create', 'playbook-edit', 'instance-create', 'enqueue', 'approve', 'run-read', 'artifacts', 'cross-read', 'watch', 'server-log', 'queues', 'workspace-create', 'workspace-revise', 'workspace-gate', 'workspace-promote', 'workspace-read', 'workspace-diff']);
export type OpKind = z.infer<typeof opKind>;

const common = { index: z.number().int().min(0), time: z.number().min(0), scenario: z.string() };

export const opEntry = z.strictObject({
  ...common,
  type: z.enum(['invoke', 'ok', 'fail', 'info']),
  op: z.number().int().min(0),
  tenant: z.string(),
  f: opKind,
  value: z.record(z.string(), z.unknown()).default({}),
});
export type OpEntry = z.infer<typeof opEntry>;

export const faultEntry = z.strictObject({
  ...common,
  type: z.literal('fault'),
  f: faultKind,
  phase: z.enum(['start', 'end']),
  status: z.enum(['installed', 'skipped', 'indeterminate']),
  evidence: z.record(z.string(), z.unknown()),
});
export type FaultEntry = z.infer<typeof faultEntry>;

export const historyEntry = z.union([opEntry, faultEntry]);
export type HistoryEntry = z.infer<typeof historyEntry>;

/** One line of the SSE transcript: a frame `mcpctl remediation watch --json` printed, or its stderr notice. */
export const transcriptEntry = z.strictObject({
  scenario: z.string(),
  tenant: z.string(),
  run_id: z.number().int(),
  time: z.number().min(0),
  line: z.union([z.record(z.string(), z.unknown()), z.strictObject({ notice: z.string() })]),
});
export type TranscriptEntry = z.infer<typeof transcriptEntry>;

/** An operation with its completion (undefined while none was recorded: the runner died first). */
export interface CompletedOp {
  invoke: OpEntry;
  done: OpEntry | undefined;
}

export function pairOps(history: HistoryEntry[]): CompletedOp[] {
  const ops = new Map<string, CompletedOp>();
  for (const entry of history) {
    if (entry.type === 'fault') continue;
    const key = `${entry.scenario}/${entry.op}`;
    if (entry.type === 'invoke') ops.set(key, { invoke: entry, done: undefined });
    else {
      const op = ops.get(key);
      if (op) op.done = entry;
    }
  }
  return [...ops.values()];
}

export function parseJsonl<T>(text: string, schema: z.ZodType<T>, file: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = schema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      return parsed.data;
    });
}
