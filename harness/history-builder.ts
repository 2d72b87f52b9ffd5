// Builds history entries with consecutive indexes and op numbers: the runner's recorder appends what it builds to
// history.jsonl as it happens; the planted bugs and the tests build whole histories with it.
import type { FaultEntry, HistoryEntry, OpEntry, OpKind } from './history.ts';
import type { FaultKind } from './scenario.ts';

export interface HistoryBuilder {
  entries: HistoryEntry[];
  /** Records the invoke; the answer is recorded by the function it returns. */
  invoke(tenant: string, f: OpKind, value?: Record<string, unknown>): (type: 'ok' | 'fail' | 'info', value?: Record<string, unknown>) => OpEntry;
  /** An operation recorded at once with its answer. */
  op(tenant: string, f: OpKind, value: Record<string, unknown>, type: 'ok' | 'fail' | 'info', answer?: Record<string, unknown>): OpEntry;
  fault(f: FaultKind, phase: 'start' | 'end', status: FaultEntry['status'], evidence: Record<string, unknown>): FaultEntry;
}

export function createHistoryBuilder(scenario: string, options: { clock?: () => number; onEntry?: (entry: HistoryEntry) => void; from?: HistoryEntry[] } = {}): HistoryBuilder {
  const entries: HistoryEntry[] = [...(options.from ?? [])];
  let tick = Math.max(0, ...entries.map((entry) => entry.time));
  const clock = options.clock ?? (() => ++tick);
  let nextOp = Math.max(-1, ...entries.map((entry) => (entry.type === 'fault' ? -1 : entry.op))) + 1;
  const push = <T extends HistoryEntry>(entry: Omit<T, 'index' | 'time' | 'scenario'>): T => {
    const full = { index: entries.length, time: clock(), scenario, ...entry } as T;
    entries.push(full);
    options.onEntry?.(full);
    return full;
  };
  const builder: HistoryBuilder = {
    entries,
    invoke(tenant, f, value = {}) {
      const op = nextOp++;
      push<OpEntry>({ type: 'invoke', op, tenant, f, value });
      return (type, answer = {}) => push<OpEntry>({ type, op, tenant, f, value: answer });
    },
    op: (tenant, f, value, type, answer = {}) => builder.invoke(tenant, f, value)(type, answer),
    fault: (f, phase, status, evidence) => push<FaultEntry>({ type: 'fault', f, phase, status, evidence }),
  };
  return builder;
}
