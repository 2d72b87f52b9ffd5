// One winner per version: of the writers that raced with the same version of a run (approval), a playbook (edit) or
// a workspace (revision append, promotion), at most one succeeded, and every loser was told 409 with the current
// version.
import { pairOps, type CompletedOp } from '../history.ts';
import { fail, pass, unknown, type Checker } from './verdict.ts';

const groupKey = ({ invoke }: CompletedOp) => `${invoke.tenant}/${invoke.f}/${String(invoke.value.target_id)}@${String(invoke.value.version)}`;

export const oneWinnerPerVersion: Checker = {
  name: 'one-winner-per-version',
  kinds: ['approve', 'playbook-edit', 'workspace-revise', 'workspace-promote'],
  check({ history }) {
    const groups = new Map<string, CompletedOp[]>();
    for (const op of pairOps(history)) {
      if (!oneWinnerPerVersion.kinds.includes(op.invoke.f)) continue;
      if (op.done?.type !== 'ok' && op.done?.type !== 'fail') continue;
      groups.set(groupKey(op), [...(groups.get(groupKey(op)) ?? []), op]);
    }
    const races = [...groups.entries()].filter(([, ops]) => ops.length > 1);
    if (races.length === 0) return unknown('no write raced another with the same version');
    for (const [key, ops] of races) {
      const winners = ops.filter((op) => op.done?.type === 'ok');
      if (winners.length > 1) return fail(`${winners.length} writers won ${key}`);
      const bad = ops.find((op) => op.done?.type === 'fail' && (op.done.value.status !== 409 || op.done.value.current_version === undefined));
      if (bad) return fail(`a loser of ${key} got ${String(bad.done?.value.status)} ${String(bad.done?.value.code)} without the current version`);
    }
    return pass(`${races.length} races, each with at most one winner`);
  },
};
