import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeStatuses, canTransition, isActive, isTerminal, runStatus, terminalStatuses, type RunStatus } from '../../core/remediation-status.ts';

const statusArb = fc.constantFrom(...runStatus.options);

describe('run status transition table', () => {
  it('lets no status leave a terminal one', () => {
    fc.assert(fc.property(fc.constantFrom(...terminalStatuses), statusArb, (from, to) => !canTransition(from, to)));
  });

  it('reaches a terminal status from every active one, and every status is either active or terminal', () => {
    const reachable = (from: RunStatus, seen = new Set<RunStatus>()): Set<RunStatus> => {
      for (const to of runStatus.options) if (canTransition(from, to) && !seen.has(to)) reachable(to, seen.add(to));
      return seen;
    };
    for (const status of activeStatuses) expect([...reachable(status)].some(isTerminal)).toBe(true);
    fc.assert(fc.property(statusArb, (status) => isActive(status) !== isTerminal(status)));
  });

  it('never returns a run to pending', () => {
    fc.assert(fc.property(statusArb, (from) => !canTransition(from, 'pending')));
  });
});
