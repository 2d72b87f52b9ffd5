// The checkers by name, and the judging of one scenario's recorded files: each checker's own verdict, turned
// unknown when the faulty phase gave it nothing to judge (a scenario with faults never passes vacuously).
import type { CheckerName } from '../scenario.ts';
import { faultPhaseGap } from './fault-phase.ts';
import { oneActiveRun } from './one-active-run.ts';
import { oneWinnerPerVersion } from './one-winner-per-version.ts';
import { outageRecovery } from './outage-recovery.ts';
import { streamOrder } from './stream-order.ts';
import { tenantIsolation } from './tenant-isolation.ts';
import type { CheckInput, CheckResult, Checker } from './verdict.ts';

export const checkers: Record<CheckerName, Checker> = {
  'tenant-isolation': tenantIsolation,
  'one-winner-per-version': oneWinnerPerVersion,
  'one-active-run': oneActiveRun,
  'stream-order': streamOrder,
  'outage-recovery': outageRecovery,
};

export function runChecker(name: CheckerName, input: CheckInput): CheckResult {
  const checker = checkers[name];
  const result = checker.check(input);
  if (result.verdict !== 'pass') return { checker: name, ...result };
  const gap = faultPhaseGap(input.history, checker.kinds);
  return gap === undefined ? { checker: name, ...result } : { checker: name, verdict: 'unknown', detail: gap };
}
