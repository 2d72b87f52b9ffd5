// Which console subjects a transaction's stream events touched: a run (remediation topic), a VM instance (trust
// registry), a workspace (workspace topic) or a server (lifecycle). Pure; sql/console-marks.ts writes them.

export type ConsoleMarkKind = 'workspace' | 'run' | 'vm_instance' | 'server';

export interface ConsoleMark {
  owner_id: string;
  kind: ConsoleMarkKind;
  subject_id: number;
}

const KIND_OF_TOPIC: Record<string, ConsoleMarkKind> = {
  remediation: 'run',
  'trust-registry': 'vm_instance',
  'remediation-workspace': 'workspace',
  lifecycle: 'server',
};

/** Log lines change no console entry; subjects that are not row ids (`instance-7` skips) name no run. */
export function consoleMarksOf(events: readonly { topic: string; owner_id: string; subject_id: string; event: string }[]): ConsoleMark[] {
  const marks = new Map<string, ConsoleMark>();
  for (const event of events) {
    const kind = KIND_OF_TOPIC[event.topic];
    if (kind === undefined || event.event === 'log' || !/^[1-9]\d{0,15}$/.test(event.subject_id)) continue;
    const mark = { owner_id: event.owner_id, kind, subject_id: Number(event.subject_id) };
    marks.set(`${mark.owner_id}\u0000${kind}\u0000${mark.subject_id}`, mark);
  }
  return sortMarks([...marks.values()]);
}

/** Marks in key order: writers lock mark rows in one order, so two of them cannot deadlock on each other. */
export function sortMarks(marks: ConsoleMark[]): ConsoleMark[] {
  return marks.sort((a, b) => (a.owner_id < b.owner_id ? -1 : a.owner_id > b.owner_id ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.subject_id - b.subject_id));
}
