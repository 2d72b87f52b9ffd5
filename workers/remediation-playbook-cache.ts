// The dispatcher's memory of the playbooks its claims answered, by id and version. With a job's playbook hint it
// gives an attempt's plan at once, so the executor sets up while the claim commits without reading the plan first
// (docs/remediation.md, "Start gate"). A head start only: the committed claim decides what runs, and an early
// start whose plan differs from the claim's is discarded, so a wrong entry costs time, never a wrong run.
import type { AttemptPlan, ClaimedPlaybook } from '../sql/remediation-claim.ts';

type CachedPlaybook = AttemptPlan['playbook'];

export interface PlaybookCache {
  get(id: number, version: number): CachedPlaybook | undefined;
  remember(playbook: ClaimedPlaybook): void;
}

/** Plans are up to a few MB (Ansible YAML, argv): the cache holds at most `maxBytes` of them, oldest use out first. */
export function createPlaybookCache(maxBytes = 8 << 20): PlaybookCache {
  const entries = new Map<string, { playbook: CachedPlaybook; bytes: number }>();
  let total = 0;
  const keyOf = (id: number, version: number) => `${id}@${version}`;
  const use = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    // Map order is use order: the oldest use is evicted first.
    entries.delete(key);
    entries.set(key, entry);
    return entry.playbook;
  };
  return {
    get: (id, version) => use(keyOf(id, version)),
    remember({ id, version, playbook_key, executor_type, plan, timeout_seconds }) {
      const key = keyOf(id, version);
      // Every change of a playbook bumps its version: a known key holds this very playbook.
      if (use(key) !== undefined) return;
      const playbook = { playbook_key, executor_type, plan, timeout_seconds };
      const bytes = JSON.stringify(playbook).length;
      if (bytes > maxBytes) return;
      entries.set(key, { playbook, bytes });
      total += bytes;
      for (const [oldest, entry] of entries) {
        if (total <= maxBytes) break;
        entries.delete(oldest);
        total -= entry.bytes;
      }
    },
  };
}
