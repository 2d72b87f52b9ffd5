// What a dry run found, per task, and what the simulation gate concludes from it. A task the dry run could not
// simulate (skipped because of check mode, or a module without check mode) makes the gate inconclusive unless the
// policy allowed unsimulated tasks; a task that failed fails the gate.
import type { SimulationTask } from './schemas/workspaces.ts';

export const SIMULATION_MARKER = 'MCP-SIM ';

interface CallbackLine {
  host: string;
  task: string;
  status: 'ok' | 'failed' | 'skipped' | 'unreachable';
  changed: boolean;
  skipped: boolean;
  msg: string;
  skip_reason: string;
  diff: string;
}

function classify(line: CallbackLine): SimulationTask['result'] {
  if (line.status === 'failed' || line.status === 'unreachable') return 'failed';
  if (/does not support check mode/i.test(line.msg)) return 'unsupported';
  if (line.status === 'skipped' || line.skipped) return /conditional result was false/i.test(line.skip_reason) ? 'ok' : 'skipped-in-check';
  return line.changed ? 'changed' : 'ok';
}

/** Tasks from the simulation callback's lines (executors/remediation/ansible-simulation.ts); other lines are ignored. */
export function parseSimulationLines(lines: string[]): SimulationTask[] {
  return lines.flatMap((raw) => {
    if (!raw.startsWith(SIMULATION_MARKER)) return [];
    try {
      const line = JSON.parse(raw.slice(SIMULATION_MARKER.length)) as CallbackLine;
      return [{ host: String(line.host), task: String(line.task), result: classify(line), ...(line.diff ? { diff: line.diff } : {}) }];
    } catch {
      return [{ host: 'unknown', task: 'unparsed callback line', result: 'unsupported' as const }];
    }
  });
}

export type SimulationVerdict = { event: 'pass' | 'fail' | 'inconclusive' | 'error'; reason: string };

export function simulationVerdict(tasks: SimulationTask[], options: { ran: boolean; allowUnsimulated: boolean }): SimulationVerdict {
  const count = (result: SimulationTask['result']) => tasks.filter((task) => task.result === result).length;
  if (count('failed') > 0) return { event: 'fail', reason: `${count('failed')} task(s) failed in the dry run` };
  // No task result at all: the dry run itself broke (sandbox, interpreter); running it again is the remedy.
  if (!options.ran && tasks.length === 0) return { event: 'error', reason: 'the dry run failed before any task ran' };
  const unsimulated = count('skipped-in-check') + count('unsupported');
  if (tasks.length === 0) return { event: 'inconclusive', reason: 'the dry run reported no task' };
  if (unsimulated > 0 && !options.allowUnsimulated) return { event: 'inconclusive', reason: `${unsimulated} task(s) could not be simulated` };
  return { event: 'pass', reason: `${count('changed')} changed, ${count('ok')} ok${unsimulated > 0 ? `, ${unsimulated} not simulated (allowed by policy)` : ''}` };
}
