// One line per remediation stream event: status transitions with their policy gate, feedback and accelerator
// summary; log batches as one line per log line.
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))) : []);

export function renderRemediationEvent(id: string, event: string, data: Record<string, unknown>): string[] {
  const run = String(data.run_id);
  if (event === 'log') {
    return (data.lines as { sequence: number; stream: string; line: string }[]).map((line) => `${id} run=${run} #${line.sequence} ${line.stream}: ${line.line}`);
  }
  const gate = (data.policy_gate ?? {}) as { blocked?: boolean; hooks?: unknown; accelerators?: { accelerator_id: string; posture: string }[] };
  const automation = (data.automation_payload ?? {}) as Record<string, unknown>;
  const accelerators = list((data.accelerators as { accelerator_id: string; posture: string }[] | undefined)?.map((a) => `${a.accelerator_id}:${a.posture}`));
  const parts = [
    `${id} run=${run} ${event} status=${String(data.status)} approval=${String(data.approval_state)}`,
    `attempt=${String(automation.attempt ?? 0)}/${Number(automation.retry_limit ?? 0) + 1}`,
    automation.failure_reason ? `failure=${String(automation.failure_reason)}(${String(automation.failure_class)})` : '',
    `gate=${gate.blocked ? 'blocked' : 'open'}`,
    list(gate.hooks).length ? `hooks=${list(gate.hooks).join(',')}` : '',
    list(data.policy_feedback).length ? `feedback=${list(data.policy_feedback).join(',')}` : '',
    accelerators.length ? `accelerators=${accelerators.join(',')}` : '',
    data.detail ? `detail="${String(data.detail)}"` : '',
  ];
  return [parts.filter(Boolean).join(' ')];
}

export const finalEvents = new Set(['run.succeeded', 'run.failed', 'run.cancelled', 'run.denied', 'run.expired']);
